"""Fusion (tfc-form-kernels) and memory planning (tfc-plan-memory), end to end.

Every fusion pattern is checked twice: the kernels it forms (count and kinds,
read from the kernels-level IR) and its numbers against the float64 reference,
on odd sizes, with outputs poisoned before the run. The same programs compiled
with `fusion=False` (one op per kernel) must agree too. In-place reuse is
checked where it must happen and where it must not (transposed, reversed and
broadcast reads of a dying input), including a mutation test: an in-place rule
that ignored the indexing maps would corrupt a result that these tests compare.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
from xdsl.dialects import func

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from helpers import TOL, assert_close, check_compiled, poison, rand  # noqa: E402

import tfc  # noqa: E402
from tfc.passes import plan_memory  # noqa: E402
from tfc.pipeline import context  # noqa: E402


def kernels(exe) -> list[tuple[str, str, int | None]]:
    """(name, kind, row_dims) of each kernel, in program order."""
    from xdsl.parser import Parser

    module = Parser(context(), exe.ir("kernels")).parse_module()
    out = []
    for f in module.ops:
        if isinstance(f, func.FuncOp) and "tfc.kernel" in f.attributes:
            rows = f.attributes.get("tfc.row_dims")
            out.append((f.sym_name.data, f.attributes["tfc.kernel_kind"].data,
                        rows.value.data if rows is not None else None))
    return out


def kinds(exe) -> list[str]:
    return [k for _, k, _ in kernels(exe)]


def check_both(fn, *args, tol=None):
    """Compile fused and unfused; both must match the reference. Returns the fused one."""
    fused = check_compiled(fn, *args, tol=tol)
    unfused = check_compiled(fn, *args, tol=tol, exe=tfc.compile(fn, *args, fusion=False))
    assert len(kernels(unfused)) >= len(kernels(fused))
    return fused


# --- elementwise -----------------------------------------------------------------


def test_elementwise_chain_with_broadcast_and_transposed_reads_is_one_kernel():
    x, row, col = rand((37, 53)), rand((37,)), rand((53, 1))

    def f(x, row, col):
        t = tfc.transpose(x * 2.0 + col.T)  # (53, 37), x read transposed
        return tfc.tanh(t - row) * tfc.exp(-tfc.abs(t))

    exe = check_both(f, x, row, col)
    assert kinds(exe) == ["elementwise"]


def test_w6_hundred_chained_ops_are_one_kernel():
    def w6(x):
        for _ in range(100):
            x = x * 1.0001 + 0.001
        return x

    x = rand((64, 64))
    exe = check_compiled(w6, x)
    assert kinds(exe) == ["elementwise"]
    assert "cst" not in exe.ir("buffers")  # the scalars are in the body, not globals


def test_expensive_producer_with_two_users_is_computed_once():
    x = rand((33, 17))

    def f(x):
        e = tfc.exp(x)
        return e + 1.0, tfc.reduce_sum(e, axis=1)

    exe = check_both(f, x)
    assert kinds(exe) == ["elementwise", "reduction"]
    body = exe.ir("kernels")
    assert body.count("math.exp") == 1
    assert "computing it in each would duplicate that work" in exe.explain_fusion()


def test_multi_output_kernel_shares_one_pass():
    x, y = rand((29, 31)), rand((29, 31))

    def f(x, y):
        return x * y + 1.0, x - y, tfc.maximum(x, y)

    exe = check_both(f, x, y)
    assert kinds(exe) == ["elementwise"]
    assert len(exe.output_specs) == 3


def test_half_precision_rounding_points_survive_fusion():
    x = rand((101,), "f16")

    def f(x):
        return tfc.cast(tfc.exp(tfc.cast(x, "f16")) * 3.0, "f32")

    exe = check_both(f, x, tol=TOL["f16"])
    assert kinds(exe) == ["elementwise"]
    assert "arith.truncf" in exe.ir("kernels") and "arith.extf" in exe.ir("kernels")


# --- reductions and rows ------------------------------------------------------------


def test_producer_into_reduction():
    x, y = rand((37, 53)), rand((53,))
    exe = check_both(lambda x, y: tfc.reduce_sum(tfc.exp(x - y), axis=1), x, y)
    assert kinds(exe) == ["reduction"]


ROW_CASES = {
    "softmax": (lambda x: tfc.softmax(x), 1),
    "log_softmax": (lambda x: tfc.log_softmax(x), 1),
    "softmax_3d": (lambda x: tfc.softmax(tfc.reshape(x, (1, 37, 53))), 2),
}


@pytest.mark.parametrize("name", list(ROW_CASES))
def test_row_patterns_are_one_row_kernel(name):
    fn, rows = ROW_CASES[name]
    x = rand((37, 53), low=-6, high=6)
    exe = check_both(fn, x)
    assert [(k, r) for _, k, r in kernels(exe)] == [("row", rows)]


def test_layer_norm_is_one_row_kernel():
    x, g, b = rand((5, 7, 67)), rand((67,)), rand((67,))
    exe = check_both(lambda x, g, b: tfc.layer_norm(x, g, b, axis=[-1], epsilon=1e-5), x, g, b)
    assert [(k, r) for _, k, r in kernels(exe)] == [("row", 2)]


def test_softmax_cross_entropy_is_one_row_kernel():
    logits = rand((37, 53), low=-5, high=5)
    labels = np.random.default_rng().dirichlet(np.ones(53), size=37).astype(np.float32)
    exe = check_both(tfc.softmax_cross_entropy_with_logits, labels, logits)
    assert [(k, r) for _, k, r in kernels(exe)] == [("row", 1)]


def test_row_kernel_big_intermediate_needs_no_scratch():
    """softmax's exp(x - max) is written into the output, then divided in place."""
    x = rand((64, 129))
    exe = check_compiled(lambda x: tfc.softmax(x), x)
    plan = exe.memory_plan()
    assert all(b["bytes"] == 64 * 4 for b in plan["buffers"]), plan  # only per-row scratch


