// RUN: tfc-opt %s --split-input-file -p tfc-lower-to-loops | filecheck %s

// Kernels with a CPU `tfc.schedule` (from tfc-tile) are lowered as it says.

// Elementwise over whole buffers: both dims collapse into one loop through
// memref.collapse_shape views; the loop is strip-mined (4096) into an
// scf.parallel split over 2 threads; each strip is an `omp simd` loop (tfc.simd)
// walking 4 interleaved parts of 1024 (iteration i: elements i, i+1024, ...),
// op by op across the parts.
// CHECK-LABEL: func.func private @k0_exp(
// CHECK-DAG:     %[[C1024:.*]] = arith.constant 1024 : index
// CHECK-DAG:     %[[C4096:.*]] = arith.constant 4096 : index
// CHECK-DAG:     %[[N:.*]] = arith.constant 262144 : index
// CHECK:         %x_flat = memref.collapse_shape %x {{\[}}[0 : i64, 1 : i64]] : memref<256x1024xf32> into memref<262144xf32>
// CHECK-NEXT:    %out_flat = memref.collapse_shape %out {{\[}}[0 : i64, 1 : i64]] : memref<256x1024xf32> into memref<262144xf32>
// CHECK-NEXT:    "scf.parallel"(%{{.*}}, %[[N]], %[[C4096]])
// CHECK-NEXT:    ^{{.*}}(%[[T:.*]]: index):
// CHECK-NEXT:      %[[END:.*]] = arith.addi %[[T]], %[[C1024]] : index
// CHECK-NEXT:      scf.for %[[I:.*]] = %[[T]] to %[[END]] step %{{.*}} {
// CHECK-NEXT:        %[[I1:.*]] = arith.addi %[[I]], %[[C1024]] : index
// CHECK-NEXT:        %{{.*}} = arith.addi %[[I]]
// CHECK-NEXT:        %{{.*}} = arith.addi %[[I]]
// CHECK-NEXT:        %[[A:.*]] = memref.load %x_flat[%[[I]]] : memref<262144xf32>
// CHECK-NEXT:        %[[B:.*]] = memref.load %x_flat[%[[I1]]] : memref<262144xf32>
// CHECK-NEXT:        memref.load
// CHECK-NEXT:        memref.load
// CHECK-NEXT:        %[[EA:.*]] = math.exp %[[A]] : f32
// CHECK-NEXT:        %[[EB:.*]] = math.exp %[[B]] : f32
// CHECK-NEXT:        math.exp
// CHECK-NEXT:        math.exp
// CHECK-NEXT:        memref.store %[[EA]], %out_flat[%[[I]]] : memref<262144xf32>
// CHECK-NEXT:        memref.store %[[EB]], %out_flat[%[[I1]]] : memref<262144xf32>
// CHECK:           } {tfc.simd}
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }) {tfc.threads = 2 : i64}
// CHECK-NOT:     linalg.generic
func.func private @k0_exp(%x: memref<256x1024xf32>, %out: memref<256x1024xf32>) attributes {tfc.kernel, tfc.kernel_kind = "elementwise", tfc.schedule = {kind = "elementwise", target = "cpu", isa = "avx512", vector_width = 16 : i64, threads = 2 : i64, parallel_dims = 1 : i64, tile = [4096 : i64], interleave = 4 : i64}} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<256x1024xf32>) outs(%out : memref<256x1024xf32>) {
  ^bb0(%0: f32, %1: f32):
    %2 = math.exp %0 : f32
    linalg.yield %2 : f32
  }
  func.return
}

// -----

// A single-threaded schedule (tiny kernel) has no scf.parallel; an extent that
// does not divide into the parts gets a remainder loop.
// CHECK-LABEL: func.func private @k0_small(
// CHECK-NOT:     scf.parallel
// CHECK:         scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK:           arith.addi %[[I]]
// CHECK:         } {tfc.simd}
// CHECK-NEXT:    scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK:         } {tfc.simd}
// CHECK-NEXT:    func.return
func.func private @k0_small(%x: memref<7x11xf32>, %out: memref<7x11xf32>) attributes {tfc.kernel, tfc.schedule = {kind = "elementwise", target = "cpu", isa = "avx512", vector_width = 4 : i64, threads = 1 : i64, parallel_dims = 0 : i64, tile = [], interleave = 3 : i64}} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<7x11xf32>) outs(%out : memref<7x11xf32>) {
  ^bb0(%0: f32, %1: f32):
    %2 = math.tanh %0 : f32
    linalg.yield %2 : f32
  }
  func.return
}

// -----

