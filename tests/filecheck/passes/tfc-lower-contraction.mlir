// RUN: tfc-opt %s --split-input-file -p 'tfc-lower-contraction{isa=avx512 mr=4 nr=16 mc=16 nc=64 kc=32 threads=2 min_parallel_macs=100000}' | filecheck %s

// A fused contraction kernel (fill, matmul, epilogue in place over the
// accumulator): the GotoBLAS loop nest. One scf.parallel iteration per worker
// (here n is split: 96 columns -> two chunks of 48), B packed once per nc block
// for the whole K, then per (mc, kc) block (K = 48 in two equal blocks of 24)
// the MR x NR micro-kernel into the worker's accumulator block. A is row-major
// f32 (unit stride along k), so the micro-kernel reads it in place
// (`gemmd`, rows m_tile.., geometry of A) and nothing packs it. Then the
// epilogue over the finished block: bias + relu, stored once into the output.
// The fill is gone (the micro-kernel overwrites at pc == 0) and the
// accumulator is not stored. (tfc-lower-contraction-packed.mlir: packed A.)

// CHECK-DAG:   "memref.global"() <{sym_name = "tfc_contraction_packed_b_f32", type = memref<4608xf32>, initial_value, sym_visibility = "private", alignment = 64 : i64}>
// CHECK-DAG:   "memref.global"() <{sym_name = "tfc_contraction_acc_block_f32", type = memref<1536xf32>, initial_value, sym_visibility = "private", alignment = 64 : i64}>
// CHECK-DAG:   func.func private @tfc_uk_pack_b_f32_f32_16(memref<?xf32>, {{.*}}) -> () attributes {tfc.ukernel = "pack_b_f32_f32_16"
// CHECK-DAG:   func.func private @tfc_uk_gemmd_f32_4x16(index, memref<?xf32>, {{.*}}) -> () attributes {tfc.ukernel = "gemmd_f32_4x16"
// CHECK-NOT:   packed_a
// CHECK-LABEL: func.func private @k1_matmul_add_relu(
// CHECK:         %[[AB:.*]] = memref.get_global @tfc_contraction_acc_block_f32 : memref<1536xf32>
// CHECK:         %b_ptr = "memref.cast"(%b_flat) : (memref<4608xf32>) -> memref<?xf32>
// CHECK:         %acc_block_ptr = "memref.cast"(%[[AB]]) : (memref<1536xf32>) -> memref<?xf32>
// CHECK:         "scf.parallel"(%c0, %c2, %c1)
// CHECK-NEXT:    ^{{.*}}(%t: index):
// CHECK-NEXT:      %n_lo = arith.muli %t, %c48 : index
// CHECK:           %n_hi = arith.minsi %{{.*}}, %c96 : index
// CHECK:           scf.for %jc = %n_lo to %n_hi step %c48 {
// CHECK:             %nc_eff = arith.minsi
// CHECK-NEXT:        func.call @tfc_uk_pack_b_f32_f32_16(%b_ptr, %c0, %c0, %c48, %jc, %nc_eff, %c1, %c48, %c0, %c0, %c96, %c1, %c96, %c0, %c0, %c1, %packed_b_ptr, %bp_off, %c768)
// CHECK-NEXT:        scf.for %ic = %c0 to %c64 step %c16 {
// CHECK:               %mc_eff = arith.minsi
// CHECK-NEXT:          scf.for %pc = %c0 to %c48 step %c24 {
// CHECK-NEXT:            scf.for %jr = %c0 to %nc_eff step %c16 {
// CHECK:                   %b_panel = arith.addi
// CHECK-NEXT:              scf.for %ir = %c0 to %mc_eff step %c4 {
// CHECK:                     %c_tile = arith.addi %{{.*}}, %jr : index
// CHECK-NEXT:                %m_tile = arith.addi %ic, %ir : index
// CHECK-NEXT:                %m_left = arith.subi %mc_eff, %ir : index
// CHECK-NEXT:                func.call @tfc_uk_gemmd_f32_4x16(%c24, %a_ptr, %c0, %m_tile, %m_left, %pc, %c1, %c64, %c0, %c0, %c48, %c1, %c48, %c0, %c0, %c1, %packed_b_ptr, %b_panel, %acc_block_ptr, %c_tile, %c48, %c0)
// CHECK-NEXT:              }
// CHECK-NEXT:            }
// CHECK-NEXT:          }
// CHECK-NEXT:          scf.for %i = %c0 to %mc_eff step %c1 {
// CHECK-NEXT:            %m = arith.addi %ic, %i : index
// CHECK-NEXT:            scf.for %j = %c0 to %nc_eff step %c1 {
// CHECK-NEXT:              %n = arith.addi %jc, %j : index
// CHECK-NEXT:              %[[IR:.*]] = arith.muli %i, %c48 : index
// CHECK-NEXT:              %[[IO:.*]] = arith.addi %cb_off, %[[IR]] : index
// CHECK-NEXT:              %acc_at = arith.addi %[[IO]], %j : index
// CHECK-NEXT:              %acc = memref.load %[[AB]][%acc_at] : memref<1536xf32>
// CHECK-NEXT:              %c = memref.load %bias[%n] : memref<96xf32>
// CHECK-NEXT:              %zero = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:              %[[S:.*]] = arith.addf %acc, %c : f32
// CHECK-NEXT:              %r = arith.maximumf %[[S]], %zero : f32
// CHECK-NEXT:              memref.store %r, %out[%m, %n] : memref<64x96xf32>
// CHECK-NEXT:            }
// CHECK-NEXT:          }
// CHECK-NOT:     linalg.generic
// CHECK-NOT:     memref.store {{.*}} %out
// CHECK:         func.return
func.func private @k1_matmul_add_relu(%a: memref<64x48xf32>, %b: memref<48x96xf32>, %bias: memref<96xf32>, %out: memref<64x96xf32>) attributes {tfc.kernel, tfc.kernel_kind = "contraction"} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} outs(%out : memref<64x96xf32>) {
  ^bb0(%o: f32):
    %zero = arith.constant 0.000000e+00 : f32
    linalg.yield %zero : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<64x48xf32>, memref<48x96xf32>) outs(%out : memref<64x96xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%out, %bias : memref<64x96xf32>, memref<96xf32>) outs(%out : memref<64x96xf32>) {
  ^bb0(%v: f32, %c: f32, %o: f32):
    %zero = arith.constant 0.000000e+00 : f32
    %t = arith.addf %v, %c : f32
    %r = arith.maximumf %t, %zero : f32
    linalg.yield %r : f32
  }
  func.return
}

