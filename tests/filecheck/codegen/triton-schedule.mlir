// RUN: tfc-opt %s --from=kernels --emit=triton | filecheck %s --check-prefix=GPU
// RUN: tfc-opt %s --from=kernels --emit=triton -p 'tfc-tile{target=gpu tile=128}' | filecheck %s --check-prefix=TILE
// RUN: tfc-opt %s --from=kernels --emit=triton -p 'tfc-tile{target=cpu}' | filecheck %s --check-prefix=CPU

// --emit=triton runs tfc-tile with target=gpu: each kernel's default (first)
// configuration is the GPU policy's choice (tfc/passes/tile.py gpu_policy),
// e.g. num_stages=3 for a contraction, where the emitter alone would put its
// own first configuration (num_stages=4) first. A -p tfc-tile with options
// decides instead: tile=128 is the pointwise BLOCK_SIZE; target=cpu leaves no
// GPU schedule, so the emitter's own order stands.

// GPU:       'k0_mm': [
// GPU-NEXT:      dict(BLOCK_M=16, BLOCK_N=16, BLOCK_K=16, GROUP_M=8, num_stages=3, num_warps=4),
// GPU:       'k1_exp': [
// GPU-NEXT:      dict(BLOCK_SIZE=1024, num_warps=4),

// TILE:      'k0_mm': [
// TILE-NEXT:     dict(BLOCK_M=16, BLOCK_N=16, BLOCK_K=16, GROUP_M=8, num_stages=3, num_warps=4),
// TILE:      'k1_exp': [
// TILE-NEXT:     dict(BLOCK_SIZE=128, num_warps=4),
// TILE-NEXT:     dict(BLOCK_SIZE=1024, num_warps=4),

// CPU:       'k0_mm': [
// CPU-NEXT:      dict(BLOCK_M=16, BLOCK_N=16, BLOCK_K=16, GROUP_M=8, num_stages=4, num_warps=4),
// CPU:       'k1_exp': [
// CPU-NEXT:      dict(BLOCK_SIZE=1024, num_warps=4),

func.func private @k0_mm(%x: tensor<4x6xf32>, %w: tensor<6x5xf32>) -> tensor<4x5xf32> attributes {tfc.kernel, tfc.ops = ["matmul"]} {
  %e = tensor.empty() : tensor<4x5xf32>
  %zero = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<4x5xf32>) {
  ^bb0(%o: f32):
    %c = arith.constant 0.000000e+00 : f32
    linalg.yield %c : f32
  } -> tensor<4x5xf32>
  %mm = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<4x6xf32>, tensor<6x5xf32>) outs(%zero : tensor<4x5xf32>) {
  ^bb0(%xv: f32, %wv: f32, %acc: f32):
    %p = arith.mulf %xv, %wv : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x5xf32>
  func.return %mm : tensor<4x5xf32>
}

func.func private @k1_exp(%x: tensor<64x64xf32>) -> tensor<64x64xf32> attributes {tfc.kernel, tfc.ops = ["exp"]} {
  %e = tensor.empty() : tensor<64x64xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<64x64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.exp %v : f32
    linalg.yield %r : f32
  } -> tensor<64x64xf32>
  func.return %y : tensor<64x64xf32>
}

func.func @main(%x: tensor<4x6xf32>, %w: tensor<6x5xf32>, %z: tensor<64x64xf32>) -> (tensor<4x5xf32>, tensor<64x64xf32>) {
  %0 = func.call @k0_mm(%x, %w) : (tensor<4x6xf32>, tensor<6x5xf32>) -> tensor<4x5xf32>
  %1 = func.call @k1_exp(%z) : (tensor<64x64xf32>) -> tensor<64x64xf32>
  func.return %0, %1 : tensor<4x5xf32>, tensor<64x64xf32>
}
