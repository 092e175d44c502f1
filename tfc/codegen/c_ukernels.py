"""C source of the contraction micro-kernels and packing routines.

`tfc-lower-contraction` (tfc/passes/lower_contraction.py) lowers a matmul or
conv2d kernel to blocked loops that call three kinds of routines, declared in
the IR as `func.func private @tfc_uk_<name>` with `tfc.ukernel = "<name>"`.
The C target emits `ukernel_source(name)` once per declaration. Names:

- `gemm_<acc>_<MR>x<NR>` (acc: f32, f64): the register-blocked micro-kernel
  C[MR x NR] (+)= Ap[MR x kc] * Bp[kc x NR] on packed panels, FMA in
  registers, written once into the accumulator block at the end.
- `gemmd_<acc>_<MR>x<NR>`: the same with A read in place (MR row pointers,
  k walked in unit-stride segments) -- for an A whose innermost k run is
  contiguous and of the accumulator type, so that packing A would only copy it.
- `pack_a_<src>_<acc>_<MR>`: copy a block of the virtual matrix A(m, k) into
  MR-row panels (k-major, MR values per k), converting src -> acc
  (f16/bf16 -> f32 here, so the micro-kernel only sees f32).
- `pack_b_<src>_<acc>_<NR>`: the same for B(k, n) into NR-column panels
  (NR contiguous values per k).

The virtual matrices cover matmul (any transposes, batch offsets) and the
implicit-GEMM view of a convolution in one form: A(m, k) = src[off + row(m) +
col(k)], where m (and k) stand for up to three loop dimensions,
row(m) = c0*d0 + c1*d1 + c2*d2 with (d0, d1, d2) = m split by the sizes
(s1, s2): d2 = m % s2, d1 = (m / s2) % s1, d0 = m / (s1*s2). A conv's im2col
row is (n, oh, ow) and its column (kh, kw, ic); a matmul has one dimension
each, with the strides of a plain or transposed operand as coefficients.

The instruction set is chosen when the C compiler runs (`-march=native`):
AVX-512F where the panel width is a multiple of 16 (8 for f64), else AVX2+FMA
with 8 (4) lanes, else portable scalar C. Every variant computes the same
MR x NR contract, so the IR does not depend on the compiler's target.
Rounding: the micro-kernels use fused multiply-add (the contraction tolerance
allows it); packing and conversion are exact.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["ukernel_source", "gemm_name", "gemm_direct_name", "pack_a_name", "pack_b_name",
           "UKERNEL_ARGS"]

_CTYPE = {"f32": "float", "f64": "double", "f16": "_Float16", "bf16": "uint16_t"}

# The common prelude every routine needs; guarded so several routines can be emitted.
_COMMON = """\
#ifndef TFC_UK_COMMON
#define TFC_UK_COMMON
/* tfc contraction micro-kernels: shared definitions. */
#include <stdint.h>
#include <string.h>
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif
static inline float tfc_uk_bf16_to_f32(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}
/* The offset of index x of a (up to) three-dimensional index space with inner
 * sizes (s1, s2) and coefficients (c0, c1, c2): see c_ukernels.py. */
static inline int64_t tfc_uk_offset3(int64_t x, int64_t s1, int64_t s2,
                                     int64_t c0, int64_t c1, int64_t c2) {
  const int64_t d2 = x % s2, q = x / s2;
  return c0 * (q / s1) + c1 * (q % s1) + c2 * d2;
}
#endif"""


def gemm_name(acc: str, mr: int, nr: int) -> str:
    return f"gemm_{acc}_{mr}x{nr}"


def gemm_direct_name(acc: str, mr: int, nr: int) -> str:
    return f"gemmd_{acc}_{mr}x{nr}"


def pack_a_name(src: str, acc: str, mr: int) -> str:
    return f"pack_a_{src}_{acc}_{mr}"


def pack_b_name(src: str, acc: str, nr: int) -> str:
    return f"pack_b_{src}_{acc}_{nr}"


