"""Demo: a small MLP forward pass written with tfc ops, compiled to C, checked against NumPy.

Run: python -m tfc.examples.mlp_forward
Prints the IR size at each level, compile times (cold and warm cache), and the
run time beside NumPy's.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

import numpy as np

import tfc


def mlp(x, w1, b1, w2, b2):
    h = tfc.relu(tfc.matmul(x, w1) + b1)
    logits = tfc.matmul(h, w2) + b2
    return tfc.softmax(logits)


def mlp_numpy(x, w1, b1, w2, b2):
    h = np.maximum(x @ w1 + b1, 0)
    z = h @ w2 + b2
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _median_time(fn, repeats=20):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    rng = np.random.default_rng()
    batch, d_in, d_hidden, d_out = 256, 784, 512, 10
    args = [
        rng.standard_normal((batch, d_in)).astype(np.float32),
        (rng.standard_normal((d_in, d_hidden)) / np.sqrt(d_in)).astype(np.float32),
        np.zeros(d_hidden, np.float32),
        (rng.standard_normal((d_hidden, d_out)) / np.sqrt(d_hidden)).astype(np.float32),
        np.zeros(d_out, np.float32),
    ]
    # A private cache directory makes the first compile honestly cold.
    cache = tempfile.mkdtemp(prefix="tfc-demo-cache-")
    os.environ.setdefault("TFC_CACHE_DIR", cache)

    t0 = time.perf_counter()
    exe = tfc.compile(mlp, *args)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    tfc.compile(mlp, *args)  # same program: the artifact comes from the disk cache
    warm = time.perf_counter() - t0

    print(f"MLP forward {batch}x{d_in} -> {d_hidden} -> {d_out}, float32\n")
    print(f"{'level':<9}{'lines':>7}{'bytes':>9}")
    for level in exe.levels + ["c"]:
        text = exe.ir(level)
        print(f"{level:<9}{text.count(chr(10)):>7}{len(text):>9}")

    got = exe(*args)
    want = mlp_numpy(*[a.astype(np.float64) for a in args])
    err = float(np.max(np.abs(got - want)))
    ok = np.allclose(got, want, rtol=1e-4, atol=1e-5)
    print(f"\nmax |tfc - numpy(float64)| = {err:.2e}  ({'OK' if ok else 'MISMATCH'})")

    t_tfc = _median_time(lambda: exe(*args))
    t_np = _median_time(lambda: mlp_numpy(*args))
    print(f"compile: cold {cold * 1e3:.0f} ms (trace + passes + C compiler), warm cache {warm * 1e3:.0f} ms")
    print(f"run: tfc {t_tfc * 1e3:.2f} ms, numpy {t_np * 1e3:.2f} ms "
          f"(median of 20; tfc/numpy = {t_tfc / t_np:.2f}x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
