// RUN: tfc-opt %s --split-input-file -p 'tfc-lower-contraction{isa=avx512 mr=4 nr=16 mc=16 nc=64 kc=32 threads=2 pack_a=1 min_parallel_macs=100000}' | filecheck %s

// pack_a=1: the classic GotoBLAS nest with A packed as well (the lowering packs
// A by itself when the micro-kernel cannot read it in place: k not contiguous,
// or f16/bf16 to convert). A fused contraction kernel (fill, matmul, epilogue in
// place over the accumulator). One scf.parallel iteration per worker
// (here n is split: 96 columns -> two chunks of 48), B packed once per nc block
// for the whole K, A per (mc, kc) block (K = 48 in two equal blocks of 24), the MR x NR micro-kernel over the
// packed panels into the worker's accumulator block, then the epilogue over the
// finished block: bias + relu, stored once into the output. The fill is gone
// (the micro-kernel overwrites at pc == 0) and the accumulator is not stored.

// CHECK-DAG:   "memref.global"() <{sym_name = "tfc_contraction_packed_a_f32", type = memref<768xf32>, initial_value, sym_visibility = "private", alignment = 64 : i64}>
// CHECK-DAG:   "memref.global"() <{sym_name = "tfc_contraction_packed_b_f32", type = memref<4608xf32>, initial_value, sym_visibility = "private", alignment = 64 : i64}>
// CHECK-DAG:   "memref.global"() <{sym_name = "tfc_contraction_acc_block_f32", type = memref<1536xf32>, initial_value, sym_visibility = "private", alignment = 64 : i64}>
// CHECK-DAG:   func.func private @tfc_uk_pack_b_f32_f32_16(memref<?xf32>, {{.*}}) -> () attributes {tfc.ukernel = "pack_b_f32_f32_16"
// CHECK-DAG:   func.func private @tfc_uk_pack_a_f32_f32_4(memref<?xf32>, {{.*}}) -> () attributes {tfc.ukernel = "pack_a_f32_f32_4"
// CHECK-DAG:   func.func private @tfc_uk_gemm_f32_4x16(index, memref<?xf32>, index, memref<?xf32>, index, memref<?xf32>, index, index, index) -> () attributes {tfc.ukernel = "gemm_f32_4x16"
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
// CHECK-NEXT:            func.call @tfc_uk_pack_a_f32_f32_4(%a_ptr, %c0, %ic, %mc_eff, %pc, %c24, %c1, %c64, %c0, %c0, %c48, %c1, %c48, %c0, %c0, %c1, %packed_a_ptr, %ap_off, %c0)
// CHECK-NEXT:            scf.for %jr = %c0 to %nc_eff step %c16 {
// CHECK:                   scf.for %ir = %c0 to %mc_eff step %c4 {
// CHECK:                     func.call @tfc_uk_gemm_f32_4x16(%c24, %packed_a_ptr, %a_panel, %packed_b_ptr, %b_panel, %acc_block_ptr, %c_tile, %c48, %pc)
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