// -----

// A lone matmul kernel whose accumulator is an argument filled elsewhere (the
// unfused form), with a transposed rhs: the accumulator's old value is added
// in the epilogue and stored. B(k, n) = b[n, k]: the pack_b geometry has row
// coefficient 1 and column coefficient 13. Small: one worker, no scf.parallel.

// CHECK-LABEL: func.func private @k1_matmul(
// CHECK-NOT:     scf.parallel
// CHECK:         func.call @tfc_uk_pack_b_f32_f32_16(%b_ptr, %c0, %c0, %c13, %jc, %nc_eff, %c1, %c13, %c0, %c0, %c1, %c1, %c5, %c0, %c0, %c13, %packed_b_ptr, %c0, %c208)
// CHECK:         func.call @tfc_uk_gemmd_f32_4x16(%c13, %a_ptr,
// CHECK:         %acc = memref.load %acc_block[%acc_at] : memref<128xf32>
// CHECK-NEXT:    %init = memref.load %init0[%m, %n] : memref<7x5xf32>
// CHECK-NEXT:    %[[SUM:.*]] = arith.addf %init, %acc : f32
// CHECK-NEXT:    memref.store %[[SUM]], %init0[%m, %n] : memref<7x5xf32>
func.func private @k1_matmul(%a: memref<7x13xf32>, %b: memref<5x13xf32>, %init0: memref<7x5xf32>) attributes {tfc.kernel} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<7x13xf32>, memref<5x13xf32>) outs(%init0 : memref<7x5xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  func.return
}

// -----

// conv2d (stride 2) as an implicit GEMM with f16 operands: rows m = (n, oh, ow),
// columns k = (kh, kw, ic), where (kw, ic) is one contiguous run of 9 in both the
// input and the filter, so k has two digits: (kh: 3, coefficient 27 in the
// input, 45 in the filter) and (kw*ic: 9, coefficient 1 / 5). pack_a gathers
// the window straight from the padded input (f16 needs converting, so A is
// packed): row geometry (sizes oh=5, ow=4; coefficients 297, 2*27, 2*3).
// The epilogue splits m back into (n, oh, ow) once per row and truncates to f16.
// The f32 scratch argument is dead after the call, so it is never written.

