// RUN: tfc-opt %s --split-input-file -p 'tfc-form-kernels{fuse=false}' --from=linalg --emit=c | filecheck %s

// One static function per kernel, with restrict pointers (const for what it
// only reads), a comment naming it, its buffers and its schedule, and loops
// indexing with the memrefs' constant strides. Nests with enough work split
// their outer loop over threads; the contiguous inner loop is `omp simd`.

// CHECK:       #include <math.h>
// CHECK:       #include <stdint.h>
// CHECK-LABEL: /* kernel k0_mul_add
// CHECK-NEXT:   *   a: in f32[256x512]
// CHECK-NEXT:   *   b: in f32[512]
// CHECK-NEXT:   *   out: out f32[256x512]
// CHECK-NEXT:   * schedule: elementwise, {{[0-9]+}} thread{{s?}}, parallel_dims {{[01]}}, vector_width {{[0-9]+}}
// CHECK-NEXT:   */
// CHECK-NEXT:  static void k0_mul_add(const float *restrict a, const float *restrict b, float *restrict out) {
// CHECK-NEXT:    {{(#pragma omp parallel for schedule\(static\))?}}
// CHECK:         for (int64_t i0 = 0; i0 < 256; ++i0) {
// CHECK-NEXT:      #pragma omp simd
// CHECK-NEXT:      for (int64_t i1 = 0; i1 < 512; ++i1) {
// CHECK-NEXT:        const float x = a[i0 * 512 + i1];
// CHECK-NEXT:        const float y = b[i1];
// CHECK-NEXT:        const float m = x * y;
// CHECK-NEXT:        const float s = m + 1.5f;
// CHECK-NEXT:        out[i0 * 512 + i1] = s;
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:  }
// CHECK-LABEL: int tfc_entry(void **buffers) {
// CHECK-NEXT:    const float *a = (const float *)buffers[0];
// CHECK-NEXT:    const float *b = (const float *)buffers[1];
// CHECK-NEXT:    float *out0 = (float *)buffers[2];
// CHECK-NEXT:    k0_mul_add(a, b, out0);
// CHECK-NEXT:    return 0;
// CHECK-NEXT:  }
func.func @main(%a: tensor<256x512xf32>, %b: tensor<512xf32>) -> tensor<256x512xf32> {
  %one = arith.constant 1.5 : f32
  %e = tensor.empty() : tensor<256x512xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<256x512xf32>, tensor<512xf32>) outs(%e : tensor<256x512xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %m, %one : f32
    linalg.yield %s : f32
  } -> tensor<256x512xf32>
  func.return %0 : tensor<256x512xf32>
}

// -----

// Small nests stay on one thread. A reduction keeps its accumulator in a local
// between one load and one store; its init buffer is read and written (inout).
// The max is returned and also read by the next kernel: it is computed in the
// output buffer, which that kernel then reads.

