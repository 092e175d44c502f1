// RUN: tfc-opt %s -p convert-tfc-to-linalg | filecheck %s

// matmul is one generic over (batch..., m, n, k) = parallel..., reduction into a zero
// fill. The maps keep the canonical contraction: lhs (b, m, k), rhs (b, k, n), out
// (b, m, n); a broadcast batch dim reads 0, a transpose swaps the last two results.
// CHECK-LABEL: func.func @matmul_broadcast_transposed
// CHECK:       %[[Z:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>]
// CHECK:         arith.constant 0.000000e+00 : f32
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<2x1x4x5xf32>, tensor<3x6x5xf32>) outs(%[[Z]] : tensor<2x3x4x6xf32>)
// CHECK-NEXT:  ^{{.*}}(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[C:.*]]: f32):
// CHECK-NEXT:    %[[P:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK-NEXT:    %[[S:.*]] = arith.addf %[[C]], %[[P]] : f32
// CHECK-NEXT:    linalg.yield %[[S]] : f32
// CHECK-NOT:   tfc.
func.func @matmul_broadcast_transposed(%a: tensor<2x1x4x5xf32>, %b: tensor<3x6x5xf32>) -> tensor<2x3x4x6xf32> {
  %0 = tfc.matmul %a, %b {transpose_b = true} : (tensor<2x1x4x5xf32>, tensor<3x6x5xf32>) -> tensor<2x3x4x6xf32>
  func.return %0 : tensor<2x3x4x6xf32>
}

// Half types accumulate in an f32 tensor, cast back by an elementwise generic.
// CHECK-LABEL: func.func @matmul_bf16
// CHECK:       %[[ACC:.*]] = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<5x4xbf16>, tensor<5x3xbf16>) outs(%{{.*}} : tensor<4x3xf32>)
// CHECK:         arith.extf %{{.*}} : bf16 to f32
// CHECK:         arith.mulf
// CHECK:         arith.addf
// CHECK:       linalg.generic {{.*}} ins(%[[ACC]] : tensor<4x3xf32>) outs(%{{.*}} : tensor<4x3xbf16>)
// CHECK:         arith.truncf %{{.*}} : f32 to bf16
func.func @matmul_bf16(%a: tensor<5x4xbf16>, %b: tensor<5x3xbf16>) -> tensor<4x3xbf16> {
  %0 = tfc.matmul %a, %b {transpose_a = true} : (tensor<5x4xbf16>, tensor<5x3xbf16>) -> tensor<4x3xbf16>
  func.return %0 : tensor<4x3xbf16>
}

// CHECK-LABEL: func.func @matmul_i32
// CHECK:         arith.constant 0 : i32
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:         arith.muli
// CHECK:         arith.addi
func.func @matmul_i32(%a: tensor<4x5xi32>, %b: tensor<5x3xi32>) -> tensor<4x3xi32> {
  %0 = tfc.matmul %a, %b : (tensor<4x5xi32>, tensor<5x3xi32>) -> tensor<4x3xi32>
  func.return %0 : tensor<4x3xi32>
}

