// RUN: tfc-opt %s --split-input-file --from=kernels --emit=triton | filecheck %s

// An embedding lookup: the index is clamped in the body and becomes an
// address; the table row is loaded under the block's mask.

// CHECK:      def k0_gather(ids_ptr, table_ptr, out_ptr, n_elements, stride_ids0, stride_ids1, stride_table0,
// CHECK-NEXT:               stride_table1, BLOCK_SIZE: tl.constexpr):
// CHECK-NEXT:     """k0_gather: pointwise.
// CHECK:          generics: gather[2x5x4]
// CHECK:          i0 = offs // 20
// CHECK-NEXT:     i1 = (offs // 4) % 5
// CHECK-NEXT:     i2 = offs % 4
// CHECK-NEXT:     ids = tl.load(ids_ptr + i0 * stride_ids0 + i1 * stride_ids1, mask=mask, other=0)
// CHECK-NEXT:     extsi = ids.to(tl.int64)
// CHECK-NEXT:     maxsi = tl.maximum(extsi, 0)
// CHECK-NEXT:     minsi = tl.minimum(maxsi, 5)
// CHECK-NEXT:     index_cast = minsi.to(tl.int64)
// CHECK-NEXT:     table = tl.load(table_ptr + index_cast * stride_table0 + i2 * stride_table1, mask=mask, other=0.0)
// CHECK-NEXT:     tl.store(out_ptr + offs, table, mask=mask)

func.func private @k0_gather(%ids: tensor<2x5xi32>, %table: tensor<6x4xf32>) -> tensor<2x5x4xf32> attributes {tfc.kernel, tfc.ops = ["gather"]} {
  %e = tensor.empty() : tensor<2x5x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]} ins(%ids : tensor<2x5xi32>) outs(%e : tensor<2x5x4xf32>) {
  ^bb0(%i: i32, %o: f32):
    %i64 = arith.extsi %i : i32 to i64
    %lo = arith.constant 0 : i64
    %c = arith.maxsi %i64, %lo : i64
    %hi = arith.constant 5 : i64
    %d = arith.minsi %c, %hi : i64
    %row = arith.index_cast %d : i64 to index
    %col = linalg.index 2 : index
    %v = tensor.extract %table[%row, %col] : tensor<6x4xf32>
    linalg.yield %v : f32
  } -> tensor<2x5x4xf32>
  func.return %y : tensor<2x5x4xf32>
}
func.func @main(%table: tensor<6x4xf32>, %ids: tensor<2x5xi32>) -> tensor<2x5x4xf32> {
  %0 = func.call @k0_gather(%ids, %table) : (tensor<2x5xi32>, tensor<6x4xf32>) -> tensor<2x5x4xf32>
  func.return %0 : tensor<2x5x4xf32>
}

// -----

// The second generic reads the first one's result reversed along a dim:
// other addresses than a program computed, so they cannot share one launch.
// The kernel becomes two launches that pass the intermediate through its
// arena buffer; a dense constant of the kernel is a launch argument too.

// CHECK:      CONSTANTS = {
// CHECK-NEXT:     'cst0': (torch.float32, [6], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
// CHECK:      def k0_exp_reverse_0(x_ptr, scratch0_ptr, cst0_ptr, n_elements, stride_cst00,
// CHECK:          cst0 = tl.load(cst0_ptr + i1 * stride_cst00, mask=mask, other=0.0)
// CHECK-NEXT:     mulf = exp * cst0
// CHECK-NEXT:     tl.store(scratch0_ptr + offs, mulf, mask=mask)
// CHECK:      def k0_exp_reverse_1(out_ptr, scratch0_ptr, n_elements, stride_scratch00, stride_scratch01,
// CHECK:          scratch0 = tl.load(scratch0_ptr + i0 * stride_scratch00 + (i1 * -1 + 5) * stride_scratch01, mask=mask, other=0.0)
// CHECK-NEXT:     tl.store(out_ptr + offs, scratch0, mask=mask)
// CHECK:      def program(x, out0, arena, consts, launch):
// CHECK:          scratch = arena[0:96].view(torch.float32)  # f32[4x6]
// CHECK-NEXT:     launch('k0_exp_reverse_0', x, scratch, consts['cst0'])
// CHECK-NEXT:     launch('k0_exp_reverse_1', out0, scratch)

func.func private @k0_exp_reverse(%x: tensor<4x6xf32>) -> tensor<4x6xf32> attributes {tfc.kernel} {
  %scale = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]> : tensor<6xf32>
  %e0 = tensor.empty() : tensor<4x6xf32>
  %e1 = tensor.empty() : tensor<4x6xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %scale : tensor<4x6xf32>, tensor<6xf32>) outs(%e0 : tensor<4x6xf32>) {
  ^bb0(%v: f32, %s: f32, %o: f32):
    %e = math.exp %v : f32
    %m = arith.mulf %e, %s : f32
    linalg.yield %m : f32
  } -> tensor<4x6xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, 5 - d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%t : tensor<4x6xf32>) outs(%e1 : tensor<4x6xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  } -> tensor<4x6xf32>
  func.return %y : tensor<4x6xf32>
}
func.func @main(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %0 = func.call @k0_exp_reverse(%x) : (tensor<4x6xf32>) -> tensor<4x6xf32>
  func.return %0 : tensor<4x6xf32>
}

// -----

// A `tfc.schedule` (from tfc-tile) names the default configuration; the
// policy's other configurations stay available to the autotuner.

// CHECK:      CONFIGS = {
// CHECK-NEXT:     'k0_neg': [
// CHECK-NEXT:         dict(BLOCK_SIZE=256, num_warps=2),
// CHECK-NEXT:         dict(BLOCK_SIZE=1024, num_warps=4),

func.func private @k0_neg(%x: tensor<5000xf32>) -> tensor<5000xf32> attributes {tfc.kernel, tfc.schedule = {gpu = {BLOCK_SIZE = 256 : i64, num_warps = 2 : i64}}} {
  %e = tensor.empty() : tensor<5000xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<5000xf32>) outs(%e : tensor<5000xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  } -> tensor<5000xf32>
  func.return %y : tensor<5000xf32>
}
func.func @main(%x: tensor<5000xf32>) -> tensor<5000xf32> {
  %0 = func.call @k0_neg(%x) : (tensor<5000xf32>) -> tensor<5000xf32>
  func.return %0 : tensor<5000xf32>
}
