// tfc fuzz regression: outputs that are an input, the same value twice, a rank-0 operand broadcast
// EXPECT: pass
// replay:   python tools/fuzz.py --replay tests/fuzz_repros/edge-outputs.mlir
// program (tools/fuzz/program.py kinds):
//     v0 = input [3, 1, 5] f32
//     v1 = input [] f32
//     v2 = add(v0, v1) seed=1
//     v3 = broadcast_to(v2) seed=3
//     v4 = reduce_sum(v3) seed=11
//     v5 = softmax(v3) seed=5
//     return v4, v0, v4, v5
builtin.module {
  func.func @main(%in0: tensor<3x1x5xf32>, %in1: tensor<f32>) -> (tensor<1x1x1x1xf32>, tensor<3x1x5xf32>, tensor<1x1x1x1xf32>, tensor<1x3x7x5xf32>) {
    %0 = tfc.add %in0, %in1 : (tensor<3x1x5xf32>, tensor<f32>) -> tensor<3x1x5xf32>
    %1 = tfc.broadcast_to %0 {shape = array<i64: 1, 3, 7, 5>} : (tensor<3x1x5xf32>) -> tensor<1x3x7x5xf32>
    %2 = tfc.reduce_sum %1 {keepdims = true} : (tensor<1x3x7x5xf32>) -> tensor<1x1x1x1xf32>
    %3 = tfc.log_softmax %1 {axis = 0 : i64} : (tensor<1x3x7x5xf32>) -> tensor<1x3x7x5xf32>
    func.return %2, %in0, %2, %3 : tensor<1x1x1x1xf32>, tensor<3x1x5xf32>, tensor<1x1x1x1xf32>, tensor<1x3x7x5xf32>
  }
}