// SAME with stride 2 on 7x7 and a 3x3 filter pads one row/column each side: an
// insert_slice into a zero fill, then one generic over (n, oh, ow, oc, kh, kw, ic).
// CHECK-LABEL: func.func @conv_same_strided
// CHECK:       %[[PAD:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1, 0] [1, 7, 7, 2] [1, 1, 1, 1] : tensor<1x7x7x2xf32> into tensor<1x9x9x2xf32>
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, ((d1 * 2) + d4), ((d2 * 2) + d5), d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[PAD]], %{{.*}} : tensor<1x9x9x2xf32>, tensor<3x3x2x4xf32>)
func.func @conv_same_strided(%x: tensor<1x7x7x2xf32>, %f: tensor<3x3x2x4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = tfc.conv2d %x, %f {strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x7x7x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x4x4x4xf32>
  func.return %0 : tensor<1x4x4x4xf32>
}

// SAME on an even size pads the extra row at the bottom (TF): 6 rows, 4x4 filter -> 1 top, 2 bottom.
// CHECK-LABEL: func.func @conv_same_asymmetric
// CHECK:       tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1, 0] [1, 6, 6, 1] [1, 1, 1, 1] : tensor<1x6x6x1xf32> into tensor<1x9x9x1xf32>
func.func @conv_same_asymmetric(%x: tensor<1x6x6x1xf32>, %f: tensor<4x4x1x1xf32>) -> tensor<1x6x6x1xf32> {
  %0 = tfc.conv2d %x, %f {padding = "SAME"} : (tensor<1x6x6x1xf32>, tensor<4x4x1x1xf32>) -> tensor<1x6x6x1xf32>
  func.return %0 : tensor<1x6x6x1xf32>
}

// VALID with dilation 2: no padding; the window read is oh + kh*2.
// CHECK-LABEL: func.func @conv_valid_dilated
// CHECK-NOT:   tensor.insert_slice
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, (d1 + (d4 * 2)), (d2 + (d5 * 2)), d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>]
func.func @conv_valid_dilated(%x: tensor<1x7x7x2xf32>, %f: tensor<3x3x2x4xf32>) -> tensor<1x3x3x4xf32> {
  %0 = tfc.conv2d %x, %f {dilations = array<i64: 2, 2>} : (tensor<1x7x7x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x3x3x4xf32>
  func.return %0 : tensor<1x3x3x4xf32>
}

// The input gradient is a transposed convolution: the output gradient is spread with
// stride 2 into a zero tensor (offset KH-1-pad_top = 1), then read at h + 2 - kh.
// CHECK-LABEL: func.func @backprop_input
// CHECK:       %[[SPREAD:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1, 0] [1, 4, 4, 4] [1, 2, 2, 1] : tensor<1x4x4x4xf32> into tensor<1x9x9x4xf32>
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, ((d1 + 2) + (d4 * -1)), ((d2 + 2) + (d5 * -1)), d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d3, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[SPREAD]], %{{.*}} : tensor<1x9x9x4xf32>, tensor<3x3x2x4xf32>)
func.func @backprop_input(%f: tensor<3x3x2x4xf32>, %g: tensor<1x4x4x4xf32>) -> tensor<1x7x7x2xf32> {
  %0 = tfc.conv2d_backprop_input %f, %g {input_sizes = array<i64: 1, 7, 7, 2>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<3x3x2x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x7x7x2xf32>
  func.return %0 : tensor<1x7x7x2xf32>
}

// The filter gradient contracts over (n, oh, ow): iterators (kh, kw, ic, oc) parallel.
// CHECK-LABEL: func.func @backprop_filter
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, ((d5 * 2) + d0), ((d6 * 2) + d1), d2)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<1x9x9x2xf32>, tensor<1x4x4x4xf32>) outs(%{{.*}} : tensor<3x3x2x4xf32>)
func.func @backprop_filter(%x: tensor<1x7x7x2xf32>, %g: tensor<1x4x4x4xf32>) -> tensor<3x3x2x4xf32> {
  %0 = tfc.conv2d_backprop_filter %x, %g {filter_sizes = array<i64: 3, 3, 2, 4>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x7x7x2xf32>, tensor<1x4x4x4xf32>) -> tensor<3x3x2x4xf32>
  func.return %0 : tensor<3x3x2x4xf32>
}

// Max pooling pads with -inf; a KHxKW window operand gives kh and kw their bounds.
// CHECK-LABEL: func.func @max_pool_same
// CHECK:         arith.constant 0xff800000 : f32
// CHECK:       %[[PAD:.*]] = tensor.insert_slice %{{.*}}[0, 1, 1, 0] [1, 5, 5, 2] [1, 1, 1, 1]
// CHECK:       %[[WIN:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, ((d1 * 2) + d4), ((d2 * 2) + d5), d3)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[PAD]], %[[WIN]] : tensor<1x7x7x2xf32>, tensor<3x3xf32>)
// CHECK:         arith.maximumf
func.func @max_pool_same(%x: tensor<1x5x5x2xf32>) -> tensor<1x3x3x2xf32> {
  %0 = tfc.max_pool2d %x {ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x5x5x2xf32>) -> tensor<1x3x3x2xf32>
  func.return %0 : tensor<1x3x3x2xf32>
}

