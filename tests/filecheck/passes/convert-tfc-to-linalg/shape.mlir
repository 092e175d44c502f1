// RUN: tfc-opt %s -p convert-tfc-to-linalg | filecheck %s

// Data movement is a copy generic whose input map does the work (broadcast,
// permutation, strides), a view (collapse/expand_shape), or insert_slice into
// a filled tensor. Index-driven ops read their indices through the input map
// and everything else through linalg.index.

// Broadcast: the size-1 dim reads index 0, the new leading dim is not read.
// CHECK-LABEL: func.func @broadcast
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<3x1xf32>) outs(%{{.*}} : tensor<2x3x4xf32>)
// CHECK-NEXT:  ^bb0(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:    linalg.yield %[[A]] : f32
// CHECK-NOT:   tfc.
func.func @broadcast(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = tfc.broadcast_to %x {shape = array<i64: 2, 3, 4>} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  func.return %0 : tensor<2x3x4xf32>
}

// Transpose with perm [2, 0, 1]: x's dim k is read by the result's dim inverse(perm)[k].
// CHECK-LABEL: func.func @transpose
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2, d0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = tfc.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  func.return %0 : tensor<4x2x3xf32>
}

// Strided slices, negative strides included, are affine input maps d * stride + begin.
// CHECK-LABEL: func.func @strided
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (((d0 * 3) + 1), ((d1 * -2) + 5))>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<8x6xf32>) outs(%{{.*}} : tensor<3x3xf32>)
func.func @strided(%x: tensor<8x6xf32>) -> tensor<3x3xf32> {
  %0 = tfc.slice %x {begin = array<i64: 1, 5>, end = array<i64: 8, 0>, strides = array<i64: 3, -2>} : (tensor<8x6xf32>) -> tensor<3x3xf32>
  func.return %0 : tensor<3x3xf32>
}

// A dim cut short from 0 with stride 1 would be a bare d0 in the map, which must
// span the operand: an extract_slice narrows it first.
// CHECK-LABEL: func.func @prefix
// CHECK:       %[[N:.*]] = tensor.extract_slice %{{.*}}[0, 0] [4, 6] [1, 1] : tensor<8x6xf32> to tensor<4x6xf32>
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, ((d1 * 2) + 2))>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%[[N]] : tensor<4x6xf32>)
func.func @prefix(%x: tensor<8x6xf32>) -> tensor<4x2xf32> {
  %0 = tfc.slice %x {begin = array<i64: 0, 2>, end = array<i64: 4, 6>, strides = array<i64: 1, 2>} : (tensor<8x6xf32>) -> tensor<4x2xf32>
  func.return %0 : tensor<4x2xf32>
}

