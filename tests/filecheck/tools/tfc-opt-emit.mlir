// --emit=LEVEL lowers tfc-level input to LEVEL; --from says where the input is.

// RUN: tfc-opt %s --emit=tfc | filecheck %s --check-prefix=TFC
// TFC:     tfc.exp
// TFC-NOT: tfc.neg

// RUN: tfc-opt %s --emit=linalg | filecheck %s --check-prefix=LINALG
// LINALG:     linalg.generic
// LINALG-NOT: tfc.

// RUN: tfc-opt %s --emit=kernels | filecheck %s --check-prefix=KERNELS
// KERNELS: func.func private @k{{.*}} attributes {tfc.kernel, tfc.kernel_kind = "elementwise"}

// Starting from a later level runs only the passes after it.
// RUN: tfc-opt %s --emit=linalg | tfc-opt --from=linalg --emit=kernels --print-ir-after-all -o /dev/null 2>&1 | filecheck %s --check-prefix=FROM
// FROM-NOT:  IR Dump After canonicalize
// FROM:      IR Dump After tfc-form-kernels
// FROM-NOT:  IR Dump After

// -p runs first, then the passes --emit needs.
// RUN: tfc-opt %s -p cse --emit=tfc --print-ir-after-all -o /dev/null 2>&1 | filecheck %s --check-prefix=BOTH
// BOTH:      IR Dump After cse
// BOTH:      IR Dump After canonicalize

// RUN: tfc-opt %s --emit=c | filecheck %s --check-prefix=C
// C: int tfc_entry(void **buffers)

// RUN: not tfc-opt %s --emit=assembly 2>&1 | filecheck %s --check-prefix=BADEMIT
// BADEMIT: tfc-opt: error: unknown --emit value 'assembly'; choose from tfc, linalg, {{.*}}loops, c, triton

// RUN: not tfc-opt %s --from=loops --emit=linalg 2>&1 | filecheck %s --check-prefix=BACKWARDS
// BACKWARDS: tfc-opt: error: cannot --emit=linalg from --from=loops: the linalg level does not come after the loops level

// RUN: not tfc-opt %s --from=linalg 2>&1 | filecheck %s --check-prefix=FROMONLY
// FROMONLY: tfc-opt: error: --from only applies with --emit

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = tfc.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %b = tfc.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %r = tfc.exp %b : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
