// RUN: not tfc-opt %s --split-input-file 2>&1 | filecheck %s

// Errors print MLIR-style: file:line:col, the source line, a caret under the op
// name. Each chunk fails on its own; line numbers are those of this file.

func.func @verify_error(%a: tensor<4x8xf32>, %b: tensor<9x3xf32>) -> tensor<4x3xf32> {
  // CHECK:      tfc-opt-errors.mlir:[[# @LINE + 3]]:8: error: tfc.matmul: inner dimensions differ: lhs tensor<4x8xf32>, rhs tensor<9x3xf32>
  // CHECK-NEXT: {{^}}  %r = tfc.matmul %a, %b : (tensor<4x8xf32>, tensor<9x3xf32>) -> tensor<4x3xf32>
  // CHECK-NEXT: {{^}}       ^
  %r = tfc.matmul %a, %b : (tensor<4x8xf32>, tensor<9x3xf32>) -> tensor<4x3xf32>
  func.return %r : tensor<4x3xf32>
}

// -----

// A nested op is found too (the verifier walks op by op).
func.func @nested(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK:      tfc-opt-errors.mlir:[[# @LINE + 1]]:8: error: tfc.exp: result type tensor<4xi32> does not match the inferred type tensor<4xf32>
  %r = tfc.exp %x : (tensor<4xf32>) -> tensor<4xi32>
  func.return %x : tensor<4xf32>
}

// -----

func.func @syntax(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK:      tfc-opt-errors.mlir:[[# @LINE + 3]]:40: error: type expected
  // CHECK-NEXT: {{^}}  %r = tfc.exp %x : (tensor<4xf32>) -> )
  // CHECK-NEXT: {{^}}                                       ^
  %r = tfc.exp %x : (tensor<4xf32>) -> )
  func.return %r : tensor<4xf32>
}

// -----

func.func @unknown_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK:      tfc-opt-errors.mlir:[[# @LINE + 3]]:8: error: unknown operation 'tfc.expp'; did you mean 'tfc.exp'?
  // CHECK-NEXT: {{^}}  %r = tfc.expp %x
  // CHECK-NEXT: {{^}}       ^
  %r = tfc.expp %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

func.func @undefined_value(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK:      tfc-opt-errors.mlir:[[# @LINE + 3]]:20: error: use of undefined value '%y'
  // CHECK-NEXT: {{^}}  %r = tfc.add %x, %y
  // CHECK-NEXT: {{^}}                   ^
  %r = tfc.add %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

// An explicit loc(...) wins: a traced op reports the user's Python line.
func.func @explicit_loc(%x: tensor<4xf32>, %y: tensor<3xf32>) -> tensor<4xf32> {
  // CHECK:      model.py:12:5: error: tfc.add: shapes are not broadcast-compatible: tensor<4xf32>, tensor<3xf32>
  %r = tfc.add %x, %y : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32> loc("model.py":12:5)
  func.return %r : tensor<4xf32>
}

// -----

func.func @twice() {
  func.return
}
// CHECK:      tfc-opt-errors.mlir:[[# @LINE + 1]]:1: error: func.func: Redefinition of symbol "twice"
func.func @twice() {
  func.return
}

// -----

func.func @ssa_twice(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = tfc.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK:      tfc-opt-errors.mlir:[[# @LINE + 1]]:3: error: SSA value %r is already defined
  %r = tfc.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

// The chunk after the failures still runs: its output is printed.
// CHECK: func.func @fine
func.func @fine(%x: tensor<4xf32>) -> tensor<4xf32> {
  func.return %x : tensor<4xf32>
}

// CHECK-NOT: Traceback
