"""Side-by-side timings of tfc's blocked matmul / conv2d against torch (and optionally jax).

    python tools/bench_contraction.py                 # matmul 1024^3, 4096^3, odd sizes, a conv layer, W5, W8
    python tools/bench_contraction.py --only matmul --sizes 1024,2048 --reps 9
    python tools/bench_contraction.py --peers torch,torch.compile,jax

Every peer runs on the same inputs in the same process with 2 threads
(torch.set_num_threads, XLA flags, OMP_NUM_THREADS for tfc); each number is
the median of --reps timed calls after a warm-up. GFLOP/s counts 2*M*N*K (conv:
2*N*OH*OW*OC*KH*KW*IC). The load average is printed before and after, because
on a shared machine it decides how far the numbers can be trusted, and the
OpenMP wait policy: under load libgomp's default spin-waiting steals the core
from the slower thread (OMP_WAIT_POLICY=passive halves W8 at load ~10).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads=2")

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tfc  # noqa: E402
from tests.contraction.harness import blocked_pipeline  # noqa: E402


def median_time(fn, reps: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def load() -> str:
    return "load %.2f %.2f %.2f" % os.getloadavg()


class Peers:
    def __init__(self, names: list[str]):
        self.names = names
        self.torch = None
        if any(n.startswith("torch") for n in names):
            import torch

            torch.set_num_threads(2)
            self.torch = torch
        self.jax = None
        if "jax" in names:
            import jax

            jax.config.update("jax_enable_x64", False)
            self.jax = jax

    def run(self, name: str, torch_fn, jax_fn, args, reps: int) -> float | None:
        if name == "torch":
            targs = [self.torch.from_numpy(a) for a in args]
            with self.torch.no_grad():
                return median_time(lambda: torch_fn(*targs), reps)
        if name == "torch.compile":
            targs = [self.torch.from_numpy(a) for a in args]
            compiled = self.torch.compile(torch_fn)
            with self.torch.no_grad():
                compiled(*targs)
                return median_time(lambda: compiled(*targs), reps)
        if name == "jax":
            jargs = [self.jax.device_put(a) for a in args]
            f = self.jax.jit(jax_fn)
            f(*jargs).block_until_ready()
            return median_time(lambda: f(*jargs).block_until_ready(), reps)
        return None


def tfc_time(fn, args, reps: int) -> tuple[float, float]:
    """(median seconds per call, cold compile seconds incl. the C compiler)."""
    with blocked_pipeline():
        t0 = time.perf_counter()
        exe = tfc.compile(fn, *args, contraction="blocked")
        compile_s = time.perf_counter() - t0
    outs = [np.empty(s.shape, s.dtype.numpy) for s in exe.output_specs]
    out = outs if len(outs) > 1 else outs[0]
    return median_time(lambda: exe(*args, out=out), reps), compile_s


def report(label: str, flops: float, times: dict[str, float | None], compile_s: float) -> None:
    t_tfc = times["tfc"]
    cells = []
    for name, t in times.items():
        if t is None:
            continue
        ratio = "" if name == "tfc" else f" (tfc {t / t_tfc:.2f}x)"
        cells.append(f"{name} {t * 1e3:8.2f} ms {flops / t / 1e9:6.1f} GF/s{ratio}")
    print(f"{label:<28} " + " | ".join(cells) + f" | compile {compile_s:.2f}s", flush=True)


def bench_matmul(peers: Peers, sizes, reps: int) -> None:
    rng = np.random.default_rng(0)
    for (m, k, n) in sizes:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        r = reps if m * n * k < 2**33 else max(3, reps // 2)
        t, cs = tfc_time(lambda x, y: tfc.matmul(x, y), (a, b), r)
        times = {"tfc": t}
        for name in peers.names:
            times[name] = peers.run(name, lambda x, y: x @ y, lambda x, y: x @ y, (a, b), r)
        report(f"matmul {m}x{k}x{n}", 2.0 * m * n * k, times, cs)


def bench_conv(peers: Peers, reps: int) -> None:
    rng = np.random.default_rng(0)
    # A W8-style layer: b64 32x32, 32 -> 64 channels, 3x3 SAME, + bias + relu.
    n, h, w, ci, co = 64, 32, 32, 32, 64
    x = rng.standard_normal((n, h, w, ci), dtype=np.float32)
    f = (rng.standard_normal((3, 3, ci, co)) * 0.1).astype(np.float32)
    bias = rng.standard_normal((co,), dtype=np.float32)

    def tfc_fn(x, f, b):
        return tfc.nn.relu(tfc.nn.conv2d(x, f, strides=1, padding="SAME") + b)

    t, cs = tfc_time(tfc_fn, (x, f, bias), reps)
    times = {"tfc": t}
    for name in peers.names:
        if name.startswith("torch"):
            torch = peers.torch
            fw = torch.from_numpy(np.ascontiguousarray(f.transpose(3, 2, 0, 1)))

            def torch_fn(x, _f, b, fw=fw):
                y = torch.nn.functional.conv2d(x.permute(0, 3, 1, 2), fw, b, padding=1)
                return torch.relu(y).permute(0, 2, 3, 1)

            times[name] = peers.run(name, torch_fn, None, (x, f, bias), reps)
        elif name == "jax":
            import jax

            def jax_fn(x, f, b):
                y = jax.lax.conv_general_dilated(x, f, (1, 1), "SAME",
                                                 dimension_numbers=("NHWC", "HWIO", "NHWC"))
                return jax.nn.relu(y + b)

            times[name] = peers.run(name, None, jax_fn, (x, f, bias), reps)
    flops = 2.0 * n * h * w * co * 9 * ci
    report(f"conv3x3 b{n} {h}x{w} {ci}->{co}", flops, times, cs)


def bench_mlp(peers: Peers, reps: int) -> None:
    """W5: 512 x (784 -> 1024 -> 1024 -> 10), relu."""
    rng = np.random.default_rng(0)
    dims = [784, 1024, 1024, 10]
    x = rng.standard_normal((512, 784), dtype=np.float32)
    ws = [(rng.standard_normal((a, b)) / np.sqrt(a)).astype(np.float32) for a, b in zip(dims, dims[1:])]
    bs = [rng.standard_normal((b,), dtype=np.float32) for b in dims[1:]]
    args = (x, *ws, *bs)

    def tfc_fn(x, w0, w1, w2, b0, b1, b2):
        h = tfc.nn.relu(tfc.matmul(x, w0) + b0)
        h = tfc.nn.relu(tfc.matmul(h, w1) + b1)
        return tfc.matmul(h, w2) + b2

    t, cs = tfc_time(tfc_fn, args, reps)
    times = {"tfc": t}
    for name in peers.names:
        if name.startswith("torch"):
            torch = peers.torch

            def torch_fn(x, w0, w1, w2, b0, b1, b2):
                h = torch.relu(x @ w0 + b0)
                h = torch.relu(h @ w1 + b1)
                return h @ w2 + b2

            times[name] = peers.run(name, torch_fn, None, args, reps)
        elif name == "jax":
            import jax

            def jax_fn(x, w0, w1, w2, b0, b1, b2):
                h = jax.nn.relu(x @ w0 + b0)
                h = jax.nn.relu(h @ w1 + b1)
                return h @ w2 + b2

            times[name] = peers.run(name, None, jax_fn, args, reps)
    flops = 2.0 * 512 * sum(a * b for a, b in zip(dims, dims[1:]))
    report("W5 mlp 512x784-1024-1024-10", flops, times, cs)


def bench_workloads(keys: list[str], peers: Peers, reps: int) -> None:
    """Workloads of tools/bench (same definitions and inputs), tfc through the blocked lowering."""
    from tools.bench import workloads as wl

    adapters = {"tfc": wl.TfcOps()}
    if peers.torch is not None:
        adapters["torch"] = wl.TorchOps()
    if peers.jax is not None:
        adapters["jax"] = wl.JaxOps()
    for w in wl.all_workloads():
        if w.key not in keys and w.key.split("-")[0] not in keys:
            continue
        inputs = list(w.make_inputs(0).values())
        F = adapters["tfc"]
        t, cs = tfc_time(lambda *a, F=F, w=w: w.fn(F, *a), inputs, reps)
        times = {"tfc": t}
        for name in peers.names:
            if name in ("torch", "torch.compile"):
                F = adapters["torch"]
                fn = (lambda *a, F=F, w=w: w.fn(F, *a))
                times[name] = peers.run(name, fn, None, inputs, reps)
            elif name == "jax":
                F = adapters["jax"]
                times[name] = peers.run(name, None, (lambda *a, F=F, w=w: w.fn(F, *a)), inputs, reps)
        report(f"{w.key} {w.size}", w.work, times, cs)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=["matmul", "conv", "mlp"], action="append")
    p.add_argument("--workloads", default="", help="tools/bench workload keys, e.g. W4,W5,W8")
    p.add_argument("--sizes", default="1024,4096,300x257x130",
                   help="comma-separated N (N^3) or MxKxN")
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--peers", default="torch", help="comma-separated: torch, torch.compile, jax")
    args = p.parse_args()
    peers = Peers([n for n in args.peers.split(",") if n])
    sizes = []
    for s in args.sizes.split(","):
        parts = [int(x) for x in s.split("x")]
        sizes.append(tuple(parts) if len(parts) == 3 else (parts[0],) * 3)
    only = args.only or ([] if args.workloads else ["matmul", "conv", "mlp"])
    policy = os.environ.get("OMP_WAIT_POLICY", "default (libgomp spins)")
    print(f"# {load()}  threads=2  reps={args.reps} (median)  OMP_WAIT_POLICY={policy}", flush=True)
    if "matmul" in only:
        bench_matmul(peers, sizes, args.reps)
    if "conv" in only:
        bench_conv(peers, args.reps)
    if "mlp" in only:
        bench_mlp(peers, args.reps)
    if args.workloads:
        bench_workloads(args.workloads.split(","), peers, args.reps)
    print(f"# {load()}", flush=True)


if __name__ == "__main__":
    main()
