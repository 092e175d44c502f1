// RUN: tfc-opt %s --split-input-file --emit=kernels | filecheck %s
// RUN: tfc-opt %s --split-input-file --emit=kernels --debug-fusion -o /dev/null 2>&1 | filecheck %s --check-prefix=WHY

// What tfc-form-kernels fuses, and why it refuses: the kernels of each program,
// their kinds, and the reasons --debug-fusion prints (the same reasons are in the
// host's tfc.fusion_report).

// An elementwise chain with a splat constant, a transposed read and a broadcast
// becomes one generic: the maps are composed (x is read transposed), the
// constant 2.0 is a scalar in the body, not an argument.

// CHECK-LABEL: func.func private @k0_mul_add_tanh(
// CHECK-SAME:      %x: tensor<4x8xf32>, %y: tensor<4xf32>) -> tensor<8x4xf32> attributes {tfc.kernel, tfc.kernel_kind = "elementwise"}
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %y : tensor<4x8xf32>, tensor<4xf32>)
// CHECK:           arith.constant 2.000000e+00 : f32
// CHECK-NEXT:      arith.mulf
// CHECK-NEXT:      arith.addf
// CHECK-NEXT:      math.tanh
// CHECK-NOT:     linalg.generic
// CHECK-LABEL: func.func @main(
// CHECK-SAME:      tfc.fusion_report = ["kernel @k0_mul_add_tanh (elementwise): mul#0+transpose#1+add#2+tanh#3"]
// WHY:      [fusion] fused: mul#0 into transpose#1
// WHY-NEXT: [fusion] fused: add#2 into tanh#3
// WHY-NEXT: [fusion] fused: mul#0+transpose#1 into add#2+tanh#3
// WHY-NEXT: [fusion] kernel @k0_mul_add_tanh (elementwise): mul#0+transpose#1+add#2+tanh#3
func.func @main(%x: tensor<4x8xf32>, %y: tensor<4xf32>) -> tensor<8x4xf32> {
  %c = tfc.constant {value = dense<2.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %a = tfc.mul %x, %c : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %t = tfc.transpose %a {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  %s = tfc.add %t, %y : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32>
  %r = tfc.tanh %s : (tensor<8x4xf32>) -> tensor<8x4xf32>
  func.return %r : tensor<8x4xf32>
}

// -----

// Elementwise producers (even exp, read once per element) go into the reduction's
// body; the kernel also holds the reduction's fill.

// CHECK-LABEL: func.func private @k0_reduce_sum(
// CHECK-SAME:      attributes {tfc.kernel, tfc.kernel_kind = "reduction"}
// CHECK:         linalg.generic {{.*}} outs(%{{.*}} : tensor<4xf32>)
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%x, %y : tensor<4x8xf32>, tensor<8xf32>)
// CHECK:           arith.subf
// CHECK-NEXT:      math.exp
// CHECK-NEXT:      arith.addf
// CHECK-LABEL: func.func @main(
// CHECK-SAME:      ["kernel @k0_reduce_sum (reduction): fill#2, sub#0+exp#1+reduce_sum#3"]
// WHY: [fusion] fused: sub#0 into exp#1
// WHY: [fusion] fused: sub#0+exp#1 into reduce_sum#3
func.func @main(%x: tensor<4x8xf32>, %y: tensor<8xf32>) -> tensor<4xf32> {
  %d = tfc.sub %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %e = tfc.exp %d : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = tfc.reduce_sum %e {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

// Softmax is one row kernel: max, exp(x - max) (computed once: it has two
// readers), sum, divide, all by rows. exp(x - max) dies at the divide, which
// writes over it in place (outs(%E)), so it needs no buffer of its own.

// CHECK-LABEL: func.func private @k0_row_max_sum(%x: tensor<4x8xf32>) -> tensor<4x8xf32> attributes {tfc.kernel, tfc.kernel_kind = "row", tfc.row_dims = 1 : i64}
// CHECK:         %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>)
// CHECK:         %[[E:.*]] = linalg.generic {{.*}} ins(%x, %[[MAX]] : tensor<4x8xf32>, tensor<4x1xf32>)
// CHECK:           math.exp
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[E]] : tensor<4x8xf32>)
// CHECK:         %r = linalg.generic {{.*}} ins(%[[E]], %[[SUM]] : tensor<4x8xf32>, tensor<4x1xf32>) outs(%[[E]] : tensor<4x8xf32>)
// CHECK:           arith.divf
// CHECK:         func.return %r
// CHECK-LABEL: func.func @main(
// CHECK-SAME:      ["kernel @k0_row_max_sum (row, row_dims=1): fill#0, reduce_max#1, sub#2+exp#3, fill#4, reduce_sum#5, div#6+mul#7"]
// WHY: [fusion] not fused: sub#2+exp#3 -> reduce_sum#5: it has 2 users and it computes exp; computing it in each would duplicate that work
// WHY: [fusion] row kernel of reduce_max#1 (rows [4]): added sub#2+exp#3
// WHY: [fusion] kernel @k0_row_max_sum (row, row_dims=1)
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = tfc.softmax %x {axis = -1 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %r : tensor<4x8xf32>
}

// -----

// Layer norm over the last axis of a 3-d tensor: one row kernel over 2 row dims.
// x - mean is cheap, so both reductions recompute it; 1/sqrt(var + eps) is not
// (sqrt and divisions), so it is computed once per row, in place over var.

// CHECK-LABEL: func.func private @k0_row_sum_sum(
// CHECK-SAME:      %x: tensor<2x3x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x3x8xf32> attributes {tfc.kernel, tfc.kernel_kind = "row", tfc.row_dims = 2 : i64}
// CHECK:         %[[VAR:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %{{.*}} : tensor<2x3x8xf32>, tensor<2x3x1xf32>)
// CHECK:         %[[RS:.*]] = linalg.generic {{.*}} ins(%[[VAR]] : tensor<2x3x1xf32>) outs(%[[VAR]] : tensor<2x3x1xf32>)
// CHECK:           math.sqrt
// CHECK:         %r = linalg.generic {{.*}} affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d2)>, {{.*}} ins(%x, %{{.*}}, %[[RS]], %g, %b
// CHECK-NOT:     linalg.generic
// CHECK-LABEL: func.func @main(
// CHECK-SAME:      ["kernel @k0_row_sum_sum (row, row_dims=2): fill#0, reduce_sum#1, fill#5, div#2+sub#3+mul#4+reduce_sum#6, div#7+add#8+sqrt_div#9, div#2+sub#3+mul#10+mul#11+add#12"]
// WHY: [fusion] not fused: div#7+add#8+sqrt_div#9 -> div#2+sub#3+mul#10+mul#11+add#12: the consumer reads it broadcast (8 reads per element) and it costs 15 ops per element (cheap is <= 8); it is computed once instead
func.func @main(%x: tensor<2x3x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x3x8xf32> {
  %r = tfc.layer_norm %x, %g, %b {axis = [-1], epsilon = 1.0e-5 : f64} : (tensor<2x3x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  func.return %r : tensor<2x3x8xf32>
}

// -----

// log_softmax and softmax cross-entropy: one row kernel each. log(sum) is read
// broadcast along the row: it is computed once per row, not per element.

// CHECK-LABEL: func.func private @k0_row_max_sum(
// CHECK-SAME:      tfc.kernel_kind = "row", tfc.row_dims = 1 : i64
// CHECK-LABEL: func.func private @k1_row_max_sum_sum(
// CHECK-SAME:      -> tensor<4xf32> attributes {tfc.kernel, tfc.kernel_kind = "row", tfc.row_dims = 1 : i64}
// CHECK-LABEL: func.func @main(
// CHECK-NEXT:    func.call @k0_row_max_sum(%x)
// CHECK-NEXT:    func.call @k1_row_max_sum_sum(%x, %l)
// CHECK-NEXT:    func.return
// WHY: [fusion] not fused: log#6 -> sub#2+sub#7: the consumer reads it broadcast (8 reads per element) and it computes log; it is computed once instead
func.func @main(%x: tensor<4x8xf32>, %l: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %a = tfc.log_softmax %x {axis = -1 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %b = tfc.softmax_cross_entropy_with_logits %l, %x {axis = -1 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4xf32>
  func.return %a, %b : tensor<4x8xf32>, tensor<4xf32>
}

// -----

// matmul + bias + relu: a contraction kernel of the fill, the matmul and ONE
// epilogue generic (bias and relu merged) that reads the accumulator through the
// identity map and writes over it in place.

// CHECK-LABEL: func.func private @k0_matmul_add_cmp_select(
// CHECK-SAME:      %x: tensor<4x8xf32>, %w: tensor<8x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> attributes {tfc.kernel, tfc.kernel_kind = "contraction"}
// CHECK:         %[[FILL:.*]] = linalg.generic
// CHECK:         %m = linalg.generic {{.*}} ins(%x, %w : tensor<4x8xf32>, tensor<8x3xf32>) outs(%[[FILL]] : tensor<4x3xf32>)
// CHECK:         %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], {{.*}} ins(%m, %b : tensor<4x3xf32>, tensor<3xf32>) outs(%m : tensor<4x3xf32>)
// CHECK:           arith.addf
// CHECK:           arith.select
// CHECK:         func.return %r
// CHECK-LABEL: func.func @main(
// CHECK-SAME:      ["kernel @k0_matmul_add_cmp_select (contraction): fill#0, matmul#1, add#2+cmp_select#3"]
func.func @main(%x: tensor<4x8xf32>, %w: tensor<8x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  %m = tfc.matmul %x, %w : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %a = tfc.add %m, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %r = tfc.relu %a : (tensor<4x3xf32>) -> tensor<4x3xf32>
  func.return %r : tensor<4x3xf32>
}

// -----

// A residual add is the matmul's epilogue too. The transpose feeding the matmul
// folds into its operand map (the rhs is read as w[n, k]); a computing producer
// (exp) does not: a contraction packs its operands from memory.

// CHECK-LABEL: func.func private @k0_exp(
// CHECK-SAME:      tfc.kernel_kind = "elementwise"
// CHECK-LABEL: func.func private @k1_matmul_add(
// CHECK-SAME:      %e: tensor<4x8xf32>, %w: tensor<3x8xf32>, %res: tensor<4x3xf32>) -> tensor<4x3xf32> attributes {tfc.kernel, tfc.kernel_kind = "contraction"}
// CHECK:         %m = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%e, %w : tensor<4x8xf32>, tensor<3x8xf32>)
// CHECK:         %r = linalg.generic {{.*}} ins(%m, %res : tensor<4x3xf32>, tensor<4x3xf32>) outs(%m : tensor<4x3xf32>)
// CHECK-LABEL: func.func @main(
// WHY: [fusion] not fused: exp#0 -> transpose#1+matmul#3: transpose#1+matmul#3 is a contraction: it reads its operands from memory (packed into cache blocks), so producers other than transposes stay in their own kernels
// WHY: [fusion] kernel @k1_matmul_add (contraction): fill#2, transpose#1+matmul#3, add#4
func.func @main(%x: tensor<4x8xf32>, %w: tensor<3x8xf32>, %res: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %e = tfc.exp %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %wt = tfc.transpose %w {perm = array<i64: 1, 0>} : (tensor<3x8xf32>) -> tensor<8x3xf32>
  %m = tfc.matmul %e, %wt : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %r = tfc.add %m, %res : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  func.return %r : tensor<4x3xf32>
}

// -----

// exp has two users: computing it in both would do the exp twice, so it is not
// fused into the reduction. It is computed once, in a multi-output generic with
// its elementwise user, which writes both exp(x) and exp(x) + 1.

// CHECK-LABEL: func.func private @k0_exp_add(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) attributes {tfc.kernel, tfc.kernel_kind = "elementwise"}
// CHECK:         %e, %a = linalg.generic {{.*}} ins(%x : tensor<4x8xf32>) outs(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK:           %[[EXP:.*]] = math.exp
// CHECK:           %[[ADD:.*]] = arith.addf %[[EXP]]
// CHECK-NEXT:      linalg.yield %[[EXP]], %[[ADD]] : f32, f32
// CHECK-LABEL: func.func private @k1_reduce_sum(%e: tensor<4x8xf32>)
// CHECK-LABEL: func.func @main(
// CHECK:         %e, %a = func.call @k0_exp_add(%x)
// CHECK-NEXT:    %r = func.call @k1_reduce_sum(%e)
// WHY:      [fusion] not fused: exp#0 -> add#1: it has 2 users and it computes exp; computing it in each would duplicate that work
// WHY-NEXT: [fusion] not fused: exp#0 -> reduce_sum#3: it has 2 users and it computes exp; computing it in each would duplicate that work
// WHY-NEXT: [fusion] fused: exp#0 and add#1 into one multi-output generic
// WHY-NEXT: [fusion] not fused: exp#0+add#1 -> reduce_sum#3: it has 2 users and it computes exp; computing it in each would duplicate that work
func.func @main(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %e = tfc.exp %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %c = tfc.constant {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %a = tfc.add %e, %c : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %r = tfc.reduce_sum %e {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
  func.return %a, %r : tensor<4x8xf32>, tensor<4xf32>
}

// -----

// Two outputs over the same space that read the same input: one kernel, one
// pass over x.

// CHECK-LABEL: func.func private @k0_add_mul(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) attributes {tfc.kernel, tfc.kernel_kind = "elementwise"}
// CHECK:         %a, %b = linalg.generic {{.*}} ins(%x : tensor<4x8xf32>)
// CHECK-LABEL: func.func @main(
// CHECK:         %a, %b = func.call @k0_add_mul(%x)
// WHY: [fusion] fused: add#0 and mul#1 into one multi-output generic
func.func @main(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %c = tfc.constant {value = dense<1.000000e+00> : tensor<f32>} : () -> tensor<f32>
  %a = tfc.add %x, %c : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %b = tfc.mul %x, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %a, %b : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// Half types: fusing never drops a rounding point. Each f16 value between ops
// is still rounded (truncf) and read back (extf).

// CHECK-LABEL: func.func private @k0_exp(%x: tensor<16xf32>) -> tensor<16xf32>
// CHECK:         ^bb0(%[[V:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:      %[[H:.*]] = arith.truncf %[[V]] : f32 to f16
// CHECK-NEXT:      %[[HX:.*]] = arith.extf %[[H]] : f16 to f32
// CHECK-NEXT:      %[[E:.*]] = math.exp %[[HX]] : f32
// CHECK-NEXT:      %[[EH:.*]] = arith.truncf %[[E]] : f32 to f16
// CHECK-NEXT:      %[[EX:.*]] = arith.extf %[[EH]] : f16 to f32
// CHECK-NEXT:      linalg.yield %[[EX]] : f32
func.func @main(%x: tensor<16xf32>) -> tensor<16xf32> {
  %h = tfc.cast %x {to = f16} : (tensor<16xf32>) -> tensor<16xf16>
  %e = tfc.exp %h : (tensor<16xf16>) -> tensor<16xf16>
  %y = tfc.cast %e {to = f32} : (tensor<16xf16>) -> tensor<16xf32>
  func.return %y : tensor<16xf32>
}

// -----

// A reduction over the leading axis has no rows to share with its reader: two
// kernels, and the reason.

// CHECK-LABEL: func.func private @k0_reduce_sum(
// CHECK-SAME:      tfc.kernel_kind = "reduction"
// CHECK-LABEL: func.func private @k1_sub(
// CHECK-SAME:      tfc.kernel_kind = "elementwise"
// WHY: [fusion] not fused: reduce_sum#1 -> sub#2: no row kernel: the reduction is not over trailing dims of rows that index its result
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %m = tfc.reduce_sum %x {axes = array<i64: 0>, keepdims = true} : (tensor<4x8xf32>) -> tensor<1x8xf32>
  %r = tfc.sub %x, %m : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  func.return %r : tensor<4x8xf32>
}

// -----

// Row statistics read across rows (a reversed slice of a layer norm) keep the
// statistics out of the reader's row kernel, even when that kernel grows from a
// later reduction: it would read row 1's statistics in row 0, before computing them.

// CHECK-LABEL: func.func private @k0_row_sum_sum(
// CHECK-LABEL: func.func private @k1_row_sum(
// CHECK-SAME:      tfc.kernel_kind = "row"
// CHECK:         linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (((d0 * -1) + 1), (d1 * -1))>
// CHECK-LABEL: func.func @main(
// CHECK:         func.call @k0_row_sum_sum(
// CHECK:         func.call @k1_row_sum(
// WHY: [fusion] not fused: div#2+sub#3+mul#4+reduce_sum#6 -> {{.*}}slice#13: not in one row kernel: {{.*}}slice#13: it reads a value of the kernel through (d0, d1) -> (((d0 * -1) + 1), (d1 * -1)), not row by row
func.func @main(%x: tensor<2x1xf32>, %g: tensor<1xf32>, %b: tensor<1xf32>) -> tensor<2xf32> {
  %0 = tfc.layer_norm %x, %g, %b {epsilon = 1.000000e-05 : f64} : (tensor<2x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x1xf32>
  %1 = tfc.slice %0 {begin = array<i64: 1, 0>, end = array<i64: -1, -1>, strides = array<i64: -1, -1>} : (tensor<2x1xf32>) -> tensor<2x1xf32>
  %2 = tfc.reduce_mean %1 {axes = array<i64: 1>} : (tensor<2x1xf32>) -> tensor<2xf32>
  func.return %2 : tensor<2xf32>
}
