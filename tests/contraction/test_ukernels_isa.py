"""Every instruction-set variant of the micro-kernels and packing routines.

The C target compiles with -march=native, so the numeric tests only reach this
machine's variant (AVX-512 here). This test compiles the routines three more
ways -- AVX2+FMA, plain x86-64 (scalar), and native -- into a small C program
that runs the GotoBLAS nest on odd sizes, with A packed and read in place, B
plain and transposed, and compares with a float64 loop.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tfc.codegen.c_ukernels import (
    gemm_direct_name,
    gemm_name,
    pack_a_name,
    pack_b_name,
    ukernel_source,
)

CC = shutil.which("gcc") or shutil.which("cc")

_DRIVER = r"""
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* C = A(MxK) B(KxN) through the blocked nest; A row-major (lda = K) or, with
 * ta, stored transposed; B row-major or transposed (tb). */
static double run(int M, int N, int K, int ta, int tb, int direct, int mc, int kc, int nc) {
  float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N);
  float *C = malloc(sizeof(float) * M * N);
  for (int i = 0; i < M * K; ++i) A[i] = (float)((i * 37) % 23) / 23.0f - 0.5f;
  for (int i = 0; i < K * N; ++i) B[i] = (float)((i * 11) % 19) / 19.0f - 0.5f;
  const int mcp = (mc + MR - 1) / MR * MR, ncp = (nc + NR - 1) / NR * NR;
  float *Ap = aligned_alloc(64, sizeof(float) * (mcp * kc + 64));
  float *Bp = aligned_alloc(64, sizeof(float) * (K * ncp + 64));
  float *Cb = aligned_alloc(64, sizeof(float) * (mcp * ncp + 64));
  /* A(m, k) = A[m*K + k] (plain) or A[k*M + m] (transposed); B likewise. */
  const long am = ta ? 1 : K, ak = ta ? M : 1, bk = tb ? 1 : N, bn = tb ? K : 1;
  for (int jc = 0; jc < N; jc += nc) {
    const int nce = N - jc < nc ? N - jc : nc;
    PACK_B(B, 0, 0, K, jc, nce, 1, K, 0, 0, bk, 1, N, 0, 0, bn, Bp, 0, (long)K * NR);
    for (int ic = 0; ic < M; ic += mc) {
      const int mce = M - ic < mc ? M - ic : mc;
      for (int pc = 0; pc < K; pc += kc) {
        const int kce = K - pc < kc ? K - pc : kc;
        if (!direct) PACK_A(A, 0, ic, mce, pc, kce, 1, M, 0, 0, am, 1, K, 0, 0, ak, Ap, 0, 0);
        for (int jr = 0; jr < nce; jr += NR)
          for (int ir = 0; ir < mce; ir += MR) {
            if (direct)
              GEMMD(kce, A, 0, ic + ir, mce - ir, pc, 1, M, 0, 0, am, 1, K, 0, 0, ak,
                    Bp, (long)jr * K + (long)pc * NR, Cb, (long)ir * ncp + jr, ncp, 0);
            else
              GEMM(kce, Ap, (long)ir * kce, Bp, (long)jr * K + (long)pc * NR, Cb,
                   (long)ir * ncp + jr, ncp, pc);
          }
      }
      for (int i = 0; i < mce; ++i)
        for (int j = 0; j < nce; ++j) C[(long)(ic + i) * N + jc + j] = Cb[(long)i * ncp + j];
    }
  }
  double err = 0;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      double ref = 0;
      for (int k = 0; k < K; ++k) ref += (double)A[i * am + k * ak] * B[k * bk + j * bn];
      const double e = fabs(ref - C[(long)i * N + j]);
      if (!(e <= err)) err = e;  /* NaN counts */
    }
  free(A); free(B); free(C); free(Ap); free(Bp); free(Cb);
  return err;
}

int main(void) {
  double worst = 0;
  const int sizes[][3] = {{1, 1, 1}, {7, 13, 5}, {65, 129, 33}, {37, 70, 41}};
  for (int s = 0; s < 4; ++s)
    for (int v = 0; v < 8; ++v) {
      const double e = run(sizes[s][0], sizes[s][1], sizes[s][2], v & 1, (v >> 1) & 1,
                           (v >> 2) & 1 && !(v & 1), 2 * MR + 1, 20, 3 * NR);
      if (!(e <= worst)) worst = e;
    }
  printf("%.3e\n", worst);
  return 0;
}
"""


def _program(mr: int, nr: int) -> str:
    names = [gemm_name("f32", mr, nr), gemm_direct_name("f32", mr, nr),
             pack_a_name("f32", "f32", mr), pack_b_name("f32", "f32", nr)]
    defs = "\n".join(ukernel_source(n) for n in names)
    macros = (f"#define MR {mr}\n#define NR {nr}\n#define GEMM tfc_uk_{names[0]}\n"
              f"#define GEMMD tfc_uk_{names[1]}\n#define PACK_A tfc_uk_{names[2]}\n"
              f"#define PACK_B tfc_uk_{names[3]}\n")
    return defs + "\n" + macros + _DRIVER


@pytest.mark.skipif(CC is None, reason="no C compiler")
@pytest.mark.parametrize("flags", [["-march=native"], ["-mavx2", "-mfma"], []],
                         ids=["native", "avx2", "scalar"])
@pytest.mark.parametrize("mr,nr", [(6, 64), (14, 32), (4, 16), (3, 8), (5, 7)])
def test_ukernel_variants(tmp_path, flags, mr, nr):
    src = tmp_path / "uk.c"
    exe = tmp_path / "uk"
    src.write_text(_program(mr, nr))
    cmd = [CC, "-O2", "-std=gnu11", "-ffp-contract=off", *flags, str(src), "-o", str(exe), "-lm"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    assert float(out) < 1e-4, f"max |error| {out.strip()} for {mr}x{nr} with {flags}"
