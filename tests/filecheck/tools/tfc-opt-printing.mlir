// RUN: tfc-opt %s --print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: tfc-opt %s --mlir-print-op-generic | filecheck %s --check-prefix=GENERIC
// RUN: tfc-opt %s --print-op-generic | tfc-opt | filecheck %s --check-prefix=CUSTOM
// RUN: tfc-opt %s --print-debuginfo | filecheck %s --check-prefix=LOC
// RUN: cat %s | tfc-opt - --print-debuginfo | filecheck %s --check-prefix=STDIN
// RUN: not tfc-opt %s.missing 2>&1 | filecheck %s --check-prefix=MISSING

// GENERIC: %{{.*}} = "tfc.exp"(%{{.*}}) : (tensor<4xf32>) -> tensor<4xf32>
// CUSTOM:  %{{.*}} = tfc.exp %{{.*}} : (tensor<4xf32>) -> tensor<4xf32>

// Ops without loc(...) get their position in the input; explicit ones are kept.
// LOC:   tfc.exp %{{.*}} loc("{{.*}}tfc-opt-printing.mlir":[[# @LINE + 5]]:8)
// LOC:   tfc.neg %{{.*}} loc("model.py":3:9)
// STDIN: tfc.exp %{{.*}} loc("<stdin>":[[# @LINE + 3]]:8)
// MISSING: tfc-opt: error: cannot read '{{.*}}tfc-opt-printing.mlir.missing': No such file or directory
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = tfc.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  %s = tfc.neg %r : (tensor<4xf32>) -> tensor<4xf32> loc("model.py":3:9)
  func.return %s : tensor<4xf32>
}
