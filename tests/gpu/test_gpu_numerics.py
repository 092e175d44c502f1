"""target="gpu" numerics against the float64 oracle, one program per op family.

Without a GPU this runs every kernel in Triton's interpreter, which is slow:
shapes are tiny and odd (nothing divides a block size), and one program covers
many ops. `SMALL` (`gpu_max_block=16`) caps every block at 16 elements so the
same tiny shapes also reach the many-program and looped-reduction forms.
"""

from __future__ import annotations

import numpy as np
import pytest

import tfc
from tests.helpers import RNG, check_compiled, rand

SMALL = {"gpu_max_block": 16, "gpu_persistent_row": 16}


def gpu(fn, *args, tol=None, **settings):
    """check_compiled on the GPU target (settings go to tfc.compile)."""
    exe = tfc.compile(fn, *args, target="gpu", **settings)
    return check_compiled(fn, *args, target="gpu", tol=tol, exe=exe)


def _nonzero(a):
    a = np.asarray(a)
    return np.where(np.abs(a.astype(np.float64)) < 0.25, 0.5, a).astype(a.dtype)


# --- elementwise ---------------------------------------------------------------------

def float_program(x, y, p):
    """Binary ops with broadcasting, comparisons, select and the unary math ops."""
    return (x + y, x - y, x * y, x / y, tfc.maximum(x, y), tfc.minimum(x, y), tfc.pow(p, y),
            tfc.less(x, y), tfc.not_equal(x, y), tfc.select(tfc.greater_equal(x, y), x, y),
            tfc.exp(x), tfc.log(p), tfc.sqrt(p), tfc.rsqrt(p), tfc.tanh(x), tfc.sigmoid(x),
            tfc.relu(x), tfc.erf(x), tfc.sin(x), tfc.cos(x), tfc.abs(x), -x,
            tfc.gelu(x), tfc.gelu(x, approximate=True))


@pytest.mark.parametrize("dtype,sx,sy", [("f32", (3, 1, 5), (4, 1)), ("f32", (), (6,)),
                                         ("f16", (2, 7), (7,)), ("bf16", (5, 3), (5, 1))])
def test_elementwise_float(dtype, sx, sy):
    x = rand(sx, dtype, -3, 3)
    y = _nonzero(rand(sy, dtype))
    p = rand(sx, dtype, 0.3, 2.5)
    gpu(float_program, x, y, p)


def int_program(x, y, e):
    """Floor division (divisor may be 0), pow with negative exponents, comparisons."""
    return (x + y, x - y, x * y, tfc.div(x, y), tfc.maximum(x, y), tfc.minimum(x, y), tfc.pow(x, e),
            -x, tfc.abs(x), tfc.relu(x), tfc.less_equal(x, y), tfc.where(tfc.greater(x, 0), x, y))


@pytest.mark.parametrize("dtype", ["i32", "i64"])
def test_elementwise_int(dtype):
    gpu(int_program, rand((3, 1, 5), dtype, -7, 7), rand((4, 1), dtype, -3, 3),
        rand((4, 1), dtype, -3, 4))


def test_logical_select_cast_and_special_values():
    a, b = rand((2, 1, 3), "i1"), rand((5, 1), "i1")
    x = np.array([np.nan, 1.0, -np.inf, 0.0, 88.0, -100.0, 30.0, -2.75], np.float32)
    y = np.array([0.5, np.nan, 2.0, -0.0, -88.0, 100.0, np.nan, 2.5], np.float32)

    def program(a, b, x, y):
        return (a & b, a | b, ~a, tfc.equal(a, b), tfc.select(a, b, ~b),
                tfc.maximum(x, y), tfc.minimum(x, y), tfc.relu(x), tfc.sigmoid(x), tfc.tanh(x),
                tfc.less(x, y), tfc.not_equal(x, y),
                *(tfc.cast(y, to) for to in ("i32", "i64", "f16", "bf16", "i1", "f64")),
                tfc.cast(a, "f32"), tfc.cast(tfc.cast(x, "i32"), "f32"))

    with np.errstate(invalid="ignore"):
        gpu(program, a, b, x, y)


