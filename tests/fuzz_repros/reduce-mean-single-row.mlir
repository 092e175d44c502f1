// tfc fuzz reproducer: compile-error
// EXPECT: pass (was an open bug when found: tfc-lower-to-loops crashed lowering the row kernel of reduce_mean over the last axis of a one-row tensor, 'Can't insert operation before operation not in current block'; fixed in the tree since)
// failure: ValueError: Can't insert operation before operation not in current block
// found by: python tools/fuzz.py --seed 4242 --index 42 (shrunk from 9 to 1 nodes)
// replay:   python tools/fuzz.py --replay tests/fuzz_repros/reduce-mean-single-row.mlir
//           tfc-opt tests/fuzz_repros/reduce-mean-single-row.mlir --emit=c
// program (tools/fuzz/program.py kinds):
//     v0 = input [1, 1] f32
//     v1 = reduce_mean(v0) seed=252601068
//     return v1
builtin.module {
  func.func @main(%in0: tensor<1x1xf32>) -> tensor<1x1xf32> {
    %0 = tfc.reduce_mean %in0 {axes = array<i64: 1>, keepdims = true} : (tensor<1x1xf32>) -> tensor<1x1xf32>
    func.return %0 : tensor<1x1xf32>
  }
}
