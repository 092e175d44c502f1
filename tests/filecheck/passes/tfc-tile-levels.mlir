// RUN: tfc-opt %s --emit=tiled | filecheck %s
// RUN: tfc-opt %s --emit=tiled | tfc-opt --from=tiled --emit=c | filecheck %s --check-prefix=C

// The `tiled` level sits between kernels and buffers: --emit=tiled prints the
// kernels with their schedules (the defaults for this machine), and the rest
// of the pipeline continues from it.

// CHECK-LABEL: func.func private @k0_{{.*}}(%x: tensor<8x16xf32>)
// CHECK-SAME:    tfc.kernel_kind = "row"
// CHECK-SAME:    tfc.schedule = {kind = "row", target = "cpu", isa = "{{avx512|avx2|scalar}}", vector_width = {{[0-9]+}} : i64, threads = 1 : i64, parallel_dims = 0 : i64, row_dims = 1 : i64
// CHECK:         linalg.generic
// CHECK-LABEL: func.func @main(

// C:           schedule: row, 1 thread, parallel_dims 0, row_dims 1
// C:           int tfc_entry(void **buffers) {
func.func @main(%x: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %0 = tfc.softmax %x {axis = -1} : (tensor<8x16xf32>) -> tensor<8x16xf32>
  func.return %0 : tensor<8x16xf32>
}
