// RUN: xdsl-opt %s -p tfc-decompose,convert-tfc-to-linalg | filecheck %s
// RUN: xdsl-opt %s -p tfc-cpu | filecheck %s --check-prefix=CPU

// The xdsl.universe entry point (tfc/universe.py) gives xdsl-opt the tfc
// dialect, the tfc passes and the named pipelines.

// CHECK:     linalg.generic
// CHECK-NOT: tfc.exp

// CPU: memref.load
// CPU: math.exp
// CPU: func.func @main

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = tfc.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
