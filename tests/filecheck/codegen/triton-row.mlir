// RUN: tfc-opt %s --split-input-file --from=kernels --emit=triton | filecheck %s

// Softmax as one kernel: BLOCK_M rows per program; a row of 6 fits one block,
// so it is loaded once and stays in registers (persistent form). The fills
// become the reductions' initial values; nothing but the result is stored.

// CHECK:      def k0_softmax(x_ptr, out_ptr, n_rows, n_cols, stride_x0, stride_x1, stride_out0, stride_out1,
// CHECK-NEXT:                BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
// CHECK-NEXT:     """k0_softmax: row reduction, persistent.
// CHECK-EMPTY:
// CHECK-NEXT:     tfc ops: softmax
// CHECK-NEXT:     generics: fill[4x1], reduce_max[4x6], sub_exp[4x6], fill[4x1], reduce_sum[4x6], div[4x6]
// CHECK:          pid = tl.program_id(0)
// CHECK-NEXT:     rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)[:, None]
// CHECK-NEXT:     row_mask = rows < n_rows
// CHECK-NEXT:     cols = tl.arange(0, BLOCK_N)[None, :]
// CHECK-NEXT:     col_mask = cols < n_cols
// CHECK-NEXT:     mask = row_mask & col_mask
// CHECK-NEXT:     x = tl.load(x_ptr + rows * stride_x0 + cols * stride_x1, mask=mask, other=0.0)
// CHECK-NEXT:     row_max = tl.reduce(tl.where(col_mask, x, float("-inf")), 1, _maximum)[:, None]
// CHECK-NEXT:     subf = x - row_max
// CHECK-NEXT:     exp = tl.exp(subf)
// CHECK-NEXT:     total = tl.sum(tl.where(col_mask, exp, 0.0), axis=1)[:, None]
// CHECK-NEXT:     divf = exp / total
// CHECK-NEXT:     tl.store(out_ptr + rows * stride_out0 + cols * stride_out1, divf, mask=mask)
// CHECK-NOT:      tl.store
// CHECK:      def launch_k0_softmax(x, out, config):
// CHECK:          grid = (triton.cdiv(n_rows, config["BLOCK_M"]),)
// CHECK:          BLOCK_N=8, **config)

func.func private @k0_softmax(%x: tensor<4x6xf32>) -> tensor<4x6xf32> attributes {tfc.kernel, tfc.ops = ["softmax"]} {
  %e0 = tensor.empty() : tensor<4x1xf32>
  %e1 = tensor.empty() : tensor<4x6xf32>
  %e2 = tensor.empty() : tensor<4x1xf32>
  %init_max = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%e0 : tensor<4x1xf32>) {
  ^bb0(%o: f32):
    %c = arith.constant 0xff800000 : f32
    linalg.yield %c : f32
  } -> tensor<4x1xf32>
  %max = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x6xf32>) outs(%init_max : tensor<4x1xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<4x1xf32>
  %exp = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %max : tensor<4x6xf32>, tensor<4x1xf32>) outs(%e1 : tensor<4x6xf32>) {
  ^bb0(%v: f32, %mx: f32, %o: f32):
    %d = arith.subf %v, %mx : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  } -> tensor<4x6xf32>
  %init_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%e2 : tensor<4x1xf32>) {
  ^bb0(%o: f32):
    %c = arith.constant 0.000000e+00 : f32
    linalg.yield %c : f32
  } -> tensor<4x1xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]} ins(%exp : tensor<4x6xf32>) outs(%init_sum : tensor<4x1xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<4x1xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%exp, %sum : tensor<4x6xf32>, tensor<4x1xf32>) outs(%exp : tensor<4x6xf32>) {
  ^bb0(%v: f32, %t: f32, %o: f32):
    %q = arith.divf %v, %t : f32
    linalg.yield %q : f32
  } -> tensor<4x6xf32>
  func.return %y : tensor<4x6xf32>
}
func.func @main(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %0 = func.call @k0_softmax(%x) : (tensor<4x6xf32>) -> tensor<4x6xf32>
  func.return %0 : tensor<4x6xf32>
}

// -----

// A row of 10000 does not fit one block: each reduction walks the row in
// BLOCK_N chunks (looped form), accumulating a block that is reduced at the
// end; the mean is computed once per row, outside the loops.

