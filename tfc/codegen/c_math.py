"""Vectorizable f32 `exp`, `log`, `tanh` and `erf` for the C target.

glibc's `expf`/`tanhf`/... are opaque calls: a loop that calls them does not
vectorize (libmvec is only used under -ffast-math, which tfc does not use). The
functions here are `static inline`, branch-free (selects, not branches) and
free of calls, so gcc inlines them and vectorizes the loop around them under
`#pragma omp simd` (AVX-512: 16 lanes). Polynomials use `fmaf` where the target has
FMA (`TFC_FMA`; plain `*` and `+` otherwise, since tfc compiles with
-ffp-contract=off): one op instead of two, and the error bounds hold for both
builds (the tests check both).

Accuracy over every f32 input (2^32) against double-precision libm, FMA build
(tests/schedule/test_c_math.py checks dense sweeps against NumPy float64, with
and without FMA, against `MAX_ULP`):
  tfc_expf   1.11 ulp  (denormal results rounded once; overflow to inf above
                        ln(FLT_MAX), underflow to 0 below ln(2^-150))
  tfc_logf   0.87 ulp  (denormal inputs; log(0) = -inf, log(x<0) = NaN)
  tfc_tanhf  1.33 ulp  (-0 and denormals kept; +-1 for large |x|)
  tfc_erff   1.08 ulp
NaN inputs give NaN; +-inf give the limits.

How they work (the polynomial coefficients are minimax fits of the relative
error, made with mpmath and rounded to f32):
  exp:  x = n ln2 + r, |r| <= ln2/2 (Cody-Waite with a 9-bit ln2 head, so n*ln2_hi
        is exact); e^r = 1 + r + r^2 Q(r); 2^n applied as two exact power-of-two
        factors so denormal results round only once.
  log:  x = 2^e m, m in [sqrt(1/2), sqrt(2)) from the bits (denormals scaled by
        2^23 first); log(m) = f - f^2/2 + f^3 P(f), f = m - 1 (exact); e ln2 added
        as head + tail.
  tanh: |x| < 0.625: x + x^3 P(x^2); otherwise 1 - 2/(e^{2|x|} + 1) with the sign,
        e^{2|x|} inlined for 2|x| <= 18.2 (one scaling factor, no range checks).
  erf:  |x| < 0.75: x + x R(x^2); [0.75, 2) and [2, 3.95): 1 - erfc(|x|) with erfc a
        polynomial in |x| - 1.375 resp. |x| - 3 (small values, so their rounding
        is far below an ulp of the result); >= 3.95: +-1.
f64 math stays with libm (exact to < 1 ulp; not vectorized).
"""

from __future__ import annotations

import numpy as np

__all__ = ["FUNCTIONS", "MAX_ULP", "prelude", "used"]

# The bound the tests enforce, in f32 ulps of the exact result.
MAX_ULP = {"tfc_expf": 1.5, "tfc_logf": 1.0, "tfc_tanhf": 2.0, "tfc_erff": 1.5}

# MLIR op -> C function, for f32 operands (and half types computed in f32).
FUNCTIONS = {"math.exp": "tfc_expf", "math.log": "tfc_logf", "math.tanh": "tfc_tanhf",
             "math.erf": "tfc_erff"}

_EXP_Q = [0.5, 0.16666519641876221, 0.041668407618999481, 0.0083689140155911446,
          0.0013814190169796348]
_LOG_P = [0.3333333134651184, -0.250008225440979, 0.20001234114170074, -0.16623298823833466,
          0.14201553165912628, -0.1316058337688446, 0.1276332587003708, -0.07635651528835297]
_TANH_P = [-0.3333328068256378, 0.13331441581249237, -0.05373971536755562, 0.0206390880048275,
           -0.005704987328499556]
_ERF_SMALL = [0.12837916612625122, -0.3761261999607086, 0.11283376812934875, -0.026834627613425255,
              0.005114350002259016, -0.0006749543244950473]
_ERFC_MID = [0.051829926669597626, -0.1703597456216812, 0.2342446744441986, -0.15793916583061218,
             0.030500829219818115, 0.030627239495515823, -0.022163448855280876, 0.0012925331247970462,
             0.004271667916327715, -0.0012438134290277958, -0.0003491102543193847]
_ERFC_FAR = [2.2093487132224254e-05, -0.00013917629257775843, 0.00041756645077839494,
             -0.0007907396648079157, 0.0010463902726769447, -0.0010067146504297853,
             0.0007306325132958591, -0.00041479451465420425, 0.00014698160521220416,
             1.2503483958425932e-05, -2.4843628125381656e-05]


def _lit(c: float) -> str:
    text = np.format_float_positional(np.float32(c), unique=True, trim="0")
    if abs(c) < 1e-3:
        text = np.format_float_scientific(np.float32(c), unique=True, trim="0")
    return text + "f"


def _horner(var: str, coeffs: list[float], out: str) -> str:
    """C statements: `out` = coeffs[0] + coeffs[1] var + ... (Horner form)."""
    lines = [f"float {out} = {_lit(coeffs[-1])};"]
    lines += [f"{out} = TFC_FMA({out}, {var}, {_lit(c)});" for c in reversed(coeffs[:-1])]
    return "\n  ".join(lines)


_BITS = """\
/* a * b + c, fused where the target has FMA (one rounding: the bounds hold either way). */
#if (defined(__FMA__) || defined(__AVX512F__)) && !defined(TFC_NO_FMA)
#define TFC_FMA(a, b, c) fmaf(a, b, c)
#else
#define TFC_FMA(a, b, c) ((a) * (b) + (c))
#endif
static inline float tfc_f32_from_bits(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }
static inline uint32_t tfc_f32_bits(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
/* c ? a : b on the bits: gcc keeps some float ?: chains as branches (which stop
   vectorization), never this. */
static inline float tfc_f32_blend(bool c, float a, float b) {
  const uint32_t m = 0u - (uint32_t)c;
  return tfc_f32_from_bits((tfc_f32_bits(a) & m) | (tfc_f32_bits(b) & ~m));
}"""

