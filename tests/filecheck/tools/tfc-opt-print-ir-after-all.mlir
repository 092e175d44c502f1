// RUN: tfc-opt %s -p 'canonicalize,tfc-to-linalg' --print-ir-after-all -o %t 2>&1 | filecheck %s
// RUN: filecheck %s --check-prefix=OUT < %t

// Each pass's result goes to stderr after a header, as mlir-opt prints it;
// the final IR goes to -o.

// CHECK:      // -----// IR Dump After canonicalize //----- //
// CHECK-NEXT: builtin.module {
// CHECK:        %[[R:.*]] = tfc.exp
// CHECK-NOT:    tfc.neg
// CHECK:      // -----// IR Dump After convert-tfc-to-linalg //----- //
// CHECK-NEXT: builtin.module {
// CHECK:        linalg.generic

// OUT:        linalg.generic
// OUT-NOT:    IR Dump

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = tfc.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %b = tfc.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %r = tfc.exp %b : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
