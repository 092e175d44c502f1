// RUN: tfc-opt %s | tfc-opt | filecheck %s
// RUN: tfc-opt %s --print-op-generic | tfc-opt | filecheck %s

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<4x8xf32>, %i: tensor<2x3x5xi32>) -> (tensor<4xf32>, tensor<1x8xf32>, tensor<f32>, tensor<2x1x1xi32>, tensor<4x8xf32>) {
  // CHECK-NEXT: %{{.*}} = tfc.reduce_sum %{{.*}} {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  %0 = tfc.reduce_sum %x {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  // CHECK-NEXT: %{{.*}} = tfc.reduce_mean %{{.*}} {axes = array<i64: -2>, keepdims = true} : (tensor<4x8xf32>) -> tensor<1x8xf32>
  %1 = tfc.reduce_mean %x {axes = array<i64: -2>, keepdims = true} : (tensor<4x8xf32>) -> tensor<1x8xf32>
  // CHECK-NEXT: %{{.*}} = tfc.reduce_max %{{.*}} : (tensor<4x8xf32>) -> tensor<f32>
  %2 = tfc.reduce_max %x : (tensor<4x8xf32>) -> tensor<f32>
  // CHECK-NEXT: %{{.*}} = tfc.reduce_min %{{.*}} {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x3x5xi32>) -> tensor<2x1x1xi32>
  %3 = tfc.reduce_min %i {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x3x5xi32>) -> tensor<2x1x1xi32>
  // CHECK-NEXT: %{{.*}} = tfc.reduce_prod %{{.*}} {axes = array<i64>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %4 = tfc.reduce_prod %x {axes = array<i64>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<1x8xf32>, tensor<f32>, tensor<2x1x1xi32>, tensor<4x8xf32>
}

// CHECK-LABEL: func.func @arg_reductions
func.func @arg_reductions(%x: tensor<4x8xf16>) -> (tensor<4xi64>, tensor<8xi32>) {
  // CHECK-NEXT: %{{.*}} = tfc.argmax %{{.*}} {axis = 1 : i64} : (tensor<4x8xf16>) -> tensor<4xi64>
  %0 = tfc.argmax %x {axis = 1 : i64} : (tensor<4x8xf16>) -> tensor<4xi64>
  // CHECK-NEXT: %{{.*}} = tfc.argmin %{{.*}} {output_type = i32} : (tensor<4x8xf16>) -> tensor<8xi32>
  %1 = tfc.argmin %x {output_type = i32} : (tensor<4x8xf16>) -> tensor<8xi32>
  func.return %0, %1 : tensor<4xi64>, tensor<8xi32>
}

// CHECK-LABEL: func.func @normalizations
func.func @normalizations(%x: tensor<2x4x8xbf16>, %g: tensor<4x8xbf16>, %b: tensor<4x8xbf16>) -> (tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4x8xbf16>) {
  // CHECK-NEXT: %{{.*}} = tfc.softmax %{{.*}} : (tensor<2x4x8xbf16>) -> tensor<2x4x8xbf16>
  %0 = tfc.softmax %x : (tensor<2x4x8xbf16>) -> tensor<2x4x8xbf16>
  // CHECK-NEXT: %{{.*}} = tfc.log_softmax %{{.*}} {axis = 1 : i64} : (tensor<2x4x8xbf16>) -> tensor<2x4x8xbf16>
  %1 = tfc.log_softmax %x {axis = 1 : i64} : (tensor<2x4x8xbf16>) -> tensor<2x4x8xbf16>
  // CHECK-NEXT: %{{.*}} = tfc.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = array<i64: -2, -1>, epsilon = 1.000000e-05 : f64} : (tensor<2x4x8xbf16>, tensor<4x8xbf16>, tensor<4x8xbf16>) -> tensor<2x4x8xbf16>
  %2 = tfc.layer_norm %x, %g, %b {axis = array<i64: -2, -1>, epsilon = 1.000000e-05 : f64} : (tensor<2x4x8xbf16>, tensor<4x8xbf16>, tensor<4x8xbf16>) -> tensor<2x4x8xbf16>
  func.return %0, %1, %2 : tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<2x4x8xbf16>
}

// CHECK-LABEL: func.func @cross_entropy
func.func @cross_entropy(%p: tensor<4x8xf32>, %z: tensor<4x8xf32>, %l: tensor<4xi64>) -> (tensor<4xf32>, tensor<8xf32>, tensor<4xf32>) {
  // CHECK-NEXT: %{{.*}} = tfc.softmax_cross_entropy_with_logits %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4xf32>
  %0 = tfc.softmax_cross_entropy_with_logits %p, %z : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4xf32>
  // CHECK-NEXT: %{{.*}} = tfc.softmax_cross_entropy_with_logits %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<8xf32>
  %1 = tfc.softmax_cross_entropy_with_logits %p, %z {axis = 0 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<8xf32>
  // CHECK-NEXT: %{{.*}} = tfc.sparse_softmax_cross_entropy_with_logits %{{.*}}, %{{.*}} : (tensor<4xi64>, tensor<4x8xf32>) -> tensor<4xf32>
  %2 = tfc.sparse_softmax_cross_entropy_with_logits %l, %z : (tensor<4xi64>, tensor<4x8xf32>) -> tensor<4xf32>
  func.return %0, %1, %2 : tensor<4xf32>, tensor<8xf32>, tensor<4xf32>
}
