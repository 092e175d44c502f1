// RUN: tfc-opt %s --split-input-file --verify-diagnostics
// RUN: not tfc-opt %S/Inputs/verify-diagnostics-mismatch.mlir --split-input-file --verify-diagnostics 2>&1 | filecheck %s --check-prefix=MISMATCH

// Every form of designator MLIR's -verify-diagnostics accepts.

func.func @plus(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{shapes are not broadcast-compatible}}
  %r = tfc.add %x, %y : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

func.func @same_line(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
  %r = tfc.sub %x, %y : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32> // expected-error {{tfc.sub: shapes}}
  func.return %r : tensor<4xf32>
}

// -----

func.func @minus(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
  %r = tfc.mul %x, %y : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  // expected-error @-1 {{tfc.mul}}
  func.return %r : tensor<4xf32>
}

// -----

func.func @below_above(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @below {{tfc.div}}
  // A comment between the designator and its line.
  %r = tfc.div %x, %y : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  %s = tfc.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

func.func @above(%x: tensor<2x3xf32>) -> tensor<3x3xf32> {
  %r = tfc.transpose %x {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x3xf32>
  // expected-error @above {{is not a permutation}}
  func.return %r : tensor<3x3xf32>
}

// -----

func.func @regex(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error-re @+1 {{axis {{[0-9]+}} is out of range for tensor<{{.*}}>}}
  %r = tfc.reduce_sum %x {axes = array<i64: 5>} : (tensor<4x8xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

// Parse errors are diagnostics too.
func.func @parse_error(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unknown operation 'tfc.nope'}}
  %r = tfc.nope %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

// A chunk without errors and without expectations passes.
func.func @fine(%x: tensor<4xf32>) -> tensor<4xf32> {
  func.return %x : tensor<4xf32>
}

// MISMATCH-DAG: verify-diagnostics-mismatch.mlir:5:6: error: expected error "this text is not in the message" was not produced at line 6
// MISMATCH-DAG: verify-diagnostics-mismatch.mlir:6:8: error: unexpected error: tfc.add: shapes are not broadcast-compatible
// MISMATCH-DAG: verify-diagnostics-mismatch.mlir:14:6: error: expected error "tfc.exp" was not produced at line 15
// MISMATCH-DAG: verify-diagnostics-mismatch.mlir:24:8: error: unexpected error: tfc.exp: expects a float dtype
// MISMATCH-DAG: verify-diagnostics-mismatch.mlir:23:6: error: expected error "tfc.exp: expects a float dtype" was not produced at line 22
// MISMATCH-NOT: Traceback