def test_reduction_over_leading_axis_stays_separate_with_reason():
    x = rand((37, 53))
    exe = check_both(lambda x: x - tfc.reduce_mean(x, axis=0, keepdims=True), x)
    assert "row" not in kinds(exe)
    assert "not over trailing dims" in exe.explain_fusion()


# --- contractions ------------------------------------------------------------------


def test_matmul_bias_relu_is_one_contraction_kernel():
    x, w, b = rand((37, 45)), rand((45, 29)), rand((29,))
    exe = check_both(lambda x, w, b: tfc.relu(tfc.matmul(x, w) + b), x, w, b,
                     tol=(1e-4, 1e-4))
    assert kinds(exe) == ["contraction"]
    assert "add" in exe.explain_fusion()


def test_matmul_residual_and_scale_epilogue():
    x, w, r = rand((33, 40)), rand((40, 24)), rand((33, 24))
    exe = check_both(lambda x, w, r: tfc.matmul(x, w) * 0.5 + r, x, w, r, tol=(1e-4, 1e-4))
    assert kinds(exe) == ["contraction"]


def test_conv_bias_relu():
    x, w, b = rand((2, 9, 11, 3)), rand((3, 3, 3, 5)), rand((5,))
    exe = check_both(
        lambda x, w, b: tfc.relu(tfc.nn.conv2d(x, w, strides=1, padding="SAME") + b),
        x, w, b, tol=(1e-4, 1e-4))
    assert kinds(exe) == ["copy", "contraction"]  # the padding, then conv + bias + relu


@pytest.mark.parametrize("target", ["cpu", "gpu"])
def test_transposes_fold_into_the_matmul_operands(target):
    """A transpose feeding a contraction becomes the operand's strides: one kernel, no
    copy (either operand, batched head splits, the epilogue kept). The GPU target runs
    through Triton's interpreter."""
    if target == "gpu":
        pytest.importorskip("triton")
    tol = (1e-4, 1e-4)
    x, w, b = rand((8, 16)), rand((12, 16)), rand((12,))
    exe = check_compiled(lambda x, w, b: tfc.relu(tfc.matmul(x, tfc.transpose(w)) + b), x, w, b,
                         tol=tol, target=target)
    assert kinds(exe) == ["contraction"]
    assert "transpose#" in exe.explain_fusion() and "is a contraction" not in exe.explain_fusion()
    a, c = rand((40, 7)), rand((40, 9))   # K = 40: more than one GPU k-block
    exe = check_compiled(lambda a, c: tfc.matmul(tfc.transpose(a), c), a, c, tol=tol, target=target)
    assert kinds(exe) == ["contraction"]
    # attention's head split: (b, s, h, d) -> (b, h, s, d) on both sides of q k^T
    q, k = rand((2, 5, 3, 4)), rand((2, 5, 3, 4))
    exe = check_compiled(lambda q, k: tfc.matmul(tfc.transpose(q, (0, 2, 1, 3)),
                                                 tfc.transpose(k, (0, 2, 3, 1))), q, k,
                         tol=tol, target=target)
    assert kinds(exe) == ["contraction"]


