"""Reductions and row-wise normalizations: compiled numerics, eager semantics, errors, VJPs."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from helpers import TOL, check_compiled, check_vjp, numeric_vjp, rand  # noqa: E402

import tfc  # noqa: E402
from tfc import dtypes, reference  # noqa: E402
from tfc.errors import ShapeError  # noqa: E402
from tfc.ops import reduction as R  # noqa: E402
from tfc.passes.decompose import TfcDecomposePass  # noqa: E402
from tfc.pipeline import context  # noqa: E402
from tfc.tracing import trace_function  # noqa: E402

THIS_FILE = os.path.basename(__file__)
RNG = np.random.default_rng()


def all_reductions(axis, keepdims):
    def fn(x):
        return (tfc.reduce_sum(x, axis, keepdims), tfc.reduce_mean(x, axis, keepdims),
                tfc.reduce_max(x, axis, keepdims), tfc.reduce_min(x, axis, keepdims),
                tfc.reduce_prod(x, axis, keepdims))
    return fn


# --- compiled numerics ------------------------------------------------------------------

REDUCE_CASES = [  # (shape, axis, keepdims)
    ((3, 5), 1, False),
    ((3, 5), 0, True),
    ((2, 3, 4), [0, 2], False),
    ((2, 3, 4), -2, True),
    ((2, 1, 5), None, False),
    ((7,), None, True),
    ((), None, False),
    ((3, 4), [], False),
]


@pytest.mark.parametrize("shape,axis,keepdims", REDUCE_CASES)
def test_reductions_f32(shape, axis, keepdims):
    check_compiled(all_reductions(axis, keepdims), rand(shape, "f32"))


@pytest.mark.parametrize("dtype", ["f64", "f16", "bf16", "i32", "i64"])
@pytest.mark.parametrize("shape,axis,keepdims", [((3, 5), 1, False), ((2, 3, 4), [0, 2], True)])
def test_reductions_dtypes(dtype, shape, axis, keepdims):
    # Ints in [-3, 3]: the integer mean's truncating division sees negative sums.
    check_compiled(all_reductions(axis, keepdims), rand(shape, dtype, low=-3, high=3))


def test_reduce_max_min_propagate_nan():
    x = rand((3, 4))
    x[1, 2] = np.nan
    exe = check_compiled(lambda x: (tfc.reduce_max(x, 1), tfc.reduce_min(x, 0)), x)
    got_max, got_min = exe(x)
    assert np.isnan(got_max[1]) and not np.isnan(got_max[[0, 2]]).any()
    assert np.isnan(got_min[2]) and not np.isnan(got_min[[0, 1, 3]]).any()


def arg_fn(axis, output_type):
    return lambda x: (tfc.argmax(x, axis, output_type), tfc.argmin(x, axis, output_type))


@pytest.mark.parametrize("dtype", ["f32", "f64", "f16", "bf16", "i32", "i64"])
@pytest.mark.parametrize("shape,axis,output_type", [((4, 6), 1, "i64"), ((3, 5, 2), 0, "i32"),
                                                    ((7,), None, "i64")])
def test_argmax_argmin(dtype, shape, axis, output_type):
    # Few distinct values, so ties are common: the first index must win.
    x = rand(shape, "i32", low=-2, high=2).astype(dtypes.from_any(dtype).numpy)
    check_compiled(arg_fn(axis, output_type), x)


def test_argmax_argmin_nan_first_wins():
    x = np.array([[1.0, np.nan, 3.0, np.nan], [np.nan, 5.0, -1.0, 2.0], [0.0, 4.0, 4.0, -2.0]],
                 np.float32)
    exe = check_compiled(arg_fn(1, "i64"), x)
    got_max, got_min = exe(x)
    np.testing.assert_array_equal(got_max, [1, 0, 1])
    np.testing.assert_array_equal(got_min, [1, 0, 3])


SOFTMAX_CASES = [((3, 7), -1), ((3, 7), 0), ((2, 3, 4), 1), ((5,), 0), ((4, 1), -1)]


@pytest.mark.parametrize("shape,axis", SOFTMAX_CASES)
def test_softmax_log_softmax_f32(shape, axis):
    x = rand(shape, low=-6, high=6)
    check_compiled(lambda x: (tfc.softmax(x, axis), tfc.log_softmax(x, axis)), x)


@pytest.mark.parametrize("dtype", ["f64", "f16", "bf16"])
def test_softmax_log_softmax_dtypes(dtype):
    x = rand((3, 6), dtype, low=-6, high=6)
    check_compiled(lambda x: (tfc.softmax(x), tfc.log_softmax(x, 0)), x)


def test_softmax_large_logits_are_stable():
    x = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -1001.0]], np.float32)
    exe = check_compiled(lambda x: (tfc.softmax(x), tfc.log_softmax(x)), x)
    sm, lsm = exe(x)
    assert np.all(np.isfinite(sm)) and np.all(np.isfinite(lsm))


@pytest.mark.parametrize("dtype,shape,axis", [
    ("f32", (4, 6), -1), ("f32", (2, 3, 5), [-2, -1]), ("f32", (6,), 0),
    ("f64", (4, 6), -1), ("f16", (2, 3, 5), [-2, -1]), ("bf16", (4, 6), -1),
])
def test_layer_norm(dtype, shape, axis):
    axes = [axis] if isinstance(axis, int) else axis
    norm = shape[len(shape) - len(axes):]
    x, g, b = rand(shape, dtype), rand(norm, dtype), rand(norm, dtype)
    check_compiled(lambda x, g, b: tfc.layer_norm(x, g, b, axis=axis), x, g, b)


def test_layer_norm_epsilon():
    x = rand((3, 4), low=-1e-2, high=1e-2)
    g, b = rand((4,)), rand((4,))
    check_compiled(lambda x, g, b: tfc.layer_norm(x, g, b, epsilon=1e-1), x, g, b)


def soft_labels(shape, dtype="f32", axis=-1):
    p = RNG.random(shape) + 0.05
    return (p / p.sum(axis=axis, keepdims=True)).astype(dtypes.from_any(dtype).numpy)


@pytest.mark.parametrize("dtype,shape,axis", [
    ("f32", (4, 6), -1), ("f32", (3, 5), 0), ("f32", (2, 3, 4), 1),
    ("f64", (4, 6), -1), ("f16", (2, 3, 4), 1), ("bf16", (3, 5), 0),
])
def test_softmax_cross_entropy(dtype, shape, axis):
    labels, logits = soft_labels(shape, dtype, axis), rand(shape, dtype, low=-5, high=5)
    check_compiled(lambda l, z: tfc.softmax_cross_entropy_with_logits(l, z, axis), labels, logits)


@pytest.mark.parametrize("dtype,label_type,shape", [
    ("f32", "i32", (5, 7)), ("f32", "i64", (2, 3, 4)), ("f64", "i64", (5, 7)),
    ("f16", "i32", (2, 3, 4)), ("bf16", "i64", (5, 7)),
])
def test_sparse_softmax_cross_entropy(dtype, label_type, shape):
    labels = RNG.integers(0, shape[-1], size=shape[:-1]).astype(dtypes.from_any(label_type).numpy)
    logits = rand(shape, dtype, low=-5, high=5)
    check_compiled(tfc.sparse_softmax_cross_entropy_with_logits, labels, logits)


def test_sparse_softmax_cross_entropy_out_of_range_label_is_nan():
    labels = np.array([0, 7, -1, 6], np.int32)
    logits = rand((4, 7))
    exe = check_compiled(tfc.sparse_softmax_cross_entropy_with_logits, labels, logits)
    loss = exe(labels, logits)
    np.testing.assert_array_equal(np.isnan(loss), [False, True, True, False])


def test_vjp_rules_compile():
    """Gradient rules are written with op functions: traced and compiled, they match eager."""
    x, g_row, g_full = rand((3, 5)), rand((3,)), rand((3, 5))
    gamma, beta = rand((5,)), rand((5,))
    labels = soft_labels((3, 5))

    def grads(x, g_row, g_full, gamma, beta, labels):
        y_max = tfc.reduce_max(x, 1)
        (d_max,) = R.ReduceMaxOp.vjp({"axes": (1,), "keepdims": False}, [x], [y_max], [g_row])
        (d_prod,) = R.ReduceProdOp.vjp({"axes": (1,), "keepdims": False}, [x],
                                       [tfc.reduce_prod(x, 1)], [g_row])
        (d_sm,) = R.SoftmaxOp.vjp({"axis": -1}, [x], [tfc.softmax(x)], [g_full])
        d_ln = R.LayerNormOp.vjp({"axis": (-1,), "epsilon": 1e-3}, [x, gamma, beta],
                                 [tfc.layer_norm(x, gamma, beta)], [g_full])
        d_ce = R.SoftmaxCrossEntropyWithLogitsOp.vjp({"axis": -1}, [labels, x], [None], [g_row])
        return (d_max, d_prod, d_sm, *d_ln, *d_ce)

    args = (x, g_row, g_full, gamma, beta, labels)
    exe = check_compiled(grads, *args)
    for got, want in zip(exe(*args), grads(*args)):
        np.testing.assert_allclose(got, want, *TOL["f32"])


# --- eager semantics against independent NumPy ---------------------------------------------

def test_eager_reductions():
    x = rand((3, 4, 5))
    np.testing.assert_allclose(tfc.reduce_sum(x, [0, 2]), x.sum(axis=(0, 2)), rtol=1e-5)
    np.testing.assert_allclose(tfc.reduce_mean(x, -1, keepdims=True), x.mean(-1, keepdims=True),
                               rtol=1e-5)
    np.testing.assert_array_equal(tfc.reduce_max(x), x.max())
    np.testing.assert_array_equal(tfc.reduce_min(x, 1), x.min(1))
    np.testing.assert_allclose(tfc.reduce_prod(x, 2), x.prod(2), rtol=1e-5)
    assert tfc.reduce_sum(x, 1).dtype == np.float32


def test_eager_integer_mean_truncates_and_sum_wraps():
    x = np.array([[-3, -4], [3, 4], [-1, 0]], np.int32)
    np.testing.assert_array_equal(tfc.reduce_mean(x, 1), [-3, 3, 0])  # -7/2 -> -3, as TF
    big = np.full((3,), 2**30, np.int32)
    assert tfc.reduce_sum(big).dtype == np.int32
    assert tfc.reduce_sum(big) == np.int32(-(2**30))  # wraps in its own type


def test_eager_half_sum_accumulates_in_f32():
    x = np.full((4096,), 1.0, np.float16)  # an f16 accumulator would stop at 2048
    assert tfc.reduce_sum(x) == 4096 and tfc.reduce_sum(x).dtype == np.float16


def test_eager_argmax():
    x = np.array([[1, 5, 5], [7, 7, 0]], np.int64)
    np.testing.assert_array_equal(tfc.argmax(x, 1), [1, 0])
    np.testing.assert_array_equal(tfc.argmin(x), [0, 0, 1])
    assert tfc.argmax(x, 1).dtype == np.int64 and tfc.argmax(x, 1, "i32").dtype == np.int32
    assert tfc.argmax(np.array([1.0, np.nan, np.nan], np.float32)) == 1


def test_eager_normalizations():
    x = rand((3, 5), "f64", low=-4, high=4)
    e = np.exp(x)
    np.testing.assert_allclose(tfc.softmax(x), e / e.sum(-1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(tfc.log_softmax(x, 0), np.log(e / e.sum(0, keepdims=True)),
                               rtol=1e-12)
    g, b = rand((5,), "f64"), rand((5,), "f64")
    mu, sd = x.mean(-1, keepdims=True), np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(tfc.layer_norm(x, g, b), (x - mu) / sd * g + b, rtol=1e-12)
    labels = soft_labels((3, 5), "f64")
    np.testing.assert_allclose(tfc.softmax_cross_entropy_with_logits(labels, x),
                               -(labels * np.log(e / e.sum(-1, keepdims=True))).sum(-1), rtol=1e-12)
    idx = np.array([4, 0, 2])
    np.testing.assert_allclose(tfc.sparse_softmax_cross_entropy_with_logits(idx, x),
                               -np.log(e / e.sum(-1, keepdims=True))[np.arange(3), idx], rtol=1e-12)


COMPOSITES = [
    (lambda x: tfc.softmax(x, 1), [(2, 4, 3)]),
    (lambda x: tfc.log_softmax(x, 0), [(4, 3)]),
    (lambda x, g, b: tfc.layer_norm(x, g, b, [-2, -1], 1e-2), [(2, 3, 4), (3, 4), (3, 4)]),
    (lambda l, z: tfc.softmax_cross_entropy_with_logits(l, z, 0), [(5, 3), (5, 3)]),
]


@pytest.mark.parametrize("fn,shapes", COMPOSITES)
def test_decomposition_matches_reference(fn, shapes):
    """The composite's decomposition (run on the reference interpreter) against its own reference."""
    args = [rand(s, "f64", low=-3, high=3) for s in shapes]
    module, _ = trace_function(fn, [tfc.TensorSpec(s, "f64") for s in shapes])
    (want,) = reference.run(module, *args)
    TfcDecomposePass().apply(context(), module)
    module.verify()
    assert not any(getattr(type(op), "decompose", None) for op in module.walk())
    (got,) = reference.run(module, *args)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