// CHECK-LABEL: /* kernel k1_reduce_max
// CHECK-NEXT:   *   x: in f32[4x8]
// CHECK-NEXT:   *   f: inout f32[4]
// CHECK-NEXT:   * schedule: reduction, 1 thread, parallel_dims 0, vector_width {{[0-9]+}}, reduce inner
// CHECK-NEXT:   */
// CHECK-NEXT:  static void k1_reduce_max(const float *restrict x, float *restrict f) {
// CHECK-NOT:     #pragma
// CHECK-NEXT:    for (int64_t i0 = 0; i0 < 4; ++i0) {
// CHECK-NEXT:      const float acc_init = f[i0];
// CHECK-NEXT:      float acc = acc_init;
// CHECK-NEXT:      for (int64_t r1 = 0; r1 < 8; ++r1) {
// CHECK-NEXT:        const float v = x[i0 * 8 + r1];
// CHECK-NEXT:        const float m = ((acc > v || acc != acc) ? acc : v);
// CHECK-NEXT:        acc = m;
// CHECK-NEXT:      }
// CHECK-NEXT:      f[i0] = acc;
// CHECK-NEXT:    }
// CHECK-NEXT:  }
// CHECK-LABEL: /* Entry point for @main. buffers[i] points to:
// CHECK-NEXT:   *   [0] x: input, f32[4x8]
// CHECK-NEXT:   *   [1] out0: output, f32[4]
// CHECK-NEXT:   *   [2] out1: output, f32[4x8]
// CHECK-NEXT:   *   [3] arena: arena (unused), i8[0]
// CHECK-NEXT:   * The arena needs 0 bytes, 64-byte aligned.
// CHECK-NEXT:   * Returns 0. */
// CHECK-NEXT:  int tfc_entry(void **buffers) {
// CHECK-NEXT:    const float *x = (const float *)buffers[0];
// CHECK-NEXT:    float *out0 = (float *)buffers[1];
// CHECK-NEXT:    float *out1 = (float *)buffers[2];
// CHECK-NEXT:    k0_fill(out0);
// CHECK-NEXT:    k1_reduce_max(x, out0);
// CHECK-NEXT:    k2_sub(x, out0, out1);
// CHECK-NEXT:    return 0;
func.func @main(%x: tensor<4x8xf32>) -> (tensor<4xf32>, tensor<4x8xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e : tensor<4xf32>) {
  ^bb0(%o: f32):
    linalg.yield %ninf : f32
  } -> tensor<4xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %d = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %m : tensor<4x8xf32>, tensor<4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%v: f32, %mx: f32, %o: f32):
    %s = arith.subf %v, %mx : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  func.return %m, %d : tensor<4xf32>, tensor<4x8xf32>
}

// -----

// Slices index through the subview's strides and offset.

// CHECK-LABEL: static void k0_extract_slice(const float *restrict x, float *restrict out) {
// CHECK:           const float x_val = x[i0 * 24 + i1 + 27];
// CHECK-NEXT:      out[i0 * 6 + i1] = x_val;
// CHECK-LABEL: static void k1_insert_slice(const float *restrict b, float *restrict s) {
// CHECK:           const float b_val = b[i0 * 2 + i1];
// CHECK-NEXT:      s[i0 * 6 + i1 + 4] = b_val;
func.func @main(%x: tensor<10x12xf32>, %b: tensor<3x2xf32>) -> tensor<3x6xf32> {
  %s = tensor.extract_slice %x[2, 3] [3, 6] [2, 1] : tensor<10x12xf32> to tensor<3x6xf32>
  %r = tensor.insert_slice %b into %s[0, 4] [3, 2] [1, 1] : tensor<3x2xf32> into tensor<3x6xf32>
  func.return %r : tensor<3x6xf32>
}

// -----

// A reduction whose accumulator is only added to is vectorized with an OpenMP
// simd reduction, here reading two streams (the two halves of the range side by
// side); a range this short folds them into ONE running value in the loop, so
// the vector lanes are summed up once at the end, not once per stream; dimensions
// of extent 1 get no loop.

// CHECK-LABEL: static void k1_reduce_sum(const float *restrict x, float *restrict f) {
// CHECK-NEXT:    const float acc_init = f[0];
// CHECK-NEXT:    float acc = acc_init;
// CHECK-NEXT:    #pragma omp simd reduction(+:acc)
// CHECK-NEXT:    for (int64_t r1 = 0; r1 < 32; ++r1) {
// CHECK-NEXT:      const int64_t r1_p1 = r1 + 32;
// CHECK-NEXT:      const float v = x[r1];
// CHECK-NEXT:      const float v_1 = x[r1_p1];
// CHECK-NEXT:      const float s = v + v_1;
// CHECK-NEXT:      const float s_1 = acc + s;
// CHECK-NEXT:      acc = s_1;
// CHECK-NEXT:    }
// CHECK-NEXT:    f[0] = acc;
// CHECK-NEXT:  }
func.func @main(%x: tensor<1x64xf32>) -> tensor<1xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1xf32>
  %f = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e : tensor<1xf32>) {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  } -> tensor<1xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<1x64xf32>) outs(%f : tensor<1xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<1xf32>
  func.return %s : tensor<1xf32>
}
