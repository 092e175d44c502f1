// RUN: tfc-opt %s --split-input-file --from=kernels --emit=triton | filecheck %s

// matmul + bias + relu as one kernel: tl.dot over BLOCK_M x BLOCK_N tiles in
// grouped order, the K loop masked for a K that no block divides, the fill
// folded into a zero accumulator, and the epilogue applied to the
// accumulator before the one store.

// CHECK:      def k0_dense(x_ptr, w_ptr, b_ptr, out_ptr, M, N, K, stride_x0, stride_x1, stride_w0,
// CHECK:          """k0_dense: matmul (tl.dot).
// CHECK:          group_size_m = min(num_pid_m - first_pid_m, GROUP_M)
// CHECK-NEXT:     pid_m = first_pid_m + ((pid % num_pid_in_group) % group_size_m)
// CHECK-NEXT:     pid_n = (pid % num_pid_in_group) // group_size_m
// CHECK-NEXT:     offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
// CHECK-NEXT:     offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
// CHECK-NEXT:     m_mask = offs_m < M
// CHECK-NEXT:     n_mask = offs_n < N
// CHECK:          offs_am = offs_m % M
// CHECK-NEXT:     offs_bn = offs_n % N
// CHECK-NEXT:     mask = m_mask[:, None] & n_mask[None, :]
// CHECK-NEXT:     acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
// CHECK-NEXT:     for k in range(0, K, BLOCK_K):
// CHECK-NEXT:         offs_k = k + tl.arange(0, BLOCK_K)
// CHECK-NEXT:         k_mask = offs_k < K
// CHECK-NEXT:         a_ptrs = x_ptr + offs_am[:, None] * stride_x0 + offs_k[None, :] * stride_x1
// CHECK-NEXT:         b_ptrs = w_ptr + offs_k[:, None] * stride_w0 + offs_bn[None, :] * stride_w1
// CHECK-NEXT:         a = tl.load(a_ptrs, mask=k_mask[None, :], other=0.0)
// CHECK-NEXT:         b = tl.load(b_ptrs, mask=k_mask[:, None], other=0.0)
// CHECK-NEXT:         acc = tl.dot(a, b, acc, input_precision="ieee")
// CHECK-NEXT:     b_1 = tl.load(b_ptr + offs_bn[None, :] * stride_b0, mask=n_mask[None, :], other=0.0)
// CHECK-NEXT:     addf = acc + b_1
// CHECK-NEXT:     cmpf = (addf < 0.0)
// CHECK-NEXT:     select = tl.where(cmpf, 0.0, addf)
// CHECK-NEXT:     tl.store(out_ptr + offs_am[:, None] * stride_out0 + offs_bn[None, :] * stride_out1, select, mask=mask)
// CHECK:      grid = (triton.cdiv(M, config["BLOCK_M"]) * triton.cdiv(N, config["BLOCK_N"]),)
// The default configuration is tfc-tile's GPU schedule (num_stages=3), capped at the problem.
// CHECK:      'k0_dense': [
// CHECK-NEXT:     dict(BLOCK_M=16, BLOCK_N=16, BLOCK_K=16, GROUP_M=8, num_stages=3, num_warps=4),

