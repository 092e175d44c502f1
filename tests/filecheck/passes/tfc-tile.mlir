// RUN: tfc-opt %s --split-input-file -p 'tfc-tile{isa=avx512 threads=2}' | filecheck %s
// RUN: tfc-opt %s --split-input-file -p 'tfc-tile{isa=avx2 threads=4 tile=512 mr=6 nr=16}' | filecheck %s --check-prefix=AVX2
// RUN: tfc-opt %s --split-input-file -p 'tfc-tile{target=gpu}' | filecheck %s --check-prefix=GPU

// tfc-tile only adds `tfc.schedule` to kernels; the IR is otherwise unchanged.

// A large elementwise kernel: 2 threads, vector width 16 f32 (AVX-512), its
// two contiguous dims collapse into one loop strip-mined into the parallel band.
// CHECK-LABEL: func.func private @k0_add(
// CHECK-SAME:    tfc.schedule = {kind = "elementwise", target = "cpu", isa = "avx512", vector_width = 16 : i64, threads = 2 : i64, parallel_dims = 1 : i64, tile = [4096 : i64]}
// AVX2-LABEL:  func.func private @k0_add(
// AVX2-SAME:     tfc.schedule = {kind = "elementwise", target = "cpu", isa = "avx2", vector_width = 8 : i64, threads = 4 : i64, parallel_dims = 1 : i64, tile = [512 : i64]}
// GPU-LABEL:   func.func private @k0_add(
// GPU-SAME:      tfc.schedule = {kind = "elementwise", target = "gpu", BLOCK_SIZE = 1024 : i64, num_warps = 4 : i64}
// CHECK:         linalg.generic
// CHECK-LABEL: func.func @main(
// CHECK-NOT:     tfc.schedule
func.func private @k0_add(%x: tensor<512x1024xf32>, %b: tensor<512x1024xf32>) -> tensor<512x1024xf32> attributes {tfc.kernel, tfc.kernel_kind = "elementwise"} {
  %0 = tensor.empty() : tensor<512x1024xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %b : tensor<512x1024xf32>, tensor<512x1024xf32>) outs(%0 : tensor<512x1024xf32>) {
  ^bb0(%2: f32, %3: f32, %4: f32):
    %5 = arith.addf %2, %3 : f32
    linalg.yield %5 : f32
  } -> tensor<512x1024xf32>
  func.return %1 : tensor<512x1024xf32>
}
func.func @main(%x: tensor<512x1024xf32>, %b: tensor<512x1024xf32>) -> tensor<512x1024xf32> {
  %0 = func.call @k0_add(%x, %b) : (tensor<512x1024xf32>, tensor<512x1024xf32>) -> tensor<512x1024xf32>
  func.return %0 : tensor<512x1024xf32>
}

// -----

// Below 32768 iterations a kernel stays on one thread (W6: 64x64), whatever
// the thread count; a long dependent body gets interleaved vector streams.
// The kind is inferred when tfc.kernel_kind is missing.
// CHECK-LABEL: func.func private @k0_chain(
// CHECK-SAME:    tfc.schedule = {kind = "elementwise", target = "cpu", isa = "avx512", vector_width = 16 : i64, threads = 1 : i64, parallel_dims = 0 : i64, tile = [], interleave = 8 : i64}
// AVX2-LABEL:  func.func private @k0_chain(
// AVX2-SAME:     threads = 1 : i64, parallel_dims = 0 : i64
func.func private @k0_chain(%x: tensor<64x64xf32>) -> tensor<64x64xf32> attributes {tfc.kernel} {
  %c = arith.constant 1.0001 : f32
  %d = arith.constant 0.001 : f32
  %0 = tensor.empty() : tensor<64x64xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<64x64xf32>) outs(%0 : tensor<64x64xf32>) {
  ^bb0(%2: f32, %3: f32):
    %a1 = arith.mulf %2, %c : f32
    %b1 = arith.addf %a1, %d : f32
    %a2 = arith.mulf %b1, %c : f32
    %b2 = arith.addf %a2, %d : f32
    %a3 = arith.mulf %b2, %c : f32
    %b3 = arith.addf %a3, %d : f32
    %a4 = arith.mulf %b3, %c : f32
    %b4 = arith.addf %a4, %d : f32
    %t = math.tanh %b4 : f32
    %e = math.exp %t : f32
    linalg.yield %e : f32
  } -> tensor<64x64xf32>
  func.return %1 : tensor<64x64xf32>
}

// -----

