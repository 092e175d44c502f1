// Input for tfc-opt-verify-diagnostics.mlir: every way an expectation can fail.

// Wrong text: the expectation is unmet and the real error is unexpected.
func.func @wrong_text(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{this text is not in the message}}
  %r = tfc.add %x, %y : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

// An expected error that never happens.
func.func @no_error(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.exp}}
  %r = tfc.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

// The right text on the wrong line.
func.func @wrong_line(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @-1 {{tfc.exp: expects a float dtype}}
  %r = tfc.exp %x : (tensor<4xi32>) -> tensor<4xi32>
  func.return %r : tensor<4xi32>
}