# How each routine uses its arguments, in order: "in"/"out" pointers, "index" ints.
# (The lowering puts this on the declaration as `tfc.ukernel_args`.)
UKERNEL_ARGS = {
    "gemm": ["index", "in", "index", "in", "index", "out", "index", "index", "index"],
    "gemmd": ["index", "in", "index", "index", "index", "index",
              "index", "index", "index", "index", "index",
              "index", "index", "index", "index", "index",
              "in", "index", "out", "index", "index", "index"],
    "pack": ["in", "index", "index", "index", "index", "index",
             "index", "index", "index", "index", "index",
             "index", "index", "index", "index", "index", "out", "index", "index"],
}


@cache
def ukernel_source(name: str) -> str:
    """The C definition of `tfc_uk_<name>` (with the guarded common prelude)."""
    if m := re.fullmatch(r"gemm_(f32|f64)_(\d+)x(\d+)", name):
        body = _gemm(m.group(1), int(m.group(2)), int(m.group(3)))
    elif m := re.fullmatch(r"gemmd_(f32|f64)_(\d+)x(\d+)", name):
        body = _gemm(m.group(1), int(m.group(2)), int(m.group(3)), direct=True)
    elif m := re.fullmatch(r"pack_a_(f32|f64|f16|bf16)_(f32|f64)_(\d+)", name):
        body = _pack_a(m.group(1), m.group(2), int(m.group(3)))
    elif m := re.fullmatch(r"pack_b_(f32|f64|f16|bf16)_(f32|f64)_(\d+)", name):
        body = _pack_b(m.group(1), m.group(2), int(m.group(3)))
    else:
        raise KeyError(f"unknown micro-kernel {name!r}")
    return _COMMON + "\n\n" + body


# ----------------------------------------------------------------------------
# The micro-kernel


def _gemm(acc: str, mr: int, nr: int, direct: bool = False) -> str:
    t = _CTYPE[acc]
    if direct:
        name = f"tfc_uk_{gemm_direct_name(acc, mr, nr)}"
        head = f"""\
/* C[{mr} x {nr}] (+)= A * B over kc steps, A read in place, B packed:
 *   A(i, k) = a[a_off + row(m0 + i) + col(k0 + k)] (rows past m_eff repeat row m0; their
 *   results land in C rows nobody reads), bp[b_off + k*{nr} + j] = B(k, j),
 *   c[c_off + i*ldc + j] = C(i, j); k0 == 0 starts the sum, otherwise C is added to.
{_GEOM_DOC}
 * For narrow B (few NR panels) packing A costs more than it saves: here each row's
 * run along the innermost k dimension streams straight from memory. */
static void {name}(int64_t kc, const {t} *restrict a, int64_t a_off,
    int64_t m0, int64_t m_eff, int64_t k0,
{_GEOM_ARGS}
    const {t} *restrict bp, int64_t b_off, {t} *restrict c, int64_t c_off,
    int64_t ldc, int64_t unused) {{
  (void)unused;
  const {t} *restrict b = bp + b_off;
  c += c_off;
""" + "".join(
            f"  const {t} *restrict r{i} = a + a_off + tfc_uk_offset3(m0 + ({i} < m_eff ? {i} : 0), "
            f"m_s1, m_s2, m_c0, m_c1, m_c2);\n" for i in range(mr)) + f"""\
  /* The k digits of k0; each segment runs the innermost k dim with stride k_c2. */
  int64_t d2 = k0 % k_s2, d1 = (k0 / k_s2) % k_s1, d0 = k0 / (k_s2 * k_s1);"""
    else:
        name = f"tfc_uk_{gemm_name(acc, mr, nr)}"
        head = f"""\
/* C[{mr} x {nr}] (+)= A * B over kc steps, on packed panels:
 *   ap[a_off + k*{mr} + i] = A(i, k),  bp[b_off + k*{nr} + j] = B(k, j),
 *   c[c_off + i*ldc + j] = C(i, j).
 * k0 == 0 starts the sum (C is overwritten); otherwise C is added to. */
static void {name}(int64_t kc, const {t} *restrict ap, int64_t a_off,
    const {t} *restrict bp, int64_t b_off, {t} *restrict c, int64_t c_off,
    int64_t ldc, int64_t k0) {{
  const {t} *restrict a = ap + a_off;
  const {t} *restrict b = bp + b_off;
  c += c_off;"""
    variants = []
    lanes512 = 16 if acc == "f32" else 8
    lanes256 = 8 if acc == "f32" else 4
    conds = []
    if nr % lanes512 == 0:
        conds.append(("defined(__AVX512F__)", _gemm_simd(acc, mr, nr, 512, direct)))
    if nr % lanes256 == 0:
        conds.append(("defined(__AVX2__) && defined(__FMA__)", _gemm_simd(acc, mr, nr, 256, direct)))
    for k, (cond, text) in enumerate(conds):
        variants.append(("#if " if k == 0 else "#elif ") + cond + "\n" + text)
    scalar = _gemm_scalar(acc, mr, nr, direct)
    if variants:
        text = "\n".join(variants) + "\n#else\n" + scalar + "\n#endif"
    else:
        text = scalar
    return head + "\n" + text + "\n}"


