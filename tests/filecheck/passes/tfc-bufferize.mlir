// RUN: tfc-opt %s --split-input-file -p tfc-bufferize | filecheck %s

// Kernels take (inputs..., outputs...) memrefs and return nothing. A reduction
// accumulates in place into its init argument (no new argument); the host
// computes results straight into its output buffers, and intermediates are
// memref.alloc until tfc-plan-memory places them.

// CHECK-LABEL: func.func private @k0_exp(
// CHECK-SAME:      %x: memref<4x8xf32>, %out: memref<4x8xf32>) attributes {tfc.kernel} {
// CHECK-NEXT:    linalg.generic {{.*}} ins(%x : memref<4x8xf32>) outs(%out : memref<4x8xf32>) {
// CHECK:         }
// CHECK-NEXT:    func.return
// CHECK-LABEL: func.func private @k1_fill(
// CHECK-SAME:      %out: memref<4xf32>)
// CHECK-LABEL: func.func private @k2_reduce_sum(
// CHECK-SAME:      %x: memref<4x8xf32>, %init: memref<4xf32>) attributes {tfc.kernel} {
// CHECK-NEXT:    linalg.generic {{.*}} ins(%x : memref<4x8xf32>) outs(%init : memref<4xf32>)
// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %x: memref<4x8xf32>, %out0: memref<4xf32>, %arena: memref<0xi8>) attributes {tfc.arena_size = 0 : i64} {
// CHECK-NEXT:    %[[T:.*]] = memref.alloc() {alignment = 64 : i64} : memref<4x8xf32>
// CHECK-NEXT:    func.call @k0_exp(%x, %[[T]]) : (memref<4x8xf32>, memref<4x8xf32>) -> ()
// CHECK-NEXT:    func.call @k1_fill(%out0) : (memref<4xf32>) -> ()
// CHECK-NEXT:    func.call @k2_reduce_sum(%[[T]], %out0) : (memref<4x8xf32>, memref<4xf32>) -> ()
// CHECK-NEXT:    func.return
func.func private @k0_exp(%x: tensor<4x8xf32>) -> tensor<4x8xf32> attributes {tfc.kernel} {
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = math.exp %v : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}
func.func private @k1_fill() -> tensor<4xf32> attributes {tfc.kernel} {
  %e = tensor.empty() : tensor<4xf32>
  %zero = arith.constant 0.0 : f32
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e : tensor<4xf32>) {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  } -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
func.func private @k2_reduce_sum(%x: tensor<4x8xf32>, %init: tensor<4xf32>) -> tensor<4xf32> attributes {tfc.kernel} {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
func.func @main(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %0 = func.call @k0_exp(%x) : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %1 = func.call @k1_fill() : () -> tensor<4xf32>
  %2 = func.call @k2_reduce_sum(%0, %1) : (tensor<4x8xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %2 : tensor<4xf32>
}

// -----

// Results the caller's buffer cannot simply alias are copied in by a copy
// kernel: an input returned as is, a constant, a value returned twice. Dense
// constants become memref.globals. A result returned only through a reshape is
// computed into the output buffer, viewed back to the result's shape.

// CHECK:       "memref.global"() <{sym_name = "cst0", type = memref<4xf32>, initial_value = dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>, sym_visibility = "private", constant, alignment = 64 : i64}>
// CHECK-LABEL: func.func private @k1_copy(
// CHECK-SAME:      %src: memref<4xf32>, %out: memref<4xf32>) attributes {tfc.kernel, tfc.kernel_kind = "copy"} {
// CHECK-NEXT:    linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%src : memref<4xf32>) outs(%out : memref<4xf32>)
// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %x: memref<4xf32>, %out0: memref<4xf32>, %out1: memref<4xf32>, %out2: memref<4xf32>, %out3: memref<2x2xf32>, %out4: memref<4xf32>, %arena: memref<0xi8>)
// CHECK-NEXT:    %[[V:.*]] = memref.collapse_shape %out3 {{\[\[}}0 : i64, 1 : i64]] : memref<2x2xf32> into memref<4xf32>
// CHECK-NEXT:    %c = memref.get_global @cst0 : memref<4xf32>
// CHECK-NEXT:    func.call @k0_neg(%x, %out1) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT:    func.call @k0_neg(%x, %[[V]]) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT:    func.call @k1_copy(%x, %out0) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT:    func.call @k1_copy(%out1, %out2) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT:    func.call @k1_copy(%c, %out4) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK-NEXT:    func.return
func.func private @k0_neg(%x: tensor<4xf32>) -> tensor<4xf32> attributes {tfc.kernel} {
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %r = arith.negf %v : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
func.func @main(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2x2xf32>, tensor<4xf32>) {
  %c = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = func.call @k0_neg(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = func.call @k0_neg(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = tensor.expand_shape %1 [[0, 1]] output_shape [2, 2] : tensor<4xf32> into tensor<2x2xf32>
  func.return %x, %0, %0, %2, %c : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<2x2xf32>, tensor<4xf32>
}

// -----

// A kernel that updates its init in place receives a copy when the host still
// needs the old value: here the init is an input of the program.

// CHECK-LABEL: func.func @main(
// CHECK-SAME:      %x: memref<4x8xf32>, %init: memref<4xf32>, %out0: memref<4xf32>, %arena: memref<0xi8>)
// CHECK-NEXT:    func.call @k1_copy(%init, %out0)
// CHECK-NEXT:    func.call @k0_reduce_sum(%x, %out0)
func.func private @k0_reduce_sum(%x: tensor<4x8xf32>, %init: tensor<4xf32>) -> tensor<4xf32> attributes {tfc.kernel} {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<4x8xf32>) outs(%init : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}
func.func @main(%x: tensor<4x8xf32>, %init: tensor<4xf32>) -> tensor<4xf32> {
  %0 = func.call @k0_reduce_sum(%x, %init) : (tensor<4x8xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

// Slices copy through a memref.subview; tensor.extract becomes memref.load.
// The insert's destination is an input of the program, so it is copied first.

// CHECK-LABEL: func.func private @k0_insert_slice(
// CHECK-SAME:      %b: memref<5x2xf32>, %dest: memref<5x6xf32>)
// CHECK-NEXT:    %[[SV:.*]] = memref.subview %dest[0, 4] [5, 2] [1, 1] : memref<5x6xf32> to memref<5x2xf32, strided<[6, 1], offset: 4>>
// CHECK-NEXT:    linalg.generic {{.*}} ins(%b : memref<5x2xf32>) outs(%[[SV]] : memref<5x2xf32, strided<[6, 1], offset: 4>>)
// CHECK-LABEL: func.func private @k1_extract_slice(
// CHECK-SAME:      %x: memref<10x12xf32>, %out: memref<6xf32>)
// CHECK-NEXT:    %[[SV:.*]] = memref.subview %x[4, 1] [1, 6] [1, 2] : memref<10x12xf32> to memref<6xf32, strided<[2], offset: 49>>
// CHECK-NEXT:    linalg.generic {{.*}} ins(%[[SV]] : memref<6xf32, strided<[2], offset: 49>>) outs(%out : memref<6xf32>)
// CHECK-LABEL: func.func private @k2_gather(
// CHECK-SAME:      %idx: memref<6xindex>, %table: memref<10x8xf32>, %out: memref<6x8xf32>)
// CHECK:         %v = memref.load %table[%i, %col] : memref<10x8xf32>
// CHECK-NEXT:    linalg.yield %v : f32
// CHECK-LABEL: func.func @main(
// CHECK-NEXT:    func.call @k3_copy(%d, %out0)
// CHECK-NEXT:    func.call @k0_insert_slice(%b, %out0)
// CHECK-NEXT:    func.call @k1_extract_slice(%x, %out1)
// CHECK-NEXT:    func.call @k2_gather(%idx, %t, %out2)
func.func private @k0_insert_slice(%b: tensor<5x2xf32>, %dest: tensor<5x6xf32>) -> tensor<5x6xf32> attributes {tfc.kernel} {
  %0 = tensor.insert_slice %b into %dest[0, 4] [5, 2] [1, 1] : tensor<5x2xf32> into tensor<5x6xf32>
  func.return %0 : tensor<5x6xf32>
}
func.func private @k1_extract_slice(%x: tensor<10x12xf32>) -> tensor<6xf32> attributes {tfc.kernel} {
  %0 = tensor.extract_slice %x[4, 1] [1, 6] [1, 2] : tensor<10x12xf32> to tensor<6xf32>
  func.return %0 : tensor<6xf32>
}
func.func private @k2_gather(%idx: tensor<6xindex>, %table: tensor<10x8xf32>) -> tensor<6x8xf32> attributes {tfc.kernel} {
  %e = tensor.empty() : tensor<6x8xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%idx : tensor<6xindex>) outs(%e : tensor<6x8xf32>) {
  ^bb0(%i: index, %o: f32):
    %col = linalg.index 1 : index
    %v = tensor.extract %table[%i, %col] : tensor<10x8xf32>
    linalg.yield %v : f32
  } -> tensor<6x8xf32>
  func.return %0 : tensor<6x8xf32>
}
func.func @main(%b: tensor<5x2xf32>, %d: tensor<5x6xf32>, %x: tensor<10x12xf32>, %idx: tensor<6xindex>, %t: tensor<10x8xf32>) -> (tensor<5x6xf32>, tensor<6xf32>, tensor<6x8xf32>) {
  %d2 = func.call @k0_insert_slice(%b, %d) : (tensor<5x2xf32>, tensor<5x6xf32>) -> tensor<5x6xf32>
  %s = func.call @k1_extract_slice(%x) : (tensor<10x12xf32>) -> tensor<6xf32>
  %g = func.call @k2_gather(%idx, %t) : (tensor<6xindex>, tensor<10x8xf32>) -> tensor<6x8xf32>
  func.return %d2, %s, %g : tensor<5x6xf32>, tensor<6xf32>, tensor<6x8xf32>
}
