// RUN: tfc-opt %s --split-input-file --verify-diagnostics

func.func @axis_out_of_range(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.reduce_sum: axis 2 is out of range for tensor<4x8xf32>}}
  %0 = tfc.reduce_sum %x {axes = array<i64: 2>} : (tensor<4x8xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @repeated_axis(%x: tensor<4x8xf32>) -> tensor<f32> {
  // expected-error @+1 {{tfc.reduce_mean: repeated axis in [1, -1]}}
  %0 = tfc.reduce_mean %x {axes = array<i64: 1, -1>} : (tensor<4x8xf32>) -> tensor<f32>
  func.return %0 : tensor<f32>
}

// -----

func.func @wrong_result_shape(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.reduce_max: result type tensor<4xf32> does not match the inferred type tensor<4x1xf32>}}
  %0 = tfc.reduce_max %x {axes = array<i64: 1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @zero_size_axis(%x: tensor<4x0xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.reduce_min: cannot reduce over the zero-size axis 1 of tensor<4x0xf32>}}
  %0 = tfc.reduce_min %x {axes = array<i64: 1>} : (tensor<4x0xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @bool_sum(%x: tensor<4xi1>) -> tensor<i1> {
  // expected-error @+1 {{tfc.reduce_prod: expects a numeric dtype, got tensor<4xi1>}}
  %0 = tfc.reduce_prod %x : (tensor<4xi1>) -> tensor<i1>
  func.return %0 : tensor<i1>
}

// -----

func.func @argmax_output_type(%x: tensor<4x8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{tfc.argmax: output_type must be i32 or i64, got f32}}
  %0 = tfc.argmax %x {output_type = f32} : (tensor<4x8xf32>) -> tensor<8xf32>
  func.return %0 : tensor<8xf32>
}

// -----

func.func @argmin_result_type(%x: tensor<4x8xf32>) -> tensor<8xi32> {
  // expected-error @+1 {{tfc.argmin: result type tensor<8xi32> does not match the inferred type tensor<8xi64>}}
  %0 = tfc.argmin %x : (tensor<4x8xf32>) -> tensor<8xi32>
  func.return %0 : tensor<8xi32>
}

// -----

func.func @argmax_scalar(%x: tensor<f32>) -> tensor<i64> {
  // expected-error @+1 {{tfc.argmax: expects a tensor of rank >= 1, got tensor<f32>}}
  %0 = tfc.argmax %x : (tensor<f32>) -> tensor<i64>
  func.return %0 : tensor<i64>
}

// -----

func.func @softmax_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{tfc.softmax: expects a float dtype, got tensor<4xi32>}}
  %0 = tfc.softmax %x : (tensor<4xi32>) -> tensor<4xi32>
  func.return %0 : tensor<4xi32>
}

// -----

func.func @log_softmax_axis(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{tfc.log_softmax: axis -3 is out of range for tensor<4x8xf32>}}
  %0 = tfc.log_softmax %x {axis = -3 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_gamma(%x: tensor<4x8xf32>, %g: tensor<4xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{tfc.layer_norm: gamma and beta must have the normalized shape 8: x tensor<4x8xf32>, gamma tensor<4xf32>, beta tensor<8xf32>}}
  %0 = tfc.layer_norm %x, %g, %b : (tensor<4x8xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_leading_axis(%x: tensor<4x8xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{tfc.layer_norm: axis [0] must be the trailing axes of tensor<4x8xf32>}}
  %0 = tfc.layer_norm %x, %g, %b {axis = array<i64: 0>} : (tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_arity(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{tfc.layer_norm: expects 3 operand(s), got 2}}
  %0 = tfc.layer_norm %x, %g : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}

// -----

func.func @cross_entropy_shapes(%p: tensor<4x8xf32>, %z: tensor<4x9xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.softmax_cross_entropy_with_logits: labels and logits must have the same shape: labels tensor<4x8xf32>, logits tensor<4x9xf32>}}
  %0 = tfc.softmax_cross_entropy_with_logits %p, %z : (tensor<4x8xf32>, tensor<4x9xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @cross_entropy_dtypes(%p: tensor<4x8xf16>, %z: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.softmax_cross_entropy_with_logits: operand dtypes differ: tensor<4x8xf16>, tensor<4x8xf32>}}
  %0 = tfc.softmax_cross_entropy_with_logits %p, %z : (tensor<4x8xf16>, tensor<4x8xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @sparse_labels_dtype(%l: tensor<4xf32>, %z: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.sparse_softmax_cross_entropy_with_logits: labels must be i32 or i64, got tensor<4xf32>}}
  %0 = tfc.sparse_softmax_cross_entropy_with_logits %l, %z : (tensor<4xf32>, tensor<4x8xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @sparse_labels_shape(%l: tensor<4x8xi32>, %z: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{tfc.sparse_softmax_cross_entropy_with_logits: labels must have the shape of logits without its last axis: labels tensor<4x8xi32>, logits tensor<4x8xf32>}}
  %0 = tfc.sparse_softmax_cross_entropy_with_logits %l, %z : (tensor<4x8xi32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}

// -----

// The statistics of an empty axis do not exist (found by tools/fuzz.py: eager
// mode accepted it while the compiled reduce_mean rejected it).
func.func @layer_norm_zero_size(%x: tensor<0xf32>, %g: tensor<0xf32>, %b: tensor<0xf32>) -> tensor<0xf32> {
  // expected-error @+1 {{tfc.layer_norm: cannot normalize over a zero-size axis of tensor<0xf32>}}
  %0 = tfc.layer_norm %x, %g, %b : (tensor<0xf32>, tensor<0xf32>, tensor<0xf32>) -> tensor<0xf32>
  func.return %0 : tensor<0xf32>
}
