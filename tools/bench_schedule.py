"""Memory-bound workloads of issue #3 (W1-W3, W6): tfc against NumPy, torch eager,
torch.compile and jax.jit, and a C copy of the same bytes as the ceiling.

    python tools/bench_schedule.py [--workloads W1,W2,W3,W6] [--frameworks tfc,numpy,...]
                                   [--repeats 7] [--quick] [--json FILE]

W1 gelu_tanh(x*a + b), x: 2^24 f32 (a, b: f32 scalars); W2 row softmax 8192x1024;
W3 layer norm 8192x1024 with gamma, beta (eps 1e-5); W6 100 x (x*1.0001 + 0.001)
on 64x64 (time per call). Every (framework, workload) runs in its own process
(`--_worker`), on 2 threads (torch.set_num_threads(2); XLA and OpenMP use the
machine's 2 cores), on 3 rotating input sets (so W2/W3 are not served from L3),
after warm-up calls. A sample is one call (W6: the mean of a batch of calls
lasting >= 20 ms); the table gives the median of `--repeats` samples (>= 5) and
the machine's load average before and after (medians on a loaded machine
mostly measure the other work; "best" is the fastest sample, the closest to an
idle machine; the copy ratio is given for both). "tfc out=" writes into a
preallocated output (the caller-buffer API); the others allocate their output
each call, as the peers do. The copy ceiling is a C loop `b[i] = a[i]` over the
workload's bytes, compiled with tfc's flags, OpenMP over 2 threads, cycling
through 3 buffer pairs like the workloads, median (and best) of 30, run before
and after the workloads (the better run is the ceiling).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
GELU_C = math.sqrt(2.0 / math.pi)
FRAMEWORKS = ["tfc", "tfc out=", "numpy", "torch", "torch.compile", "jax"]


# -- the workloads, once per framework ------------------------------------------------

def _inputs(key: str, quick: bool, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    f32 = np.float32
    if key == "W1":
        n = 1 << (16 if quick else 24)
        return [rng.standard_normal(n, dtype=f32), f32(0.5 + 0.1 * seed), f32(0.5 - 0.1 * seed)]
    if key in ("W2", "W3"):
        r, c = (256, 128) if quick else (8192, 1024)
        x = rng.standard_normal((r, c), dtype=f32)
        if key == "W2":
            return [x]
        return [x, rng.standard_normal(c, dtype=f32), rng.standard_normal(c, dtype=f32)]
    if key == "W6":
        return [rng.standard_normal((64, 64), dtype=f32)]
    raise SystemExit(f"unknown workload {key}")


def _bytes(key: str, inputs: list[np.ndarray]) -> int:
    """Bytes a perfect implementation moves: read the inputs, write the output."""
    x = inputs[0]
    return 2 * x.nbytes + sum(a.nbytes for a in inputs[1:] if a.ndim)


def reference(key: str, inputs: list[np.ndarray]) -> np.ndarray:
    a = [np.asarray(v, dtype=np.float64) for v in inputs]
    if key == "W1":
        u = a[0] * a[1] + a[2]
        return 0.5 * u * (1.0 + np.tanh(GELU_C * (u + 0.044715 * u ** 3)))
    if key == "W2":
        e = np.exp(a[0] - a[0].max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)
    if key == "W3":
        m = a[0].mean(-1, keepdims=True)
        v = ((a[0] - m) ** 2).mean(-1, keepdims=True)
        return (a[0] - m) / np.sqrt(v + 1e-5) * a[1] + a[2]
    x = a[0]
    for _ in range(100):
        x = x * 1.0001 + 0.001
    return x


def _make(framework: str, key: str, example: list[np.ndarray]):
    """(callable over numpy inputs -> result, converter of numpy inputs)."""
    if framework.startswith("tfc"):
        import tfc

        fns = {
            "W1": lambda x, a, b: tfc.gelu(x * a + b, approximate=True),
            "W2": lambda x: tfc.softmax(x, axis=-1),
            "W3": lambda x, g, b: tfc.layer_norm(x, g, b, axis=-1, epsilon=1e-5),
            "W6": _chain,
        }
        exe = tfc.compile(fns[key], *example)
        if framework == "tfc out=":
            out = np.empty(reference(key, example).shape, np.float32)
            return (lambda *a: exe(*a, out=out)), (lambda a: a)
        return exe, (lambda a: a)
    if framework == "numpy":
        fns = {
            "W1": lambda x, a, b: _np_gelu(x * a + b),
            "W2": lambda x: _np_softmax(x),
            "W3": lambda x, g, b: _np_ln(x, g, b),
            "W6": _chain,
        }
        return fns[key], (lambda a: a)
    if framework in ("torch", "torch.compile"):
        import torch
        import torch.nn.functional as F

        torch.set_num_threads(2)
        fns = {
            "W1": lambda x, a, b: F.gelu(x * a + b, approximate="tanh"),
            "W2": lambda x: torch.softmax(x, dim=-1),
            "W3": lambda x, g, b: F.layer_norm(x, (x.shape[-1],), g, b, 1e-5),
            "W6": _chain,
        }
        fn = fns[key]
        if framework == "torch.compile":
            fn = torch.compile(fn)
        return (lambda *a: fn(*a)), (lambda a: torch.from_numpy(np.ascontiguousarray(a))
                                     if a.ndim else torch.tensor(float(a)))
    if framework == "jax":
        import jax
        import jax.numpy as jnp

        def ln(x, g, b):
            m = x.mean(-1, keepdims=True)
            xc = x - m
            v = (xc * xc).mean(-1, keepdims=True)
            return xc / jnp.sqrt(v + 1e-5) * g + b

        fns = {
            "W1": lambda x, a, b: jax.nn.gelu(x * a + b, approximate=True),
            "W2": lambda x: jax.nn.softmax(x, axis=-1),
            "W3": ln,
            "W6": _chain,
        }
        jf = jax.jit(fns[key])
        return (lambda *a: jf(*a).block_until_ready()), (lambda a: jax.device_put(a))
    raise SystemExit(f"unknown framework {framework}")


def _chain(x):
    for _ in range(100):
        x = x * 1.0001 + 0.001
    return x


def _np_gelu(u):
    return 0.5 * u * (1.0 + np.tanh(np.float32(GELU_C) * (u + np.float32(0.044715) * (u * u * u))))


def _np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _np_ln(x, g, b):
    m = x.mean(-1, keepdims=True)
    xc = x - m
    v = (xc * xc).mean(-1, keepdims=True)
    return xc / np.sqrt(v + np.float32(1e-5)) * g + b


def worker(framework: str, key: str, repeats: int, quick: bool) -> dict:
    sets = [_inputs(key, quick, s) for s in range(3)]
    t0 = time.perf_counter()
    fn, conv = _make(framework, key, sets[0])
    args = [[conv(a) for a in s] for s in sets]
    got = np.asarray(fn(*args[0]), dtype=np.float64)  # compiles (torch.compile / jax)
    setup_s = time.perf_counter() - t0
    ref = reference(key, sets[0])
    err = float(np.max(np.abs(got - ref)) / max(1e-30, np.max(np.abs(ref))))
    for i in range(3):
        fn(*args[i % 3])
    samples = []
    if key == "W6":
        t = time.perf_counter()
        n = 0
        while time.perf_counter() - t < 0.02:
            fn(*args[n % 3])
            n += 1
        batch = max(10, n)
        for _ in range(repeats):
            t = time.perf_counter()
            for j in range(batch):
                fn(*args[j % 3])
            samples.append((time.perf_counter() - t) / batch)
    else:
        for r in range(repeats):
            a = args[r % 3]
            t = time.perf_counter()
            fn(*a)
            samples.append(time.perf_counter() - t)
    return {"framework": framework, "workload": key, "median_s": statistics.median(samples),
            "min_s": min(samples), "samples": len(samples), "max_rel_err": err, "setup_s": setup_s,
            "bytes": _bytes(key, sets[0])}


# -- the copy ceiling ---------------------------------------------------------------------

_COPY_C = r"""
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
static int cmp(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y; return (a > b) - (a < b);
}
int main(int argc, char **argv) {
  /* Three (a, b) pairs used in turn, as the workloads cycle through 3 input sets:
     with L3 = 32 MiB no copy finds its data in cache from the previous one. */
  long n = atol(argv[1]); int reps = 30;
  float *a[3], *b[3];
  double t[30];
  for (int k = 0; k < 3; k++) {
    a[k] = aligned_alloc(64, n * 4); b[k] = aligned_alloc(64, n * 4);
    #pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) { a[k][i] = (float)i; b[k][i] = 0; }
  }
  for (int r = 0; r < reps; r++) {
    float *restrict src = a[r % 3], *restrict dst = b[r % 3];
    double t0 = omp_get_wtime();
    #pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) dst[i] = src[i];
    t[r] = omp_get_wtime() - t0;
    src[r] += dst[n - 1 - r];
  }
  qsort(t, reps, sizeof(double), cmp);
  printf("{\"n\": %ld, \"median_s\": %.9f, \"min_s\": %.9f, \"check\": %g}\n", n, t[reps / 2], t[0],
         (double)b[0][n / 2]);
  return 0;
}
"""


def copy_time(n_floats: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        src, exe = Path(d) / "copy.c", Path(d) / "copy"
        src.write_text(_COPY_C)
        flags = ["-O3", "-march=native", "-fopenmp", "-std=gnu11", "-ffp-contract=off",
                 "-fno-math-errno"]
        subprocess.run(["gcc", *flags, str(src), "-o", str(exe)], check=True)
        out = subprocess.run([str(exe), str(n_floats)], check=True, capture_output=True, text=True,
                             env={**os.environ, "OMP_NUM_THREADS": "2"})
        return json.loads(out.stdout)


# -- driver ---------------------------------------------------------------------------------

def main() -> int:
    if len(sys.argv) >= 2 and sys.argv[1] == "--_worker":
        _, _, fw, key, repeats, quick = sys.argv
        print(json.dumps(worker(fw, key, int(repeats), quick == "1")))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workloads", default="W1,W2,W3,W6")
    p.add_argument("--frameworks", default=",".join(FRAMEWORKS))
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    p.add_argument("--json", help="also write the raw results here")
    args = p.parse_args()
    repeats = max(5, args.repeats)
    load_before = os.getloadavg()
    keys = args.workloads.split(",")
    sizes = {key: _inputs(key, args.quick, 0)[0].size for key in ("W1", "W2", "W3") if key in keys}
    copies_before = {key: copy_time(n) for key, n in sizes.items()}
    results = []
    for key in args.workloads.split(","):
        for fw in args.frameworks.split(","):
            cmd = [sys.executable, __file__, "--_worker", fw, key, str(repeats), "1" if args.quick else "0"]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900,
                                  env={**os.environ, "OMP_NUM_THREADS": "2"})
            if proc.returncode != 0:
                tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
                print(f"{key} {fw}: failed: {tail}", file=sys.stderr)
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            results.append(r)
            print(f"{key:3} {fw:14} {r['median_s'] * 1e3:9.3f} ms  (min {r['min_s'] * 1e3:.3f}, "
                  f"err {r['max_rel_err']:.1e}, setup {r['setup_s']:.2f} s)", file=sys.stderr)
    # The copy ran before and after the workloads: the better run is the ceiling
    # (the load changes during a run; the copy is as disturbed by it as anything).
    copies = {}
    for key, n in sizes.items():
        after = copy_time(n)
        before = copies_before[key]
        copies[key] = min(before, after, key=lambda c: c["median_s"])
        copies[key]["runs"] = [before, after]
    load_after = os.getloadavg()
    print(report(results, copies, load_before, load_after, repeats))
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "copies": copies,
                                               "load": [load_before, load_after]}, indent=1))
    return 0


def report(results, copies, load_before, load_after, repeats) -> str:
    lines = [f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
             f"(2 cores); medians of {repeats} samples", "",
             "| workload | framework | median | best | GB/s (median) | best peer / this | this / copy |",
             "|---|---|---|---|---|---|---|"]
    peers = ("numpy", "torch", "torch.compile", "jax")
    for key in dict.fromkeys(r["workload"] for r in results):
        rows = [r for r in results if r["workload"] == key]
        best_peer = min((r["median_s"] for r in rows if r["framework"] in peers), default=None)
        copy = copies.get(key)
        def fmt(t):
            return f"{t * 1e6:.1f} us" if key == "W6" else f"{t * 1e3:.2f} ms"

        for r in rows:
            t = r["median_s"]
            gbs = f"{r['bytes'] / t / 1e9:.1f}" if key != "W6" else "-"
            vs_peer = f"{best_peer / t:.2f}x" if best_peer else "-"
            vs_copy = (f"{t / copy['median_s']:.2f}x (best {r['min_s'] / copy['min_s']:.2f}x)"
                       if copy else "-")
            lines.append(f"| {key} | {r['framework']} | {fmt(t)} | {fmt(r['min_s'])} | {gbs} | "
                         f"{vs_peer} | {vs_copy} |")
        if copy:
            lines.append(f"| {key} | C copy ({copy['n']} floats) | {fmt(copy['median_s'])} | "
                         f"{fmt(copy['min_s'])} | {8 * copy['n'] / copy['median_s'] / 1e9:.1f} | - | 1.00x |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