def _k_loop(body: list[str], mr: int, nr: int, direct: bool) -> list[str]:
    """The loop over kc around `body` (lines using `A(i)` for A's element i at this k)."""
    if not direct:
        lines = ["  for (int64_t k = 0; k < kc; ++k) {"]
        lines += ["    " + line.replace("A(", "a[").replace(")@", "]") for line in body]
        lines += [f"    a += {mr};", f"    b += {nr};", "  }"]
        return lines
    lines = [
        "  for (int64_t k = 0; k < kc;) {",
        "    int64_t off = k_c0 * d0 + k_c1 * d1 + k_c2 * d2;",
        "    const int64_t seg = k_s2 - d2 < kc - k ? k_s2 - d2 : kc - k;",
        "    for (int64_t kk = 0; kk < seg; ++kk) {",
    ]
    lines += ["      " + re.sub(r"A\((\d+)\)@", r"r\1[off]", line) for line in body]
    lines += [
        "      off += k_c2;",
        f"      b += {nr};",
        "    }",
        "    k += seg;",
        "    d2 = 0;",
        "    if (++d1 == k_s1) { d1 = 0; ++d0; }",
        "  }",
    ]
    return lines


def _gemm_simd(acc: str, mr: int, nr: int, bits: int, direct: bool = False) -> str:
    f32 = acc == "f32"
    lanes = bits // (32 if f32 else 64)
    nv = nr // lanes
    sfx = ("ps" if f32 else "pd")
    pre = "_mm512" if bits == 512 else "_mm256"
    vt = ("__m512" if bits == 512 else "__m256") + ("" if f32 else "d")
    lines = [f"  /* {bits}-bit vectors: {mr} x {nv} accumulators of {lanes} lanes. */"]
    for i in range(mr):
        lines.append("  " + vt + " " + ", ".join(f"c{i}_{v} = {pre}_setzero_{sfx}()" for v in range(nv)) + ";")
    body = [f"const {vt} b{v} = {pre}_load_{sfx}(b + {v * lanes});" for v in range(nv)]
    body.append(f"{vt} av;")
    for i in range(mr):
        fma = " ".join(f"c{i}_{v} = {pre}_fmadd_{sfx}(av, b{v}, c{i}_{v});" for v in range(nv))
        body.append(f"av = {pre}_set1_{sfx}(A({i})@); {fma}")
    lines += _k_loop(body, mr, nr, direct)
    first = "k0 == 0" if not direct else "k0 == 0"
    lines.append(f"  if ({first}) {{")
    for i in range(mr):
        st = " ".join(f"{pre}_storeu_{sfx}(c + {i}*ldc + {v * lanes}, c{i}_{v});" for v in range(nv))
        lines.append(f"    {st}")
    lines.append("  } else {")
    for i in range(mr):
        st = " ".join(
            f"{pre}_storeu_{sfx}(c + {i}*ldc + {v * lanes}, "
            f"{pre}_add_{sfx}({pre}_loadu_{sfx}(c + {i}*ldc + {v * lanes}), c{i}_{v}));"
            for v in range(nv))
        lines.append(f"    {st}")
    lines.append("  }")
    return "\n".join(lines)


