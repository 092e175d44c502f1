// RUN: tfc-opt %s --split-input-file --from=kernels --emit=triton | filecheck %s

// A pointwise kernel of two generics: x * a + b, then gelu (tanh form). The
// intermediate stays in registers (it is never stored); the block walks the
// output contiguously (`x_ptr + offs`), the bias is read through its stride,
// and the rank-0 `b` is one element spread over the block.

// CHECK:      @triton.jit
// CHECK-NEXT: def _tanh(x):
// CHECK:      @triton.jit
// CHECK-NEXT: def k0_mul_add_gelu(x_ptr, a_ptr, b_ptr, out_ptr, n_elements, stride_a0, BLOCK_SIZE: tl.constexpr):
// CHECK-NEXT:     """k0_mul_add_gelu: pointwise.
// CHECK-EMPTY:
// CHECK-NEXT:     tfc ops: mul, add, gelu
// CHECK-NEXT:     generics: mul_add[4x9], mul_add_tanh[4x9]
// CHECK:          pid = tl.program_id(0)
// CHECK-NEXT:     offs = pid * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)
// CHECK-NEXT:     mask = offs < n_elements
// CHECK-NEXT:     i1 = offs % 9
// CHECK:          x = tl.load(x_ptr + offs, mask=mask, other=0.0)
// CHECK-NEXT:     a = tl.load(a_ptr + i1 * stride_a0, mask=mask, other=0.0)
// CHECK-NEXT:     mulf = x * a
// CHECK-NEXT:     b = tl.broadcast_to(tl.load(b_ptr), [BLOCK_SIZE])
// CHECK-NEXT:     addf = mulf + b
// CHECK:          tanh = _tanh(
// CHECK-NOT:      tl.store(scratch
// CHECK:          tl.store(out_ptr + offs, mulf_6, mask=mask)
// CHECK-NOT:      tl.store

// CHECK:      def launch_k0_mul_add_gelu(x, a, b, out, config):
// CHECK-NEXT:     n_elements = 36
// CHECK-NEXT:     grid = (triton.cdiv(n_elements, config["BLOCK_SIZE"]),)
// CHECK-NEXT:     k0_mul_add_gelu[grid](x, a, b, out, n_elements, stride_a0=1, **config)

// CHECK:      CONFIGS = {
// CHECK-NEXT:     'k0_mul_add_gelu': [
// CHECK-NEXT:         dict(BLOCK_SIZE=64, num_warps=4),
// CHECK:      KERNELS = {
// CHECK-NEXT:     'k0_mul_add_gelu': (launch_k0_mul_add_gelu, (3,), 'pointwise'),
// CHECK:      ARENA_BYTES = 192

// CHECK:      def program(x, a, b, out0, arena, consts, launch):
// CHECK:          launch('k0_mul_add_gelu', x, a, b, out0)

func.func private @k0_mul_add_gelu(%x: tensor<4x9xf32>, %a: tensor<9xf32>, %b: tensor<f32>) -> tensor<4x9xf32> attributes {tfc.kernel, tfc.ops = ["mul", "add", "gelu"]} {
  %e0 = tensor.empty() : tensor<4x9xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %a, %b : tensor<4x9xf32>, tensor<9xf32>, tensor<f32>) outs(%e0 : tensor<4x9xf32>) {
  ^bb0(%xi: f32, %ai: f32, %bi: f32, %o: f32):
    %m = arith.mulf %xi, %ai : f32
    %s = arith.addf %m, %bi : f32
    linalg.yield %s : f32
  } -> tensor<4x9xf32>
  %e1 = tensor.empty() : tensor<4x9xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%y : tensor<4x9xf32>) outs(%e1 : tensor<4x9xf32>) {
  ^bb0(%v: f32, %o: f32):
    %c0 = arith.constant 0.797884583 : f32
    %c1 = arith.constant 4.471500e-02 : f32
    %c2 = arith.constant 1.000000e+00 : f32
    %c3 = arith.constant 5.000000e-01 : f32
    %v2 = arith.mulf %v, %v : f32
    %v3 = arith.mulf %v, %v2 : f32
    %t0 = arith.mulf %c1, %v3 : f32
    %t1 = arith.addf %v, %t0 : f32
    %t2 = arith.mulf %c0, %t1 : f32
    %t3 = math.tanh %t2 : f32
    %t4 = arith.addf %c2, %t3 : f32
    %t5 = arith.mulf %c3, %v : f32
    %t6 = arith.mulf %t5, %t4 : f32
    linalg.yield %t6 : f32
  } -> tensor<4x9xf32>
  func.return %g : tensor<4x9xf32>
}
func.func @main(%x: tensor<4x9xf32>, %a: tensor<9xf32>, %b: tensor<f32>) -> tensor<4x9xf32> {
  %0 = func.call @k0_mul_add_gelu(%x, %a, %b) : (tensor<4x9xf32>, tensor<9xf32>, tensor<f32>) -> tensor<4x9xf32>
  func.return %0 : tensor<4x9xf32>
}

// -----

// A transposing copy: the input is contiguous along the output's rows, so the
// block is a 2-D tile (rows along the input's contiguous dim, columns along the
// output's), and both the loads and the stores walk memory contiguously.

// CHECK:      def k0_transpose(x_ptr, out_ptr, n_rows, n_cols, stride_x0, stride_x1, stride_out0,
// CHECK:          """k0_transpose: pointwise, 2-D tiles.
// CHECK:          pid = tl.program_id(0)
// CHECK-NEXT:     num_pid_n = tl.cdiv(n_cols, BLOCK_N)
// CHECK-NEXT:     rows = (pid // num_pid_n) * BLOCK_M + tl.arange(0, BLOCK_M)[:, None]
// CHECK-NEXT:     cols = (pid % num_pid_n) * BLOCK_N + tl.arange(0, BLOCK_N)[None, :]
// CHECK-NEXT:     row_mask = rows < n_rows
// CHECK-NEXT:     col_mask = cols < n_cols
// CHECK-NEXT:     mask = row_mask & col_mask
// CHECK-NEXT:     x = tl.load(x_ptr + cols * stride_x0 + rows * stride_x1, mask=mask, other=0.0)
// CHECK-NEXT:     tl.store(out_ptr + rows * stride_out0 + cols * stride_out1, x, mask=mask)
// CHECK:          grid = (triton.cdiv(n_rows, config["BLOCK_M"]) * triton.cdiv(n_cols, config["BLOCK_N"]),)
// CHECK:      'k0_transpose': [
// CHECK-NEXT:     dict(BLOCK_M=32, BLOCK_N=32, num_warps=4),

func.func private @k0_transpose(%x: tensor<40x24xf32>) -> tensor<24x40xf32> attributes {tfc.kernel, tfc.ops = ["transpose"]} {
  %e = tensor.empty() : tensor<24x40xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<40x24xf32>) outs(%e : tensor<24x40xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<24x40xf32>
  func.return %y : tensor<24x40xf32>
}
func.func @main(%x: tensor<40x24xf32>) -> tensor<24x40xf32> {
  %0 = func.call @k0_transpose(%x) : (tensor<40x24xf32>) -> tensor<24x40xf32>
  func.return %0 : tensor<24x40xf32>
}
