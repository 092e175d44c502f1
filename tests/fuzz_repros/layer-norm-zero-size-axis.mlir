// tfc fuzz reproducer: trace-error
// EXPECT: xfail (tfc.layer_norm over a zero-size axis verifies and runs eagerly, but tfc-decompose rewrites it into tfc.reduce_mean, which rejects zero-size axes: compiling raises ShapeError)
// failure: ShapeError: tfc.reduce_mean: cannot reduce over the zero-size axis 0 of tensor<0xf32>
// found by: python tools/fuzz.py --seed 777 --index 1426 (shrunk from 5 to 2 nodes)
// replay:   python tools/fuzz.py --replay tests/fuzz_repros/layer-norm-zero-size-axis.mlir
//           tfc-opt tests/fuzz_repros/layer-norm-zero-size-axis.mlir --emit=c
// program (tools/fuzz/program.py kinds):
//     v0 = input [1] f32
//     v1 = split(v0) seed=2091680102
//     v2 = layer_norm(v1) seed=1865250002
//     return v2
builtin.module {
  func.func @main(%in0: tensor<1xf32>, %aux0: tensor<0xf32>, %aux1: tensor<0xf32>) -> tensor<0xf32> {
    %0 = tfc.slice %in0 {begin = array<i64: 0>, end = array<i64: 1>} : (tensor<1xf32>) -> tensor<1xf32>
    %1 = tfc.slice %in0 {begin = array<i64: 1>, end = array<i64: 1>} : (tensor<1xf32>) -> tensor<0xf32>
    %2 = tfc.layer_norm %1, %aux0, %aux1 : (tensor<0xf32>, tensor<0xf32>, tensor<0xf32>) -> tensor<0xf32>
    func.return %2 : tensor<0xf32>
  }
}