// SAME average pooling divides each window sum by its count of real elements.
// CHECK-LABEL: func.func @avg_pool_same
// CHECK:       %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK:         arith.addf
// CHECK:       %[[N:.*]] = arith.constant dense<{{\[\[\[}}4.000000e+00], [6.000000e+00], [4.000000e+00]], {{\[\[}}6.000000e+00], [9.000000e+00], [6.000000e+00]], {{\[\[}}4.000000e+00], [6.000000e+00], [4.000000e+00]]]> : tensor<3x3x1xf32>
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d2, 0)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[SUM]], %[[N]] : tensor<1x3x3x2xf32>, tensor<3x3x1xf32>)
// CHECK:         arith.divf
func.func @avg_pool_same(%x: tensor<1x5x5x2xf32>) -> tensor<1x3x3x2xf32> {
  %0 = tfc.avg_pool2d %x {ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x5x5x2xf32>) -> tensor<1x3x3x2xf32>
  func.return %0 : tensor<1x3x3x2xf32>
}

// VALID windows all hold KH*KW elements: the count is a scalar constant.
// CHECK-LABEL: func.func @avg_pool_valid
// CHECK-NOT:   tensor.insert_slice
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK:       linalg.generic
// CHECK:         %[[N:.*]] = arith.constant 4.000000e+00 : f32
// CHECK:         arith.divf %{{.*}}, %[[N]] : f32
func.func @avg_pool_valid(%x: tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32> {
  %0 = tfc.avg_pool2d %x {ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x4x2xf32>) -> tensor<1x2x2x2xf32>
  func.return %0 : tensor<1x2x2x2xf32>
}

// max_pool2d_grad: each window's first matching position kh*KW + kw (min over
// matches, "none" = KH*KW), spread with the stride; then a gather over
// (n, h, w, c, kh, kw) adds the gradients of the windows that chose (h, w).
// CHECK-LABEL: func.func @max_pool_grad
// CHECK:       %[[IDX:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x4x4x1xf32>, tensor<1x2x2x1xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x2x2x1xi32>)
// CHECK:         linalg.index 4 : index
// CHECK:         linalg.index 5 : index
// CHECK:         arith.cmpf oeq
// CHECK:         arith.select
// CHECK:         arith.minsi
// CHECK:       %[[IS:.*]] = tensor.insert_slice %[[IDX]] into %{{.*}}[0, 1, 1, 0] [1, 2, 2, 1] [1, 2, 2, 1] : tensor<1x2x2x1xi32> into tensor<1x5x5x1xi32>
// CHECK:       %[[GS:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 1, 1, 0] [1, 2, 2, 1] [1, 2, 2, 1] : tensor<1x2x2x1xf32> into tensor<1x5x5x1xf32>
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, ((d1 + 1) + (d4 * -1)), ((d2 + 1) + (d5 * -1)), d3)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, ((d1 + 1) + (d4 * -1)), ((d2 + 1) + (d5 * -1)), d3)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[IS]], %[[GS]], %{{.*}} : tensor<1x5x5x1xi32>, tensor<1x5x5x1xf32>, tensor<2x2xf32>)
// CHECK:         arith.cmpi eq
// CHECK:         arith.select
// CHECK:         arith.addf
func.func @max_pool_grad(%x: tensor<1x4x4x1xf32>, %y: tensor<1x2x2x1xf32>, %g: tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32> {
  %0 = tfc.max_pool2d_grad %x, %y, %g {ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x4x1xf32>, tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32>
  func.return %0 : tensor<1x4x4x1xf32>
}

// avg_pool2d_grad: divide by the counts, spread with the stride, gather-sum.
// CHECK-LABEL: func.func @avg_pool_grad
// CHECK:         arith.divf
// CHECK:       %[[S:.*]] = tensor.insert_slice %{{.*}}[0, 2, 2, 0] [1, 2, 2, 1] [1, 2, 2, 1] : tensor<1x2x2x1xf32> into tensor<1x6x6x1xf32>
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, ((d1 + 2) + (d4 * -1)), ((d2 + 2) + (d5 * -1)), d3)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[S]], %{{.*}} : tensor<1x6x6x1xf32>, tensor<3x3xf32>)
// CHECK:         arith.addf
func.func @avg_pool_grad(%g: tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32> {
  %0 = tfc.avg_pool2d_grad %g {orig_input_shape = array<i64: 1, 4, 4, 1>, ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32>
  func.return %0 : tensor<1x4x4x1xf32>
}
