// RUN: tfc-opt %s | tfc-opt | filecheck %s
// A linalg.generic with two results prints `-> (T1, T2)`; xDSL 0.74 only read
// `-> T1, T2`. tfc accepts both (tfc/dialects/xdsl_fixes.py), so argmax IR at
// the linalg level round-trips.

// CHECK-LABEL: func.func @argmax
// CHECK: %{{.*}}, %[[IDX:.*]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK: } -> (tensor<4xf32>, tensor<4xi64>)
// CHECK: func.return %[[IDX]] : tensor<4xi64>
builtin.module {
  func.func @argmax(%x: tensor<4x8xf32>) -> tensor<4xi64> {
    %0 = tensor.empty() : tensor<4xf32>
    %1 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%0 : tensor<4xf32>) {
    ^bb0(%2: f32):
      %3 = arith.constant 0xff800000 : f32
      linalg.yield %3 : f32
    } -> tensor<4xf32>
    %4 = tensor.empty() : tensor<4xi64>
    %5 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%4 : tensor<4xi64>) {
    ^bb0(%6: i64):
      %7 = arith.constant 0 : i64
      linalg.yield %7 : i64
    } -> tensor<4xi64>
    %8, %9 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%1, %5 : tensor<4xf32>, tensor<4xi64>) {
    ^bb0(%10: f32, %11: f32, %12: i64):
      %13 = linalg.index 1 : index
      %14 = arith.index_cast %13 : index to i64
      %15 = arith.cmpf ogt, %10, %11 : f32
      %16 = arith.cmpf uno, %10, %10 : f32
      %17 = arith.cmpf ord, %11, %11 : f32
      %18 = arith.andi %16, %17 : i1
      %19 = arith.ori %15, %18 : i1
      %20 = arith.select %19, %10, %11 : f32
      %21 = arith.select %19, %14, %12 : i64
      linalg.yield %20, %21 : f32, i64
    } -> (tensor<4xf32>, tensor<4xi64>)
    func.return %9 : tensor<4xi64>
  }
}

