"""The Triton target: a `buffers`-level module -> one Python module of `@triton.jit` kernels.

The sibling of `c.py`, starting one level earlier: it reads `linalg.generic`s on
memrefs (not loops), because Triton wants blocks, not scalars. Each kernel
function becomes one `@triton.jit` function and a launcher; the host function
becomes `program(...)`, which slices the arena into typed views and launches
the kernels in order. `CONFIGS` lists the tunable configurations of each
kernel (the first is the default); the runtime (`tfc/runtime/gpu.py`) picks
one, tunes, and caches the choice beside the artifact.

A kernel may hold several generics (after fusion). The emitter maps every
generic's loop dims onto one set of *kernel dims* and forwards values from a
generic to its consumers in registers when the consumer reads exactly the
addresses the producer wrote; buffers nobody reads after the kernel are then
never stored. Kernel kinds:

- pointwise: generics without reductions, one flattened block per program;
- row: reductions with an associative combiner (sum, max, ...), and the
  pointwise generics before and after them over the same rows (softmax, layer
  norm, cross-entropy): `BLOCK_M` rows per program; a row that fits in one
  block is held in registers (*persistent*), a longer one is walked in
  `BLOCK_N` chunks once per reduction (*looped*), recomputing cheap producers
  rather than storing them;
- sequential: reductions with any other body (argmax): the rows are a block, the
  reduction is a loop that runs the body one column at a time;
- contraction: a generic whose body is `acc + a * b` over float16/bfloat16/float32
  with float32 accumulation (matmul, batched matmul, and conv2d as implicit
  GEMM: the output pixels are the M dims and the filter window the K dims):
  `tl.dot` over `BLOCK_M x BLOCK_N` tiles in grouped order, plus the init fill
  before it and the pointwise epilogue after it (bias, activation, residual).

A kernel whose generics cannot share one launch (a consumer reads a producer's
output at other addresses, e.g. through a transpose) is split into one
`@triton.jit` function per generic, launched in sequence: always correct,
through memory.

Block sizes: `tfc-tile` (target=gpu) writes each kernel's first choice into
its `tfc.schedule` attribute; the policy below (`GpuPolicy`) lists the other
configurations the autotuner may try, and chooses alone when a kernel has no
GPU schedule.

Layout. This is a package so that `from tfc.codegen.triton import emit_triton`
(the backend, `tfc-opt --emit=triton`, the tests) keeps working while each part
stays small; the names below are its public surface, re-exported here:

  module_writer.py   the whole module: kernels, constants, tables, `program(...)`
  kernel.py          one kernel: which kind, the kernel dims its generics share
  pointwise.py       pointwise kernels (flat blocks, 2-D tiles)
  row_reduction.py   row reductions (persistent, looped) and sequential ones
  contraction.py     tl.dot contractions with epilogues (matmul, conv as implicit GEMM)
  addresses.py       shared: kernel dims, addresses, masks, loads and stores
  values.py          shared: values of bodies, forwarded or loaded (gathers too)
  launch.py          shared: the function and launcher text
  kernel_info.py     what a buffers-level kernel holds (params, views, generics)
  body_patterns.py   reduction combiners and tl.dot contractions in bodies
  policy.py          block sizes: `GpuPolicy`, the autotuner's configurations
  source_text.py     identifiers, indentation, wrapping
  scalar_ops.py      each arith / math op as a Triton expression
"""

from __future__ import annotations

from tfc.codegen.triton.module_writer import TritonTarget, emit_triton
from tfc.codegen.triton.policy import GpuPolicy, schedule_config
from tfc.codegen.triton.scalar_ops import UnsupportedOp

__all__ = ["GpuPolicy", "TritonTarget", "UnsupportedOp", "emit_triton", "schedule_config"]