# --- errors ------------------------------------------------------------------------------------

def _raises(fn, *args, match):
    with pytest.raises(ShapeError, match=match) as info:
        fn(*args)
    assert THIS_FILE in str(info.value), str(info.value)
    return info


@pytest.mark.parametrize("fn,args,match", [
    (lambda x: tfc.reduce_sum(x, 2), [rand((3, 4))], r"tfc.reduce_sum: axis 2 is out of range for tensor<3x4xf32>"),
    (lambda x: tfc.reduce_mean(x, [0, -2]), [rand((3, 4))], r"tfc.reduce_mean: repeated axis"),
    (lambda x: tfc.reduce_max(x, 1), [rand((3, 0))], r"tfc.reduce_max: cannot reduce over the zero-size axis 1 of tensor<3x0xf32>"),
    (lambda x: tfc.reduce_sum(x), [np.ones((2,), bool)], r"tfc.reduce_sum: expects a numeric dtype, got tensor<2xi1>"),
    (lambda x: tfc.argmax(x, 0, "f32"), [rand((3,))], r"tfc.argmax: output_type must be i32 or i64"),
    (lambda x: tfc.argmin(x), [rand(())], r"tfc.argmin: expects a tensor of rank >= 1, got tensor<f32>"),
    (lambda x: tfc.softmax(x), [rand((3,), "i32")], r"tfc.softmax: expects a float dtype, got tensor<3xi32>"),
    (lambda x: tfc.log_softmax(x, 2), [rand((3, 4))], r"tfc.log_softmax: axis 2 is out of range"),
    (lambda x, g, b: tfc.layer_norm(x, g, b), [rand((3, 4)), rand((3,)), rand((4,))],
     r"tfc.layer_norm: gamma and beta must have the normalized shape 4: x tensor<3x4xf32>, gamma tensor<3xf32>"),
    (lambda x, g, b: tfc.layer_norm(x, g, b, axis=0), [rand((3, 4)), rand((3,)), rand((3,))],
     r"tfc.layer_norm: axis \[0\] must be the trailing axes of tensor<3x4xf32>"),
    (lambda x, g, b: tfc.layer_norm(x, g, b), [rand((3, 4)), rand((4,), "f64"), rand((4,))],
     r"tfc.layer_norm: operand dtypes differ"),
    (lambda l, z: tfc.softmax_cross_entropy_with_logits(l, z), [rand((3, 4)), rand((3, 5))],
     r"tfc.softmax_cross_entropy_with_logits: labels and logits must have the same shape: labels tensor<3x4xf32>, logits tensor<3x5xf32>"),
    (lambda l, z: tfc.sparse_softmax_cross_entropy_with_logits(l, z), [rand((3,), "f32"), rand((3, 5))],
     r"tfc.sparse_softmax_cross_entropy_with_logits: labels must be i32 or i64, got tensor<3xf32>"),
    (lambda l, z: tfc.sparse_softmax_cross_entropy_with_logits(l, z), [rand((4,), "i32"), rand((3, 5))],
     r"labels must have the shape of logits without its last axis: labels tensor<4xi32>, logits tensor<3x5xf32>"),
])
def test_errors_eager_and_traced(fn, args, match):
    _raises(fn, *args, match=match)  # eager
    specs = [tfc.TensorSpec(np.shape(a), dtypes.from_numpy(np.asarray(a).dtype)) for a in args]
    _raises(trace_function, fn, specs, match=match)  # traced