_SOURCES = {
    "tfc_expf": f"""\
/* e^x, < 1 ulp (tfc/codegen/c_math.py). */
static inline float tfc_expf(float x) {{
  float xc = tfc_f32_blend(x > 88.8f, 88.8f, x);  /* NaN passes both clamps */
  xc = tfc_f32_blend(xc < -104.0f, -104.0f, xc);
  const float shifted = TFC_FMA(xc, 1.44269504f, 12582912.0f);  /* + 1.5 * 2^23: an integer */
  const float fn = shifted - 12582912.0f;
  const uint32_t n = tfc_f32_bits(shifted) - 0x4B400000u;
  const float r = TFC_FMA(fn, 2.12194440e-4f, TFC_FMA(fn, -0.693359375f, xc));
  {_horner("r", _EXP_Q, "q")}
  const float p = TFC_FMA(r * r, q, r) + 1.0f;
  const uint32_t n1 = (uint32_t)((int32_t)n >> 1), n2 = n - n1;
  return p * tfc_f32_from_bits((n1 + 127u) << 23) * tfc_f32_from_bits((n2 + 127u) << 23);
}}""",
    "tfc_logf": f"""\
/* log(x), < 1 ulp (tfc/codegen/c_math.py). */
static inline float tfc_logf(float x) {{
  const bool tiny = x < 1.17549435e-38f;  /* denormal (or <= 0: fixed below) */
  const uint32_t ix = tfc_f32_bits(tfc_f32_blend(tiny, x * 8388608.0f, x));  /* 2^23 */
  const uint32_t k = ix - 0x3F3504F3u;  /* the bits of sqrt(1/2) */
  const int32_t e = (int32_t)k >> 23;
  const float f = tfc_f32_from_bits(ix - ((uint32_t)e << 23)) - 1.0f;
  const float fe = (float)e - tfc_f32_blend(tiny, 23.0f, 0.0f);
  {_horner("f", _LOG_P, "q")}
  const float f2 = f * f;
  const float y = TFC_FMA(f * f2, q, -0.5f * f2) + f;
  float r = TFC_FMA(fe, 0.693359375f, TFC_FMA(fe, -2.12194440e-4f, y));
  r = tfc_f32_blend(x > 0.0f, r, NAN);
  r = tfc_f32_blend(x == 0.0f, -INFINITY, r);
  return tfc_f32_blend(x == INFINITY, x, r);
}}""",
    "tfc_tanhf": f"""\
/* tanh(x), < 2 ulp (tfc/codegen/c_math.py). */
static inline float tfc_tanhf(float x) {{
  const float ax = fabsf(x);
  const float z = x * x;
  {_horner("z", _TANH_P, "q")}
  const float small = TFC_FMA(ax * z, q, ax);
  /* e^(2|x|) for 2|x| <= 18.2 (tanh is 1.0f from |x| = 9.01 on): no overflow or
     underflow, so one power-of-two factor does; NaN passes the clamp. */
  const float a2 = tfc_f32_blend(ax > 9.1f, 18.2f, ax + ax);
  const float shifted = TFC_FMA(a2, 1.44269504f, 12582912.0f);
  const float fn = shifted - 12582912.0f;
  const float r = TFC_FMA(fn, 2.12194440e-4f, TFC_FMA(fn, -0.693359375f, a2));
  {_horner("r", _EXP_Q, "qe")}
  const float e = (TFC_FMA(r * r, qe, r) + 1.0f) * tfc_f32_from_bits((tfc_f32_bits(shifted) - 0x4B400000u + 127u) << 23);
  const float big = 1.0f - 2.0f / (e + 1.0f);
  return copysignf(tfc_f32_blend(ax < 0.625f, small, big), x);  /* tanh(-0) = -0 */
}}""",
    "tfc_erff": f"""\
/* erf(x), < 1 ulp (tfc/codegen/c_math.py). */
static inline float tfc_erff(float x) {{
  const float ax = fabsf(x);
  const float z = x * x;
  {_horner("z", _ERF_SMALL, "ps")}
  const float small = TFC_FMA(ax, ps, ax);  /* x (1 + R(x^2)): the rounding of R stays small */
  const float s1 = ax - 1.375f;
  {_horner("s1", _ERFC_MID, "pm")}
  const float s2 = ax - 3.0f;
  {_horner("s2", _ERFC_FAR, "pf")}
  const float tail = 1.0f - tfc_f32_blend(ax < 2.0f, pm, pf);
  const float big = tfc_f32_blend(ax >= 3.95f, 1.0f, tail);  /* NaN: 1 - pf = NaN */
  return copysignf(tfc_f32_blend(ax < 0.75f, small, big), x);
}}""",
}

# What each function needs defined before it.
_NEEDS = {"tfc_expf": ["bits"], "tfc_logf": ["bits"], "tfc_tanhf": ["bits"],
          "tfc_erff": ["bits"]}


def used(code: str) -> list[str]:
    """The math functions `code` calls."""
    return [name for name in _SOURCES if name + "(" in code]


def prelude(names: list[str]) -> str:
    """C definitions of the functions `names` and what they need, in dependency order."""
    order: list[str] = []

    def add(name: str) -> None:
        for dep in _NEEDS.get(name, []):
            add(dep)
        if name not in order:
            order.append(name)

    for name in names:
        add(name)
    parts = [_BITS if name == "bits" else _SOURCES[name] for name in order]
    return "\n\n".join(parts)