def _gemm_scalar(acc: str, mr: int, nr: int, direct: bool = False) -> str:
    t = _CTYPE[acc]
    fma = "fmaf" if acc == "f32" else "fma"
    body = [f"{t} av;"]
    for i in range(mr):
        body.append(f"av = A({i})@; for (int j = 0; j < {nr}; ++j) "
                    f"acc[{i}][j] = __builtin_{fma}(av, b[j], acc[{i}][j]);")
    loop = "\n".join(_k_loop(body, mr, nr, direct))
    return f"""\
  /* Portable C: the accumulator block lives in a local array. */
  {t} acc[{mr}][{nr}] = {{{{0}}}};
{loop}
  for (int i = 0; i < {mr}; ++i)
    for (int j = 0; j < {nr}; ++j)
      c[i * ldc + j] = k0 == 0 ? acc[i][j] : c[i * ldc + j] + acc[i][j];"""


# ----------------------------------------------------------------------------
# Packing


def _load(src: str, acc: str, expr: str) -> str:
    if src == "bf16":
        return f"({_CTYPE[acc]})tfc_uk_bf16_to_f32({expr})"
    if src == acc:
        return expr
    return f"({_CTYPE[acc]}){expr}"


_GEOM_DOC = """\
 * row(m) = tfc_uk_offset3(m, m_s1, m_s2, m_c0, m_c1, m_c2), col(k) likewise (see c_ukernels.py)."""

_GEOM_ARGS = """\
    int64_t m_s1, int64_t m_s2, int64_t m_c0, int64_t m_c1, int64_t m_c2,
    int64_t k_s1, int64_t k_s2, int64_t k_c0, int64_t k_c1, int64_t k_c2,"""


# 16 consecutive source values as 16 f32 lanes (AVX-512), by source type.
_LOAD16 = {
    "f32": "_mm512_loadu_ps({p})",
    "f16": "_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)({p})))",
    "bf16": "_mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32("
            "_mm256_loadu_si256((const __m256i *)({p}))), 16))",
}
_MASKLOAD16 = {
    "f32": "_mm512_maskz_loadu_ps({m}, {p})",
    "f16": "_mm512_cvtph_ps(_mm256_maskz_loadu_epi16({m}, {p}))",
    "bf16": "_mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32("
            "_mm256_maskz_loadu_epi16({m}, {p})), 16))",
}

_TRANSPOSE16 = """\
#if defined(__AVX512F__) && !defined(TFC_UK_TRANSPOSE16)
#define TFC_UK_TRANSPOSE16
/* Transpose the 16 x 16 floats in r[0..15] (rows -> columns), in registers. */
static inline void tfc_uk_transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
    r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
    r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  for (int i = 0; i < 8; ++i) {
    const int a = (i & 3) + (i >> 2) * 8;
    t[a] = _mm512_shuffle_f32x4(r[a], r[a + 4], 0x88);
    t[a + 4] = _mm512_shuffle_f32x4(r[a], r[a + 4], 0xDD);
  }
  for (int i = 0; i < 8; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
  }
}
#endif"""