# --- VJPs (float64, against finite differences) --------------------------------------------

@pytest.mark.parametrize("op", [tfc.reduce_sum, tfc.reduce_mean, tfc.reduce_max, tfc.reduce_min,
                                tfc.reduce_prod])
@pytest.mark.parametrize("shape,axis,keepdims", [((3, 4), 1, False), ((3, 4), 0, True),
                                                 ((2, 3, 4), [0, 2], False), ((2, 3), None, True),
                                                 ((2, 3), None, False)])
def test_vjp_reductions(op, shape, axis, keepdims):
    x = rand(shape, "f64", low=0.5, high=1.5) * RNG.choice([-1, 1], shape)
    check_vjp(lambda x: op(x, axis, keepdims), x)


def test_vjp_reduce_prod_with_zeros():
    x = rand((3, 4), "f64", low=0.5, high=1.5)
    x[0, 1] = 0.0  # one zero: only it gets a gradient in its row
    x[1, 0] = x[1, 3] = 0.0  # two zeros: no gradient in the row
    check_vjp(lambda x: tfc.reduce_prod(x, 1), x)
    (g,) = R.ReduceProdOp.vjp({"axes": (1,), "keepdims": False}, [x], [tfc.reduce_prod(x, 1)],
                              [np.ones(3)])
    np.testing.assert_allclose(g[0], [0, np.prod(x[0, [0, 2, 3]]), 0, 0])
    np.testing.assert_array_equal(g[1], 0)


