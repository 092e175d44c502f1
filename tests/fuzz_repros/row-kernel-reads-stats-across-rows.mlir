// tfc fuzz reproducer: mismatch
// EXPECT: pass (was: a row kernel grown from a later reduction took in the layer norm's row statistics after the reversed read of them had been admitted, so row 0 read row 1's statistics before they were computed: wrong values; row kernels now re-check every member when they grow)
// failure: (out=) output 0 tensor<2xf32>: 1/2 elements off (tol 0.0002 x scale 1); first at (0,): got -335.3067321777344, want 0.24436888098716736; max err 336
// found by: python tools/fuzz.py --seed 20261121 --index 2106 (shrunk from 11 to 3 nodes)
// replay:   python tools/fuzz.py --replay tests/fuzz_repros/row-kernel-reads-stats-across-rows.mlir
//           tfc-opt tests/fuzz_repros/row-kernel-reads-stats-across-rows.mlir --emit=c
// program (tools/fuzz/program.py kinds):
//     v0 = input [2, 1] f32
//     v1 = layer_norm(v0) seed=1570510296
//     v2 = reverse(v1) seed=230930144
//     v3 = reduce_mean(v2) seed=1737158934
//     return v3
builtin.module {
  func.func @main(%in0: tensor<2x1xf32>, %aux0: tensor<1xf32>, %aux1: tensor<1xf32>) -> tensor<2xf32> {
    %0 = tfc.layer_norm %in0, %aux0, %aux1 {epsilon = 1.000000e-05 : f64} : (tensor<2x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x1xf32>
    %1 = tfc.slice %0 {begin = array<i64: 1, 0>, end = array<i64: -1, -1>, strides = array<i64: -1, -1>} : (tensor<2x1xf32>) -> tensor<2x1xf32>
    %2 = tfc.reduce_mean %1 {axes = array<i64: 1>} : (tensor<2x1xf32>) -> tensor<2xf32>
    func.return %2 : tensor<2xf32>
  }
}