// An inner reduction over long rows (more than 16384 elements): the rows are
// split over threads; the row is reduced by 4 running values (four parts of the
// row side by side, each vectorized), the first starting from the output's value,
// the others from the neutral element (-inf for a NaN-propagating max); they are
// combined after the loop. (Shorter rows fold the four into one running value in
// the loop: see tfc-lower-to-loops-row.mlir and codegen/c-schedule.mlir.)
// CHECK-LABEL: func.func private @k1_reduce_max(
// CHECK:         "scf.parallel"
// CHECK-NEXT:    ^{{.*}}(%[[R:.*]]: index):
// CHECK-NEXT:      %acc_init = memref.load %out[%[[R]]] : memref<8xf32>
// CHECK-NEXT:      %[[NINF:.*]] = arith.constant 0xff800000 : f32
// CHECK-NEXT:      %[[M0:.*]], %[[M1:.*]], %[[M2:.*]], %[[M3:.*]] = scf.for %r1 = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%acc = %acc_init, %acc_p1 = %[[NINF]], %acc_p2 = %[[NINF]], %acc_p3 = %[[NINF]]) -> (f32, f32, f32, f32) {
// CHECK:             arith.maximumf %acc, %{{.*}} : f32
// CHECK:             scf.yield
// CHECK-NEXT:      } {tfc.simd}
// CHECK-NEXT:      %[[A:.*]] = arith.maximumf %[[M0]], %[[M1]] : f32
// CHECK-NEXT:      %[[B:.*]] = arith.maximumf %[[M2]], %[[M3]] : f32
// CHECK-NEXT:      %[[ALL:.*]] = arith.maximumf %[[A]], %[[B]] : f32
// CHECK-NEXT:      memref.store %[[ALL]], %out[%[[R]]] : memref<8xf32>
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }) {tfc.threads = 2 : i64}
func.func private @k1_reduce_max(%x: memref<8x32768xf32>, %out: memref<8xf32>) attributes {tfc.kernel, tfc.kernel_kind = "reduction", tfc.schedule = {kind = "reduction", target = "cpu", isa = "avx512", vector_width = 16 : i64, threads = 2 : i64, parallel_dims = 1 : i64, tile = [], interleave = 4 : i64, reduce = "inner"}} {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%out : memref<8xf32>) {
  ^bb0(%0: f32):
    %1 = arith.constant 0xff800000 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<8x32768xf32>) outs(%out : memref<8xf32>) {
  ^bb0(%2: f32, %3: f32):
    %4 = arith.maximumf %3, %2 : f32
    linalg.yield %4 : f32
  }
  func.return
}

// -----

// An outer reduction (sum over rows into a row vector): the output is split in
// strips of 512 over the threads; inside a strip the reduced loop is outside
// and the vector loop walks the strip, reading and writing the output in place.
// CHECK-LABEL: func.func private @k2_reduce_sum(
// CHECK:         "scf.parallel"(%{{.*}}, %{{.*}}, %[[C512:.*]]) <
// CHECK-NEXT:    ^{{.*}}(%[[T:.*]]: index):
// CHECK-NEXT:      %[[END:.*]] = arith.addi %[[T]], %[[C512]] : index
// CHECK-NEXT:      scf.for %[[R:.*]] = {{.*}} {
// CHECK-NEXT:        scf.for %[[I:.*]] = %[[T]] to %[[END]] step %{{.*}} {
// CHECK-NEXT:          %[[V:.*]] = memref.load %x[%[[R]], %[[I]]] : memref<256x1024xf32>
// CHECK-NEXT:          %[[O:.*]] = memref.load %out[%[[I]]] : memref<1024xf32>
// CHECK-NEXT:          %[[S:.*]] = arith.addf %[[O]], %[[V]] : f32
// CHECK-NEXT:          memref.store %[[S]], %out[%[[I]]] : memref<1024xf32>
// CHECK-NEXT:        } {tfc.simd}
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }) {tfc.threads = 2 : i64}
func.func private @k2_reduce_sum(%x: memref<256x1024xf32>, %out: memref<1024xf32>) attributes {tfc.kernel, tfc.kernel_kind = "reduction", tfc.schedule = {kind = "reduction", target = "cpu", isa = "avx512", vector_width = 16 : i64, threads = 2 : i64, parallel_dims = 1 : i64, tile = [512 : i64], reduce = "outer"}} {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%out : memref<1024xf32>) {
  ^bb0(%0: f32):
    %1 = arith.constant 0.000000e+00 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : memref<256x1024xf32>) outs(%out : memref<1024xf32>) {
  ^bb0(%2: f32, %3: f32):
    %4 = arith.addf %3, %2 : f32
    linalg.yield %4 : f32
  }
  func.return
}

// -----

