// Pass pipelines: names, aliases, named pipelines, and the errors for bad ones.

// An alias and a named pipeline expand to the registry's passes.
// RUN: tfc-opt %s -p tfc-to-linalg --print-ir-after-all -o /dev/null 2>&1 | filecheck %s --check-prefix=ALIAS
// ALIAS: IR Dump After convert-tfc-to-linalg

// RUN: tfc-opt %s -p 'tfc-to-buffers,cse' --print-ir-after-all -o /dev/null 2>&1 | filecheck %s --check-prefix=NAMED
// NAMED:      IR Dump After canonicalize
// NAMED-NEXT: builtin.module
// NAMED:      IR Dump After tfc-decompose
// NAMED:      IR Dump After convert-tfc-to-linalg
// NAMED:      IR Dump After tfc-form-kernels
// NAMED:      IR Dump After tfc-bufferize
// NAMED:      IR Dump After tfc-plan-memory
// NAMED:      IR Dump After cse

// RUN: not tfc-opt %s -p tfc-form-kernel 2>&1 | filecheck %s --check-prefix=TYPO
// TYPO: tfc-opt: error: unknown pass 'tfc-form-kernel'; did you mean 'tfc-form-kernels'? (see --list-passes)

// RUN: not tfc-opt %s -p 'canonicalize,xyzzy' 2>&1 | filecheck %s --check-prefix=UNKNOWN
// UNKNOWN: tfc-opt: error: unknown pass 'xyzzy' (see --list-passes)

// RUN: not tfc-opt %s -p 'canonicalize{max-iterations=3}' 2>&1 | filecheck %s --check-prefix=NOOPT
// NOOPT: tfc-opt: error: pass 'canonicalize' takes no options, got 'max-iterations'

// RUN: not tfc-opt %s -p 'tfc-cpu{fast=true}' 2>&1 | filecheck %s --check-prefix=PIPEOPT
// PIPEOPT: tfc-opt: error: pipeline 'tfc-cpu' takes no options

// RUN: not tfc-opt %s -p 'canonicalize{' 2>&1 | filecheck %s --check-prefix=SYNTAX
// SYNTAX:      tfc-opt: error: invalid pass pipeline 'canonicalize{':
// SYNTAX-NEXT: canonicalize{
// SYNTAX-NEXT: {{^             \^}}

// RUN: tfc-opt --list-passes | filecheck %s --check-prefix=LIST
// LIST:      Passes
// LIST:        canonicalize
// LIST:        tfc-form-kernels
// LIST:      Aliases:
// LIST-NEXT:   tfc-to-linalg {{ *}}= convert-tfc-to-linalg
// LIST:      Named pipelines
// LIST:        tfc-cpu
// LIST:      Levels
// LIST:        loops
// LIST:        c {{ *}}loops level, then tfc.codegen.c.emit_c

func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = tfc.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
