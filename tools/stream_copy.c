/* STREAM-style copy: the memory-bandwidth ceiling for tfc's memory-bound workloads.
 *
 * b[i] = a[i] over N floats (default 2^24), OpenMP-parallel, arrays first touched
 * by the threads that copy them. Built by tools/bench.py with the same compiler and
 * flags as tfc's generated C. Prints one JSON line: the best and median time of
 * REPS copies and the bandwidth counting read a + write b (2 * 4 * N bytes).
 *
 *   usage: stream_copy [N] [REPS]
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One copy b[0:n] = a[0:n] with the team: tools/bench/worker.py also loads this file
 * as a shared library (-DSTREAM_COPY_LIB) and times it interleaved with tfc's calls,
 * so that the ceiling and the workload see the same moment of a shared machine. */
void stream_copy_once(const float *restrict a, float *restrict b, long n) {
  #pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) b[i] = a[i];
}

#ifndef STREAM_COPY_LIB
static int cmp(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : (1L << 24);
  int reps = argc > 2 ? atoi(argv[2]) : 30;
  float *a = aligned_alloc(64, n * sizeof(float));
  float *b = aligned_alloc(64, n * sizeof(float));
  double *t = malloc(reps * sizeof(double));
  if (!a || !b || !t) return 1;
  #pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) { a[i] = (float)i; b[i] = 0.0f; }
  for (int r = 0; r < reps; r++) {
    double t0 = omp_get_wtime();
    stream_copy_once(a, b, n);
    t[r] = omp_get_wtime() - t0;
    a[r % n] += b[(r * 7919) % n];  /* keep every copy observable */
  }
  qsort(t, reps, sizeof(double), cmp);
  double bytes = 2.0 * sizeof(float) * n;
  printf("{\"n\": %ld, \"reps\": %d, \"threads\": %d, \"best_s\": %.9f, \"median_s\": %.9f, "
         "\"best_gbs\": %.3f, \"median_gbs\": %.3f, \"check\": %.1f}\n",
         n, reps, omp_get_max_threads(), t[0], t[reps / 2], bytes / t[0] / 1e9,
         bytes / t[reps / 2] / 1e9, (double)b[n - 1]);
  free(a); free(b); free(t);
  return 0;
}
#endif