# --- shape ops ---------------------------------------------------------------------------

def layout_program(x, ids, p):
    """Transpose, reshape, slices (negative and strided), concat, pad, broadcast, gather."""
    return (tfc.transpose(x), tfc.transpose(x, (1, 2, 0)), tfc.reshape(x, (5, -1)),
            tfc.broadcast_to(x[:, :1], (4, 2, 3, 5)), x[1, ::-1, 1:4:2], x[:, 1:],
            tfc.concat([x, x[:, :1], x], axis=1), tfc.pad(x, [[1, 0], [0, 2], [3, 1]], constant_values=1),
            tfc.stack([x, x], axis=2), tfc.tile(x, (2, 1, 3)), tfc.reverse(x, [0, 2]),
            tfc.gather(p, ids), tfc.gather(p, ids, axis=1), tfc.one_hot(ids, 6), p[ids[0]])


@pytest.mark.parametrize("dtype,settings", [("f32", {}), ("bf16", SMALL), ("i64", {})])
def test_shape_ops(dtype, settings):
    ids = RNG.integers(-2, 8, size=(2, 5)).astype(np.int32)  # some out of range: clamped
    gpu(layout_program, rand((2, 3, 5), dtype), ids, rand((6, 4), dtype), **settings)


def test_rank0_and_views():
    def program(x, s):
        return (tfc.reshape(s, (1, 1)), tfc.reshape(x[:, :1], ()), tfc.broadcast_to(s, (3, 1)),
                tfc.squeeze(x), x[0, 6], x[:, 5:0:-3], tfc.pad(x, [[0, 0], [1, 1]], constant_values=-2.5))

    gpu(program, rand((1, 7)), rand(()))


# --- reductions ---------------------------------------------------------------------------

def all_reductions(axis, keepdims):
    def program(x):
        return (tfc.reduce_sum(x, axis, keepdims), tfc.reduce_mean(x, axis, keepdims),
                tfc.reduce_max(x, axis, keepdims), tfc.reduce_min(x, axis, keepdims),
                tfc.reduce_prod(x, axis, keepdims))
    return program


@pytest.mark.parametrize("dtype,shape,axis,keepdims,settings", [
    ("f32", (3, 5), 1, False, {}),
    ("f32", (5, 37), 1, True, SMALL),           # looped: a row of 37 in blocks of 16
    ("f32", (3, 5), 0, True, {}),
    ("f32", (2, 3, 4), [0, 2], False, SMALL),
    ("f32", (7,), None, True, {}),
    ("f16", (3, 5), 1, False, {}),
    ("bf16", (2, 3, 4), [0, 2], True, {}),
    ("i32", (3, 5), 1, False, SMALL),
])
def test_reductions(dtype, shape, axis, keepdims, settings):
    gpu(all_reductions(axis, keepdims), rand(shape, dtype, -3, 3), **settings)


def test_reductions_propagate_nan_and_argmax():
    x = rand((4, 6))
    x[1, 2] = np.nan
    x[2, :] = 1.0  # ties: the first index wins
    gpu(lambda x: (tfc.reduce_max(x, 1), tfc.reduce_min(x, 0), tfc.argmax(x, 1),
                   tfc.argmin(x, 0, output_type="i32")), x)


@pytest.mark.parametrize("dtype", ["f16", "i32"])
def test_argmax_dtypes(dtype):
    gpu(lambda x: (tfc.argmax(x, 1), tfc.argmin(x, 0)), rand((3, 5, 2), dtype, -5, 5))


# --- normalizations ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype,shape,axis,settings", [
    ("f32", (3, 5), -1, {}),
    ("f32", (4, 21), -1, SMALL),   # looped rows
    ("f32", (3, 5), 0, {}),
    ("bf16", (2, 3, 4), 1, {}),
])
def test_softmax_log_softmax(dtype, shape, axis, settings):
    gpu(lambda x: (tfc.softmax(x, axis), tfc.log_softmax(x, axis)), rand(shape, dtype, -4, 4), **settings)


@pytest.mark.parametrize("dtype,shape,settings", [("f32", (3, 7), {}), ("f32", (2, 33), SMALL),
                                                  ("f16", (4, 6), {})])
