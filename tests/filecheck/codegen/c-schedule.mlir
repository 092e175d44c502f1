// RUN: tfc-opt %s --split-input-file --from=buffers --emit=c | filecheck %s

// How the C target writes what tfc-tile / tfc-lower-to-loops decided.

// The parallel band becomes `omp parallel for`, handed out dynamically in 64
// chunks when it has enough iterations (independent iterations: the result does
// not depend on which thread runs which chunk), the vector
// loop `omp simd`. Parameters that share memory (`tfc.inplace`: the host passes
// the same buffer as x and out) lose `restrict`; the others keep it.
// CHECK-LABEL: static void k0_add(const float *x, const float *restrict b, float *out) {
// CHECK-NEXT:    #pragma omp parallel for schedule(dynamic, 16)
// CHECK-NEXT:    for (int64_t i0 = 0; i0 < 1024; ++i0) {
// CHECK-NEXT:      #pragma omp simd
// CHECK-NEXT:      for (int64_t i1 = 0; i1 < 1024; ++i1) {
// CHECK-NEXT:        const float x_val = x[i0 * 1024 + i1];
// CHECK-NEXT:        const float b_val = b[i1];
// CHECK-NEXT:        const float addf = x_val + b_val;
// CHECK-NEXT:        out[i0 * 1024 + i1] = addf;
func.func private @k0_add(%x: memref<1024x1024xf32>, %b: memref<1024xf32>, %out: memref<1024x1024xf32>) attributes {tfc.kernel, tfc.kernel_kind = "elementwise", tfc.inplace = [[0, 2]], tfc.schedule = {kind = "elementwise", target = "cpu", isa = "avx512", vector_width = 16 : i64, threads = 2 : i64, parallel_dims = 1 : i64, tile = []}} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %b : memref<1024x1024xf32>, memref<1024xf32>) outs(%out : memref<1024x1024xf32>) {
  ^bb0(%0: f32, %1: f32, %2: f32):
    %3 = arith.addf %0, %1 : f32
    linalg.yield %3 : f32
  }
  func.return
}
func.func @main(%x: memref<1024x1024xf32>, %b: memref<1024xf32>, %out0: memref<1024x1024xf32>, %arena: memref<0xi8>) attributes {tfc.arena_size = 0 : i64} {
  func.call @k0_add(%x, %b, %out0) : (memref<1024x1024xf32>, memref<1024xf32>, memref<1024x1024xf32>) -> ()
  func.return
}

// -----

// A single-threaded kernel (threads = 1) has no OpenMP team, only `omp simd`;
// math.tanh on f32 calls the inlined, vectorizable tfc_tanhf (defined once
// before the kernels), not libm's tanhf.
// CHECK-NOT:   tfc_expf
// CHECK:       static inline float tfc_tanhf(float x) {
// CHECK-NOT:   tanhf(
// CHECK-LABEL: static void k0_tanh(const float *restrict x, float *restrict out) {
// CHECK-NOT:     omp parallel
// CHECK:         #pragma omp simd
// CHECK-NEXT:    for (int64_t i0 = 0; i0 < 100; ++i0) {
// CHECK-NEXT:      const float x_val = x[i0];
// CHECK-NEXT:      const float tanh_1 = tfc_tanhf(x_val);
// CHECK-NEXT:      out[i0] = tanh_1;
func.func private @k0_tanh(%x: memref<100xf32>, %out: memref<100xf32>) attributes {tfc.kernel, tfc.schedule = {kind = "elementwise", target = "cpu", isa = "avx512", vector_width = 16 : i64, threads = 1 : i64, parallel_dims = 0 : i64, tile = [], interleave = 1 : i64}} {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : memref<100xf32>) outs(%out : memref<100xf32>) {
  ^bb0(%0: f32, %1: f32):
    %2 = math.tanh %0 : f32
    linalg.yield %2 : f32
  }
  func.return
}
func.func @main(%x: memref<100xf32>, %out0: memref<100xf32>, %arena: memref<0xi8>) attributes {tfc.arena_size = 0 : i64} {
  func.call @k0_tanh(%x, %out0) : (memref<100xf32>, memref<100xf32>) -> ()
  func.return
}

// -----

