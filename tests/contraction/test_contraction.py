"""The blocked matmul / conv2d lowering against the float64 oracle.

Sizes that divide no block size, several blocks in every loop (small forced
blocks), every transpose, batch broadcasting, fused-style epilogues, the
implicit-GEMM convolution in all its window shapes, and half / double inputs.
Outputs are poisoned before each run (tests/helpers.check_compiled).
"""

from __future__ import annotations

import pathlib
import re
import sys

import numpy as np
import pytest

try:
    from tests.helpers import check_compiled, rand
except ImportError:  # plain `pytest` does not put the repository root on sys.path
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
    from tests.helpers import check_compiled, rand

import tfc
from tests.contraction.harness import Scheduled, compile_blocked
from tfc.codegen.c_ukernels import ukernel_source
from tfc.passes.lower_contraction import analyze, default_schedule, make_plan

# Small blocks: several mc/nc/kc blocks and ragged edges even for small sizes.
TINY = dict(mr=4, nr=16, mc=8, nc=32, kc=5, threads=2, min_parallel_macs=0)  # parallel even when tiny
PACKED = dict(TINY, pack_a=1)   # A packed even where the micro-kernel could read it in place


def gemm_calls(source: str) -> int:
    """Call sites of micro-kernels (packed-A `gemm_*` or in-place-A `gemmd_*`)."""
    return len(re.findall(r"^\s*tfc_uk_gemmd?_\w+\(", source, re.M))


def blocked(fn, *args, k=None, **schedule):
    """Compile through the blocked lowering (default or given schedule) and check it.

    `k`: the longest reduction; f32 sums of k products of values in [-2, 2]
    carry rounding errors ~ sqrt(k) ulps of the partial sums, so atol grows
    with it (an indexing bug is off by O(1), far above this)."""
    exe = Scheduled(fn, *args, **schedule) if schedule else compile_blocked(fn, *args)
    assert gemm_calls(exe.source), "the contraction was not lowered to the blocked GEMM"
    dtype = exe.output_specs[0].dtype.name
    tol = (2e-5, 1.2e-5 * np.sqrt(k)) if k and dtype == "f32" else None
    check_compiled(fn, *args, exe=exe, tol=tol)
    return exe


def _t(x):
    return np.ascontiguousarray(np.swapaxes(x, -1, -2))


# --- matmul ---------------------------------------------------------------------------

SIZES = [(1, 1, 1), (7, 13, 5), (65, 129, 33), (300, 257, 130), (33, 1, 70)]


@pytest.mark.parametrize("m,k,n", SIZES)
def test_matmul_odd_sizes_default_schedule(m, k, n):
    blocked(lambda a, b: tfc.matmul(a, b), rand((m, k)), rand((k, n)), k=k)


@pytest.mark.parametrize("m,k,n", SIZES[1:4])
@pytest.mark.parametrize("schedule", [TINY, PACKED, dict(pack_a=1)], ids=["tiny", "packed", "default-packed"])
def test_matmul_odd_sizes_tiny_blocks(m, k, n, schedule):
    exe = blocked(lambda a, b: tfc.matmul(a, b), rand((m, k)), rand((k, n)), k=k, **schedule)
    assert ("tfc_uk_pack_a_" in exe.source) == bool(schedule.get("pack_a"))


def test_matmul_every_transpose():
    a, b = rand((37, 19)), rand((19, 45))

    def program(a, b, at, bt):
        return (tfc.matmul(a, b), tfc.matmul(at, b, transpose_a=True),
                tfc.matmul(a, bt, transpose_b=True),
                tfc.matmul(at, bt, transpose_a=True, transpose_b=True))

    exe = blocked(program, a, b, _t(a), _t(b), **TINY)
    assert gemm_calls(exe.source) >= 4
    # A transposed (k not contiguous): packed; plain A: read in place.
    assert "tfc_uk_pack_a_f32_f32_4(" in exe.source and "tfc_uk_gemmd_f32_4x16(" in exe.source


@pytest.mark.parametrize("sa,sb", [((3, 17, 9), (3, 9, 21)),      # batched
                                   ((2, 1, 17, 9), (3, 9, 21)),   # broadcast both ways
                                   ((17, 9), (4, 9, 21)),         # lhs broadcast
                                   ((4, 17, 9), (9, 21))])        # rhs broadcast
def test_matmul_batched_and_broadcast(sa, sb):
    a, b = rand(sa), rand(sb)
    blocked(lambda a, b: (tfc.matmul(a, b), tfc.matmul(_tt(a), b, transpose_a=True)), a, b, **TINY)


def _tt(x):
    return tfc.transpose(x, list(range(len(x.shape) - 2)) + [len(x.shape) - 1, len(x.shape) - 2])


