// RUN: tfc-opt %s --split-input-file -p 'tfc-form-kernels{fuse=false}' | filecheck %s

// Outlining, one op per kernel (fuse=false; fusion: tfc-form-kernels-fusion.mlir).
// Each generic becomes a private kernel over tensors, with its kind. Scalar
// constants and tensor.empty are cloned into the kernel; dense constants stay
// in the host and are passed in. A reduction's init (its fill) is an argument
// placed last. The host records which ops went into which kernel.

// CHECK-LABEL: func.func private @k0_add(
// CHECK-SAME:      %a: tensor<4x8xf32>, %cst: tensor<8xf32>) -> tensor<4x8xf32> attributes {tfc.kernel, tfc.kernel_kind = "elementwise"} {
// CHECK-NEXT:    %e = tensor.empty() : tensor<4x8xf32>
// CHECK-NEXT:    %0 = linalg.generic
// CHECK:         func.return %0 : tensor<4x8xf32>
// CHECK-LABEL: func.func private @k1_fill() -> tensor<4xf32> attributes {tfc.kernel, tfc.kernel_kind = "elementwise"} {
// CHECK-NEXT:    %e2 = tensor.empty() : tensor<4xf32>
// CHECK-NEXT:    %zero = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:    %f = linalg.generic
// CHECK-LABEL: func.func private @k2_reduce_sum(
// CHECK-SAME:      %[[X:.*]]: tensor<4x8xf32>, %[[INIT:.*]]: tensor<4xf32>) -> tensor<4xf32> attributes {tfc.kernel, tfc.kernel_kind = "reduction"} {
// CHECK-NOT:     tensor.empty
// CHECK:         linalg.generic {{.*}} ins(%[[X]] : tensor<4x8xf32>) outs(%[[INIT]] : tensor<4xf32>)
// CHECK-LABEL: func.func @main(
// CHECK-SAME:      tfc.fusion_report = ["kernel @k0_add (elementwise): add#0", "kernel @k1_fill (elementwise): fill#1", "kernel @k2_reduce_sum (reduction): reduce_sum#2"]
// CHECK-NEXT:    %cst = arith.constant dense<{{.*}}> : tensor<8xf32>
// CHECK-NEXT:    %0 = func.call @k0_add(%a, %cst) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT:    %f = func.call @k1_fill() : () -> tensor<4xf32>
// CHECK-NEXT:    %r = func.call @k2_reduce_sum(%0, %f) : (tensor<4x8xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK-NEXT:    func.return %0, %r : tensor<4x8xf32>, tensor<4xf32>
func.func @main(%a: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
  %cst = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a, %cst : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<4xf32>
  %zero = arith.constant 0.0 : f32
  %f = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e2 : tensor<4xf32>) {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  } -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%0 : tensor<4x8xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  func.return %0, %r : tensor<4x8xf32>, tensor<4xf32>
}

// -----

// Slices are kernels too: a concat is a chain of insert_slice kernels, each
// after the first updating its destination (the last argument). Reshapes stay
// in the host. A generic whose result nobody uses is dropped.

// CHECK-LABEL: func.func private @k0_insert_slice(%a: tensor<3x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT:    %e = tensor.empty() : tensor<8x4xf32>
// CHECK-NEXT:    %0 = tensor.insert_slice %a into %e[0, 0] [3, 4] [1, 1]
// CHECK-LABEL: func.func private @k1_insert_slice(
// CHECK-SAME:      %b: tensor<5x4xf32>, %[[DEST:.*]]: tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK-NEXT:    %{{.*}} = tensor.insert_slice %b into %[[DEST]][3, 0] [5, 4] [1, 1]
// CHECK-LABEL: func.func private @k2_extract_slice(
// CHECK-SAME:      %[[SRC:.*]]: tensor<32xf32>) -> tensor<4xf32>
// CHECK-NEXT:    %{{.*}} = tensor.extract_slice %[[SRC]][2] [4] [3]
// CHECK-LABEL: func.func @main(
// CHECK-NEXT:    %[[C0:.*]] = func.call @k0_insert_slice(%a)
// CHECK-NEXT:    %[[C1:.*]] = func.call @k1_insert_slice(%b, %[[C0]])
// CHECK-NEXT:    %flat = tensor.collapse_shape %[[C1]]
// CHECK-NEXT:    %[[C2:.*]] = func.call @k2_extract_slice(%flat)
// CHECK-NEXT:    func.return %[[C2]]
// CHECK-NOT:   @k3
func.func @main(%a: tensor<3x4xf32>, %b: tensor<5x4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<8x4xf32>
  %0 = tensor.insert_slice %a into %e[0, 0] [3, 4] [1, 1] : tensor<3x4xf32> into tensor<8x4xf32>
  %1 = tensor.insert_slice %b into %0[3, 0] [5, 4] [1, 1] : tensor<5x4xf32> into tensor<8x4xf32>
  %flat = tensor.collapse_shape %1 [[0, 1]] : tensor<8x4xf32> into tensor<32xf32>
  %2 = tensor.extract_slice %flat[2] [4] [3] : tensor<32xf32> to tensor<4xf32>
  %e3 = tensor.empty() : tensor<4xf32>
  %dead = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%2 : tensor<4xf32>) outs(%e3 : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  func.return %2 : tensor<4xf32>
}

// -----

// Front-end op names (tfc.op) name the kernel and are recorded on it.

// CHECK-LABEL: func.func private @k0_relu(%x: tensor<16xf32>) -> tensor<16xf32> attributes {tfc.kernel, tfc.ops = ["relu"], tfc.kernel_kind = "elementwise"}
func.func @main(%x: tensor<16xf32>) -> tensor<16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x : tensor<16xf32>) outs(%e : tensor<16xf32>) attrs = {tfc.op = "relu"} {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  } -> tensor<16xf32>
  func.return %0 : tensor<16xf32>
}