// A row kernel: the next row of the input is prefetched at the top of each row
// (tfc_prefetch, defined when used); max uses the NaN-propagating reduction
// declared for OpenMP (`tfc_max`); the sum `+`. A row this short reads four
// streams but keeps one running value: the streams fold into it pairwise in the
// loop, so the lanes are summed up once per row, not once per stream.
// CHECK:       static inline void tfc_prefetch(const void *p, int64_t bytes) {
// CHECK:       #pragma omp declare reduction(tfc_max : float : omp_out = ((omp_out > omp_in || omp_out != omp_out) ? omp_out : omp_in)) initializer(omp_priv = -INFINITY)
// CHECK-LABEL: static void k0_row_max_sum(const float *restrict x, float *restrict out, float *restrict scratch0, float *restrict scratch1) {
// CHECK-NEXT:    #pragma omp parallel for schedule(static)
// CHECK-NEXT:    for (int64_t row = 0; row < 64; ++row) {
// CHECK-NEXT:      const int64_t row_after = row + 1;
// CHECK-NEXT:      const int64_t next_row = (row_after < 63 ? row_after : 63);
// CHECK-NEXT:      const int64_t next_x = next_row * 256;
// CHECK-NEXT:      tfc_prefetch(x + next_x, 256 * sizeof(float));
// CHECK-NEXT:      scratch0[row] = -INFINITY;
// CHECK:           #pragma omp simd reduction(tfc_max:acc)
// CHECK-NEXT:      for (int64_t r1 = 0; r1 < 64; ++r1) {
// CHECK:             const float maximumf = ((x_val > x_val_1 || x_val != x_val) ? x_val : x_val_1);
// CHECK-NEXT:        const float maximumf_1 = ((x_val_2 > x_val_3 || x_val_2 != x_val_2) ? x_val_2 : x_val_3);
// CHECK-NEXT:        const float maximumf_2 = ((maximumf > maximumf_1 || maximumf != maximumf) ? maximumf : maximumf_1);
// CHECK-NEXT:        const float maximumf_3 = ((acc > maximumf_2 || acc != acc) ? acc : maximumf_2);
// CHECK-NEXT:        acc = maximumf_3;
// CHECK:           #pragma omp simd reduction(+:acc_1)
func.func private @k0_row_max_sum(%x: memref<64x256xf32>, %out: memref<64x256xf32>, %scratch0: memref<64x1xf32>, %scratch1: memref<64x1xf32>) attributes {tfc.kernel, tfc.kernel_kind = "row", tfc.row_dims = 1 : i64, tfc.schedule = {kind = "row", target = "cpu", isa = "avx512", vector_width = 16 : i64, threads = 2 : i64, parallel_dims = 1 : i64, row_dims = 1 : i64, tile = [], reduce = "inner"}} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%scratch0 : memref<64x1xf32>) {
  ^bb0(%0: f32):
    %1 = arith.constant 0xff800000 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<64x256xf32>) outs(%scratch0 : memref<64x1xf32>) {
  ^bb0(%2: f32, %3: f32):
    %4 = arith.maximumf %3, %2 : f32
    linalg.yield %4 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %scratch0 : memref<64x256xf32>, memref<64x1xf32>) outs(%out : memref<64x256xf32>) {
  ^bb0(%5: f32, %6: f32, %7: f32):
    %8 = arith.subf %5, %6 : f32
    %9 = math.exp %8 : f32
    linalg.yield %9 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%scratch1 : memref<64x1xf32>) {
  ^bb0(%10: f32):
    %11 = arith.constant 0.000000e+00 : f32
    linalg.yield %11 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]} ins(%out : memref<64x256xf32>) outs(%scratch1 : memref<64x1xf32>) {
  ^bb0(%12: f32, %13: f32):
    %14 = arith.addf %13, %12 : f32
    linalg.yield %14 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%out, %scratch1 : memref<64x256xf32>, memref<64x1xf32>) outs(%out : memref<64x256xf32>) {
  ^bb0(%15: f32, %16: f32, %17: f32):
    %18 = arith.divf %15, %16 : f32
    linalg.yield %18 : f32
  }
  func.return
}
func.func @main(%x: memref<64x256xf32>, %out0: memref<64x256xf32>, %arena: memref<512xi8>) attributes {tfc.arena_size = 512 : i64} {
  %0 = arith.constant 0 : index
  %s0 = memref.view %arena[%0][] : memref<512xi8> to memref<64x1xf32>
  %1 = arith.constant 256 : index
  %s1 = memref.view %arena[%1][] : memref<512xi8> to memref<64x1xf32>
  func.call @k0_row_max_sum(%x, %out0, %s0, %s1) : (memref<64x256xf32>, memref<64x256xf32>, memref<64x1xf32>, memref<64x1xf32>) -> ()
  func.return
}