def _pack_a(src: str, acc: str, mr: int) -> str:
    s, t = _CTYPE[src], _CTYPE[acc]
    name = f"tfc_uk_{pack_a_name(src, acc, mr)}"
    ld = _load(src, acc, "sp[i][kof[k]]")
    vector = acc == "f32" and mr <= 16 and src in _LOAD16
    fast = ""
    prelude = ""
    if vector:
        prelude = _TRANSPOSE16 + "\n\n"
        load = _LOAD16[src].format(p="sp[i] + kof[k]")
        mload = _MASKLOAD16[src].format(m="live", p="sp[0] + kof[k]")
        guard = "defined(__AVX512F__)" + ("" if src == "f32" else
                                      " && defined(__AVX512BW__) && defined(__AVX512VL__)")
        fast = f"""
#if {guard}
    const __mmask16 live = (__mmask16)((1u << rows) - 1), all = (__mmask16)((1u << {mr}) - 1);
    if (rows_unit) {{
      /* Transposed A: the panel's rows are adjacent, so each k is one (masked) vector. */
      for (; k < k_eff; ++k) _mm512_mask_storeu_ps(d + k * {mr}, all, {mload});
    }}
    /* Runs of 16 unit-stride k (a row-major A, a conv window's channels): load 16 k of
     * each row and transpose in registers. */
    for (; k + 16 <= k_eff && run[k] >= 16; k += 16) {{
      __m512 r[16];
      for (int i = 0; i < 16; ++i) r[i] = i < rows ? {load} : _mm512_setzero_ps();
      tfc_uk_transpose16(r);
      for (int kk = 0; kk < 16; ++kk) _mm512_mask_storeu_ps(d + (k + kk) * {mr}, all, r[kk]);
    }}
#endif"""
    return prelude + f"""\
/* Pack rows [m0, m0 + m_eff) x columns [k0, k0 + k_eff) of A(m, k) = src[off + row(m) + col(k)]
 * into {mr}-row panels: dst[dst_off + p*{mr}*k_eff + k*{mr} + i] = A(m0 + p*{mr} + i, k0 + k);
 * rows past m_eff are zero.
{_GEOM_DOC} */
static void {name}(const {s} *restrict src, int64_t off,
    int64_t m0, int64_t m_eff, int64_t k0, int64_t k_eff,
{_GEOM_ARGS}
    {t} *restrict dst, int64_t dst_off, int64_t unused) {{
  (void)unused;
  int64_t kof[k_eff > 0 ? k_eff : 1];
  for (int64_t k = 0; k < k_eff; ++k) kof[k] = tfc_uk_offset3(k0 + k, k_s1, k_s2, k_c0, k_c1, k_c2);
  /* run[k]: how many columns from k on are at consecutive offsets. */
  int32_t run[k_eff > 0 ? k_eff : 1];
  for (int64_t k = k_eff - 1; k >= 0; --k)
    run[k] = k + 1 < k_eff && kof[k + 1] - kof[k] == 1 ? run[k + 1] + 1 : 1;
  (void)run;
  for (int64_t p = 0; p < m_eff; p += {mr}) {{
    {t} *restrict d = dst + dst_off + p * k_eff;
    const int64_t rows = m_eff - p < {mr} ? m_eff - p : {mr};
    const {s} *sp[{mr}];
    int rows_unit = 1;
    for (int64_t i = 0; i < {mr}; ++i) {{
      sp[i] = src + off + tfc_uk_offset3(m0 + p + (i < rows ? i : 0), m_s1, m_s2, m_c0, m_c1, m_c2);
      rows_unit &= i >= rows || sp[i] == sp[0] + i;
    }}
    (void)rows_unit;
    int64_t k = 0;{fast}
    for (; k < k_eff; ++k) {{
      for (int64_t i = 0; i < rows; ++i) d[k * {mr} + i] = {ld};
      for (int64_t i = rows; i < {mr}; ++i) d[k * {mr} + i] = 0;
    }}
  }}
}}"""