// Reshapes are views: one collapse or expand when the dims regroup, else via 1-D.
// Rank 0 -> rank n is a copy generic (xDSL's expand_shape rejects the empty
// reassociation); rank n -> rank 0 collapses with [].
// CHECK-LABEL: func.func @reshapes
// CHECK:       %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0 : i64, 1 : i64, 2 : i64]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK-NEXT:  tensor.expand_shape %[[F]] {{\[}}[0 : i64, 1 : i64]] output_shape [4, 6] : tensor<24xf32> into tensor<4x6xf32>
// CHECK-NEXT:  tensor.collapse_shape %{{.*}} {{\[}}[0 : i64, 1 : i64], [2 : i64]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK-NEXT:  tensor.expand_shape %{{.*}} {{\[}}[0 : i64], [1 : i64, 2 : i64]] output_shape [4, 1, 6] : tensor<4x6xf32> into tensor<4x1x6xf32>
// CHECK:       %[[R:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<f32>) outs(%{{.*}} : tensor<1x1xf32>)
// CHECK:       tensor.collapse_shape %[[R]] [] : tensor<1x1xf32> into tensor<f32>
func.func @reshapes(%x: tensor<2x3x4xf32>, %s: tensor<f32>) -> (tensor<4x6xf32>, tensor<6x4xf32>, tensor<4x1x6xf32>, tensor<f32>) {
  %0 = tfc.reshape %x {shape = array<i64: 4, 6>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
  %1 = tfc.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %2 = tfc.expand_dims %0 {axis = 1 : i64} : (tensor<4x6xf32>) -> tensor<4x1x6xf32>
  %3 = tfc.reshape %s {shape = array<i64: 1, 1>} : (tensor<f32>) -> tensor<1x1xf32>
  %4 = tfc.squeeze %3 : (tensor<1x1xf32>) -> tensor<f32>
  func.return %0, %1, %2, %4 : tensor<4x6xf32>, tensor<6x4xf32>, tensor<4x1x6xf32>, tensor<f32>
}

// Concat inserts each operand at its offset; pad inserts x into a filled tensor.
// CHECK-LABEL: func.func @concat_pad
// CHECK:       %[[E:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK-NEXT:  %[[C0:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x8xf32>
// CHECK-NEXT:  tensor.insert_slice %{{.*}} into %[[C0]][0, 3] [2, 5] [1, 1] : tensor<2x5xf32> into tensor<2x8xf32>
// CHECK:       %[[FILL:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<3x6xf32>)
// CHECK:         arith.constant -1.000000e+00 : f32
// CHECK:       tensor.insert_slice %{{.*}} into %[[FILL]][1, 2] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<3x6xf32>
func.func @concat_pad(%x: tensor<2x3xf32>, %y: tensor<2x5xf32>) -> (tensor<2x8xf32>, tensor<3x6xf32>) {
  %0 = tfc.concat %x, %y {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  %1 = tfc.pad %x {paddings = array<i64: 1, 0, 2, 1>, value = -1.0 : f64} : (tensor<2x3xf32>) -> tensor<3x6xf32>
  func.return %0, %1 : tensor<2x8xf32>, tensor<3x6xf32>
}

// Gather: a generic over the result; the index comes through the input map, is
// clamped to [0, 9], and picks the row of the captured params tensor.
// CHECK-LABEL: func.func @gather
// CHECK-SAME:  (%[[P:.*]]: tensor<10x8xf32>, %{{.*}}: tensor<4x3xi32>)
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%{{.*}} : tensor<4x3xi32>) outs(%{{.*}} : tensor<4x3x8xf32>)
// CHECK:         %[[I:.*]] = arith.extsi %{{.*}} : i32 to i64
// CHECK:         %[[LO:.*]] = arith.maxsi %[[I]], %{{.*}} : i64
// CHECK:         %[[HI:.*]] = arith.constant 9 : i64
// CHECK:         %[[C:.*]] = arith.minsi %[[LO]], %[[HI]] : i64
// CHECK:         %[[IX:.*]] = arith.index_cast %[[C]] : i64 to index
// CHECK:         %[[J:.*]] = linalg.index 2 : index
// CHECK:         tensor.extract %[[P]][%[[IX]], %[[J]]] : tensor<10x8xf32>
func.func @gather(%p: tensor<10x8xf32>, %i: tensor<4x3xi32>) -> tensor<4x3x8xf32> {
  %0 = tfc.gather %p, %i : (tensor<10x8xf32>, tensor<4x3xi32>) -> tensor<4x3x8xf32>
  func.return %0 : tensor<4x3x8xf32>
}

// gather_grad: params' dims are parallel, the indices' dims are reductions; each
// row sums the gradient rows whose (clamped) index equals it. Half types
// accumulate in f32.
// CHECK-LABEL: func.func @gather_grad
// CHECK:       %[[Z:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<10x8xf32>)
// CHECK:       %[[ACC:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d2, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<4x3x8xf16>, tensor<4x3xi64>) outs(%[[Z]] : tensor<10x8xf32>)
// CHECK:         %[[ROW:.*]] = linalg.index 0 : index
// CHECK:         %[[ROW64:.*]] = arith.index_cast %[[ROW]] : index to i64
// CHECK:         %[[HIT:.*]] = arith.cmpi eq, %{{.*}}, %[[ROW64]] : i64
// CHECK:         %[[V:.*]] = arith.select %[[HIT]], %{{.*}}, %{{.*}} : f32
// CHECK:         arith.addf %{{.*}}, %[[V]] : f32
// CHECK:       linalg.generic {{.*}} ins(%[[ACC]] : tensor<10x8xf32>) outs(%{{.*}} : tensor<10x8xf16>)
// CHECK:         arith.truncf %{{.*}} : f32 to f16
func.func @gather_grad(%g: tensor<4x3x8xf16>, %i: tensor<4x3xi64>) -> tensor<10x8xf16> {
  %0 = tfc.gather_grad %g, %i {dim = 10 : i64} : (tensor<4x3x8xf16>, tensor<4x3xi64>) -> tensor<10x8xf16>
  func.return %0 : tensor<10x8xf16>
}

// one_hot along axis 0: indices are read without that dim, compared with its linalg.index.
// CHECK-LABEL: func.func @one_hot
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<4xi32>) outs(%{{.*}} : tensor<5x4xf32>)
// CHECK:         %[[D:.*]] = linalg.index 0 : index
// CHECK:         %[[D64:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK:         %[[HIT:.*]] = arith.cmpi eq, %{{.*}}, %[[D64]] : i64
// CHECK:         arith.select %[[HIT]], %{{.*}}, %{{.*}} : f32
func.func @one_hot(%i: tensor<4xi32>) -> tensor<5x4xf32> {
  %0 = tfc.one_hot %i {depth = 5 : i64, axis = 0 : i64} : (tensor<4xi32>) -> tensor<5x4xf32>
  func.return %0 : tensor<5x4xf32>
}

// iota is start + index * delta in the element type; fill yields a constant.
// CHECK-LABEL: func.func @iota_fill
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%{{.*}} : tensor<5xi32>)
// CHECK:         %[[K:.*]] = linalg.index 0 : index
// CHECK:         %[[KI:.*]] = arith.index_cast %[[K]] : index to i32
// CHECK:         %[[START:.*]] = arith.constant 2 : i32
// CHECK:         %[[DELTA:.*]] = arith.constant 3 : i32
// CHECK:         %[[M:.*]] = arith.muli %[[KI]], %[[DELTA]] : i32
// CHECK:         arith.addi %[[START]], %[[M]] : i32
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%{{.*}} : tensor<5xf32>)
// CHECK:         arith.sitofp %{{.*}} : i64 to f32
// CHECK:         arith.constant 5.000000e-01 : f32
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<2x3xf64>)
// CHECK-NEXT:  ^bb0(%{{.*}}: f64):
// CHECK-NEXT:    %[[V:.*]] = arith.constant 4.000000e+00 : f64
// CHECK-NEXT:    linalg.yield %[[V]] : f64
// CHECK-NOT:   tfc.
func.func @iota_fill() -> (tensor<5xi32>, tensor<5xf32>, tensor<2x3xf64>) {
  %0 = tfc.iota {size = 5 : i64, start = 2.0 : f64, delta = 3.0 : f64, dtype = i32} : () -> tensor<5xi32>
  %1 = tfc.iota {size = 5 : i64, delta = 0.5 : f64} : () -> tensor<5xf32>
  %2 = tfc.fill {shape = array<i64: 2, 3>, value = 4.0 : f64, dtype = f64} : () -> tensor<2x3xf64>
  func.return %0, %1, %2 : tensor<5xi32>, tensor<5xf32>, tensor<2x3xf64>
}