func.func private @k0_dense(%x: tensor<4x6xf32>, %w: tensor<6x5xf32>, %b: tensor<5xf32>) -> tensor<4x5xf32> attributes {tfc.kernel, tfc.ops = ["matmul", "add", "relu"]} {
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
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%mm, %b : tensor<4x5xf32>, tensor<5xf32>) outs(%mm : tensor<4x5xf32>) {
  ^bb0(%v: f32, %bv: f32, %o: f32):
    %t = arith.addf %v, %bv : f32
    %z = arith.constant 0.000000e+00 : f32
    %neg = arith.cmpf olt, %t, %z : f32
    %r = arith.select %neg, %z, %t : f32
    linalg.yield %r : f32
  } -> tensor<4x5xf32>
  func.return %y : tensor<4x5xf32>
}
func.func @main(%x: tensor<4x6xf32>, %w: tensor<6x5xf32>, %b: tensor<5xf32>) -> tensor<4x5xf32> {
  %0 = func.call @k0_dense(%x, %w, %b) : (tensor<4x6xf32>, tensor<6x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  func.return %0 : tensor<4x5xf32>
}

// -----

// A batched float16 matmul with B transposed: the batch dim comes from
// program_id(1), tl.dot takes the float16 tiles as they are and accumulates
// in float32, and the cast back to float16 is the epilogue.

// CHECK:      def k0_bmm(a_ptr, b_ptr, out_ptr, M, N, K,
// CHECK:          """k0_bmm: matmul (tl.dot), batched over 3.
// CHECK:          pid_b = tl.program_id(1)
// CHECK:              a_ptrs = a_ptr + pid_b * stride_a0 + offs_am[:, None] * stride_a1 + offs_k[None, :] * stride_a2
// CHECK-NEXT:         b_ptrs = b_ptr + pid_b * stride_b0 + offs_bn[None, :] * stride_b1 + offs_k[:, None] * stride_b2
// CHECK:              acc = tl.dot(a, b, acc)
// CHECK-NEXT:     truncf = acc.to(tl.float16)
// CHECK-NEXT:     tl.store(out_ptr + pid_b * stride_out0 + offs_am[:, None] * stride_out1 + offs_bn[None, :] * stride_out2, truncf, mask=mask)
// CHECK:          grid = (triton.cdiv(M, config["BLOCK_M"]) * triton.cdiv(N, config["BLOCK_N"]), 3)

func.func private @k0_bmm(%a: tensor<3x4x5xf16>, %b: tensor<3x6x5xf16>) -> tensor<3x4x6xf16> attributes {tfc.kernel} {
  %e0 = tensor.empty() : tensor<3x4x6xf32>
  %e1 = tensor.empty() : tensor<3x4x6xf16>
  %zero = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} outs(%e0 : tensor<3x4x6xf32>) {
  ^bb0(%o: f32):
    %c = arith.constant 0.000000e+00 : f32
    linalg.yield %c : f32
  } -> tensor<3x4x6xf32>
  %mm = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%a, %b : tensor<3x4x5xf16>, tensor<3x6x5xf16>) outs(%zero : tensor<3x4x6xf32>) {
  ^bb0(%av: f16, %bv: f16, %acc: f32):
    %a32 = arith.extf %av : f16 to f32
    %b32 = arith.extf %bv : f16 to f32
    %p = arith.mulf %a32, %b32 : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x4x6xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%mm : tensor<3x4x6xf32>) outs(%e1 : tensor<3x4x6xf16>) {
  ^bb0(%v: f32, %o: f16):
    %h = arith.truncf %v : f32 to f16
    linalg.yield %h : f16
  } -> tensor<3x4x6xf16>
  func.return %y : tensor<3x4x6xf16>
}
func.func @main(%a: tensor<3x4x5xf16>, %b: tensor<3x6x5xf16>) -> tensor<3x4x6xf16> {
  %0 = func.call @k0_bmm(%a, %b) : (tensor<3x4x5xf16>, tensor<3x6x5xf16>) -> tensor<3x4x6xf16>
  func.return %0 : tensor<3x4x6xf16>
}

// -----

// conv2d (stride 2, VALID) as an implicit GEMM: M is the output pixels
// (n, oh, ow), N the output channels, K the filter window (kh, kw, ci); each
// A tile is gathered straight from the input through the window map
// (oh * 2 + kh), with no im2col buffer.

// CHECK:      def k0_conv(x_ptr, f_ptr, out_ptr, M, N, K,
// CHECK:          """k0_conv: contraction (tl.dot, implicit GEMM).
// CHECK:          m0 = offs_am // 4
// CHECK-NEXT:     m1 = offs_am % 4
// CHECK:              k0 = offs_k // 6
// CHECK-NEXT:         k1 = (offs_k // 2) % 3
// CHECK-NEXT:         k2 = offs_k % 2
// CHECK-NEXT:         k_mask = offs_k < K
// CHECK-NEXT:         a_ptrs = x_ptr + (m0[:, None] * 2 + k0[None, :]) * stride_x1 + (m1[:, None] * 2 + k1[None, :]) * stride_x2 + k2[None, :] * stride_x3
// CHECK-NEXT:         b_ptrs = f_ptr + k0[:, None] * stride_f0 + k1[:, None] * stride_f1 + k2[:, None] * stride_f2 + offs_bn[None, :] * stride_f3
// CHECK:          M = 16
// CHECK-NEXT:     N = 4
// CHECK-NEXT:     K = 18

func.func private @k0_conv(%x: tensor<1x9x9x2xf32>, %f: tensor<3x3x2x4xf32>) -> tensor<1x4x4x4xf32> attributes {tfc.kernel, tfc.ops = ["conv2d"]} {
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %zero = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%e : tensor<1x4x4x4xf32>) {
  ^bb0(%o: f32):
    %c = arith.constant 0.000000e+00 : f32
    linalg.yield %c : f32
  } -> tensor<1x4x4x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, ((d1 * 2) + d4), ((d2 * 2) + d5), d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %f : tensor<1x9x9x2xf32>, tensor<3x3x2x4xf32>) outs(%zero : tensor<1x4x4x4xf32>) {
  ^bb0(%xv: f32, %fv: f32, %acc: f32):
    %p = arith.mulf %xv, %fv : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x4xf32>
  func.return %y : tensor<1x4x4x4xf32>
}
func.func @main(%x: tensor<1x9x9x2xf32>, %f: tensor<3x3x2x4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = func.call @k0_conv(%x, %f) : (tensor<1x9x9x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x4x4x4xf32>
  func.return %0 : tensor<1x4x4x4xf32>
}