def test_matmul_epilogues():
    """bias, relu, gelu, residual and scale on the result (unfused today: still exact)."""
    m, k, n = 45, 70, 66
    a, b, bias, res = rand((m, k)), rand((k, n)), rand((n,)), rand((m, n))

    def program(a, b, bias, res):
        y = tfc.matmul(a, b)
        return (tfc.nn.relu(y + bias), tfc.nn.gelu(y * 0.5 + bias), y + res, y * 3.0)

    blocked(program, a, b, bias, res, k=k, **TINY)
    blocked(program, a, b, bias, res, k=k)


EPILOGUES = {
    "bias_relu": lambda a, b, v, r: tfc.nn.relu(tfc.matmul(a, b) + v),
    "residual": lambda a, b, v, r: tfc.matmul(a, b) + r,
    "scale": lambda a, b, v, r: tfc.matmul(a, b) * 0.125,
    "gelu": lambda a, b, v, r: tfc.nn.gelu(tfc.matmul(a, b) + v, approximate=True),
    "bias_relu_residual": lambda a, b, v, r: tfc.nn.relu(tfc.matmul(a, b) + v) + r,
    "transposed_bias": lambda a, b, v, r: tfc.matmul(b, a, transpose_a=True, transpose_b=True) + v,
}


@pytest.mark.parametrize("name", list(EPILOGUES))
@pytest.mark.parametrize("schedule", [TINY, {}], ids=["tiny", "default"])
def test_fused_epilogues(name, schedule):
    """One contraction kernel: the epilogue runs on each finished block, in place."""
    m, k, n = 57, 70, 66
    fn = EPILOGUES[name]
    a, b, v, r = rand((m, k)), rand((k, n)), rand((n,)), rand((m, n))
    if name == "transposed_bias":  # b^T (m x k) @ a^T (k x n)
        a, b = rand((n, k)), rand((k, m))
    exe = blocked(lambda a, b, v, r: fn(a, b, v, r), a, b, v, r, k=k, **schedule)
    kernels = re.findall(r"func.func private @(k\d+\w*)\(", exe.ir("kernels"))
    assert len(kernels) == 1, f"epilogue not fused: {kernels}"


@pytest.mark.parametrize("dtype", ["f16", "bf16"])
def test_fused_epilogue_half_output(dtype):
    """f16/bf16: packing converts to f32, the epilogue adds the bias and rounds once."""
    a, b, v = rand((33, 40), dtype), rand((40, 35), dtype), rand((35,), dtype)
    blocked(lambda a, b, v: tfc.nn.relu(tfc.matmul(a, b) + v), a, b, v)


@pytest.mark.parametrize("dtype", ["f64", "f16", "bf16"])
@pytest.mark.parametrize("schedule", [TINY, {}], ids=["tiny", "default"])
def test_matmul_dtypes(dtype, schedule):
    # 41 = two runs of 16 along k plus a tail, for the vector packing paths.
    a, b = rand((23, 41), dtype), rand((41, 37), dtype)
    exe = blocked(lambda a, b, at: (tfc.matmul(a, b), tfc.matmul(at, b, transpose_a=True)),
                  a, b, _t(a), **schedule)
    src = {"f64": "pack_a_f64_f64", "f16": "pack_a_f16_f32", "bf16": "pack_a_bf16_f32"}[dtype]
    assert src in exe.source


def test_matmul_half_accumulates_in_f32():
    a = np.full((2, 64), 1 + 2.0 ** -10, np.float16)
    b = np.ones((64, 2), np.float16)
    exe = blocked(lambda a, b: tfc.matmul(a, b), a, b)
    np.testing.assert_array_equal(exe(a, b), np.float16(64 * (1 + 2.0 ** -10)))


def test_integer_matmul_falls_back_to_loops():
    a, b = rand((9, 7), "i32"), rand((7, 5), "i32")
    exe = Scheduled(lambda a, b: tfc.matmul(a, b), a, b, **TINY)
    assert not gemm_calls(exe.source)
    check_compiled(lambda a, b: tfc.matmul(a, b), a, b, exe=exe)


def test_single_thread_and_many_workers():
    a, b = rand((50, 30)), rand((30, 70))
    blocked(lambda a, b: tfc.matmul(a, b), a, b, **{**TINY, "threads": 1})
    blocked(lambda a, b: tfc.matmul(a, b), a, b, **{**TINY, "threads": 3})


@pytest.mark.parametrize("isa", ["avx2", "scalar"])
def test_other_isa_blockings(isa):
    """The AVX2 and scalar register blocks (the C picks the best code the compiler allows)."""
    s = default_schedule(isa)
    a, b = rand((29, 31)), rand((31, 27))
    blocked(lambda a, b: tfc.matmul(a, b), a, b, **{k: v for k, v in s.items()}, threads=2)


