// RUN: tfc-opt %s -p canonicalize --split-input-file | filecheck %s

// Constant folding: all operands constant, result of at most 1024 elements.
// CHECK-LABEL: func.func @fold_add_f32
// CHECK-NEXT:    %[[C:.*]] = tfc.constant {value = dense<[1.500000e+00, 3.000000e+00]> : tensor<2xf32>} : () -> tensor<2xf32>
// CHECK-NEXT:    func.return %[[C]]
func.func @fold_add_f32() -> tensor<2xf32> {
  %a = tfc.constant {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %b = tfc.constant {value = dense<[0.5, 1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %r = tfc.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %r : tensor<2xf32>
}

// -----

// Chains fold to one constant; integers wrap as in the compiled code.
// CHECK-LABEL: func.func @fold_chain_i32
// CHECK-NEXT:    %[[C:.*]] = tfc.constant {value = dense<[-2147483648, 6]> : tensor<2xi32>} : () -> tensor<2xi32>
// CHECK-NEXT:    func.return %[[C]]
func.func @fold_chain_i32() -> tensor<2xi32> {
  %a = tfc.constant {value = dense<[2147483647, 2]> : tensor<2xi32>} : () -> tensor<2xi32>
  %one = tfc.constant {value = dense<1> : tensor<i32>} : () -> tensor<i32>
  %b = tfc.add %a, %one : (tensor<2xi32>, tensor<i32>) -> tensor<2xi32>
  %c = tfc.constant {value = dense<[1, 2]> : tensor<2xi32>} : () -> tensor<2xi32>
  %r = tfc.mul %b, %c : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  func.return %r : tensor<2xi32>
}

// -----

// The folded constant has exactly the result's dtype (f16 rounds: 1 + 2^-11 is 1).
// CHECK-LABEL: func.func @fold_f16
// CHECK-NEXT:    %[[C:.*]] = tfc.constant {value = dense<[1.000000e+00, 3.000000e+00]> : tensor<2xf16>} : () -> tensor<2xf16>
// CHECK-NEXT:    func.return %[[C]]
func.func @fold_f16() -> tensor<2xf16> {
  %a = tfc.constant {value = dense<[1.0, 1.0]> : tensor<2xf16>} : () -> tensor<2xf16>
  %b = tfc.constant {value = dense<[0.00048828125, 2.0]> : tensor<2xf16>} : () -> tensor<2xf16>
  %r = tfc.add %a, %b : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xf16>
  func.return %r : tensor<2xf16>
}

// -----

// CHECK-LABEL: func.func @fold_compare
// CHECK-NEXT:    %[[C:.*]] = tfc.constant {value = dense<[true, false]> : tensor<2xi1>} : () -> tensor<2xi1>
// CHECK-NEXT:    func.return %[[C]]
func.func @fold_compare() -> tensor<2xi1> {
  %a = tfc.constant {value = dense<[1.0, 3.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %b = tfc.constant {value = dense<2.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %r = tfc.less %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
  func.return %r : tensor<2xi1>
}

// -----

// Any op with a reference folds, attributes included.
// CHECK-LABEL: func.func @fold_reduce_and_transpose
// CHECK-NEXT:    %[[S:.*]] = tfc.constant {value = dense<[4.000000e+00, 6.000000e+00]> : tensor<2xf32>} : () -> tensor<2xf32>
// CHECK-NEXT:    %[[T:.*]] = tfc.constant {value = dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>} : () -> tensor<2x2xf32>
// CHECK-NEXT:    func.return %[[S]], %[[T]]
func.func @fold_reduce_and_transpose() -> (tensor<2xf32>, tensor<2x2xf32>) {
  %a = tfc.constant {value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : () -> tensor<2x2xf32>
  %s = tfc.reduce_sum %a {axes = array<i64: 0>} : (tensor<2x2xf32>) -> tensor<2xf32>
  %t = tfc.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  func.return %s, %t : tensor<2xf32>, tensor<2x2xf32>
}

// -----

// Elementwise ops on splat constants fold to a splat, up to the size of the largest
// constant operand; a larger result stays computed.
// CHECK-LABEL: func.func @no_fold_splat_growth
// CHECK-NEXT:    %[[A:.*]] = tfc.constant {value = dense<1.000000e+00> : tensor<2048x1xf32>}
// CHECK-NEXT:    %[[B:.*]] = tfc.constant {value = dense<2.000000e+00> : tensor<4xf32>}
// CHECK-NEXT:    %[[R:.*]] = tfc.add %[[A]], %[[B]]
// CHECK-NEXT:    func.return %[[R]]
func.func @no_fold_splat_growth() -> tensor<2048x4xf32> {
  %a = tfc.constant {value = dense<1.0> : tensor<2048x1xf32>} : () -> tensor<2048x1xf32>
  %b = tfc.constant {value = dense<2.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %r = tfc.add %a, %b : (tensor<2048x1xf32>, tensor<4xf32>) -> tensor<2048x4xf32>
  func.return %r : tensor<2048x4xf32>
}

// -----

// Elementwise ops on splat constants: computed once, at any size within that limit.
// CHECK-LABEL: func.func @fold_splats_any_size
// CHECK-NEXT:    %[[C:.*]] = tfc.constant {value = dense<3.000000e+00> : tensor<64x1024xf32>} : () -> tensor<64x1024xf32>
// CHECK-NEXT:    func.return %[[C]]
func.func @fold_splats_any_size() -> tensor<64x1024xf32> {
  %a = tfc.constant {value = dense<1.0> : tensor<64x1024xf32>} : () -> tensor<64x1024xf32>
  %b = tfc.constant {value = dense<2.0> : tensor<1024xf32>} : () -> tensor<1024xf32>
  %r = tfc.add %a, %b : (tensor<64x1024xf32>, tensor<1024xf32>) -> tensor<64x1024xf32>
  func.return %r : tensor<64x1024xf32>
}

// -----

// Not folded: the result has more than 1024 elements and not all operands are splats.
// CHECK-LABEL: func.func @no_fold_large
// CHECK:         %[[R:.*]] = tfc.add
// CHECK-NEXT:    func.return %[[R]]
func.func @no_fold_large() -> tensor<1024x2xf32> {
  %a = tfc.constant {value = dense<1.0> : tensor<1024x1xf32>} : () -> tensor<1024x1xf32>
  %b = tfc.constant {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %r = tfc.add %a, %b : (tensor<1024x1xf32>, tensor<2xf32>) -> tensor<1024x2xf32>
  func.return %r : tensor<1024x2xf32>
}

// -----

// Generators are not folded (cheaper to compute than to store); a small fill is a
// splat constant, a large one stays (the backends store every element of a constant).
// CHECK-LABEL: func.func @generators
// CHECK-NEXT:    %[[I:.*]] = tfc.iota
// CHECK-NEXT:    %[[F:.*]] = tfc.constant {value = dense<2.500000e+00> : tensor<2x3xf32>} : () -> tensor<2x3xf32>
// CHECK-NEXT:    %[[G:.*]] = tfc.fill
// CHECK-NEXT:    func.return %[[I]], %[[F]], %[[G]]
func.func @generators() -> (tensor<8xi32>, tensor<2x3xf32>, tensor<64x64xf32>) {
  %i = tfc.iota {size = 8 : i64, dtype = i32} : () -> tensor<8xi32>
  %f = tfc.fill {shape = array<i64: 2, 3>, value = 2.5 : f64} : () -> tensor<2x3xf32>
  %g = tfc.fill {shape = array<i64: 64, 64>, value = 2.5 : f64} : () -> tensor<64x64xf32>
  func.return %i, %f, %g : tensor<8xi32>, tensor<2x3xf32>, tensor<64x64xf32>
}

// -----

// x + (-0.0) is exact for floats; x + (+0.0) is not (-0.0 + 0.0 = +0.0), so it stays.
// CHECK-LABEL: func.func @add_zero_f32
// CHECK-NEXT:    %[[PZ:.*]] = tfc.constant {value = dense<0.000000e+00> : tensor<f32>}
// CHECK-NEXT:    %[[B:.*]] = tfc.add %[[X:.*]], %[[PZ]]
// CHECK-NEXT:    func.return %[[X]], %[[X]], %[[B]]
func.func @add_zero_f32(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %nz = tfc.constant {value = dense<-0.0> : tensor<8xf32>} : () -> tensor<8xf32>
  %pz = tfc.constant {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %a = tfc.add %x, %nz : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %c = tfc.add %nz, %x : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %b = tfc.add %x, %pz : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  func.return %a, %c, %b : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Integers: x + 0 and 0 + x fold, unless the zero's broadcast grows the result.
// CHECK-LABEL: func.func @add_zero_i32
// CHECK-NEXT:    %[[Z:.*]] = tfc.constant {value = dense<0> : tensor<4x8xi32>}
// CHECK-NEXT:    %[[G:.*]] = tfc.add %[[X:.*]], %[[Z]] : (tensor<8xi32>, tensor<4x8xi32>) -> tensor<4x8xi32>
// CHECK-NEXT:    func.return %[[X]], %[[X]], %[[G]]
func.func @add_zero_i32(%x: tensor<8xi32>) -> (tensor<8xi32>, tensor<8xi32>, tensor<4x8xi32>) {
  %z = tfc.constant {value = dense<0> : tensor<i32>} : () -> tensor<i32>
  %zz = tfc.constant {value = dense<0> : tensor<4x8xi32>} : () -> tensor<4x8xi32>
  %a = tfc.add %x, %z : (tensor<8xi32>, tensor<i32>) -> tensor<8xi32>
  %b = tfc.add %z, %x : (tensor<i32>, tensor<8xi32>) -> tensor<8xi32>
  %g = tfc.add %x, %zz : (tensor<8xi32>, tensor<4x8xi32>) -> tensor<4x8xi32>
  func.return %a, %b, %g : tensor<8xi32>, tensor<8xi32>, tensor<4x8xi32>
}

// -----

// x - (+0.0) folds; x - (-0.0) is x + 0.0 and stays; 0 - x is not x.
// CHECK-LABEL: func.func @sub_zero
// CHECK-DAG:     %[[NZ:.*]] = tfc.constant {value = dense<-0.000000e+00> : tensor<f32>}
// CHECK-DAG:     %[[PZ:.*]] = tfc.constant {value = dense<0.000000e+00> : tensor<f32>}
// CHECK:         %[[B:.*]] = tfc.sub %[[X:.*]], %[[NZ]]
// CHECK-NEXT:    %[[C:.*]] = tfc.sub %[[PZ]], %[[X]]
// CHECK-NEXT:    func.return %[[X]], %[[B]], %[[C]]
func.func @sub_zero(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %pz = tfc.constant {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %nz = tfc.constant {value = dense<-0.0> : tensor<f32>} : () -> tensor<f32>
  %a = tfc.sub %x, %pz : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %b = tfc.sub %x, %nz : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %c = tfc.sub %pz, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b, %c : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// x * 1, 1 * x and x / 1 are exact.
// CHECK-LABEL: func.func @mul_div_one
// CHECK-NEXT:    func.return %[[X:.*]], %[[X]], %[[X]], %[[I:.*]]
func.func @mul_div_one(%x: tensor<4xf32>, %i: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi64>) {
  %one = tfc.constant {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %ione = tfc.constant {value = dense<1> : tensor<i64>} : () -> tensor<i64>
  %a = tfc.mul %x, %one : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %b = tfc.mul %one, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %c = tfc.div %x, %one : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %d = tfc.div %i, %ione : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  func.return %a, %b, %c, %d : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi64>
}

// -----

// 1 / x is not x.
// CHECK-LABEL: func.func @one_div_x
// CHECK:         tfc.div
func.func @one_div_x(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = tfc.constant {value = dense<1.0> : tensor<4xf32>} : () -> tensor<4xf32>
  %r = tfc.div %one, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

// x * 0 folds for integers only: for floats NaN * 0, inf * 0 and -1 * 0 are not +0.0.
// CHECK-LABEL: func.func @mul_zero
// CHECK-NEXT:    %[[Z:.*]] = tfc.constant {value = dense<0.000000e+00> : tensor<f32>}
// CHECK-NEXT:    %[[F:.*]] = tfc.mul %[[X:.*]], %[[Z]] : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK-NEXT:    %[[A:.*]] = tfc.constant {value = dense<0> : tensor<4xi32>}
// CHECK-NEXT:    %[[B:.*]] = tfc.constant {value = dense<0> : tensor<4xi32>}
// CHECK-NEXT:    func.return %[[F]], %[[A]], %[[B]]
func.func @mul_zero(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>, tensor<4xi32>) {
  %z = tfc.constant {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
  %iz = tfc.constant {value = dense<0> : tensor<i32>} : () -> tensor<i32>
  %f = tfc.mul %x, %z : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %a = tfc.mul %i, %iz : (tensor<4xi32>, tensor<i32>) -> tensor<4xi32>
  %b = tfc.mul %iz, %i : (tensor<i32>, tensor<4xi32>) -> tensor<4xi32>
  func.return %f, %a, %b : tensor<4xf32>, tensor<4xi32>, tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @double_neg
// CHECK-NEXT:    %[[N:.*]] = tfc.neg %[[X:.*]] :
// CHECK-NEXT:    func.return %[[X]], %[[N]]
func.func @double_neg(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = tfc.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %b = tfc.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %c = tfc.neg %b : (tensor<4xf32>) -> tensor<4xf32>
  func.return %b, %c : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @cast_same
// CHECK-NEXT:    %[[C:.*]] = tfc.cast %[[X:.*]] {to = f16}
// CHECK-NEXT:    func.return %[[X]], %[[C]]
func.func @cast_same(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf16>) {
  %a = tfc.cast %x {to = f32} : (tensor<4xf32>) -> tensor<4xf32>
  %b = tfc.cast %x {to = f16} : (tensor<4xf32>) -> tensor<4xf16>
  func.return %a, %b : tensor<4xf32>, tensor<4xf16>
}

// -----

// Identity perm -> x; a transpose of a transpose composes (and may cancel).
// CHECK-LABEL: func.func @transposes
// CHECK-NEXT:    %[[T:.*]] = tfc.transpose %[[X:.*]] {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT:    func.return %[[X]], %[[X]], %[[T]]
func.func @transposes(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<4x2x3xf32>) {
  %id = tfc.transpose %x {perm = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %a = tfc.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %back = tfc.transpose %a {perm = array<i64: 2, 0, 1>} : (tensor<3x4x2xf32>) -> tensor<2x3x4xf32>
  %b = tfc.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
  %c = tfc.transpose %b {perm = array<i64: 1, 0, 2>} : (tensor<2x4x3xf32>) -> tensor<4x2x3xf32>
  func.return %id, %back, %c : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<4x2x3xf32>
}

// -----

// A reshape of a view (reshape, expand_dims, squeeze) is one reshape; same shape -> x.
// CHECK-LABEL: func.func @reshapes
// CHECK-NEXT:    %[[A:.*]] = tfc.reshape %[[X:.*]] {shape = array<i64: 4, 6>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
// CHECK-NEXT:    %[[B:.*]] = tfc.reshape %[[X]] {shape = array<i64: 24>} : (tensor<2x3x4xf32>) -> tensor<24xf32>
// CHECK-NEXT:    func.return %[[A]], %[[X]], %[[X]], %[[B]]
func.func @reshapes(%x: tensor<2x3x4xf32>) -> (tensor<4x6xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<24xf32>) {
  %r1 = tfc.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %r2 = tfc.reshape %r1 {shape = array<i64: 4, 6>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  %same = tfc.reshape %x {shape = array<i64: 2, 3, 4>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %back = tfc.reshape %r1 {shape = array<i64: 2, 3, 4>} : (tensor<6x4xf32>) -> tensor<2x3x4xf32>
  %e = tfc.expand_dims %x {axis = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<1x2x3x4xf32>
  %f = tfc.reshape %e {shape = array<i64: 24>} : (tensor<1x2x3x4xf32>) -> tensor<24xf32>
  func.return %r2, %same, %back, %f : tensor<4x6xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<24xf32>
}

// -----

// broadcast_to: of a splat constant -> a splat (if small: the backends store every
// element of a constant); to the same shape -> x; of a broadcast -> one.
// CHECK-LABEL: func.func @broadcasts
// CHECK-NEXT:    %[[C:.*]] = tfc.constant {value = dense<7> : tensor<1xi32>}
// CHECK-NEXT:    %[[S:.*]] = tfc.constant {value = dense<7> : tensor<4x8xi32>} : () -> tensor<4x8xi32>
// CHECK-NEXT:    %[[B:.*]] = tfc.broadcast_to %[[X:.*]] {shape = array<i64: 2, 4, 8>} : (tensor<8xi32>) -> tensor<2x4x8xi32>
// CHECK-NEXT:    %[[L:.*]] = tfc.broadcast_to %[[C]] {shape = array<i64: 64, 64>}
// CHECK-NEXT:    func.return %[[S]], %[[X]], %[[B]], %[[L]]
func.func @broadcasts(%x: tensor<8xi32>) -> (tensor<4x8xi32>, tensor<8xi32>, tensor<2x4x8xi32>, tensor<64x64xi32>) {
  %c = tfc.constant {value = dense<7> : tensor<1xi32>} : () -> tensor<1xi32>
  %s = tfc.broadcast_to %c {shape = array<i64: 4, 8>} : (tensor<1xi32>) -> tensor<4x8xi32>
  %same = tfc.broadcast_to %x {shape = array<i64: 8>} : (tensor<8xi32>) -> tensor<8xi32>
  %a = tfc.broadcast_to %x {shape = array<i64: 4, 8>} : (tensor<8xi32>) -> tensor<4x8xi32>
  %b = tfc.broadcast_to %a {shape = array<i64: 2, 4, 8>} : (tensor<4x8xi32>) -> tensor<2x4x8xi32>
  %large = tfc.broadcast_to %c {shape = array<i64: 64, 64>} : (tensor<1xi32>) -> tensor<64x64xi32>
  func.return %s, %same, %b, %large : tensor<4x8xi32>, tensor<8xi32>, tensor<2x4x8xi32>, tensor<64x64xi32>
}
