// RUN: tfc-opt %s -p tfc-decompose | filecheck %s

// softmax: max-subtracted, so exp never overflows; one division per row.
// CHECK-LABEL: func.func @softmax
// CHECK-NEXT:  %[[M:.*]] = tfc.reduce_max %[[X:.*]] {axes = array<i64: -1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
// CHECK-NEXT:  %[[Z:.*]] = tfc.sub %[[X]], %[[M]] : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:  %[[E:.*]] = tfc.exp %[[Z]]
// CHECK-NEXT:  %[[S:.*]] = tfc.reduce_sum %[[E]] {axes = array<i64: -1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
// CHECK-NEXT:  %[[ONE:.*]] = tfc.constant {{.*}}dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT:  %[[INV:.*]] = tfc.div %[[ONE]], %[[S]] : (tensor<f32>, tensor<4x1xf32>) -> tensor<4x1xf32>
// CHECK-NEXT:  %[[R:.*]] = tfc.mul %[[E]], %[[INV]] : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:  func.return %[[R]]
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = tfc.softmax %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}

// log_softmax: (x - max) - log(sum(exp(x - max))).
// CHECK-LABEL: func.func @log_softmax
// CHECK-NEXT:  %[[M:.*]] = tfc.reduce_max %[[X:.*]] {axes = array<i64: 0>, keepdims = true} : (tensor<4x8xf32>) -> tensor<1x8xf32>
// CHECK-NEXT:  %[[Z:.*]] = tfc.sub %[[X]], %[[M]]
// CHECK-NEXT:  %[[E:.*]] = tfc.exp %[[Z]]
// CHECK-NEXT:  %[[S:.*]] = tfc.reduce_sum %[[E]] {axes = array<i64: 0>, keepdims = true}
// CHECK-NEXT:  %[[L:.*]] = tfc.log %[[S]]
// CHECK-NEXT:  %[[R:.*]] = tfc.sub %[[Z]], %[[L]] : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:  func.return %[[R]]
func.func @log_softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = tfc.log_softmax %x {axis = 0 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}

// Half-precision composites compute in f32 and cast back once.
// CHECK-LABEL: func.func @softmax_half
// CHECK-NEXT:  %[[C:.*]] = tfc.cast %{{.*}} {to = f32} : (tensor<4x8xf16>) -> tensor<4x8xf32>
// CHECK-NEXT:  tfc.reduce_max %[[C]]
// CHECK:       %[[R:.*]] = tfc.cast %{{.*}} {to = f16} : (tensor<4x8xf32>) -> tensor<4x8xf16>
// CHECK-NEXT:  func.return %[[R]]
func.func @softmax_half(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %0 = tfc.softmax %x : (tensor<4x8xf16>) -> tensor<4x8xf16>
  func.return %0 : tensor<4x8xf16>
}

// layer_norm over two trailing axes: statistics with keepdims, then scale and shift.
// CHECK-LABEL: func.func @layer_norm
// CHECK-NEXT:  %[[MU:.*]] = tfc.reduce_mean %[[X:.*]] {axes = array<i64: 1, 2>, keepdims = true} : (tensor<2x4x8xf32>) -> tensor<2x1x1xf32>
// CHECK-NEXT:  %[[XC:.*]] = tfc.sub %[[X]], %[[MU]]
// CHECK-NEXT:  %[[SQ:.*]] = tfc.mul %[[XC]], %[[XC]]
// CHECK-NEXT:  %[[VAR:.*]] = tfc.reduce_mean %[[SQ]] {axes = array<i64: 1, 2>, keepdims = true}
// CHECK-NEXT:  %[[EPS:.*]] = tfc.constant {value = dense<1.000000e-05> : tensor<f32>}
// CHECK-NEXT:  %[[VE:.*]] = tfc.add %[[VAR]], %[[EPS]]
// CHECK-NEXT:  %[[INV:.*]] = tfc.rsqrt %[[VE]]
// CHECK-NEXT:  %[[XH:.*]] = tfc.mul %[[XC]], %[[INV]]
// CHECK-NEXT:  %[[Y:.*]] = tfc.mul %[[XH]], %{{.*}} : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT:  %[[R:.*]] = tfc.add %[[Y]], %{{.*}} : (tensor<2x4x8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
// CHECK-NEXT:  func.return %[[R]]
func.func @layer_norm(%x: tensor<2x4x8xf32>, %g: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<2x4x8xf32> {
  %0 = tfc.layer_norm %x, %g, %b {axis = array<i64: -2, -1>, epsilon = 1.000000e-05 : f64} : (tensor<2x4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<2x4x8xf32>
  func.return %0 : tensor<2x4x8xf32>
}

// cross entropy in log-sum-exp form: -sum(labels * log_softmax(logits)).
// CHECK-LABEL: func.func @cross_entropy
// CHECK-NEXT:  %[[M:.*]] = tfc.reduce_max %[[Z0:.*]] {axes = array<i64: -1>, keepdims = true}
// CHECK-NEXT:  %[[Z:.*]] = tfc.sub %[[Z0]], %[[M]]
// CHECK-NEXT:  %[[E:.*]] = tfc.exp %[[Z]]
// CHECK-NEXT:  %[[S:.*]] = tfc.reduce_sum %[[E]] {axes = array<i64: -1>, keepdims = true}
// CHECK-NEXT:  %[[L:.*]] = tfc.log %[[S]]
// CHECK-NEXT:  %[[LSM:.*]] = tfc.sub %[[Z]], %[[L]]
// CHECK-NEXT:  %[[P:.*]] = tfc.mul %{{.*}}, %[[LSM]] : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:  %[[SUM:.*]] = tfc.reduce_sum %[[P]] {axes = array<i64: -1>} : (tensor<4x8xf32>) -> tensor<4xf32>
// CHECK-NEXT:  %[[R:.*]] = tfc.neg %[[SUM]] : (tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT:  func.return %[[R]]
func.func @cross_entropy(%p: tensor<4x8xf32>, %z: tensor<4x8xf32>) -> tensor<4xf32> {
  %0 = tfc.softmax_cross_entropy_with_logits %p, %z : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// sparse: the labels become a one-hot row; an out-of-range label (all-zero row) gives NaN.
// CHECK-LABEL: func.func @sparse_cross_entropy
// CHECK:       %[[HOT:.*]] = tfc.one_hot %{{.*}} {{.*}}: (tensor<4xi32>{{.*}}) -> tensor<4x8xf32>
// CHECK:       tfc.reduce_max
// CHECK:       %[[LOSS:.*]] = tfc.neg %{{.*}} : (tensor<4xf32>) -> tensor<4xf32>
// CHECK:       %[[ROW:.*]] = tfc.reduce_sum %[[HOT]] {axes = array<i64: -1>} : (tensor<4x8xf32>) -> tensor<4xf32>
// CHECK:       %[[VALID:.*]] = tfc.equal %[[ROW]], %{{.*}} : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>
// CHECK:       %[[R:.*]] = tfc.select %[[VALID]], %[[LOSS]], %{{.*}} : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK-NEXT:  func.return %[[R]]
// CHECK-NOT:   tfc.sparse_softmax_cross_entropy_with_logits
func.func @sparse_cross_entropy(%l: tensor<4xi32>, %z: tensor<4x8xf32>) -> tensor<4xf32> {
  %0 = tfc.sparse_softmax_cross_entropy_with_logits %l, %z : (tensor<4xi32>, tensor<4x8xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