// CHECK:      def k0_center(x_ptr, out_ptr, n_rows, n_cols,
// CHECK:          """k0_center: row reduction, looped.
// CHECK:          acc_1 = tl.full([BLOCK_M, BLOCK_N], 0.0, tl.float32)
// CHECK-NEXT:     for col_start in range(0, n_cols, BLOCK_N):
// CHECK-NEXT:         cols = col_start + tl.arange(0, BLOCK_N)[None, :]
// CHECK-NEXT:         col_mask = cols < n_cols
// CHECK-NEXT:         mask = row_mask & col_mask
// CHECK-NEXT:         x = tl.load(x_ptr + rows * stride_x0 + cols * stride_x1, mask=mask, other=0.0)
// CHECK-NEXT:         acc_1 = acc_1 + tl.where(col_mask, x, 0.0)
// CHECK-NEXT:     total = tl.sum(acc_1, axis=1)[:, None]
// CHECK-NEXT:     divf = total / 10000.0
// CHECK-NEXT:     for col_start in range(0, n_cols, BLOCK_N):
// CHECK:              subf = x_1 - divf
// CHECK-NEXT:         tl.store(out_ptr + rows * stride_out0 + cols * stride_out1, subf, mask=mask)
// CHECK:      CONFIGS = {
// CHECK-NEXT:     'k0_center': [
// CHECK-NEXT:         dict(BLOCK_M=1, BLOCK_N=1024, num_warps=4),

func.func private @k0_center(%x: tensor<2x10000xf32>) -> tensor<2x10000xf32> attributes {tfc.kernel} {
  %e0 = tensor.empty() : tensor<2x1xf32>
  %e1 = tensor.empty() : tensor<2x1xf32>
  %e2 = tensor.empty() : tensor<2x10000xf32>
  %zero = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%e0 : tensor<2x1xf32>) {
  ^bb0(%o: f32):
    %c = arith.constant 0.000000e+00 : f32
    linalg.yield %c : f32
  } -> tensor<2x1xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<2x10000xf32>) outs(%zero : tensor<2x1xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<2x1xf32>
  %mean = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%sum : tensor<2x1xf32>) outs(%e1 : tensor<2x1xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.constant 1.000000e+04 : f32
    %m = arith.divf %v, %n : f32
    linalg.yield %m : f32
  } -> tensor<2x1xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %mean : tensor<2x10000xf32>, tensor<2x1xf32>) outs(%e2 : tensor<2x10000xf32>) {
  ^bb0(%v: f32, %m: f32, %o: f32):
    %d = arith.subf %v, %m : f32
    linalg.yield %d : f32
  } -> tensor<2x10000xf32>
  func.return %y : tensor<2x10000xf32>
}
func.func @main(%x: tensor<2x10000xf32>) -> tensor<2x10000xf32> {
  %0 = func.call @k0_center(%x) : (tensor<2x10000xf32>) -> tensor<2x10000xf32>
  func.return %0 : tensor<2x10000xf32>
}

// -----

// A reduction over the first axis: the rows are the columns of x (d1), the
// reduced axis walks down x's rows through its stride. The float16 input is
// widened in the body; the sum accumulates in float32 and is rounded once.

// CHECK:      def k0_colsum(x_ptr, out_ptr, n_rows, n_cols, stride_x0, stride_x1, stride_out0,
// CHECK:          x = tl.load(x_ptr + cols * stride_x0 + rows * stride_x1, mask=mask, other=0.0)
// CHECK-NEXT:     extf = x.to(tl.float32)
// CHECK-NEXT:     total = tl.sum(tl.where(col_mask, extf, 0.0), axis=1)[:, None]
// CHECK-NEXT:     truncf = total.to(tl.float16)
// CHECK-NEXT:     tl.store(out_ptr + rows * stride_out0, truncf, mask=row_mask)

func.func private @k0_colsum(%x: tensor<5x3xf16>) -> tensor<3xf16> attributes {tfc.kernel} {
  %e = tensor.empty() : tensor<3xf16>
  %zero = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e : tensor<3xf16>) {
  ^bb0(%o: f16):
    %c = arith.constant 0.000000e+00 : f16
    linalg.yield %c : f16
  } -> tensor<3xf16>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<5x3xf16>) outs(%zero : tensor<3xf16>) {
  ^bb0(%v: f16, %acc: f16):
    %v32 = arith.extf %v : f16 to f32
    %a32 = arith.extf %acc : f16 to f32
    %s = arith.addf %a32, %v32 : f32
    %r = arith.truncf %s : f32 to f16
    linalg.yield %r : f16
  } -> tensor<3xf16>
  func.return %sum : tensor<3xf16>
}
func.func @main(%x: tensor<5x3xf16>) -> tensor<3xf16> {
  %0 = func.call @k0_colsum(%x) : (tensor<5x3xf16>) -> tensor<3xf16>
  func.return %0 : tensor<3xf16>
}