def _pack_b(src: str, acc: str, nr: int) -> str:
    s, t = _CTYPE[src], _CTYPE[acc]
    name = f"tfc_uk_{pack_b_name(src, acc, nr)}"
    ld_row = _load(src, acc, "sp[q * {nr} + j]".replace("{nr}", str(nr)))
    ld_any = _load(src, acc, "sp[nof[j]]")
    ld_col = _load(src, acc, "sp[k]")
    return f"""\
/* Pack rows [k0, k0 + k_eff) x columns [n0, n0 + n_eff) of B(k, n) = src[off + row(k) + col(n)]
 * into {nr}-column panels: dst[dst_off + q*ldp + k*{nr} + j] = B(k0 + k, n0 + q*{nr} + j)
 * (ldp >= k_eff*{nr} is the panel stride); columns past n_eff are zero.
 * (Here the m_* arguments describe the rows k and the k_* arguments the columns n.)
{_GEOM_DOC} */
static void {name}(const {s} *restrict src, int64_t off,
    int64_t k0, int64_t k_eff, int64_t n0, int64_t n_eff,
{_GEOM_ARGS}
    {t} *restrict dst, int64_t dst_off, int64_t ldp) {{
  const int64_t full = n_eff / {nr};   /* panels without padding */
  const int64_t c0 = tfc_uk_offset3(n0, k_s1, k_s2, k_c0, k_c1, k_c2);
  int unit_n = 1;
  for (int64_t j = 1; j < full * {nr} && unit_n; ++j)
    unit_n = tfc_uk_offset3(n0 + j, k_s1, k_s2, k_c0, k_c1, k_c2) - c0 == j;
  int64_t q0 = 0;
  if (unit_n && full > 0) {{
    /* Row-major B: walk each row of B once, copying {nr} values into every full panel. */
    for (int64_t k = 0; k < k_eff; ++k) {{
      const {s} *restrict sp = src + off + tfc_uk_offset3(k0 + k, m_s1, m_s2, m_c0, m_c1, m_c2) + c0;
      for (int64_t q = 0; q < full; ++q) {{
        {t} *restrict d = dst + dst_off + q * ldp + k * {nr};
        for (int64_t j = 0; j < {nr}; ++j) d[j] = {ld_row};
      }}
    }}
    q0 = full;
  }}
  int64_t nof[{nr}];
  for (int64_t q = q0; q * {nr} < n_eff; ++q) {{
    {t} *restrict d = dst + dst_off + q * ldp;
    const int64_t cols = n_eff - q * {nr} < {nr} ? n_eff - q * {nr} : {nr};
    for (int64_t j = 0; j < cols; ++j)
      nof[j] = tfc_uk_offset3(n0 + q * {nr} + j, k_s1, k_s2, k_c0, k_c1, k_c2);
    const int64_t r0 = tfc_uk_offset3(k0, m_s1, m_s2, m_c0, m_c1, m_c2);
    int unit_k = 1;
    for (int64_t k = 1; k < k_eff && unit_k; ++k)
      unit_k = tfc_uk_offset3(k0 + k, m_s1, m_s2, m_c0, m_c1, m_c2) - r0 == k;
    if (unit_k) {{
      /* Transposed B: walk each column along k. */
      for (int64_t j = 0; j < cols; ++j) {{
        const {s} *restrict sp = src + off + r0 + nof[j];
        for (int64_t k = 0; k < k_eff; ++k) d[k * {nr} + j] = {ld_col};
      }}
    }} else {{
      for (int64_t k = 0; k < k_eff; ++k) {{
        const {s} *restrict sp = src + off + tfc_uk_offset3(k0 + k, m_s1, m_s2, m_c0, m_c1, m_c2);
        for (int64_t j = 0; j < cols; ++j) d[k * {nr} + j] = {ld_any};
      }}
    }}
    for (int64_t k = 0; k < k_eff; ++k)
      for (int64_t j = cols; j < {nr}; ++j) d[k * {nr} + j] = 0;
  }}
}}"""


def declared_ukernels(module) -> list[str]:
    """The names of the micro-kernels a module declares (`tfc.ukernel` on a func declaration)."""
    from xdsl.dialects import func
    from xdsl.dialects.builtin import StringAttr

    names = []
    for op in module.ops:
        if isinstance(op, func.FuncOp) and isinstance(attr := op.attributes.get("tfc.ukernel"), StringAttr):
            names.append(attr.data)
    return names


def add_ukernel_sources(source: str, module) -> str:
    """`source` (the C target's output for `module`) with the micro-kernels the
    module declares defined after the #include lines, unless already there."""
    missing = [n for n in declared_ukernels(module) if f"tfc_uk_{n}(" not in source.split("{", 1)[0]
               and f"static void tfc_uk_{n}(" not in source]
    if not missing:
        return source
    text = "\n\n".join(ukernel_source(n) for n in missing) + "\n\n"
    lines = source.split("\n")
    last_include = max((i for i, l in enumerate(lines) if l.startswith("#include")), default=-1)
    return "\n".join(lines[: last_include + 1]) + "\n\n" + text + "\n".join(lines[last_include + 1:])
