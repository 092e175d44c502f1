// RUN: tfc-opt %s -p convert-tfc-to-linalg | filecheck %s

// Every elementwise op becomes one parallel linalg.generic over the result shape;
// broadcast operands read through maps with constant-0 (size-1) or dropped (missing) dims.

// CHECK-LABEL: func.func @add_broadcast
// CHECK:       %[[E:.*]] = tensor.empty() : tensor<4x3x8xf32>
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, 0, d2)>, affine_map<(d0, d1, d2) -> (d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME:    ins(%{{.*}}, %{{.*}} : tensor<4x1x8xf32>, tensor<3x1xf32>) outs(%[[E]] : tensor<4x3x8xf32>)
// CHECK:       ^{{.*}}(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:    %[[R:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK-NEXT:    linalg.yield %[[R]] : f32
// CHECK-NOT:   tfc.
func.func @add_broadcast(%x: tensor<4x1x8xf32>, %y: tensor<3x1xf32>) -> tensor<4x3x8xf32> {
  %0 = tfc.add %x, %y : (tensor<4x1x8xf32>, tensor<3x1xf32>) -> tensor<4x3x8xf32>
  func.return %0 : tensor<4x3x8xf32>
}

// Integer division is floor division with a guarded divisor (x // 0 is 0).
// CHECK-LABEL: func.func @div_int
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
// CHECK:       ^{{.*}}(%[[A:.*]]: i32, %[[B:.*]]: i32, %{{.*}}: i32):
// CHECK:         %[[Z:.*]] = arith.cmpi eq, %[[B]], %{{.*}} : i32
// CHECK:         %[[D:.*]] = arith.select %[[Z]], %{{.*}}, %[[B]] : i32
// CHECK:         %[[Q:.*]] = arith.floordivsi %[[A]], %[[D]] : i32
// CHECK:         %[[R:.*]] = arith.select %[[Z]], %{{.*}}, %[[Q]] : i32
// CHECK:         linalg.yield %[[R]] : i32
func.func @div_int(%x: tensor<5xi32>, %y: tensor<i32>) -> tensor<5xi32> {
  %0 = tfc.div %x, %y : (tensor<5xi32>, tensor<i32>) -> tensor<5xi32>
  func.return %0 : tensor<5xi32>
}

// Sigmoid is one body, stable for large |x|; f16 computes in f32.
// CHECK-LABEL: func.func @sigmoid_f16
// CHECK:       linalg.generic
// CHECK:       ^{{.*}}(%[[A:.*]]: f16, %{{.*}}: f16):
// CHECK:         %[[X:.*]] = arith.extf %[[A]] : f16 to f32
// CHECK:         %[[ABS:.*]] = math.absf %[[X]] : f32
// CHECK:         %[[NEG:.*]] = arith.negf %[[ABS]] : f32
// CHECK:         %[[E:.*]] = math.exp %[[NEG]] : f32
// CHECK:         %[[T:.*]] = arith.divf
// CHECK:         %[[GE:.*]] = arith.cmpf oge, %[[X]], %{{.*}} : f32
// CHECK:         %[[ET:.*]] = arith.mulf %[[E]], %[[T]] : f32
// CHECK:         %[[S:.*]] = arith.select %[[GE]], %[[T]], %[[ET]] : f32
// CHECK:         %[[H:.*]] = arith.truncf %[[S]] : f32 to f16
// CHECK:         linalg.yield %[[H]] : f16
func.func @sigmoid_f16(%x: tensor<6xf16>) -> tensor<6xf16> {
  %0 = tfc.sigmoid %x : (tensor<6xf16>) -> tensor<6xf16>
  func.return %0 : tensor<6xf16>
}

// GELU is one body in both forms: erf, or the tanh approximation written as
// x / (1 + exp(x (C0 + C1 x^2))) with C0 = -2 sqrt(2/pi), C1 = 0.044715 C0.
// CHECK-LABEL: func.func @gelu
// CHECK:       linalg.generic
// CHECK:         math.erf
// CHECK-NOT:     math.tanh
// CHECK:         linalg.yield
// CHECK:       linalg.generic
// CHECK:         ^{{.*}}(%[[A:.*]]: f32, %{{.*}}: f32):
// CHECK:           %[[C0:.*]] = arith.constant -1.59576917 : f32
// CHECK:           %[[C1:.*]] = arith.constant -0.0713548139 : f32
// CHECK:           %[[A2:.*]] = arith.mulf %[[A]], %[[A]] : f32
// CHECK:           %[[T:.*]] = arith.mulf %[[C1]], %[[A2]] : f32
// CHECK:           %[[P:.*]] = arith.addf %[[C0]], %[[T]] : f32
// CHECK:           %[[M:.*]] = arith.mulf %[[A]], %[[P]] : f32
// CHECK:           %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:           %[[E:.*]] = math.exp %[[M]] : f32
// CHECK:           %[[D:.*]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK:           %[[R:.*]] = arith.divf %[[A]], %[[D]] : f32
// CHECK:           linalg.yield %[[R]]
func.func @gelu(%x: tensor<6xf32>) -> (tensor<6xf32>, tensor<6xf32>) {
  %0 = tfc.gelu %x : (tensor<6xf32>) -> tensor<6xf32>
  %1 = tfc.gelu %x {approximate = true} : (tensor<6xf32>) -> tensor<6xf32>
  func.return %0, %1 : tensor<6xf32>, tensor<6xf32>
}

// Comparisons yield i1 (ordered predicates); select broadcasts all three operands.
// CHECK-LABEL: func.func @compare_select
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:    outs(%{{.*}} : tensor<2x3xi1>)
// CHECK:         arith.cmpf ole, %{{.*}}, %{{.*}} : f64
// CHECK:       linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME:    ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x1xi1>, tensor<2x3xf64>, tensor<f64>)
// CHECK:         arith.select %{{.*}}, %{{.*}}, %{{.*}} : f64
func.func @compare_select(%c: tensor<2x1xi1>, %x: tensor<2x3xf64>, %y: tensor<f64>) -> (tensor<2x3xi1>, tensor<2x3xf64>) {
  %0 = tfc.less_equal %x, %y : (tensor<2x3xf64>, tensor<f64>) -> tensor<2x3xi1>
  %1 = tfc.select %c, %x, %y : (tensor<2x1xi1>, tensor<2x3xf64>, tensor<f64>) -> tensor<2x3xf64>
  func.return %0, %1 : tensor<2x3xi1>, tensor<2x3xf64>
}

// Casts: bf16 -> i32 truncates (fptosi), anything -> i1 is `!= 0`, i1 -> float is 1/0.
// CHECK-LABEL: func.func @cast
// CHECK:         %[[X:.*]] = arith.extf %{{.*}} : bf16 to f32
// CHECK-NEXT:    %[[I:.*]] = arith.fptosi %[[X]] : f32 to i32
// CHECK-NEXT:    linalg.yield %[[I]] : i32
// CHECK:         %[[X2:.*]] = arith.extf %{{.*}} : bf16 to f32
// CHECK:         %[[NZ:.*]] = arith.cmpf une, %[[X2]], %{{.*}} : f32
// CHECK-NEXT:    linalg.yield %[[NZ]] : i1
// CHECK:         %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:         %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[F:.*]] = arith.select %{{.*}}, %[[ONE]], %[[ZERO]] : f32
// CHECK-NEXT:    linalg.yield %[[F]] : f32
func.func @cast(%x: tensor<4xbf16>, %b: tensor<4xi1>) -> (tensor<4xi32>, tensor<4xi1>, tensor<4xf32>) {
  %0 = tfc.cast %x {to = i32} : (tensor<4xbf16>) -> tensor<4xi32>
  %1 = tfc.cast %x {to = i1} : (tensor<4xbf16>) -> tensor<4xi1>
  %2 = tfc.cast %b {to = f32} : (tensor<4xi1>) -> tensor<4xf32>
  func.return %0, %1, %2 : tensor<4xi32>, tensor<4xi1>, tensor<4xf32>
}

// CHECK-LABEL: func.func @logical
// CHECK:         arith.andi %{{.*}}, %{{.*}} : i1
// CHECK:         %[[T:.*]] = arith.constant true
// CHECK-NEXT:    arith.xori %{{.*}}, %[[T]] : i1
func.func @logical(%a: tensor<3xi1>, %b: tensor<3xi1>) -> (tensor<3xi1>, tensor<3xi1>) {
  %0 = tfc.logical_and %a, %b : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %1 = tfc.logical_not %0 : (tensor<3xi1>) -> tensor<3xi1>
  func.return %0, %1 : tensor<3xi1>, tensor<3xi1>
}

// maximum is NaN-propagating (maximumf); relu is `x < 0 ? 0 : x` (NaN passes); rsqrt is 1/sqrt.
// CHECK-LABEL: func.func @maximum_relu_rsqrt
// CHECK:         arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %[[LT:.*]] = arith.cmpf olt, %[[X:.*]], %[[Z]] : f32
// CHECK-NEXT:    arith.select %[[LT]], %[[Z]], %[[X]] : f32
// CHECK:         %[[S:.*]] = math.sqrt %{{.*}} : f32
// CHECK-NEXT:    arith.divf %{{.*}}, %[[S]] : f32
func.func @maximum_relu_rsqrt(%x: tensor<3xf32>, %y: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %0 = tfc.maximum %x, %y : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = tfc.relu %0 : (tensor<3xf32>) -> tensor<3xf32>
  %2 = tfc.rsqrt %1 : (tensor<3xf32>) -> tensor<3xf32>
  func.return %0, %1, %2 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// Integer pow: math.ipowi on a non-negative exponent; negative exponents select 1, +-1 or 0.
// CHECK-LABEL: func.func @pow_int
// CHECK:         %[[E:.*]] = arith.maxsi
// CHECK-NEXT:    math.ipowi %{{.*}}, %[[E]] : i64
// CHECK:         arith.cmpi slt
func.func @pow_int(%x: tensor<3xi64>, %y: tensor<3xi64>) -> tensor<3xi64> {
  %0 = tfc.pow %x, %y : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  func.return %0 : tensor<3xi64>
}
