// RUN: tfc-opt %s -p tfc-decompose | filecheck %s

// Elementwise ops are primitives: each lowers to one linalg.generic with a scalar
// body, so tfc-decompose leaves them as they are -- including sigmoid and gelu,
// whose whole formula stays in one body (one loop, fused as a unit later).

// CHECK-LABEL: func.func @primitives
// CHECK-NEXT:    %[[S:.*]] = tfc.sigmoid %{{.*}} : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[G:.*]] = tfc.gelu %[[S]] : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[T:.*]] = tfc.gelu %[[G]] {approximate = true} : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[R:.*]] = tfc.rsqrt %[[T]] : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[C:.*]] = tfc.greater_equal %[[R]], %{{.*}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
// CHECK-NEXT:    %[[W:.*]] = tfc.select %[[C]], %[[R]], %{{.*}} : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %[[H:.*]] = tfc.cast %[[W]] {to = f16} : (tensor<4x8xf32>) -> tensor<4x8xf16>
// CHECK-NEXT:    func.return %[[H]] : tensor<4x8xf16>
func.func @primitives(%x: tensor<4x8xf32>, %y: tensor<8xf32>) -> tensor<4x8xf16> {
  %0 = tfc.sigmoid %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = tfc.gelu %0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = tfc.gelu %1 {approximate = true} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %3 = tfc.rsqrt %2 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %4 = tfc.greater_equal %3, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
  %5 = tfc.select %4, %3, %y : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %6 = tfc.cast %5 {to = f16} : (tensor<4x8xf32>) -> tensor<4x8xf16>
  func.return %6 : tensor<4x8xf16>
}

// Composites from other families decompose into elementwise primitives, which then stay.
// CHECK-LABEL: func.func @softmax_uses_elementwise
// CHECK-NOT:     tfc.softmax
// CHECK:         tfc.exp
// CHECK:         tfc.div
// CHECK:         func.return
func.func @softmax_uses_elementwise(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = tfc.softmax %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %0 : tensor<2x3xf32>
}