// Reductions: over the contiguous dim ("inner": lane accumulators along the
// row), or over the outer dim ("outer": the vector loop walks the output, inside
// the reduced loop, in strips that stay in L1 and split over the threads).
// CHECK-LABEL: func.func private @k0_reduce_sum(
// CHECK-SAME:    kind = "reduction", {{.*}}threads = 2 : i64, parallel_dims = 1 : i64{{.*}}reduce = "inner"
// CHECK-LABEL: func.func private @k1_reduce_sum(
// CHECK-SAME:    kind = "reduction", {{.*}}threads = 2 : i64, parallel_dims = 1 : i64, tile = [512 : i64]{{.*}}reduce = "outer"
func.func private @k0_reduce_sum(%x: tensor<256x1024xf32>) -> tensor<256xf32> attributes {tfc.kernel, tfc.kernel_kind = "reduction"} {
  %z = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<256xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%0 : tensor<256xf32>) {
  ^bb0(%o: f32):
    linalg.yield %z : f32
  } -> tensor<256xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<256x1024xf32>) outs(%1 : tensor<256xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<256xf32>
  func.return %2 : tensor<256xf32>
}
func.func private @k1_reduce_sum(%x: tensor<256x1024xf32>) -> tensor<1024xf32> attributes {tfc.kernel, tfc.kernel_kind = "reduction"} {
  %z = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<1024xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%0 : tensor<1024xf32>) {
  ^bb0(%o: f32):
    linalg.yield %z : f32
  } -> tensor<1024xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<256x1024xf32>) outs(%1 : tensor<1024xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<1024xf32>
  func.return %2 : tensor<1024xf32>
}

// -----

// A row kernel (softmax-like: row max, then x - max) is split over its rows.
// CHECK-LABEL: func.func private @k0_row(
// CHECK-SAME:    tfc.schedule = {kind = "row", target = "cpu", isa = "avx512", vector_width = 16 : i64, threads = 2 : i64, parallel_dims = 1 : i64, row_dims = 1 : i64, tile = [], reduce = "inner"}
func.func private @k0_row(%x: tensor<512x128xf32>) -> tensor<512x128xf32> attributes {tfc.kernel, tfc.kernel_kind = "row", tfc.row_dims = 1 : i64} {
  %ninf = arith.constant 0xFF800000 : f32
  %0 = tensor.empty() : tensor<512x1xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%0 : tensor<512x1xf32>) {
  ^bb0(%o: f32):
    linalg.yield %ninf : f32
  } -> tensor<512x1xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<512x128xf32>) outs(%1 : tensor<512x1xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<512x1xf32>
  %3 = tensor.empty() : tensor<512x128xf32>
  %4 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %2 : tensor<512x128xf32>, tensor<512x1xf32>) outs(%3 : tensor<512x128xf32>) {
  ^bb0(%v: f32, %mx: f32, %o: f32):
    %s = arith.subf %v, %mx : f32
    linalg.yield %s : f32
  } -> tensor<512x128xf32>
  func.return %4 : tensor<512x128xf32>
}

// -----

// Contractions take their blocking from lower_contraction.default_schedule(isa);
// options override single entries.
// CHECK-LABEL: func.func private @k0_matmul(
// CHECK-SAME:    tfc.schedule = {kind = "contraction", target = "cpu", isa = "avx512", mr = {{[0-9]+}} : i64, nr = {{[0-9]+}} : i64, mc = {{[0-9]+}} : i64, kc = {{[0-9]+}} : i64, nc = {{[0-9]+}} : i64{{.*}}threads = 2 : i64
// AVX2-LABEL:  func.func private @k0_matmul(
// AVX2-SAME:     isa = "avx2", mr = 6 : i64, nr = 16 : i64
// GPU-LABEL:   func.func private @k0_matmul(
// GPU-SAME:      tfc.schedule = {kind = "contraction", target = "gpu", BLOCK_M = 64 : i64, BLOCK_N = 64 : i64, BLOCK_K = 32 : i64, GROUP_M = 8 : i64, num_warps = 4 : i64, num_stages = 3 : i64}
func.func private @k0_matmul(%a: tensor<64x32xf32>, %b: tensor<32x48xf32>) -> tensor<64x48xf32> attributes {tfc.kernel, tfc.kernel_kind = "contraction"} {
  %z = arith.constant 0.0 : f32
  %0 = tensor.empty() : tensor<64x48xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%0 : tensor<64x48xf32>) {
  ^bb0(%o: f32):
    linalg.yield %z : f32
  } -> tensor<64x48xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<64x32xf32>, tensor<32x48xf32>) outs(%1 : tensor<64x48xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x48xf32>
  func.return %2 : tensor<64x48xf32>
}

// -----

// Entries a kernel's schedule already has are kept (hand-written, or a nested
// per-target dictionary); the rest are filled in.
// CHECK-LABEL: func.func private @k0_neg(
// CHECK-SAME:    tfc.schedule = {kind = "elementwise", target = "cpu", isa = "avx512", vector_width = 16 : i64, threads = 1 : i64, parallel_dims = 0 : i64, tile = [], gpu = {BLOCK_SIZE = 256 : i64}}
func.func private @k0_neg(%x: tensor<100xf32>) -> tensor<100xf32> attributes {tfc.kernel, tfc.schedule = {gpu = {BLOCK_SIZE = 256 : i64}}} {
  %0 = tensor.empty() : tensor<100xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<100xf32>) outs(%0 : tensor<100xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  } -> tensor<100xf32>
  func.return %1 : tensor<100xf32>
}
