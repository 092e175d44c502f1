// RUN: tfc-opt %s --split-input-file | filecheck %s
// RUN: tfc-opt %s --split-input-file --print-debuginfo | filecheck %s --check-prefix=LOC
// RUN: tfc-opt %s | filecheck %s --check-prefix=WHOLE

// Each chunk is a module of its own; the outputs are joined by the marker.
// Locations keep this file's line numbers.

// CHECK:      builtin.module {
// CHECK-NEXT:   func.func @first
// CHECK:      // -----
// CHECK-NEXT: builtin.module {
// CHECK-NEXT:   func.func @second
// CHECK-NOT:  // -----

// Without the flag the marker is just a comment: one module.
// WHOLE:      builtin.module {
// WHOLE:        func.func @first
// WHOLE:        func.func @second
// WHOLE-NOT:  // -----

func.func @first(%x: tensor<4xf32>) -> tensor<4xf32> {
  // LOC: tfc.neg %{{.*}} loc("{{.*}}tfc-opt-split-input-file.mlir":[[# @LINE + 1]]:8)
  %r = tfc.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

func.func @second(%x: tensor<4xf32>) -> tensor<4xf32> {
  // LOC: tfc.exp %{{.*}} loc("{{.*}}tfc-opt-split-input-file.mlir":[[# @LINE + 1]]:8)
  %r = tfc.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