// CHECK-LABEL: func.func private @k1_conv_copy(
// CHECK:         func.call @tfc_uk_pack_b_f16_f32_16(%f_ptr, %c0, %c0, %c27, %jc, %nc_eff, %c3, %c9, %c0, %c45, %c5, %c1, %c5, %c0, %c0, %c1, %packed_b_ptr, %c0, %c432)
// CHECK:         func.call @tfc_uk_pack_a_f16_f32_4(%in0_ptr, %c0, %ic, %mc_eff, %pc, %c27, %c5, %c4, %c297, %c54, %c6, %c3, %c9, %c0, %c27, %c1, %packed_a_ptr, %c0, %c0)
// CHECK:         func.call @tfc_uk_gemm_f32_4x16(%c27,
// CHECK:         scf.for %i = %c0 to %mc_eff step %c1 {
// CHECK-NEXT:      %m = arith.addi %ic, %i : index
// CHECK-NEXT:      %m2 = arith.remsi %m, %c4 : index
// CHECK-NEXT:      %[[Q:.*]] = arith.divsi %m, %c4 : index
// CHECK-NEXT:      %m1 = arith.remsi %[[Q]], %c5 : index
// CHECK-NEXT:      %m0 = arith.divsi %[[Q]], %c5 : index
// CHECK-NEXT:      scf.for %j = %c0 to %nc_eff step %c1 {
// CHECK-NEXT:        %n = arith.addi %jc, %j : index
// CHECK-NEXT:        %[[IR:.*]] = arith.muli %i, %c16 : index
// CHECK-NEXT:        %acc_at = arith.addi %[[IR]], %j : index
// CHECK-NEXT:        %acc = memref.load %acc_block[%acc_at] : memref<256xf32>
// CHECK-NEXT:        %[[H:.*]] = arith.truncf %acc : f32 to f16
// CHECK-NEXT:        memref.store %[[H]], %out[%m0, %m1, %m2, %n] : memref<2x5x4x5xf16>
// CHECK-NOT:     %scratch0[
func.func private @k1_conv_copy(%in0: memref<2x11x9x3xf16>, %f: memref<3x3x3x5xf16>, %out: memref<2x5x4x5xf16>, %scratch0: memref<2x5x4x5xf32>) attributes {tfc.kernel, tfc.kernel_kind = "contraction"} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%scratch0 : memref<2x5x4x5xf32>) {
  ^bb0(%0: f32):
    %1 = arith.constant 0.000000e+00 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, ((d1 * 2) + d4), ((d2 * 2) + d5), d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>, affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%in0, %f : memref<2x11x9x3xf16>, memref<3x3x3x5xf16>) outs(%scratch0 : memref<2x5x4x5xf32>) {
  ^bb0(%2: f16, %3: f16, %4: f32):
    %5 = arith.extf %2 : f16 to f32
    %6 = arith.extf %3 : f16 to f32
    %7 = arith.mulf %5, %6 : f32
    %8 = arith.addf %4, %7 : f32
    linalg.yield %8 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%scratch0 : memref<2x5x4x5xf32>) outs(%out : memref<2x5x4x5xf16>) {
  ^bb0(%9: f32, %10: f16):
    %11 = arith.truncf %9 : f32 to f16
    linalg.yield %11 : f16
  }
  func.return
}
func.func @main(%x: memref<2x11x9x3xf16>, %f: memref<3x3x3x5xf16>, %out0: memref<2x5x4x5xf16>, %arena: memref<2048xi8>) attributes {tfc.arena_size = 2048 : i64} {
  %0 = arith.constant 1216 : index
  %scratch = memref.view %arena[%0][] : memref<2048xi8> to memref<2x5x4x5xf32>
  func.call @k1_conv_copy(%x, %f, %out0, %scratch) : (memref<2x11x9x3xf16>, memref<3x3x3x5xf16>, memref<2x5x4x5xf16>, memref<2x5x4x5xf32>) -> ()
  func.return
}

// -----

// Integer matmul: no micro-kernel; the generic gets the plain loop lowering.

// CHECK-LABEL: func.func private @k1_matmul_i32(
// CHECK-NOT:     tfc_uk
// CHECK:         scf.for
// CHECK:         arith.muli %{{.*}}, %{{.*}} : i32
// CHECK-NOT:     linalg.generic
func.func private @k1_matmul_i32(%a: memref<3x4xi32>, %b: memref<4x5xi32>, %init0: memref<3x5xi32>) attributes {tfc.kernel, tfc.kernel_kind = "contraction"} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<3x4xi32>, memref<4x5xi32>) outs(%init0 : memref<3x5xi32>) {
  ^bb0(%x: i32, %y: i32, %acc: i32):
    %p = arith.muli %x, %y : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  func.return
}

// -----

// Two contraction kernels share the module's scratch buffers, sized for the
// larger one (kernels run one after another).

// CHECK:       "memref.global"() <{sym_name = "tfc_contraction_packed_b_f32", type = memref<2048xf32>
// CHECK:       "memref.global"() <{sym_name = "tfc_contraction_acc_block_f32", type = memref<256xf32>
// CHECK-NOT:   "memref.global"
// CHECK-LABEL: func.func private @k0_small(
// CHECK:         memref.get_global @tfc_contraction_packed_b_f32 : memref<2048xf32>
// CHECK-LABEL: func.func private @k1_large(
// CHECK:         memref.get_global @tfc_contraction_packed_b_f32 : memref<2048xf32>
func.func private @k0_small(%a: memref<4x8xf32>, %b: memref<8x16xf32>, %init0: memref<4x16xf32>) attributes {tfc.kernel} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<4x8xf32>, memref<8x16xf32>) outs(%init0 : memref<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  func.return
}
func.func private @k1_large(%a: memref<16x128xf32>, %b: memref<128x16xf32>, %init0: memref<16x16xf32>) attributes {tfc.kernel} {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<16x128xf32>, memref<128x16xf32>) outs(%init0 : memref<16x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  func.return
}