def test_computing_producers_stay_out_of_a_matmul_with_reason():
    x, w = rand((8, 16)), rand((16, 12))
    exe = check_compiled(lambda x, w: tfc.matmul(tfc.exp(x), w), x, w, tol=(1e-4, 1e-4))
    assert kinds(exe) == ["elementwise", "contraction"]
    assert "producers other than transposes stay in their own kernels" in exe.explain_fusion()


def test_mini_transformer_block_fused_and_unfused_agree():
    """Pre-LN attention + MLP on odd sizes: fused and unfused compile of one program both
    match the reference (the test the issue asks for)."""
    s, d, h = 13, 24, 40
    x = rand((s, d))
    wq, wk, wv, wo = (rand((d, d), low=-0.3, high=0.3) for _ in range(4))
    w1, w2 = rand((d, h), low=-0.3, high=0.3), rand((h, d), low=-0.3, high=0.3)
    g, b = rand((d,)), rand((d,))

    def block(x, wq, wk, wv, wo, w1, w2, g, b):
        y = tfc.layer_norm(x, g, b, axis=[-1])
        q, k, v = tfc.matmul(y, wq), tfc.matmul(y, wk), tfc.matmul(y, wv)
        a = tfc.softmax(tfc.matmul(q, tfc.transpose(k)) * float(1.0 / np.sqrt(d)))
        x = x + tfc.matmul(tfc.matmul(a, v), wo)
        y = tfc.layer_norm(x, g, b, axis=[-1])
        return x + tfc.matmul(tfc.gelu(tfc.matmul(y, w1), approximate=True), w2)

    args = (x, wq, wk, wv, wo, w1, w2, g, b)
    fused = check_compiled(block, *args, tol=(1e-4, 1e-4))
    unfused = tfc.compile(block, *args, fusion=False)
    check_compiled(block, *args, tol=(1e-4, 1e-4), exe=unfused)
    np.testing.assert_allclose(fused(*args), unfused(*args), rtol=1e-4, atol=1e-4)
    assert len(kernels(fused)) < len(kernels(unfused)) / 2
    assert kinds(fused).count("row") == 3  # two layer norms and the softmax


# --- memory: in place and caller buffers ---------------------------------------------


def test_in_place_chain_reuses_its_input_and_shrinks_the_arena():
    def f(x, y):
        a = tfc.exp(x)
        b = tfc.transpose(a) * 2.0  # a dies here, read transposed: NOT in place
        c = tfc.sqrt(b)              # b dies here, read element-wise: in place
        return tfc.matmul(c, y)      # the contraction is no elementwise kernel

    x, y = rand((31, 37), low=0, high=2), rand((31, 5))
    exe = check_compiled(f, x, y, exe=tfc.compile(f, x, y, fusion=False), tol=(1e-4, 1e-4))
    plan = exe.memory_plan()
    in_place = plan["in_place"]
    assert any("sqrt" in k for k in in_place), plan
    assert not any("transpose" in k for k in in_place), plan
    assert plan["peak_bytes"] < plan["naive_bytes"]
    assert "in place" in str(plan)


@pytest.mark.parametrize("read", ["transpose", "reverse", "broadcast_row", "same_twice"])
def test_dying_input_read_elsewhere_is_never_written_over(read):
    """Each second kernel reads its dying input at other elements than it writes: in place
    would read overwritten values. The results must be exact."""
    def f(x):
        a = tfc.exp(x)
        if read == "transpose":
            return tfc.transpose(a) + 1.0
        if read == "reverse":
            return tfc.reverse(a, axis=[0, 1]) + 1.0
        if read == "broadcast_row":
            return a + a[0:1, :]
        return a + tfc.transpose(a)

    x = rand((24, 24))
    # Unfused, each read is its own kernel; fused, a + a^T reads exp(x) (computed once,
    # in its own kernel) through two arguments bound to one buffer.
    exe = check_compiled(f, x, exe=tfc.compile(f, x, fusion=read == "same_twice"))
    assert not any(k.endswith(("transpose", "reverse")) for k in exe.memory_plan()["in_place"])
    if read == "same_twice":
        assert exe.memory_plan()["in_place"] == {}


