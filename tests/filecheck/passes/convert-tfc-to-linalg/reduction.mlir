// RUN: tfc-opt %s -p convert-tfc-to-linalg | filecheck %s

// A reduction is a fill of the neutral element, then a generic whose reduced
// dimensions are "reduction" iterators absent from the output map.

// CHECK-LABEL: func.func @sum_rows
// CHECK:       %[[E:.*]] = tensor.empty() : tensor<4xf32>
// CHECK:       %[[INIT:.*]] = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%[[E]] : tensor<4xf32>)
// CHECK:         arith.constant 0.000000e+00 : f32
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<4x8xf32>) outs(%[[INIT]] : tensor<4xf32>)
// CHECK:         arith.addf
// CHECK-NOT:   tfc.
func.func @sum_rows(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %0 = tfc.reduce_sum %x {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// keepdims: the reduced dimension is the constant 0 in the output map; the mean divides after.
// CHECK-LABEL: func.func @mean_keepdims
// CHECK:       %[[S:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (0, d1)>], iterator_types = ["reduction", "parallel"]}
// CHECK:         arith.addf
// CHECK:       linalg.generic {{.*}} ins(%[[S]] : tensor<1x8xf32>)
// CHECK:         %[[N:.*]] = arith.constant 4.000000e+00 : f32
// CHECK:         arith.divf %{{.*}}, %[[N]] : f32
func.func @mean_keepdims(%x: tensor<4x8xf32>) -> tensor<1x8xf32> {
  %0 = tfc.reduce_mean %x {axes = array<i64: 0>, keepdims = true} : (tensor<4x8xf32>) -> tensor<1x8xf32>
  func.return %0 : tensor<1x8xf32>
}

// Integer means truncate (divsi), as TF; an all-axes reduction has a rank-0 output map.
// CHECK-LABEL: func.func @mean_int
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]}
// CHECK:         arith.addi
// CHECK:       arith.constant 32 : i32
// CHECK-NEXT:  arith.divsi
func.func @mean_int(%x: tensor<4x8xi32>) -> tensor<i32> {
  %0 = tfc.reduce_mean %x : (tensor<4x8xi32>) -> tensor<i32>
  func.return %0 : tensor<i32>
}

// Half-precision sums accumulate in an f32 tensor, then truncate.
// CHECK-LABEL: func.func @sum_half
// CHECK:       tensor.empty() : tensor<8xf32>
// CHECK:       %[[ACC:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%{{.*}} : tensor<4x8xbf16>) outs(%{{.*}} : tensor<8xf32>)
// CHECK:         arith.extf %{{.*}} : bf16 to f32
// CHECK:         arith.addf
// CHECK:       linalg.generic {{.*}} ins(%[[ACC]] : tensor<8xf32>) outs(%{{.*}} : tensor<8xbf16>)
// CHECK:         arith.truncf %{{.*}} : f32 to bf16
func.func @sum_half(%x: tensor<4x8xbf16>) -> tensor<8xbf16> {
  %0 = tfc.reduce_sum %x {axes = array<i64: 0>} : (tensor<4x8xbf16>) -> tensor<8xbf16>
  func.return %0 : tensor<8xbf16>
}

// CHECK-LABEL: func.func @max_int
// CHECK:       arith.constant -9223372036854775808 : i64
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK:         arith.maxsi
func.func @max_int(%x: tensor<2x3x5xi64>) -> tensor<2x5xi64> {
  %0 = tfc.reduce_max %x {axes = array<i64: 1>} : (tensor<2x3x5xi64>) -> tensor<2x5xi64>
  func.return %0 : tensor<2x5xi64>
}

// CHECK-LABEL: func.func @min_float
// CHECK:       arith.constant 0x7f800000 : f32
// CHECK:         arith.minimumf
func.func @min_float(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %0 = tfc.reduce_min %x {axes = array<i64: -1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @prod_all
// CHECK:       arith.constant 1.000000e+00 : f64
// CHECK:       linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK:         arith.mulf
func.func @prod_all(%x: tensor<4x8xf64>) -> tensor<f64> {
  %0 = tfc.reduce_prod %x : (tensor<4x8xf64>) -> tensor<f64>
  func.return %0 : tensor<f64>
}

// argmax: one generic with two outputs (best value, its index); the index is the result.
// A NaN replaces a non-NaN best (the first NaN wins, as NumPy).
// CHECK-LABEL: func.func @argmax
// CHECK:       %[[V:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4xf32>)
// CHECK:         arith.constant 0xff800000 : f32
// CHECK:       %[[I:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi32>)
// CHECK:         arith.constant 0 : i32
// CHECK:       %{{.*}}, %[[R:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<4x8xf32>) outs(%[[V]], %[[I]] : tensor<4xf32>, tensor<4xi32>)
// CHECK:         %[[IDX:.*]] = linalg.index 1 : index
// CHECK:         %[[IDX32:.*]] = arith.index_cast %[[IDX]] : index to i32
// CHECK:         %[[GT:.*]] = arith.cmpf ogt
// CHECK:         %[[VNAN:.*]] = arith.cmpf uno
// CHECK:         %[[BOK:.*]] = arith.cmpf ord
// CHECK:         %[[NAN:.*]] = arith.andi %[[VNAN]], %[[BOK]] : i1
// CHECK:         %[[TAKE:.*]] = arith.ori %[[GT]], %[[NAN]] : i1
// CHECK:         %[[BV:.*]] = arith.select %[[TAKE]]
// CHECK:         %[[BI:.*]] = arith.select %[[TAKE]], %[[IDX32]]
// CHECK:         linalg.yield %[[BV]], %[[BI]] : f32, i32
// CHECK:       func.return %[[R]] : tensor<4xi32>
func.func @argmax(%x: tensor<4x8xf32>) -> tensor<4xi32> {
  %0 = tfc.argmax %x {axis = 1 : i64, output_type = i32} : (tensor<4x8xf32>) -> tensor<4xi32>
  func.return %0 : tensor<4xi32>
}

// CHECK-LABEL: func.func @argmin_int
// CHECK:       arith.constant 2147483647 : i32
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]}
// CHECK:         linalg.index 0 : index
// CHECK:         arith.cmpi slt
// CHECK-NOT:     arith.cmpf
// CHECK:         linalg.yield %{{.*}}, %{{.*}} : i32, i64
func.func @argmin_int(%x: tensor<4x8xi32>) -> tensor<8xi64> {
  %0 = tfc.argmin %x : (tensor<4x8xi32>) -> tensor<8xi64>
  func.return %0 : tensor<8xi64>
}
