"""The vectorizable f32 math of the C target (tfc/codegen/c_math.py) against NumPy float64.

Each function is compiled with tfc's C flags into a loop under `#pragma omp simd`
(the vectorized code is what generated kernels run) and swept densely: every
1021st f32 bit pattern over the whole range (both signs, denormals, inf, NaN),
plus every bit pattern in windows around the branch points and limits. The
error is measured in f32 ulps of the exact (float64) result, where an ulp at a
denormal result is 2^-149; the bound is `c_math.MAX_ULP` (exp 1.5, log 1, tanh 2,
erf 1.5 — the maxima over all 2^32 inputs are 1.11, 0.87, 1.33 and 1.08 with FMA).
Both builds are checked: with FMA where the machine has it, and `-DTFC_NO_FMA`."""

from __future__ import annotations

import ctypes
import math
import shutil
import subprocess

import numpy as np
import pytest

from tfc.codegen import c_math

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")

FLAGS = ["-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-std=gnu11",
         "-ffp-contract=off", "-fno-math-errno"]
NAMES = ["tfc_expf", "tfc_logf", "tfc_tanhf", "tfc_erff"]


@pytest.fixture(scope="module", params=["fma", "no-fma"])
def lib(request, tmp_path_factory):
    """The functions as compiled for this machine (with FMA where it has it), and
    with the plain multiply-add path (`-DTFC_NO_FMA`)."""
    d = tmp_path_factory.mktemp("cmath")
    flags = FLAGS + (["-DTFC_NO_FMA"] if request.param == "no-fma" else [])
    wrappers = "\n".join(f"""
void apply_{n}(const float *restrict x, float *restrict y, long n) {{
  #pragma omp simd
  for (long i = 0; i < n; ++i) y[i] = {n}(x[i]);
}}""" for n in NAMES)
    src = ("#include <math.h>\n#include <stdbool.h>\n#include <stdint.h>\n#include <string.h>\n\n"
           + c_math.prelude(NAMES) + "\n" + wrappers + "\n")
    (d / "m.c").write_text(src)
    subprocess.run(["gcc", *flags, str(d / "m.c"), "-o", str(d / "m.so"), "-lm"], check=True)
    asm = subprocess.run(["gcc", *[f for f in flags if f not in ("-shared", "-fPIC")], "-S",
                          str(d / "m.c"), "-o", "-"], capture_output=True, text=True).stdout
    return ctypes.CDLL(str(d / "m.so")), asm


def run(lib, name: str, x: np.ndarray) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float32)
    y = np.empty_like(x)
    getattr(lib, "apply_" + name)(x.ctypes.data_as(ctypes.c_void_p), y.ctypes.data_as(ctypes.c_void_p),
                                  ctypes.c_long(x.size))
    return y


def _erf(x):
    try:
        from scipy.special import erf

        return erf(x)
    except ImportError:  # pragma: no cover
        return np.frompyfunc(math.erf, 1, 1)(x).astype(np.float64)


REFERENCE = {"tfc_expf": np.exp, "tfc_logf": np.log, "tfc_tanhf": np.tanh, "tfc_erff": _erf}

# Inputs around which each function switches formulas or saturates.
EDGES = {
    "tfc_expf": [0.0, 1.0, 88.72283935546875, -87.33654, -103.97208, -104.0, 88.8],
    "tfc_logf": [1.0, 0.7071067811865476, 1.4142135623730951, 1.1754943508222875e-38, 2.0, 0.5],
    "tfc_tanhf": [0.0, 0.625, -0.625, 9.0, 1e-4],
    "tfc_erff": [0.0, 0.75, -0.75, 2.0, -2.0, 3.95, -3.95, 1.0],
}


def sweep(name: str) -> np.ndarray:
    bits = np.arange(0, 1 << 32, 1021, dtype=np.uint64).astype(np.uint32)
    parts = [bits.view(np.float32)]
    for e in EDGES[name]:
        c = np.array([e], np.float32).view(np.uint32)[0].astype(np.int64)
        window = np.arange(c - (1 << 15), c + (1 << 15), dtype=np.int64)
        window = window[(window >= 0) & (window < (1 << 32))].astype(np.uint32)
        parts.append(window.view(np.float32))
        parts.append((window ^ np.uint32(0x80000000)).view(np.float32))
    return np.concatenate(parts)


def ulp_error(got: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """|got - ref| in f32 ulps at the exact result (finite references only)."""
    _, e = np.frexp(np.abs(ref))
    ulp = np.ldexp(1.0, np.maximum(e - 1, -126) - 23)
    return np.abs(got.astype(np.float64) - ref) / ulp


@pytest.mark.parametrize("name", NAMES)
def test_ulp_error_over_dense_sweep(lib, name):
    x = sweep(name)
    got = run(lib[0], name, x)
    with np.errstate(all="ignore"):
        ref = REFERENCE[name](x.astype(np.float64))
    nan = np.isnan(ref)
    assert np.array_equal(np.isnan(got), nan), (
        f"{name}: NaN mismatch at x={x[np.isnan(got) != nan][:5]}")
    # Results beyond the f32 range round to +-inf (FLT_MAX + half an ulp is the edge).
    over = np.abs(ref) >= float(np.finfo(np.float32).max) + 2.0 ** 103
    assert np.all(np.isinf(got[over]) & (np.sign(got[over]) == np.sign(ref[over])))
    ok = ~nan & ~over & np.isfinite(ref)
    err = ulp_error(got[ok], ref[ok])
    worst = int(np.argmax(err))
    assert err[worst] <= c_math.MAX_ULP[name], (
        f"{name}: {err[worst]:.3f} ulp at x={x[ok][worst]!r} (got {got[ok][worst]!r}, "
        f"exact {ref[ok][worst]!r})")


@pytest.mark.parametrize("name, x, want", [
    ("tfc_expf", [np.inf, -np.inf, 0.0, -0.0, 88.72283935546875, 88.72283172607421875, -103.98, 1e-45],
     [np.inf, 0.0, 1.0, 1.0, np.inf, np.float32(np.exp(88.72283172607421875)), 0.0, 1.0]),
    ("tfc_logf", [0.0, -0.0, -1.0, np.inf, -np.inf, 1.0, 1e-45],
     [-np.inf, -np.inf, np.nan, np.inf, np.nan, 0.0, -103.27893]),
    ("tfc_tanhf", [np.inf, -np.inf, 0.0, -0.0, 1e-40, -1e-40, 20.0, -20.0],
     [1.0, -1.0, 0.0, -0.0, 1e-40, -1e-40, 1.0, -1.0]),
    ("tfc_erff", [np.inf, -np.inf, 0.0, -0.0, 4.0, -4.0, 10.0],
     [1.0, -1.0, 0.0, -0.0, 1.0, -1.0, 1.0]),
])
def test_special_values(lib, name, x, want):
    got = run(lib[0], name, np.array(x, np.float32))
    want = np.array(want, np.float32)
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))  # -0 stays -0


@pytest.mark.parametrize("name", NAMES)
def test_nan_in_nan_out(lib, name):
    x = np.array([np.nan, -np.nan, np.float32(np.frombuffer(b"\x01\x00\xc0\x7f", np.float32)[0])],
                 np.float32)
    assert np.all(np.isnan(run(lib[0], name, x)))


def test_vectorized(lib):
    """The loops over each function compile to 512- or 256-bit vector code."""
    asm = lib[1]
    for name in NAMES:
        start = asm.index(f"apply_{name}:")
        body = asm[start: asm.index(".size", start)]
        assert "zmm" in body or "ymm" in body, f"{name} did not vectorize"
