// RUN: tfc-opt %s --from=kernels --emit=triton | filecheck %s

// argmax keeps the first maximum and lets NaN win: not an associative
// combiner tfc knows, so the reduction runs its body column by column
// (sequential form) over a block of rows, carrying (value, index).

// CHECK:      def k0_argmax(x_ptr, out_ptr, n_rows, n_cols, stride_x0, stride_x1, stride_out0,
// CHECK-NEXT:               BLOCK_M: tl.constexpr):
// CHECK-NEXT:     """k0_argmax: sequential reduction.
// CHECK:          rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)
// CHECK-NEXT:     row_mask = rows < n_rows
// CHECK-NEXT:     acc_1 = tl.full([BLOCK_M], float("-inf"), tl.float32)
// CHECK-NEXT:     acc_2 = tl.full([BLOCK_M], 0, tl.int64)
// CHECK-NEXT:     for col in range(0, n_cols):
// CHECK-NEXT:         index = tl.full([BLOCK_M], col, tl.int32)
// CHECK-NEXT:         index_cast = index.to(tl.int64)
// CHECK-NEXT:         x = tl.load(x_ptr + rows * stride_x0 + col * stride_x1, mask=row_mask, other=0.0)
// CHECK-NEXT:         cmpf = (x > acc_1)
// CHECK-NEXT:         cmpf_1 = (x != x)
// CHECK-NEXT:         cmpf_2 = (acc_1 == acc_1)
// CHECK-NEXT:         andi = cmpf_1 & cmpf_2
// CHECK-NEXT:         ori = cmpf | andi
// CHECK-NEXT:         select = tl.where(ori, x, acc_1)
// CHECK-NEXT:         select_1 = tl.where(ori, index_cast, acc_2)
// CHECK-NEXT:         acc_1 = select
// CHECK-NEXT:         acc_2 = select_1
// CHECK-NEXT:     tl.store(out_ptr + rows * stride_out0, acc_2, mask=row_mask)
// CHECK-NOT:      tl.store

func.func private @k0_argmax(%x: tensor<4x6xf32>) -> tensor<4xi64> attributes {tfc.kernel, tfc.ops = ["argmax"]} {
  %e0 = tensor.empty() : tensor<4xf32>
  %e1 = tensor.empty() : tensor<4xi64>
  %v0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e0 : tensor<4xf32>) {
  ^bb0(%o: f32):
    %c = arith.constant 0xff800000 : f32
    linalg.yield %c : f32
  } -> tensor<4xf32>
  %i0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e1 : tensor<4xi64>) {
  ^bb0(%o: i64):
    %c = arith.constant 0 : i64
    linalg.yield %c : i64
  } -> tensor<4xi64>
  %best, %idx = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x6xf32>) outs(%v0, %i0 : tensor<4xf32>, tensor<4xi64>) {
  ^bb0(%v: f32, %bv: f32, %bi: i64):
    %j = linalg.index 1 : index
    %j64 = arith.index_cast %j : index to i64
    %gt = arith.cmpf ogt, %v, %bv : f32
    %vnan = arith.cmpf uno, %v, %v : f32
    %bord = arith.cmpf ord, %bv, %bv : f32
    %nan_wins = arith.andi %vnan, %bord : i1
    %take = arith.ori %gt, %nan_wins : i1
    %nv = arith.select %take, %v, %bv : f32
    %ni = arith.select %take, %j64, %bi : i64
    linalg.yield %nv, %ni : f32, i64
  } -> (tensor<4xf32>, tensor<4xi64>)
  func.return %idx : tensor<4xi64>
}
func.func @main(%x: tensor<4x6xf32>) -> tensor<4xi64> {
  %0 = func.call @k0_argmax(%x) : (tensor<4x6xf32>) -> tensor<4xi64>
  func.return %0 : tensor<4xi64>
}
