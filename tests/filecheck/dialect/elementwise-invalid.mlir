// RUN: tfc-opt %s --split-input-file --verify-diagnostics

func.func @broadcast(%x: tensor<2x3xf32>, %y: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{tfc.add: shapes are not broadcast-compatible: tensor<2x3xf32>, tensor<4xf32>}}
  %0 = tfc.add %x, %y : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  func.return %0 : tensor<2x3xf32>
}

// -----

func.func @dtypes_differ(%x: tensor<3xf32>, %y: tensor<3xi32>) -> tensor<3xf32> {
  // expected-error @+1 {{tfc.mul: operand dtypes differ: tensor<3xf32>, tensor<3xi32>}}
  %0 = tfc.mul %x, %y : (tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  func.return %0 : tensor<3xf32>
}

// -----

func.func @wrong_result_shape(%x: tensor<3x1xf32>, %y: tensor<4xf32>) -> tensor<3x1xf32> {
  // expected-error @+1 {{tfc.sub: result type tensor<3x1xf32> does not match the inferred type tensor<3x4xf32>}}
  %0 = tfc.sub %x, %y : (tensor<3x1xf32>, tensor<4xf32>) -> tensor<3x1xf32>
  func.return %0 : tensor<3x1xf32>
}

// -----

func.func @compare_result_not_i1(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{tfc.less: result type tensor<3xf32> does not match the inferred type tensor<3xi1>}}
  %0 = tfc.less %x, %y : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %0 : tensor<3xf32>
}

// -----

func.func @less_on_bool(%x: tensor<3xi1>, %y: tensor<3xi1>) -> tensor<3xi1> {
  // expected-error @+1 {{tfc.less: expects a numeric dtype, got tensor<3xi1>, tensor<3xi1>}}
  %0 = tfc.less %x, %y : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  func.return %0 : tensor<3xi1>
}

// -----

func.func @exp_on_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{tfc.exp: expects a float dtype, got tensor<4xi32>}}
  %0 = tfc.exp %x : (tensor<4xi32>) -> tensor<4xi32>
  func.return %0 : tensor<4xi32>
}

// -----

func.func @neg_on_bool(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{tfc.neg: expects a numeric dtype, got tensor<4xi1>}}
  %0 = tfc.neg %x : (tensor<4xi1>) -> tensor<4xi1>
  func.return %0 : tensor<4xi1>
}

// -----

func.func @logical_on_float(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.logical_or: expects an i1 dtype, got tensor<4xf32>, tensor<4xf32>}}
  %0 = tfc.logical_or %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @unary_arity(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.tanh: expects 1 operand(s), got 2}}
  %0 = tfc.tanh %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @select_cond_not_i1(%c: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.select: the condition must be i1, got tensor<4xf32>}}
  %0 = tfc.select %c, %x, %x : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @select_branches_differ(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.select: operand dtypes differ: tensor<4xf32>, tensor<4xf16>}}
  %0 = tfc.select %c, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @select_broadcast(%c: tensor<2xi1>, %x: tensor<3xf32>, %y: tensor<f32>) -> tensor<3xf32> {
  // expected-error @+1 {{tfc.select: shapes are not broadcast-compatible: tensor<2xi1>, tensor<3xf32>, tensor<f32>}}
  %0 = tfc.select %c, %x, %y : (tensor<2xi1>, tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  func.return %0 : tensor<3xf32>
}

// -----

func.func @cast_missing_to(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{tfc.cast: missing attribute 'to'}}
  %0 = tfc.cast %x : (tensor<4xf32>) -> tensor<4xf16>
  func.return %0 : tensor<4xf16>
}

// -----

func.func @cast_result_mismatch(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.cast: result type tensor<4xf32> does not match the inferred type tensor<4xf16>}}
  %0 = tfc.cast %x {to = f16} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @cast_unsupported_type(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{unsupported element type i8}}
  %0 = tfc.cast %x {to = i8} : (tensor<4xf32>) -> tensor<4xi8>
  func.return %0 : tensor<4xi8>
}

// -----

func.func @gelu_bad_attr(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.gelu: attribute 'approximate': expected bool attribute}}
  %0 = tfc.gelu %x {approximate = 1.0 : f32} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @unknown_attr(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.sigmoid: unknown attribute 'approximate'}}
  %0 = tfc.sigmoid %x {approximate = true} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