def test_layer_norm(dtype, shape, settings):
    x, g, b = rand(shape, dtype), rand(shape[-1:], dtype), rand(shape[-1:], dtype)
    gpu(lambda x, g, b: tfc.layer_norm(x, g, b), x, g, b, **settings)


def test_cross_entropies():
    logits = rand((4, 7), "f32", -3, 3)
    labels = RNG.dirichlet(np.ones(7), size=4).astype(np.float32)
    sparse = RNG.integers(0, 7, size=(4,)).astype(np.int32)
    gpu(lambda l, z, s: (tfc.softmax_cross_entropy_with_logits(l, z),
                         tfc.sparse_softmax_cross_entropy_with_logits(s, z)), labels, logits, sparse)


# --- matmul, conv, pools ---------------------------------------------------------------------

def all_transposes(a, b, at, bt):
    return (tfc.matmul(a, b), tfc.matmul(at, b, transpose_a=True),
            tfc.matmul(a, bt, transpose_b=True), tfc.matmul(at, bt, transpose_a=True, transpose_b=True))


def _t(x):
    return np.ascontiguousarray(np.swapaxes(x, -1, -2))


@pytest.mark.parametrize("dtype,sa,sb,settings", [
    ("f32", (5, 7), (7, 3), {}),
    ("f32", (2, 1, 19, 17), (3, 17, 18), SMALL),     # batched, broadcast batch, K looped
    ("f16", (6, 9), (9, 5), {}),
    ("bf16", (3, 6, 9), (3, 9, 5), {}),
])
def test_matmul(dtype, sa, sb, settings):
    a, b = rand(sa, dtype), rand(sb, dtype)
    gpu(all_transposes, a, b, _t(a), _t(b), **settings)


@pytest.mark.parametrize("xs,fs,kw", [
    ((1, 7, 7, 2), (3, 3, 2, 4), dict(strides=2, padding="SAME")),
    ((2, 6, 5, 3), (2, 3, 3, 2), dict(strides=1, padding="VALID")),
    ((1, 5, 6, 1), (3, 2, 1, 3), dict(strides=(2, 1), padding="SAME", dilations=1)),
])
def test_conv2d(xs, fs, kw):
    x, f = rand(xs), rand(fs)
    gpu(lambda x, f: tfc.conv2d(x, f, **kw), x, f)


def test_conv2d_backprops_and_bias():
    kw = dict(strides=2, padding="SAME")
    x, f, b = rand((1, 5, 5, 2)), rand((3, 3, 2, 3)), rand((3,))
    g = rand(tfc.conv2d(x, f, **kw).shape)
    gpu(lambda x, f, g, b: (tfc.bias_add(tfc.conv2d(x, f, **kw), b),
                            tfc.conv2d_backprop_input(x.shape, f, g, **kw),
                            tfc.conv2d_backprop_filter(x, f.shape, g, **kw)), x, f, g, b)


@pytest.mark.parametrize("kw", [dict(ksize=2, strides=2, padding="SAME"),
                                dict(ksize=3, strides=1, padding="VALID")])
def test_pools(kw):
    x = rand((1, 5, 6, 2))
    g = rand(tfc.max_pool2d(x, **kw).shape)

    def program(x, g):
        y = tfc.max_pool2d(x, **kw)
        return (y, tfc.avg_pool2d(x, **kw), tfc.max_pool2d_grad(x, y, g, **kw),
                tfc.avg_pool2d_grad(x.shape, g, **kw))

    gpu(program, x, g)


# --- a small MLP ---------------------------------------------------------------------------

def mlp(x, w1, b1, w2, b2):
    h = tfc.relu(tfc.matmul(x, w1) + b1)
    return tfc.softmax(tfc.matmul(h, w2) + b2)


@pytest.mark.parametrize("dtype", ["f32", "f16"])
def test_mlp(dtype):
    args = [rand((9, 13), dtype), rand((13, 17), dtype, -0.5, 0.5), rand((17,), dtype),
            rand((17, 5), dtype, -0.5, 0.5), rand((5,), dtype)]
    gpu(mlp, *args)
