// RUN: tfc-opt %s --split-input-file -p tfc-lower-to-loops | filecheck %s

// Elementwise: the parallel dims but the innermost form an scf.parallel, the
// innermost (the output's contiguous dim) an scf.for. Broadcast operands load
// with constant indices; the body is copied between loads and the store.

// CHECK-LABEL: func.func private @k0_add(
// CHECK-SAME:      %a: memref<4x8xf32>, %b: memref<4x1xf32>, %out: memref<4x8xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:     %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG:     %[[C8:.*]] = arith.constant 8 : index
// CHECK:         "scf.parallel"(%[[C0]], %[[C4]], %[[C1]])
// CHECK-NEXT:    ^{{.*}}(%[[I:.*]]: index):
// CHECK-NEXT:      scf.for %[[J:.*]] = %[[C0]] to %[[C8]] step %[[C1]] {
// CHECK-NEXT:        %x = memref.load %a[%[[I]], %[[J]]] : memref<4x8xf32>
// CHECK-NEXT:        %y = memref.load %b[%[[I]], %[[C0]]] : memref<4x1xf32>
// CHECK-NEXT:        %s = arith.addf %x, %y : f32
// CHECK-NEXT:        memref.store %s, %out[%[[I]], %[[J]]] : memref<4x8xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.reduce
// CHECK-NOT:     linalg.generic
func.func private @k0_add(%a: memref<4x8xf32>, %b: memref<4x1xf32>, %out: memref<4x8xf32>) attributes {tfc.kernel} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a, %b : memref<4x8xf32>, memref<4x1xf32>) outs(%out : memref<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  func.return
}

// -----

// Reductions are innermost and carry the running value in iter_args: one load
// of the init before, one store after. Here the reduced dim is d0 and the
// parallel one d1, so the loops are swapped relative to the map's dim order.

// CHECK-LABEL: func.func private @k0_reduce_max(
// CHECK:         "scf.parallel"
// CHECK-NEXT:    ^{{.*}}(%[[I1:.*]]: index):
// CHECK-NEXT:      %[[INIT:.*]] = memref.load %init[%[[I1]]] : memref<8xf32>
// CHECK-NEXT:      %[[R:.*]] = scf.for %[[R0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32) {
// CHECK-NEXT:        %x = memref.load %a[%[[R0]], %[[I1]]] : memref<6x8xf32>
// CHECK-NEXT:        %m = arith.maximumf %[[ACC]], %x : f32
// CHECK-NEXT:        scf.yield %m : f32
// CHECK-NEXT:      }
// CHECK-NEXT:      memref.store %[[R]], %init[%[[I1]]] : memref<8xf32>
func.func private @k0_reduce_max(%a: memref<6x8xf32>, %init: memref<8xf32>) attributes {tfc.kernel} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%a : memref<6x8xf32>) outs(%init : memref<8xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %m = arith.maximumf %acc, %x : f32
    linalg.yield %m : f32
  }
  func.return
}

// -----

// Matmul: i in the scf.parallel, j in an scf.for, k the reduction loop.

// CHECK-LABEL: func.func private @k0_matmul(
// CHECK:         "scf.parallel"
// CHECK-NEXT:    ^{{.*}}(%[[I:.*]]: index):
// CHECK-NEXT:      scf.for %[[J:.*]] = {{.*}} {
// CHECK-NEXT:        %[[C:.*]] = memref.load %c[%[[I]], %[[J]]]
// CHECK-NEXT:        %{{.*}} = scf.for %[[K:.*]] = {{.*}} iter_args(%{{.*}} = %[[C]]) -> (f32) {
// CHECK-NEXT:          memref.load %a[%[[I]], %[[K]]]
// CHECK-NEXT:          memref.load %b[%[[K]], %[[J]]]
func.func private @k0_matmul(%a: memref<3x5xf32>, %b: memref<5x7xf32>, %c: memref<3x7xf32>) attributes {tfc.kernel} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<3x5xf32>, memref<5x7xf32>) outs(%c : memref<3x7xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  func.return
}

// -----

// linalg.index is the loop's induction variable; index expressions in maps
// (a strided window here) become arith ops.

// CHECK-LABEL: func.func private @k0_window(
// CHECK:         "scf.parallel"
// CHECK-NEXT:    ^{{.*}}(%[[I:.*]]: index):
// CHECK-NEXT:      scf.for %[[J:.*]] = {{.*}} {
// CHECK-NEXT:        %[[M:.*]] = arith.muli %[[I]], %{{.*}} : index
// CHECK-NEXT:        %[[A:.*]] = arith.addi %[[M]], %[[J]] : index
// CHECK-NEXT:        %x = memref.load %a[%[[A]]] : memref<20xf32>
// CHECK-NEXT:        %ji = arith.index_cast %[[J]] : index to i64
func.func private @k0_window(%a: memref<20xf32>, %out: memref<4x3xf32>, %idx: memref<4x3xi64>) attributes {tfc.kernel} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 * 4 + d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%a : memref<20xf32>) outs(%out, %idx : memref<4x3xf32>, memref<4x3xi64>) {
  ^bb0(%x: f32, %o: f32, %oi: i64):
    %j = linalg.index 1 : index
    %ji = arith.index_cast %j : index to i64
    linalg.yield %x, %ji : f32, i64
  }
  func.return
}

// -----

// A full reduction to a rank-0 buffer has no parallel loop at all.

// CHECK-LABEL: func.func private @k0_sum_all(
// CHECK-NOT:     scf.parallel
// CHECK:         %[[INIT:.*]] = memref.load %init[] : memref<f32>
// CHECK-NEXT:    %[[R:.*]] = scf.for {{.*}} iter_args(%[[A0:.*]] = %[[INIT]]) -> (f32) {
// CHECK-NEXT:      %[[R2:.*]] = scf.for {{.*}} iter_args(%[[A1:.*]] = %[[A0]]) -> (f32) {
// CHECK:             scf.yield
// CHECK:           scf.yield %[[R2]] : f32
// CHECK:         memref.store %[[R]], %init[] : memref<f32>
func.func private @k0_sum_all(%a: memref<6x8xf32>, %init: memref<f32>) attributes {tfc.kernel} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%a : memref<6x8xf32>) outs(%init : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  }
  func.return
}
