// RUN: tfc-opt %s | tfc-opt | filecheck %s
// RUN: tfc-opt %s --print-op-generic | tfc-opt | filecheck %s

// Every elementwise op in custom syntax; the generic form parses back to the same.

// CHECK-LABEL: func.func @binary
func.func @binary(%x: tensor<4x8xf32>, %y: tensor<8xf32>, %s: tensor<f32>) -> tensor<4x8xf32> {
  // CHECK: %{{.*}} = tfc.add %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %0 = tfc.add %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: tfc.sub %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %1 = tfc.sub %0, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  // CHECK: tfc.mul %{{.*}}, %{{.*}} : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = tfc.mul %y, %1 : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: tfc.div %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %3 = tfc.div %2, %0 : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: tfc.maximum %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %4 = tfc.maximum %3, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  // CHECK: tfc.minimum %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %5 = tfc.minimum %4, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  // CHECK: tfc.pow %{{.*}}, %{{.*}} : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %6 = tfc.pow %5, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  func.return %6 : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @integer
func.func @integer(%x: tensor<3x1xi32>, %y: tensor<5xi32>, %z: tensor<2xi64>) -> (tensor<3x5xi32>, tensor<2xi64>) {
  // CHECK: tfc.div %{{.*}}, %{{.*}} : (tensor<3x1xi32>, tensor<5xi32>) -> tensor<3x5xi32>
  %0 = tfc.div %x, %y : (tensor<3x1xi32>, tensor<5xi32>) -> tensor<3x5xi32>
  // CHECK: tfc.pow %{{.*}}, %{{.*}} : (tensor<3x5xi32>, tensor<5xi32>) -> tensor<3x5xi32>
  %1 = tfc.pow %0, %y : (tensor<3x5xi32>, tensor<5xi32>) -> tensor<3x5xi32>
  // CHECK: tfc.neg %{{.*}} : (tensor<3x5xi32>) -> tensor<3x5xi32>
  %2 = tfc.neg %1 : (tensor<3x5xi32>) -> tensor<3x5xi32>
  // CHECK: tfc.abs %{{.*}} : (tensor<3x5xi32>) -> tensor<3x5xi32>
  %3 = tfc.abs %2 : (tensor<3x5xi32>) -> tensor<3x5xi32>
  // CHECK: tfc.relu %{{.*}} : (tensor<2xi64>) -> tensor<2xi64>
  %4 = tfc.relu %z : (tensor<2xi64>) -> tensor<2xi64>
  // CHECK: tfc.square %{{.*}} : (tensor<2xi64>) -> tensor<2xi64>
  %5 = tfc.square %4 : (tensor<2xi64>) -> tensor<2xi64>
  func.return %3, %5 : tensor<3x5xi32>, tensor<2xi64>
}

// CHECK-LABEL: func.func @unary
func.func @unary(%x: tensor<2x3xf16>) -> tensor<2x3xf16> {
  // CHECK: tfc.neg %{{.*}} : (tensor<2x3xf16>) -> tensor<2x3xf16>
  %0 = tfc.neg %x : (tensor<2x3xf16>) -> tensor<2x3xf16>
  // CHECK: tfc.abs
  %1 = tfc.abs %0 : (tensor<2x3xf16>) -> tensor<2x3xf16>
  // CHECK: tfc.exp
  %2 = tfc.exp %1 : (tensor<2x3xf16>) -> tensor<2x3xf16>
  // CHECK: tfc.log
  %3 = tfc.log %2 : (tensor<2x3xf16>) -> tensor<2x3xf16>
  // CHECK: tfc.sqrt
  %4 = tfc.sqrt %3 : (tensor<2x3xf16>) -> tensor<2x3xf16>
  // CHECK: tfc.rsqrt
  %5 = tfc.rsqrt %4 : (tensor<2x3xf16>) -> tensor<2x3xf16>
  // CHECK: tfc.square
  %6 = tfc.square %5 : (tensor<2x3xf16>) -> tensor<2x3xf16>
  // CHECK: tfc.tanh
  %7 = tfc.tanh %6 : (tensor<2x3xf16>) -> tensor<2x3xf16>
  // CHECK: tfc.sigmoid
  %8 = tfc.sigmoid %7 : (tensor<2x3xf16>) -> tensor<2x3xf16>
  // CHECK: tfc.relu
  %9 = tfc.relu %8 : (tensor<2x3xf16>) -> tensor<2x3xf16>
  // CHECK: tfc.erf
  %10 = tfc.erf %9 : (tensor<2x3xf16>) -> tensor<2x3xf16>
  // CHECK: tfc.sin
  %11 = tfc.sin %10 : (tensor<2x3xf16>) -> tensor<2x3xf16>
  // CHECK: tfc.cos %{{.*}} : (tensor<2x3xf16>) -> tensor<2x3xf16>
  %12 = tfc.cos %11 : (tensor<2x3xf16>) -> tensor<2x3xf16>
  func.return %12 : tensor<2x3xf16>
}

// The default (approximate = false) is not printed.
// CHECK-LABEL: func.func @gelu
func.func @gelu(%x: tensor<8xbf16>) -> (tensor<8xbf16>, tensor<8xbf16>) {
  // CHECK: tfc.gelu %{{.*}} : (tensor<8xbf16>) -> tensor<8xbf16>
  %0 = tfc.gelu %x : (tensor<8xbf16>) -> tensor<8xbf16>
  // CHECK: tfc.gelu %{{.*}} {approximate = true} : (tensor<8xbf16>) -> tensor<8xbf16>
  %1 = tfc.gelu %x {approximate = true} : (tensor<8xbf16>) -> tensor<8xbf16>
  func.return %0, %1 : tensor<8xbf16>, tensor<8xbf16>
}

// CHECK-LABEL: func.func @compare
func.func @compare(%x: tensor<4xf64>, %y: tensor<f64>, %b: tensor<4xi1>, %i: tensor<2x1xi64>) -> (tensor<4xi1>, tensor<4xi1>, tensor<2x4xi1>) {
  // CHECK: tfc.equal %{{.*}}, %{{.*}} : (tensor<4xf64>, tensor<f64>) -> tensor<4xi1>
  %0 = tfc.equal %x, %y : (tensor<4xf64>, tensor<f64>) -> tensor<4xi1>
  // CHECK: tfc.not_equal %{{.*}}, %{{.*}} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %1 = tfc.not_equal %0, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  // CHECK: tfc.less %{{.*}}, %{{.*}} : (tensor<4xf64>, tensor<f64>) -> tensor<4xi1>
  %2 = tfc.less %x, %y : (tensor<4xf64>, tensor<f64>) -> tensor<4xi1>
  // CHECK: tfc.less_equal %{{.*}}, %{{.*}} : (tensor<f64>, tensor<4xf64>) -> tensor<4xi1>
  %3 = tfc.less_equal %y, %x : (tensor<f64>, tensor<4xf64>) -> tensor<4xi1>
  // CHECK: tfc.greater %{{.*}}, %{{.*}} : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xi1>
  %4 = tfc.greater %x, %x : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xi1>
  // CHECK: tfc.greater_equal %{{.*}}, %{{.*}} : (tensor<2x1xi64>, tensor<2x1xi64>) -> tensor<2x1xi1>
  %5 = tfc.greater_equal %i, %i : (tensor<2x1xi64>, tensor<2x1xi64>) -> tensor<2x1xi1>
  // CHECK: tfc.logical_and %{{.*}}, %{{.*}} : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %6 = tfc.logical_and %1, %2 : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  // CHECK: tfc.logical_or %{{.*}}, %{{.*}} : (tensor<2x1xi1>, tensor<4xi1>) -> tensor<2x4xi1>
  %7 = tfc.logical_or %5, %3 : (tensor<2x1xi1>, tensor<4xi1>) -> tensor<2x4xi1>
  // CHECK: tfc.logical_not %{{.*}} : (tensor<4xi1>) -> tensor<4xi1>
  %8 = tfc.logical_not %4 : (tensor<4xi1>) -> tensor<4xi1>
  func.return %6, %8, %7 : tensor<4xi1>, tensor<4xi1>, tensor<2x4xi1>
}

// CHECK-LABEL: func.func @select_cast
func.func @select_cast(%c: tensor<4x1xi1>, %x: tensor<4x8xf32>, %y: tensor<f32>) -> (tensor<4x8xf32>, tensor<4x8xbf16>, tensor<4x8xi32>, tensor<4x1xf64>) {
  // CHECK: tfc.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<4x1xi1>, tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %0 = tfc.select %c, %x, %y : (tensor<4x1xi1>, tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  // CHECK: tfc.cast %{{.*}} {to = bf16} : (tensor<4x8xf32>) -> tensor<4x8xbf16>
  %1 = tfc.cast %0 {to = bf16} : (tensor<4x8xf32>) -> tensor<4x8xbf16>
  // CHECK: tfc.cast %{{.*}} {to = i32} : (tensor<4x8xbf16>) -> tensor<4x8xi32>
  %2 = tfc.cast %1 {to = i32} : (tensor<4x8xbf16>) -> tensor<4x8xi32>
  // CHECK: tfc.cast %{{.*}} {to = f64} : (tensor<4x1xi1>) -> tensor<4x1xf64>
  %3 = tfc.cast %c {to = f64} : (tensor<4x1xi1>) -> tensor<4x1xf64>
  func.return %0, %1, %2, %3 : tensor<4x8xf32>, tensor<4x8xbf16>, tensor<4x8xi32>, tensor<4x1xf64>
}