# --- conv2d (implicit GEMM) -----------------------------------------------------------

CONV_CASES = [
    ((2, 9, 7, 3), (3, 3, 3, 5), dict(strides=1, padding="SAME")),
    ((1, 9, 8, 17), (3, 3, 17, 19), dict(strides=1, padding="VALID")),
    ((2, 11, 9, 5), (3, 2, 5, 7), dict(strides=2, padding="SAME")),
    ((1, 9, 10, 6), (3, 3, 6, 18), dict(strides=1, padding="VALID", dilations=2)),
    ((1, 8, 9, 4), (2, 3, 4, 6), dict(strides=2, padding="SAME", dilations=2)),
    ((3, 5, 6, 20), (1, 1, 20, 33), dict(strides=1, padding="VALID")),
]


@pytest.mark.parametrize("xs,fs,kw", CONV_CASES)
@pytest.mark.parametrize("schedule", [TINY, PACKED], ids=["tiny", "packed"])
def test_conv2d(xs, fs, kw, schedule):
    x, f = rand(xs), rand(fs)
    g = rand(tfc.conv2d(x, f, **kw).shape)

    def program(x, f, g):
        return (tfc.conv2d(x, f, **kw),
                tfc.conv2d_backprop_input(x.shape, f, g, **kw),
                tfc.conv2d_backprop_filter(x, f.shape, g, **kw))

    exe = blocked(program, x, f, g, **schedule)
    assert gemm_calls(exe.source) >= 3


@pytest.mark.parametrize("ic", [6, 35])
@pytest.mark.parametrize("schedule", [{}, dict(pack_a=1)], ids=["default", "packed"])
def test_conv2d_bias_relu_default_schedule(ic, schedule):
    # ic = 35: channel runs longer than 16 (vector packing), ending in a ragged tail.
    x, f, b = rand((4, 13, 11, ic)), rand((3, 3, ic, 21)), rand((21,))
    blocked(lambda x, f, b: tfc.nn.relu(tfc.conv2d(x, f, padding="SAME") + b), x, f, b, k=9 * ic,
            **schedule)


def test_matmul_every_transpose_default_schedule():
    a, b = rand((150, 70)), rand((70, 45))

    def program(a, b, at, bt):
        return (tfc.matmul(a, b), tfc.matmul(at, b, transpose_a=True),
                tfc.matmul(a, bt, transpose_b=True),
                tfc.matmul(at, bt, transpose_a=True, transpose_b=True))

    blocked(program, a, b, _t(a), _t(b), k=70)


@pytest.mark.parametrize("dtype", ["f64", "f16", "bf16"])
def test_conv2d_dtypes(dtype):
    x, f = rand((2, 7, 6, 3), dtype), rand((3, 3, 3, 5), dtype)
    blocked(lambda x, f: tfc.conv2d(x, f, strides=2, padding="SAME"), x, f, **TINY)


# --- the pieces ---------------------------------------------------------------------------

def test_ukernel_sources_pick_the_isa_at_compile_time():
    src = ukernel_source("gemm_f32_14x32")
    assert "#if defined(__AVX512F__)" in src and "#elif defined(__AVX2__)" in src and "#else" in src
    assert "_mm512_fmadd_ps" in src and "_mm256_fmadd_ps" in src
    # A width no vector divides: scalar only.
    assert "_mm" not in ukernel_source("gemm_f32_3x5").split("#endif", 1)[1]
    with pytest.raises(KeyError):
        ukernel_source("gemm_i32_4x4")


def test_plan_splits_the_larger_side_across_threads():
    from tfc.pipeline import lower
    from tfc.tracing import trace_function
    from tfc.api import TensorSpec
    from xdsl.dialects.linalg import ops as linalg

    def plan_for(m, k, n):
        module, _ = trace_function(lambda a, b: tfc.matmul(a, b),
                                   [TensorSpec((m, k)), TensorSpec((k, n))])
        lower(module, "buffers")
        op = next(o for o in module.walk() if isinstance(o, linalg.GenericOp) and len(o.inputs) == 2)
        return make_plan(analyze(op), {**default_schedule("avx512"), "threads": 2})

    p = plan_for(512, 784, 1024)   # wide: split n, A is packed by both threads
    assert p.n_chunk == 512 and p.m_chunk == 512
    p = plan_for(4096, 64, 10)     # tall and narrow (a conv's shape): split m
    assert p.m_chunk < 4096 and p.n_chunk == 10
    p = plan_for(1, 1, 1)          # tiny: one thread
    assert p.threads == 1
