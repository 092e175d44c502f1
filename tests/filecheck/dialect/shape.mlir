// RUN: tfc-opt %s | tfc-opt | filecheck %s
// RUN: tfc-opt %s --print-op-generic | tfc-opt | filecheck %s

// Every shape op in custom syntax; the generic form parses back to the same.

// CHECK-LABEL: func.func @views
func.func @views(%x: tensor<2x3x4xf32>, %s: tensor<f16>) -> (tensor<4x6xf32>, tensor<2x1x3x4xf32>, tensor<2x4xf32>, tensor<1x1xf16>, tensor<f16>) {
  // CHECK: tfc.reshape %{{.*}} {shape = array<i64: 4, 6>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
  %0 = tfc.reshape %x {shape = array<i64: 4, 6>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
  // CHECK: tfc.expand_dims %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x3x4xf32>
  %1 = tfc.expand_dims %x {axis = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x1x3x4xf32>
  // CHECK: tfc.squeeze %{{.*}} {axis = array<i64: 1>} : (tensor<2x1x4xf32>) -> tensor<2x4xf32>
  %2 = tfc.slice %x {begin = array<i64: 0, 1, 0>, end = array<i64: 2, 2, 4>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %3 = tfc.squeeze %2 {axis = array<i64: 1>} : (tensor<2x1x4xf32>) -> tensor<2x4xf32>
  // CHECK: tfc.reshape %{{.*}} {shape = array<i64: 1, 1>} : (tensor<f16>) -> tensor<1x1xf16>
  %4 = tfc.reshape %s {shape = array<i64: 1, 1>} : (tensor<f16>) -> tensor<1x1xf16>
  // CHECK: tfc.squeeze %{{.*}} : (tensor<1x1xf16>) -> tensor<f16>
  %5 = tfc.squeeze %4 : (tensor<1x1xf16>) -> tensor<f16>
  func.return %0, %1, %3, %4, %5 : tensor<4x6xf32>, tensor<2x1x3x4xf32>, tensor<2x4xf32>, tensor<1x1xf16>, tensor<f16>
}

// CHECK-LABEL: func.func @layout
func.func @layout(%x: tensor<3x4xi32>, %y: tensor<3x2xi32>, %b: tensor<4x1xi1>) -> (tensor<5x4x3xi1>, tensor<4x3xi32>, tensor<3x6xi32>, tensor<2x2xi32>, tensor<5x7xi32>) {
  // CHECK: tfc.broadcast_to %{{.*}} {shape = array<i64: 5, 4, 3>} : (tensor<4x1xi1>) -> tensor<5x4x3xi1>
  %0 = tfc.broadcast_to %b {shape = array<i64: 5, 4, 3>} : (tensor<4x1xi1>) -> tensor<5x4x3xi1>
  // CHECK: tfc.transpose %{{.*}} {perm = array<i64: 1, 0>} : (tensor<3x4xi32>) -> tensor<4x3xi32>
  %1 = tfc.transpose %x {perm = array<i64: 1, 0>} : (tensor<3x4xi32>) -> tensor<4x3xi32>
  // CHECK: tfc.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<3x4xi32>, tensor<3x2xi32>) -> tensor<3x6xi32>
  %2 = tfc.concat %x, %y {axis = 1 : i64} : (tensor<3x4xi32>, tensor<3x2xi32>) -> tensor<3x6xi32>
  // CHECK: tfc.slice %{{.*}} {begin = array<i64: 2, 0>, end = array<i64: -1, 4>, strides = array<i64: -2, 3>} : (tensor<3x4xi32>) -> tensor<2x2xi32>
  %3 = tfc.slice %x {begin = array<i64: 2, 0>, end = array<i64: -1, 4>, strides = array<i64: -2, 3>} : (tensor<3x4xi32>) -> tensor<2x2xi32>
  // CHECK: tfc.pad %{{.*}} {paddings = array<i64: 1, 1, 0, 3>, value = 7.000000e+00 : f64} : (tensor<3x4xi32>) -> tensor<5x7xi32>
  %4 = tfc.pad %x {paddings = array<i64: 1, 1, 0, 3>, value = 7.0 : f64} : (tensor<3x4xi32>) -> tensor<5x7xi32>
  func.return %0, %1, %2, %3, %4 : tensor<5x4x3xi1>, tensor<4x3xi32>, tensor<3x6xi32>, tensor<2x2xi32>, tensor<5x7xi32>
}

// CHECK-LABEL: func.func @indices
func.func @indices(%p: tensor<10x8xbf16>, %i: tensor<4x3xi64>, %q: tensor<4x10x2xf32>) -> (tensor<4x3x8xbf16>, tensor<4x3x2xf32>, tensor<10x8xbf16>, tensor<4x5x3xf64>) {
  // CHECK: tfc.gather %{{.*}}, %{{.*}} : (tensor<10x8xbf16>, tensor<4x3xi64>) -> tensor<4x3x8xbf16>
  %0 = tfc.gather %p, %i : (tensor<10x8xbf16>, tensor<4x3xi64>) -> tensor<4x3x8xbf16>
  // CHECK: tfc.gather %{{.*}}, %{{.*}} {axis = 1 : i64, batch_dims = 1 : i64} : (tensor<4x10x2xf32>, tensor<4x3xi64>) -> tensor<4x3x2xf32>
  %1 = tfc.gather %q, %i {axis = 1 : i64, batch_dims = 1 : i64} : (tensor<4x10x2xf32>, tensor<4x3xi64>) -> tensor<4x3x2xf32>
  // CHECK: tfc.gather_grad %{{.*}}, %{{.*}} {dim = 10 : i64} : (tensor<4x3x8xbf16>, tensor<4x3xi64>) -> tensor<10x8xbf16>
  %2 = tfc.gather_grad %0, %i {dim = 10 : i64} : (tensor<4x3x8xbf16>, tensor<4x3xi64>) -> tensor<10x8xbf16>
  // CHECK: tfc.one_hot %{{.*}} {depth = 5 : i64, on_value = 2.000000e+00 : f64, off_value = -1.000000e+00 : f64, axis = 1 : i64, dtype = f64} : (tensor<4x3xi64>) -> tensor<4x5x3xf64>
  %3 = tfc.one_hot %i {depth = 5 : i64, on_value = 2.0 : f64, off_value = -1.0 : f64, axis = 1 : i64, dtype = f64} : (tensor<4x3xi64>) -> tensor<4x5x3xf64>
  func.return %0, %1, %2, %3 : tensor<4x3x8xbf16>, tensor<4x3x2xf32>, tensor<10x8xbf16>, tensor<4x5x3xf64>
}

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<5xf32>, tensor<4xi32>, tensor<2x3xf32>, tensor<i1>) {
  // CHECK: tfc.iota {size = 5 : i64} : () -> tensor<5xf32>
  %0 = tfc.iota {size = 5 : i64} : () -> tensor<5xf32>
  // CHECK: tfc.iota {size = 4 : i64, start = 3.000000e+00 : f64, delta = -2.000000e+00 : f64, dtype = i32} : () -> tensor<4xi32>
  %1 = tfc.iota {size = 4 : i64, start = 3.0 : f64, delta = -2.0 : f64, dtype = i32} : () -> tensor<4xi32>
  // CHECK: tfc.fill {shape = array<i64: 2, 3>, value = 1.500000e+00 : f64} : () -> tensor<2x3xf32>
  %2 = tfc.fill {shape = array<i64: 2, 3>, value = 1.5 : f64} : () -> tensor<2x3xf32>
  // CHECK: tfc.fill {shape = array<i64>, value = 1.000000e+00 : f64, dtype = i1} : () -> tensor<i1>
  %3 = tfc.fill {shape = array<i64>, value = 1.0 : f64, dtype = i1} : () -> tensor<i1>
  func.return %0, %1, %2, %3 : tensor<5xf32>, tensor<4xi32>, tensor<2x3xf32>, tensor<i1>
}