// A row kernel (softmax): one scf.parallel over the rows; in it, first a
// prefetch of the next row of the input (clamped to the last row; a private
// declaration the C target implements), then every generic's loops over the
// row in program order: fill, max (lane accumulators); exp(x - max) and the
// sum of it share one loop (the exp is stored into the output and added to the
// running sum directly: the four streams' values pairwise, then into the one
// running value; the fill of the sum moves before it; the row's max is loaded
// once, before the loop); then the division.
// CHECK:       func.func private @tfc_prefetch_0(memref<64x256xf32>, index, index) -> () attributes {tfc.intrinsic = "prefetch"}
// CHECK-LABEL: func.func private @k0_row_max_sum(
// CHECK:         "scf.parallel"
// CHECK-NEXT:    ^{{.*}}(%row: index):
// CHECK-NEXT:      %row_after = arith.addi %row, %{{.*}} : index
// CHECK-NEXT:      %next_row = arith.minsi %row_after, %{{.*}} : index
// CHECK-NEXT:      %next_x = arith.muli %next_row, %{{.*}} : index
// CHECK-NEXT:      func.call @tfc_prefetch_0(%x, %next_x, %{{.*}}) : (memref<64x256xf32>, index, index) -> ()
// CHECK:           %[[NINF:.*]] = arith.constant 0xff800000 : f32
// CHECK-NEXT:      memref.store %[[NINF]], %scratch0[%row, %{{.*}}] : memref<64x1xf32>
// CHECK:           arith.maximumf
// CHECK:           } {tfc.simd}
// CHECK:           %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      memref.store %[[ZERO]], %scratch1[%row, %{{.*}}] : memref<64x1xf32>
// CHECK:           %[[SUM0:.*]] = memref.load %scratch1[%row, %{{.*}}] : memref<64x1xf32>
// CHECK-NEXT:      %[[MAX:.*]] = memref.load %scratch0[%row, %{{.*}}] : memref<64x1xf32>
// CHECK-NEXT:      %[[NZ:.*]] = arith.constant -0.000000e+00 : f32
// CHECK-NEXT:      %{{.*}} = scf.for %[[R:.*]] = {{.*}} iter_args(%[[S:.*]] = %[[SUM0]]) -> (f32)
// CHECK:             %[[V:.*]] = memref.load %x[%row, %[[R]]] : memref<64x256xf32>
// CHECK:             %[[D:.*]] = arith.subf %[[V]], %[[MAX]] : f32
// CHECK:             %[[E:.*]] = math.exp %[[D]] : f32
// CHECK:             memref.store %[[E]], %out[%row, %[[R]]] : memref<64x256xf32>
// CHECK:             %[[E01:.*]] = arith.addf %[[E]], %{{.*}} : f32
// CHECK-NEXT:        %[[E23:.*]] = arith.addf %{{.*}}, %{{.*}} : f32
// CHECK-NEXT:        %[[EALL:.*]] = arith.addf %[[E01]], %[[E23]] : f32
// CHECK-NEXT:        %[[NEXT:.*]] = arith.addf %[[S]], %[[EALL]] : f32
// CHECK-NEXT:        scf.yield %[[NEXT]] : f32
// CHECK:           } {tfc.simd}
// CHECK:           memref.store %{{.*}}, %scratch1[%row, %{{.*}}] : memref<64x1xf32>
// CHECK:           arith.divf
// CHECK:           } {tfc.simd}
// CHECK-NEXT:      scf.reduce
// CHECK-NEXT:    }) {tfc.threads = 2 : i64}
// CHECK-NOT:     linalg.generic
func.func private @k0_row_max_sum(%x: memref<64x256xf32>, %out: memref<64x256xf32>, %scratch0: memref<64x1xf32>, %scratch1: memref<64x1xf32>) attributes {tfc.kernel, tfc.kernel_kind = "row", tfc.row_dims = 1 : i64, tfc.schedule = {kind = "row", target = "cpu", isa = "avx512", vector_width = 16 : i64, threads = 2 : i64, parallel_dims = 1 : i64, row_dims = 1 : i64, tile = [], reduce = "inner"}} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%scratch0 : memref<64x1xf32>) {
  ^bb0(%0: f32):
    %1 = arith.constant 0xff800000 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]} ins(%x : memref<64x256xf32>) outs(%scratch0 : memref<64x1xf32>) {
  ^bb0(%2: f32, %3: f32):
    %4 = arith.maximumf %3, %2 : f32
    linalg.yield %4 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %scratch0 : memref<64x256xf32>, memref<64x1xf32>) outs(%out : memref<64x256xf32>) {
  ^bb0(%5: f32, %6: f32, %7: f32):
    %8 = arith.subf %5, %6 : f32
    %9 = math.exp %8 : f32
    linalg.yield %9 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%scratch1 : memref<64x1xf32>) {
  ^bb0(%10: f32):
    %11 = arith.constant 0.000000e+00 : f32
    linalg.yield %11 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>], iterator_types = ["parallel", "reduction"]} ins(%out : memref<64x256xf32>) outs(%scratch1 : memref<64x1xf32>) {
  ^bb0(%12: f32, %13: f32):
    %14 = arith.addf %13, %12 : f32
    linalg.yield %14 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%out, %scratch1 : memref<64x256xf32>, memref<64x1xf32>) outs(%out : memref<64x256xf32>) {
  ^bb0(%15: f32, %16: f32, %17: f32):
    %18 = arith.divf %15, %16 : f32
    linalg.yield %18 : f32
  }
  func.return
}
