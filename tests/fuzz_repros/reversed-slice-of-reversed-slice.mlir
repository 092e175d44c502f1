// tfc fuzz reproducer: compile-error
// EXPECT: pass (was: tfc-form-kernels fused two negative-stride slices into a generic whose map (d0, d1) -> (2*d0, d1) read dim 1 of a 2x2 input over a loop of extent 1; fusion now refuses such compositions)
// failure: VerifyException: inferred input/output operand #1 has shape's dimension #1 to be 2, but found 1
// found by: python tools/fuzz.py --seed 777 --index 1194 (shrunk from 12 to 2 nodes)
// replay:   python tools/fuzz.py --replay tests/fuzz_repros/reversed-slice-of-reversed-slice.mlir
//           tfc-opt tests/fuzz_repros/reversed-slice-of-reversed-slice.mlir --emit=c
// program (tools/fuzz/program.py kinds):
//     v0 = input [2, 2] f64
//     v1 = reverse(v0) seed=514560857
//     v2 = strided_slice(v1) seed=1907598593
//     return v2
builtin.module {
  func.func @main(%in0: tensor<2x2xf64>) -> tensor<1x1xf64> {
    %0 = tfc.slice %in0 {begin = array<i64: 1, 1>, end = array<i64: -1, -1>, strides = array<i64: -1, -1>} : (tensor<2x2xf64>) -> tensor<2x2xf64>
    %1 = tfc.slice %0 {begin = array<i64: 1, 1>, end = array<i64: -1, 0>, strides = array<i64: -2, -1>} : (tensor<2x2xf64>) -> tensor<1x1xf64>
    func.return %1 : tensor<1x1xf64>
  }
}
