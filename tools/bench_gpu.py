"""GPU benchmarks: tfc (target="gpu") beside torch eager and torch.compile on one CUDA device.

    python tools/bench_gpu.py                      # everything; writes docs/benchmarks_gpu.md
    python tools/bench_gpu.py --workloads W2,W4 --matmul-dtypes f16 --no-compile
    python tools/bench_gpu.py --quick              # small shapes: a smoke test of the script

The workloads are those of the CPU benchmark (tools/bench/workloads.py), in float32 unless
said otherwise: W1 gelu_tanh(x*a + b) over 2^24 elements (a, b scalars), W2 row softmax
8192x1024, W3 layer norm 8192x1024, W4 matmul 1024^3 and 4096^3 in float16, bfloat16 and
float32, W5 MLP 512x784->1024->1024->10 (relu), W7 a pre-LN transformer encoder block
(b8 s128 d512 h8 mlp2048). Each framework computes the same function from the same inputs.

Method: device time from CUDA events, the median of `triton.testing.do_bench` (which also
flushes L2 between calls); each timed call takes the next of 3 input sets in turn, so no
call finds its inputs in cache from the call before. tfc writes into preallocated outputs
(`out=`), so its CUDA graphs are replayed; torch.compile uses mode="max-autotune-no-cudagraphs"
unless --compile-mode says otherwise. Every result is checked against torch eager first. The
ceiling for the memory-bound rows is a device-to-device copy of 256 MiB (read + write).
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import math
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/: the bench package

ROOT = Path(__file__).resolve().parents[1]
DTYPES = {"f32": "float32", "f16": "float16", "bf16": "bfloat16"}


# The op namespaces and the computations are the CPU benchmark's (tools/bench/workloads.py):
# one definition, so the GPU and CPU tables time the same programs (torch's ops run on
# whichever device their tensors are on).
from bench.workloads import (  # noqa: E402
    TfcOps, TorchOps, _dense, encoder_block, gelu_affine, layer_norm, matmul, mlp, softmax_rows)


@dataclass
class Workload:
    key: str
    what: str
    size: str
    fn: Callable
    shapes: dict[str, tuple]
    unit: str                 # "GB/s" (bytes moved) or "TFLOP/s"
    work: float               # bytes or flops per call
    dtype: str = "f32"
    scale: dict[str, float] = field(default_factory=dict)

    def make_inputs(self, torch, device, seed: int):
        g = torch.Generator(device="cpu").manual_seed(seed)
        dt = getattr(torch, DTYPES[self.dtype])
        return [(torch.randn(shape, generator=g) * self.scale.get(name, 1.0)).to(device=device, dtype=dt)
                for name, shape in self.shapes.items()]


def all_workloads(quick: bool, matmul_dtypes: list[str]) -> list[Workload]:
    q = quick
    ws: list[Workload] = []
    n = 1 << (16 if q else 24)
    ws.append(Workload("W1", "gelu_tanh(x*a + b)", f"2^{int(math.log2(n))} (a, b scalars)", gelu_affine,
                       {"x": (n,), "a": (), "b": ()}, "GB/s", 2 * 4 * n, scale={"a": 0.5, "b": 0.5}))
    r, c = (256, 128) if q else (8192, 1024)
    ws.append(Workload("W2", "row softmax", f"{r}x{c}", softmax_rows, {"x": (r, c)}, "GB/s", 2 * 4 * r * c))
    ws.append(Workload("W3", "layer norm", f"{r}x{c}", layer_norm, {"x": (r, c), "gamma": (c,), "beta": (c,)},
                       "GB/s", 2 * 4 * r * c + 8 * c))
    for m in ((64, 128) if q else (1024, 4096)):
        for dt in matmul_dtypes:
            ws.append(Workload(f"W4-{m}-{dt}", "matmul", f"{m}^3 {dt}", matmul, {"a": (m, m), "b": (m, m)},
                               "TFLOP/s", 2.0 * m ** 3, dtype=dt, scale={"b": _dense(m)}))
    b, i, h, o = (16, 64, 64, 10) if q else (512, 784, 1024, 10)
    ws.append(Workload("W5", "MLP forward (relu)", f"{b}x{i}->{h}->{h}->{o}", mlp,
                       {"x": (b, i), "w1": (i, h), "b1": (h,), "w2": (h, h), "b2": (h,), "w3": (h, o),
                        "b3": (o,)}, "TFLOP/s", 2.0 * b * (i * h + h * h + h * o),
                       scale={"w1": _dense(i), "w2": _dense(h), "w3": _dense(h), "b1": 0.1, "b2": 0.1,
                              "b3": 0.1}))
    bsz, seq, d, f = (1, 16, 64, 256) if q else (8, 128, 512, 2048)
    heads = 4 if q else 8
    enc = {"x": (bsz, seq, d), "ln1_g": (d,), "ln1_b": (d,), "wq": (d, d), "bq": (d,), "wk": (d, d),
           "bk": (d,), "wv": (d, d), "bv": (d,), "wo": (d, d), "bo": (d,), "ln2_g": (d,), "ln2_b": (d,),
           "w1": (d, f), "b1": (f,), "w2": (f, d), "b2": (d,)}
    flops = 2.0 * bsz * seq * (4 * d * d + 2 * d * f) + 2.0 * 2 * bsz * seq * seq * d
    sd, sf = _dense(d), _dense(f)
    ws.append(Workload("W7", "transformer encoder block (pre-LN)", f"b{bsz} s{seq} d{d} h{heads} mlp{f}",
                       lambda F, *a: encoder_block(F, *a, heads=heads), enc, "TFLOP/s", flops,
                       scale={"wq": sd, "wk": sd, "wv": sd, "wo": sd, "w1": sd, "w2": sf}))
    return ws


# --- measuring ----------------------------------------------------------------------------------

ROTATE = 3


def bench(fn_with_inputs, input_sets, warmup: int, rep: int) -> float:
    """Median device milliseconds per call, taking the input sets in turn."""
    from triton.testing import do_bench

    sets = itertools.cycle(input_sets)
    return do_bench(lambda: fn_with_inputs(*next(sets)), warmup=warmup, rep=rep, return_mode="median")


def copy_ceiling_gbs(torch, warmup: int, rep: int) -> float:
    """Device-to-device copy bandwidth (read + write), GB/s."""
    n = 256 << 20
    src = torch.empty(n, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    ms = bench(lambda s: dst.copy_(s), [(src,)], warmup, rep)
    return 2 * n / ms / 1e6


def close(got, want, dtype: str) -> tuple[bool, float]:
    g, w = got.float(), want.float()
    err = (g - w).abs().max().item() / max(w.abs().max().item(), 1e-6)
    return err <= {"f32": 2e-3, "f16": 2e-2, "bf16": 4e-2}[dtype], err


def run_workload(w: Workload, args, torch) -> dict:
    import tfc

    sets = [w.make_inputs(torch, "cuda", seed) for seed in range(ROTATE)]
    row = {"key": w.key, "what": w.what, "size": w.size, "unit": w.unit}
    eager = lambda *a: w.fn(TorchOps(), *a)  # noqa: E731
    want = eager(*sets[0])
    row["eager"] = bench(eager, sets, args.warmup, args.rep)

    if not args.no_compile:
        try:
            compiled = torch.compile(eager, mode=args.compile_mode)
            ok, err = close(compiled(*sets[0]), want, w.dtype)
            row["compile"] = bench(compiled, sets, args.warmup, args.rep) if ok else None
            row["compile_err"] = None if ok else f"wrong result (rel. error {err:.1e})"
        except Exception as e:  # a failing peer is reported, not fatal
            row["compile"], row["compile_err"] = None, f"{type(e).__name__}: {str(e)[:80]}"

    names = list(w.shapes)
    specs = [tfc.TensorSpec(w.shapes[n], w.dtype, n) for n in names]
    exe = tfc.compile(lambda *a: w.fn(TfcOps(), *a), *specs, target="gpu",
                      **({"gpu_allow_tf32": True} if args.tf32 else {}))
    outs = torch.empty(tuple(want.shape), dtype=want.dtype, device="cuda")
    exe(*sets[0], out=outs)  # tunes the kernels (once per device; recorded beside the artifact)
    ok, err = close(outs, want, w.dtype)
    row["tfc_err"] = None if ok else f"wrong result (rel. error {err:.1e})"
    row["tfc"] = bench(lambda *a: exe(*a, out=outs), sets, args.warmup, args.rep) if ok else None
    row["kernels"] = len(exe._program.module.KERNELS)
    row["work"] = w.work
    return row


def rate(row: dict, key: str) -> str:
    ms = row.get(key)
    if ms is None:
        return "n/a"
    per_s = row["work"] / (ms / 1e3)
    return f"{per_s / 1e9:.0f}" if row["unit"] == "GB/s" else f"{per_s / 1e12:.1f}"


def table(rows: list[dict], ceiling: float, have_compile: bool) -> list[str]:
    head = ["workload", "size", "torch eager ms"] + (["torch.compile ms"] if have_compile else []) + \
           ["tfc ms", "tfc kernels", "tfc / eager", "tfc rate", "eager rate"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        fmt = lambda k: "n/a" if r.get(k) is None else f"{r[k]:.4f}"  # noqa: E731
        speed = "n/a" if r.get("tfc") is None else f"{r['eager'] / r['tfc']:.2f}x"
        rate_tfc = rate(r, "tfc") + " " + r["unit"]
        if r["unit"] == "GB/s" and r.get("tfc") is not None:
            rate_tfc += f" ({100 * r['work'] / (r['tfc'] / 1e3) / 1e9 / ceiling:.0f}% of copy)"
        cells = [f"{r['key']} {r['what']}", r["size"], fmt("eager")] + \
                ([fmt("compile")] if have_compile else []) + \
                [fmt("tfc"), str(r.get("kernels", "")), speed, rate_tfc, rate(r, "eager") + " " + r["unit"]]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def write_page(path: Path, rows: list[dict], ceiling: float, args, torch) -> None:
    import triton

    import tfc

    have_compile = not args.no_compile
    notes = [f"- {r['key']}: torch.compile: {r['compile_err']}" for r in rows if r.get("compile_err")]
    notes += [f"- {r['key']}: tfc: {r['tfc_err']}" for r in rows if r.get("tfc_err")]
    page = [
        "# GPU benchmarks",
        "",
        f"Generated by `python tools/bench_gpu.py {' '.join(sys.argv[1:])}` on "
        f"{datetime.date.today().isoformat()}.",
        "",
        f"- device: {torch.cuda.get_device_name()} (CUDA {torch.version.cuda}), host {platform.node()}",
        f"- torch {torch.__version__}, triton {triton.__version__}, tfc {tfc.__version__}",
        f"- copy ceiling (device-to-device, read + write): {ceiling:.0f} GB/s",
        f"- float32 matmuls: {'TF32 allowed for both tfc and torch' if args.tf32 else 'IEEE float32 (no TF32) for both'}",
        "",
        "Median device time per call (CUDA events via `triton.testing.do_bench`, L2 flushed), "
        f"inputs rotating over {ROTATE} sets. tfc writes into preallocated outputs and replays its "
        "CUDA graph; its kernels were autotuned once before timing. Rates: bytes moved (read inputs + "
        "write output) for W1-W3, matmul FLOPs for W4, W5 and W7.",
        "",
        *table(rows, ceiling, have_compile),
        "",
    ]
    if notes:
        page += ["Notes:", "", *notes, ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(page))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--workloads", help="comma-separated keys or prefixes (W1,W4,W4-1024,...); default all")
    p.add_argument("--matmul-dtypes", default="f16,bf16,f32", help="dtypes for W4 (default f16,bf16,f32)")
    p.add_argument("--quick", action="store_true", help="small shapes: check that the script runs")
    p.add_argument("--no-compile", action="store_true", help="skip torch.compile")
    p.add_argument("--compile-mode", default="max-autotune-no-cudagraphs",
                   help="torch.compile mode (default max-autotune-no-cudagraphs)")
    p.add_argument("--tf32", action="store_true", help="allow TF32 for float32 matmuls (tfc and torch)")
    p.add_argument("--warmup", type=int, default=25, help="do_bench warm-up, ms (default 25)")
    p.add_argument("--rep", type=int, default=100, help="do_bench measuring time, ms (default 100)")
    p.add_argument("--out", default=str(ROOT / "docs" / "benchmarks_gpu.md"),
                   help="markdown page to write (default docs/benchmarks_gpu.md)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        import torch
    except ImportError:
        print("bench_gpu: needs torch with CUDA (pip install torch)", file=sys.stderr)
        return 2
    if not torch.cuda.is_available():
        print("bench_gpu: no CUDA device (torch.cuda.is_available() is False): GPU timings need a GPU. "
              "Without one, target='gpu' runs in Triton's interpreter, which is for testing only.",
              file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    dts = [d.strip() for d in args.matmul_dtypes.split(",") if d.strip()]
    unknown = [d for d in dts if d not in DTYPES]
    if unknown:
        print(f"bench_gpu: unknown dtype(s) {', '.join(unknown)}; choose from {', '.join(DTYPES)}", file=sys.stderr)
        return 2
    ws = all_workloads(args.quick, dts)
    if args.workloads:
        wanted = [k.strip().upper() for k in args.workloads.split(",") if k.strip()]
        ws = [w for w in ws if any(w.key == k or w.key.startswith(k + "-") for k in wanted)]
        if not ws:
            print(f"bench_gpu: no workload matches {args.workloads}", file=sys.stderr)
            return 2
    ceiling = copy_ceiling_gbs(torch, args.warmup, args.rep)
    print(f"{torch.cuda.get_device_name()}: copy ceiling {ceiling:.0f} GB/s")
    rows = []
    for w in ws:
        print(f"  {w.key} {w.what} {w.size} ...", flush=True)
        rows.append(run_workload(w, args, torch))
    lines = table(rows, ceiling, not args.no_compile)
    print("\n".join(lines))
    write_page(Path(args.out), rows, ceiling, args, torch)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
