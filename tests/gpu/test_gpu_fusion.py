"""Kernels holding several generics, made here (with `outline_kernel`, as a fusion
pass does) so that they do not depend on what `tfc-form-kernels` chooses to fuse.

Each program's linalg ops all go into ONE kernel function; the emitter fuses
them into one launch where it can (values forwarded in registers, dead
intermediates never stored) and splits the rest into the longest runs that
fuse. Results are compared with the float64 reference; the kinds of launches
made are checked too.
"""

from __future__ import annotations

import numpy as np
import pytest

import tfc
from tests.helpers import TOL, _upcast, assert_close, poison, rand
from tfc.codegen.triton import GpuPolicy, emit_triton
from tfc.passes.form_kernels import KERNEL_OPS, describe_ops, entry_function, outline_kernel
from tfc.passes.registry import LEVELS
from tfc.pipeline import lower, run_passes
from tfc.runtime.artifact import Manifest, seal
from tfc.runtime.gpu import load_gpu
from tfc.tracing import trace_function

SMALL = GpuPolicy(max_block=16, persistent_row=16)


def run_one_kernel(tmp_path, fn, *args, policy=None):
    """All linalg ops of `fn` in one kernel function; returns the launches' kinds."""
    specs = [tfc.TensorSpec.of(a) for a in args]
    exe = tfc.compile(fn, *args)  # the reference and the signature
    module, _ = trace_function(fn, specs)
    lower(module, "linalg")
    host = entry_function(module)
    group = [op for op in host.body.block.ops if isinstance(op, KERNEL_OPS)]
    outline_kernel(group, f"k0_{describe_ops(group)}")
    run_passes(module, LEVELS["buffers"][len(LEVELS["linalg"]):])
    (tmp_path / "kernel.py").write_text(emit_triton(module, policy or GpuPolicy()))
    seal(tmp_path, Manifest.for_program([(s.name, s.shape, s.dtype.name) for s in exe.input_specs],
                                        [(s.name, s.shape, s.dtype.name) for s in exe.output_specs],
                                        target="gpu"))
    prog = load_gpu(tmp_path)
    outs = [poison(s) for s in exe.output_specs]
    prog(*args, out=outs if len(outs) > 1 else outs[0])
    ref = exe.reference(*[_upcast(a) for a in args], dtype=np.float64)
    for spec, got, want in zip(exe.output_specs, outs, (ref,) if exe.single_output else ref):
        assert_close(got, want, *TOL[spec.dtype.name], spec.dtype)
    return [kind for _, _, kind in prog.module.KERNELS.values()]


@pytest.mark.parametrize("name,fn,shapes,policy,kinds", [
    ("softmax", lambda x: tfc.softmax(x), [(5, 3)], None, ["row reduction, persistent"]),
    ("softmax looped", lambda x: tfc.softmax(x), [(5, 37)], SMALL, ["row reduction, looped"]),
    ("log_softmax axis 0", lambda x: tfc.log_softmax(x, 0), [(6, 4)], None, ["row reduction, persistent"]),
    ("layer_norm looped", lambda x, g, b: tfc.layer_norm(x, g, b), [(3, 37), (37,), (37,)], SMALL,
     ["row reduction, looped"]),
    ("matmul bias relu residual", lambda x, w, b, r: tfc.relu(tfc.matmul(x, w) + b) + r,
     [(5, 7), (7, 3), (3,), (5, 3)], SMALL, ["matmul (tl.dot)"]),
    ("conv bias relu", lambda x, f, b: tfc.relu(tfc.bias_add(tfc.conv2d(x, f, padding="VALID"), b)),
     [(1, 6, 5, 2), (3, 2, 2, 3), (3,)], None, ["contraction (tl.dot, implicit GEMM)"]),
    ("gelu chain", lambda x, a, b: tfc.gelu(x * a + b, approximate=True), [(4, 9), (9,), (4, 1)], SMALL,
     ["pointwise"]),
    ("transposed consumer", lambda x: tfc.transpose(tfc.exp(x)) + 1.0, [(4, 3)], None, ["pointwise"]),
    ("reversed consumer", lambda x: tfc.reverse(tfc.exp(x), [1]) * 2.0, [(4, 3)], None,
     ["pointwise", "pointwise"]),
    ("argmax", lambda x: tfc.argmax(x, 1), [(4, 6)], SMALL, ["sequential reduction"]),
    # Two writes of one buffer share a launch only when they cannot overlap.
    ("concat rows", lambda x, y: tfc.concat([tfc.exp(x), y * 2.0], 0), [(3, 5), (3, 5)], None, ["pointwise"]),
    ("concat columns", lambda x, y: tfc.concat([tfc.exp(x), y * 2.0], 1), [(3, 5), (3, 5)], SMALL,
     ["pointwise"]),
    ("pad", lambda x: tfc.pad(tfc.exp(x), [[1, 1], [2, 0]], constant_values=-2.5), [(3, 5)], None,
     ["pointwise"] * 3),
    ("mlp", lambda x, w1, b1, w2, b2: tfc.softmax(tfc.matmul(tfc.relu(tfc.matmul(x, w1) + b1), w2) + b2),
     [(9, 13), (13, 17), (17,), (17, 5), (5,)], None,
     ["matmul (tl.dot)", "matmul (tl.dot)", "row reduction, persistent"]),
])
def test_one_kernel(tmp_path, name, fn, shapes, policy, kinds):
    args = [rand(s, "f32", -1, 1) for s in shapes]
    assert run_one_kernel(tmp_path, fn, *args, policy=policy) == kinds