def test_vjp_reduce_max_splits_ties():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]])
    y = tfc.reduce_max(x, 1)
    (g,) = R.ReduceMaxOp.vjp({"axes": (1,), "keepdims": False}, [x], [y], [np.array([1.0, 4.0])])
    np.testing.assert_allclose(g, [[0, 0.5, 0.5], [2, 0, 2]])


@pytest.mark.parametrize("op", [tfc.softmax, tfc.log_softmax])
@pytest.mark.parametrize("shape,axis", [((3, 5), -1), ((3, 5), 0), ((2, 3, 4), 1), ((4,), 0)])
def test_vjp_softmax(op, shape, axis):
    check_vjp(lambda x: op(x, axis), rand(shape, "f64", low=-3, high=3))


@pytest.mark.parametrize("shape,axis", [((3, 5), -1), ((2, 3, 4), [-2, -1]), ((5,), -1),
                                        ((2, 3, 4), [1, 2])])
def test_vjp_layer_norm(shape, axis):
    axes = [axis] if isinstance(axis, int) else axis
    norm = shape[len(shape) - len(axes):]
    check_vjp(lambda x, g, b: tfc.layer_norm(x, g, b, axis, 1e-2),
              rand(shape, "f64"), rand(norm, "f64"), rand(norm, "f64"), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape,axis", [((3, 5), -1), ((4, 3), 0), ((2, 3, 4), 1)])
def test_vjp_softmax_cross_entropy(shape, axis):
    # TF's fused rule is exact when each row of labels sums to one.
    check_vjp(lambda l, z: tfc.softmax_cross_entropy_with_logits(l, z, axis),
              soft_labels(shape, "f64", axis), rand(shape, "f64", low=-3, high=3))


@pytest.mark.parametrize("shape,label_type", [((3, 5), "i32"), ((2, 3, 4), "i64")])
def test_vjp_sparse_softmax_cross_entropy(shape, label_type):
    # check_vjp perturbs every input; the integer labels are held fixed here instead.
    labels = RNG.integers(0, shape[-1], size=shape[:-1]).astype(dtypes.from_any(label_type).numpy)
    logits = rand(shape, "f64", low=-3, high=3)
    cot = RNG.standard_normal(shape[:-1])
    d_labels, d_logits = R.SparseSoftmaxCrossEntropyWithLogitsOp.vjp(
        {}, [labels, logits], [None], [cot])
    assert d_labels is None
    (want,) = numeric_vjp(lambda z: tfc.sparse_softmax_cross_entropy_with_logits(labels, z),
                          [logits], cot)
    np.testing.assert_allclose(d_logits, want, rtol=1e-5, atol=1e-6)


def test_non_differentiable():
    assert R.ArgMaxOp.NOT_DIFFERENTIABLE and R.ArgMinOp.NOT_DIFFERENTIABLE
    assert R.ArgMaxOp.vjp is None and R.ArgMinOp.vjp is None
    x = rand((3, 4), "i32")
    assert R.ReduceSumOp.vjp({"axes": None, "keepdims": False}, [x], [x.sum()], [1]) == [None]
