// RUN: tfc-opt %s | tfc-opt | filecheck %s
// RUN: tfc-opt %s --print-op-generic | tfc-opt | filecheck %s

// CHECK-LABEL: func.func @matmuls
func.func @matmuls(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>, %c: tensor<2x1x8x4xf16>, %d: tensor<3x5x8xf16>, %i: tensor<4x8xi32>) -> (tensor<4x3xf32>, tensor<2x3x4x5xf16>, tensor<4x4xi32>) {
  // CHECK-NEXT: %{{.*}} = tfc.matmul %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %0 = tfc.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  // CHECK-NEXT: %{{.*}} = tfc.matmul %{{.*}}, %{{.*}} {transpose_a = true, transpose_b = true} : (tensor<2x1x8x4xf16>, tensor<3x5x8xf16>) -> tensor<2x3x4x5xf16>
  %1 = tfc.matmul %c, %d {transpose_a = true, transpose_b = true} : (tensor<2x1x8x4xf16>, tensor<3x5x8xf16>) -> tensor<2x3x4x5xf16>
  // CHECK-NEXT: %{{.*}} = tfc.matmul %{{.*}}, %{{.*}} {transpose_b = true} : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x4xi32>
  %2 = tfc.matmul %i, %i {transpose_b = true} : (tensor<4x8xi32>, tensor<4x8xi32>) -> tensor<4x4xi32>
  func.return %0, %1, %2 : tensor<4x3xf32>, tensor<2x3x4x5xf16>, tensor<4x4xi32>
}

// CHECK-LABEL: func.func @convolutions
func.func @convolutions(%x: tensor<1x7x7x2xf32>, %f: tensor<3x3x2x4xf32>, %g: tensor<1x4x4x4xf32>, %h: tensor<1x3x3x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x3x3x4xf32>, tensor<1x6x4x4xf32>, tensor<1x7x7x2xf32>, tensor<3x3x2x4xf32>) {
  // CHECK-NEXT: %{{.*}} = tfc.conv2d %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x7x7x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x4x4x4xf32>
  %0 = tfc.conv2d %x, %f {strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x7x7x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x4x4x4xf32>
  // CHECK-NEXT: %{{.*}} = tfc.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>} : (tensor<1x7x7x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x3x3x4xf32>
  %1 = tfc.conv2d %x, %f {dilations = array<i64: 2, 2>} : (tensor<1x7x7x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x3x3x4xf32>
  // CHECK-NEXT: %{{.*}} = tfc.conv2d %{{.*}}, %{{.*}} {strides = array<i64: 1, 2>, padding = "EXPLICIT", explicit_paddings = array<i64: 1, 0, 0, 2>} : (tensor<1x7x7x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x6x4x4xf32>
  %2 = tfc.conv2d %x, %f {strides = array<i64: 1, 2>, padding = "EXPLICIT", explicit_paddings = array<i64: 1, 0, 0, 2>} : (tensor<1x7x7x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x6x4x4xf32>
  // CHECK-NEXT: %{{.*}} = tfc.conv2d_backprop_input %{{.*}}, %{{.*}} {input_sizes = array<i64: 1, 7, 7, 2>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<3x3x2x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x7x7x2xf32>
  %3 = tfc.conv2d_backprop_input %f, %g {input_sizes = array<i64: 1, 7, 7, 2>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<3x3x2x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x7x7x2xf32>
  // CHECK-NEXT: %{{.*}} = tfc.conv2d_backprop_filter %{{.*}}, %{{.*}} {filter_sizes = array<i64: 3, 3, 2, 4>, dilations = array<i64: 2, 2>} : (tensor<1x7x7x2xf32>, tensor<1x3x3x4xf32>) -> tensor<3x3x2x4xf32>
  %4 = tfc.conv2d_backprop_filter %x, %h {filter_sizes = array<i64: 3, 3, 2, 4>, dilations = array<i64: 2, 2>} : (tensor<1x7x7x2xf32>, tensor<1x3x3x4xf32>) -> tensor<3x3x2x4xf32>
  func.return %0, %1, %2, %3, %4 : tensor<1x4x4x4xf32>, tensor<1x3x3x4xf32>, tensor<1x6x4x4xf32>, tensor<1x7x7x2xf32>, tensor<3x3x2x4xf32>
}

// CHECK-LABEL: func.func @pooling
func.func @pooling(%x: tensor<1x7x7x2xbf16>, %g: tensor<1x4x4x2xbf16>, %i: tensor<2x4x4x1xi32>) -> (tensor<1x4x4x2xbf16>, tensor<1x4x4x2xbf16>, tensor<1x7x7x2xbf16>, tensor<1x7x7x2xbf16>, tensor<2x2x2x1xi32>) {
  // CHECK-NEXT: %[[Y:.*]] = tfc.max_pool2d %{{.*}} {ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x7x7x2xbf16>) -> tensor<1x4x4x2xbf16>
  %0 = tfc.max_pool2d %x {ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x7x7x2xbf16>) -> tensor<1x4x4x2xbf16>
  // CHECK-NEXT: %{{.*}} = tfc.avg_pool2d %{{.*}} {ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x7x7x2xbf16>) -> tensor<1x4x4x2xbf16>
  %1 = tfc.avg_pool2d %x {ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x7x7x2xbf16>) -> tensor<1x4x4x2xbf16>
  // CHECK-NEXT: %{{.*}} = tfc.max_pool2d_grad %{{.*}}, %[[Y]], %{{.*}} {ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x7x7x2xbf16>, tensor<1x4x4x2xbf16>, tensor<1x4x4x2xbf16>) -> tensor<1x7x7x2xbf16>
  %2 = tfc.max_pool2d_grad %x, %0, %g {ksize = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x7x7x2xbf16>, tensor<1x4x4x2xbf16>, tensor<1x4x4x2xbf16>) -> tensor<1x7x7x2xbf16>
  // CHECK-NEXT: %{{.*}} = tfc.avg_pool2d_grad %{{.*}} {orig_input_shape = array<i64: 1, 7, 7, 2>, ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x4x4x2xbf16>) -> tensor<1x7x7x2xbf16>
  %3 = tfc.avg_pool2d_grad %g {orig_input_shape = array<i64: 1, 7, 7, 2>, ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x4x4x2xbf16>) -> tensor<1x7x7x2xbf16>
  // CHECK-NEXT: %{{.*}} = tfc.max_pool2d %{{.*}} {ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<2x4x4x1xi32>) -> tensor<2x2x2x1xi32>
  %4 = tfc.max_pool2d %i {ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<2x4x4x1xi32>) -> tensor<2x2x2x1xi32>
  func.return %0, %1, %2, %3, %4 : tensor<1x4x4x2xbf16>, tensor<1x4x4x2xbf16>, tensor<1x7x7x2xbf16>, tensor<1x7x7x2xbf16>, tensor<2x2x2x1xi32>
}