def test_an_aliasing_bug_fails_the_numerics(monkeypatch, tmp_path):
    """Mutation test: with an in-place rule that ignores the maps, a transposed read of
    a dying input is computed in place and the result is wrong; the checks above would
    catch it."""
    monkeypatch.setenv("TFC_CACHE_DIR", str(tmp_path))
    real = plan_memory.in_place_candidates

    def sloppy(kernel):
        pairs, pointwise = real(kernel)
        if "transpose" in kernel.sym_name.data:
            pairs, pointwise = [(0, 1)], {0, 1}
        return pairs, pointwise

    monkeypatch.setattr(plan_memory, "in_place_candidates", sloppy)

    x = rand((64, 64))
    # Not a fused single kernel: the transpose reads an arena buffer that dies at it.
    exe = tfc.compile(lambda x: tfc.sqrt(tfc.transpose(tfc.exp(x))), x, fusion=False,
                      mutation="sloppy-in-place")
    assert any("transpose" in k for k in exe.memory_plan()["in_place"])
    got = exe(x)
    want = np.sqrt(np.exp(x.astype(np.float64)).T)
    assert not np.allclose(got, want, rtol=1e-4), "aliased in-place transpose went unnoticed"


def test_results_go_straight_into_caller_buffers():
    x, w = rand((17, 19)), rand((19, 23))

    def f(x, w):
        y = tfc.matmul(x, w)
        return tfc.relu(y), tfc.reduce_sum(y * y, axis=1)

    exe = tfc.compile(f, x, w)
    outs = [poison(s) for s in exe.output_specs]
    ret = exe(x, w, out=outs)
    assert ret[0] is outs[0] and ret[1] is outs[1]
    want = np.maximum(x.astype(np.float64) @ w, 0)
    assert_close(outs[0], want, 1e-4, 1e-4, exe.output_specs[0].dtype)
    host = exe.ir("buffers").split("func.func @main")[1]
    assert "_copy" not in host  # computed in place, no copy kernel
    assert "%out0" in host and "%out1" in host


def test_output_that_is_an_input_is_copied():
    x = rand((8, 8))
    exe = tfc.compile(lambda x: (x, x * 2.0), x)
    a, b = poison(exe.output_specs[0]), poison(exe.output_specs[1])
    exe(x, out=[a, b])
    np.testing.assert_array_equal(a, x)
    np.testing.assert_allclose(b, x * 2.0)
    assert "_copy" in exe.ir("buffers")


# --- the explanation ------------------------------------------------------------------


def test_explain_fusion_lists_kernels_and_refusals():
    x = rand((8, 16))
    exe = tfc.compile(lambda x: tfc.softmax(x), x)
    text = exe.explain_fusion()
    assert text.startswith("1 kernel(s), fusion on:")
    assert "(row, row_dims=1): fill#0, reduce_max#1" in text
    unfused = tfc.compile(lambda x: tfc.softmax(x), x, fusion=False)
    # one per linalg op: fill, max, sub, exp, fill, sum, 1 / sum, multiply
    text = unfused.explain_fusion()
    assert text.startswith("8 kernel(s), fusion off:"), text


def test_settings_become_pass_options():
    from tfc.pipeline import make_pass, pass_options

    opts = pass_options({"fusion": False, "tfc-plan-memory.in-place": False, "note": "x"})
    assert opts == {"tfc-form-kernels": {"fuse": False}, "tfc-plan-memory": {"in_place": False}}
    assert make_pass("tfc-form-kernels", opts).fuse is False
    with pytest.raises(ValueError, match="has no option"):
        make_pass("tfc-form-kernels", {"tfc-form-kernels": {"fusion": True}})


def test_in_place_can_be_turned_off_from_the_compile_api():
    def f(x):
        return tfc.sqrt(tfc.exp(x) * 2.0)

    x = rand((16, 16))
    on = check_compiled(f, x, exe=tfc.compile(f, x, fusion=False))
    off = check_compiled(f, x, exe=tfc.compile(f, x, fusion=False,
                                               **{"tfc-plan-memory.in-place": False}))
    assert on.memory_plan()["in_place"] and not off.memory_plan()["in_place"]
    assert on.memory_plan()["arena_bytes"] < off.memory_plan()["arena_bytes"]
