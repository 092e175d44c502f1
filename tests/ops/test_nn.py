"""NN ops (matmul, conv2d, pooling and their gradient ops): compiled kernels against the
float64 oracle, eager results against independent NumPy loops, errors, and VJP rules.

Compiled tests group a forward op with its gradient ops into one program (one
compile per configuration); every output is still compared with the oracle.
"""

from __future__ import annotations

import itertools
import pathlib
import sys

import numpy as np
import pytest

try:
    from tests.helpers import check_compiled, check_vjp, rand
except ImportError:  # plain `pytest` does not put the repository root on sys.path
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
    from tests.helpers import check_compiled, check_vjp, rand

import tfc
from tfc.ops import nn
from tfc.pipeline import lower
from tfc.tracing import trace_function

HERE = pathlib.Path(__file__).name


# --- independent NumPy oracles (loops, written without the op's reference) ------------

def np_conv2d(x, f, strides, pads, dilations):
    (sh, sw), (pt, pb, pl, pr), (dh, dw) = strides, pads, dilations
    xp = np.pad(x.astype(np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    kh, kw = f.shape[:2]
    oh = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((x.shape[0], oh, ow, f.shape[3]))
    for n, i, j, o in itertools.product(*map(range, out.shape)):
        win = xp[n, i * sh: i * sh + (kh - 1) * dh + 1: dh, j * sw: j * sw + (kw - 1) * dw + 1: dw, :]
        out[n, i, j, o] = np.sum(win * f[..., o])
    return out


def same_pads(size, k, s, d=1):
    """TF's SAME padding (before, after) for one spatial dim."""
    out = -(-size // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def np_pool(x, k, s, padding, kind):
    """Pooling by loops over windows, ignoring padded positions (NaN-masked)."""
    (kh, kw), (sh, sw) = k, s
    if padding == "SAME":
        (pt, pb), (pl, pr) = same_pads(x.shape[1], kh, sh), same_pads(x.shape[2], kw, sw)
    else:
        pt = pb = pl = pr = 0
    xp = np.pad(x.astype(np.float64), ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=np.nan)
    oh, ow = (xp.shape[1] - kh) // sh + 1, (xp.shape[2] - kw) // sw + 1
    out = np.zeros((x.shape[0], oh, ow, x.shape[3]))
    for n, i, j, c in itertools.product(*map(range, out.shape)):
        win = xp[n, i * sh: i * sh + kh, j * sw: j * sw + kw, c]
        out[n, i, j, c] = np.nanmax(win) if kind == "max" else np.nanmean(win)
    return out


def np_max_pool_grad(x, g, k, s, padding):
    """Each window's gradient goes to the first (row-major) maximum among real positions."""
    (kh, kw), (sh, sw) = k, s
    if padding == "SAME":
        (pt, _), (pl, _) = same_pads(x.shape[1], kh, sh), same_pads(x.shape[2], kw, sw)
    else:
        pt = pl = 0
    dx = np.zeros(x.shape)
    for n, i, j, c in itertools.product(*map(range, g.shape)):
        best = None
        for a, b in itertools.product(range(kh), range(kw)):
            h, w = i * sh + a - pt, j * sw + b - pl
            if 0 <= h < x.shape[1] and 0 <= w < x.shape[2] and (best is None or x[n, h, w, c] > x[best]):
                best = (n, h, w, c)
        dx[best] += g[n, i, j, c]
    return dx


# --- matmul: compiled ------------------------------------------------------------------

def all_transposes(a, b, at, bt):
    """a @ b with every transpose combination (at = a's transpose, bt = b's)."""
    return (tfc.matmul(a, b), tfc.matmul(at, b, transpose_a=True),
            tfc.matmul(a, bt, transpose_b=True), tfc.matmul(at, bt, transpose_a=True, transpose_b=True))


def _t(x):
    return np.ascontiguousarray(np.swapaxes(x, -1, -2))


MATMUL_SHAPES = [((4, 5), (5, 3)), ((1, 7), (7, 1)), ((3, 4, 5), (3, 5, 2)),
                 ((2, 1, 4, 5), (3, 5, 6)), ((5, 3), (2, 3, 4))]


@pytest.mark.parametrize("dtype,shapes", [("f32", s) for s in MATMUL_SHAPES]
                         + [(d, s) for d in ["f64", "f16", "bf16", "i32", "i64"]
                            for s in (MATMUL_SHAPES[0], MATMUL_SHAPES[3])])
def test_matmul_compiled(dtype, shapes):
    a, b = rand(shapes[0], dtype), rand(shapes[1], dtype)
    check_compiled(all_transposes, a, b, _t(a), _t(b))


def test_matmul_half_accumulates_in_f32():
    # 64 products of 1 + 2^-10: an f16 accumulator would round the partial sums.
    a = np.full((2, 64), 1 + 2.0 ** -10, np.float16)
    b = np.ones((64, 2), np.float16)
    exe = check_compiled(lambda a, b: tfc.matmul(a, b), a, b)
    assert "tensor<2x2xf32>" in exe.ir("linalg")
    np.testing.assert_array_equal(exe(a, b), np.float16(64 * (1 + 2.0 ** -10)))


# --- conv2d and its gradient ops: compiled --------------------------------------------

def conv_program(kw):
    def program(x, f, g):
        return (tfc.conv2d(x, f, **kw),
                tfc.conv2d_backprop_input(x.shape, f, g, **kw),
                tfc.conv2d_backprop_filter(x, f.shape, g, **kw))
    return program


# (input NHWC, filter HWIO, conv kwargs): SAME/VALID, strides 1 and 2, dilation 2,
# odd spatial sizes, explicit (asymmetric) pads, a 1x1 filter.
CONV_CASES = [
    ((1, 5, 5, 2), (3, 3, 2, 3), dict(strides=1, padding="VALID")),
    ((2, 5, 7, 3), (3, 3, 3, 2), dict(strides=1, padding="SAME")),
    ((1, 7, 6, 2), (3, 2, 2, 2), dict(strides=2, padding="SAME")),
    ((1, 7, 7, 1), (2, 2, 1, 3), dict(strides=2, padding="VALID")),
    ((1, 7, 6, 2), (3, 3, 2, 2), dict(strides=1, padding="VALID", dilations=2)),
    ((1, 5, 6, 2), (2, 3, 2, 2), dict(strides=1, padding="SAME", dilations=2)),
    ((1, 6, 5, 2), (3, 3, 2, 1), dict(strides=(2, 1), padding=[2, 0, 1, 3])),
    ((2, 3, 4, 3), (1, 1, 3, 4), dict(strides=1, padding="VALID")),
]


@pytest.mark.parametrize("xs,fs,kw", CONV_CASES)
def test_conv2d_and_backprops_compiled(xs, fs, kw):
    x, f = rand(xs), rand(fs)
    g = rand(tfc.conv2d(x, f, **kw).shape)
    check_compiled(conv_program(kw), x, f, g)


@pytest.mark.parametrize("dtype", ["f64", "f16", "bf16", "i32"])
def test_conv2d_dtypes_compiled(dtype):
    kw = dict(strides=2, padding="SAME")
    x, f = rand((1, 5, 5, 2), dtype), rand((3, 3, 2, 2), dtype)
    if dtype == "i32":
        check_compiled(lambda x, f: tfc.conv2d(x, f, **kw), x, f)
    else:
        check_compiled(conv_program(kw), x, f, rand(tfc.conv2d(x, f, **kw).shape, dtype))


# --- pooling and its gradient ops: compiled -------------------------------------------

def pool_program(kw):
    def program(x, g):
        y = tfc.max_pool2d(x, **kw)
        return (y, tfc.avg_pool2d(x, **kw), tfc.max_pool2d_grad(x, y, g, **kw),
                tfc.avg_pool2d_grad(x.shape, g, **kw))
    return program


POOL_CASES = [
    ((1, 4, 6, 2), dict(ksize=2, strides=2, padding="VALID")),
    ((2, 5, 5, 3), dict(ksize=3, strides=1, padding="SAME")),
    ((1, 7, 5, 2), dict(ksize=3, strides=2, padding="SAME")),
    ((1, 5, 7, 1), dict(ksize=2, strides=2, padding="SAME")),
    ((1, 7, 6, 2), dict(ksize=(3, 2), strides=(2, 1), padding="VALID")),
]


@pytest.mark.parametrize("xs,kw", POOL_CASES)
def test_pools_and_grads_compiled(xs, kw):
    x = rand(xs)
    g = rand(tfc.max_pool2d(x, **kw).shape)
    check_compiled(pool_program(kw), x, g)


def test_max_pool_grad_ties_compiled():
    # Small integers as floats: many ties; the gradient goes to the first maximum.
    kw = dict(ksize=3, strides=2, padding="SAME")
    x = rand((1, 7, 7, 2), "f32", 0, 2).round()
    g = rand(tfc.max_pool2d(x, **kw).shape)
    exe = check_compiled(pool_program(kw), x, g)
    np.testing.assert_allclose(exe(x, g)[2], np_max_pool_grad(x, g, (3, 3), (2, 2), "SAME"),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", ["f64", "f16", "bf16"])
def test_pools_dtypes_compiled(dtype):
    kw = dict(ksize=3, strides=2, padding="SAME")
    x = rand((1, 5, 6, 2), dtype)
    check_compiled(pool_program(kw), x, rand(tfc.max_pool2d(x, **kw).shape, dtype))


def test_max_pool_int_compiled():
    x = rand((1, 5, 5, 2), "i32", -50, 50)
    check_compiled(lambda x: tfc.max_pool2d(x, 2, 2, "SAME"), x)


def test_bias_add_compiled():
    check_compiled(lambda x, f, b: tfc.bias_add(tfc.conv2d(x, f, padding="SAME"), b),
                   rand((1, 4, 4, 2)), rand((3, 3, 2, 3)), rand((3,)))


# --- eager semantics against the NumPy loops ----------------------------------------

def test_eager_matmul_matches_einsum():
    a, b = rand((2, 1, 4, 5), "f64"), rand((3, 5, 6), "f64")
    np.testing.assert_allclose(tfc.matmul(a, b), np.einsum("xymk,ykn->xymn", np.broadcast_to(a, (2, 3, 4, 5)), b))
    np.testing.assert_allclose(tfc.matmul(_t(a), b, transpose_a=True), np.einsum("xmk,ykn->xymn", a[:, 0], b))
    i, j = rand((3, 4), "i32"), rand((5, 4), "i32")
    got = tfc.matmul(i, j, transpose_b=True)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, np.einsum("mk,nk->mn", i.astype(np.int64), j))


@pytest.mark.parametrize("xs,fs,kw", CONV_CASES)
def test_eager_conv2d_matches_loops(xs, fs, kw):
    x, f = rand(xs, "f64"), rand(fs, "f64")
    strides = nn._spatial_arg("c", "s", kw.get("strides", 1))
    dil = nn._spatial_arg("c", "d", kw.get("dilations", 1))
    pad = kw["padding"]
    if pad == "SAME":
        pads = (*same_pads(xs[1], fs[0], strides[0], dil[0]), *same_pads(xs[2], fs[1], strides[1], dil[1]))
    elif pad == "VALID":
        pads = (0, 0, 0, 0)
    else:
        pads = tuple(pad)
    np.testing.assert_allclose(tfc.conv2d(x, f, **kw), np_conv2d(x, f, strides, pads, dil), rtol=1e-12, atol=1e-12)


def test_eager_conv2d_tf_padding_spellings():
    x, f = rand((1, 5, 6, 2), "f64"), rand((3, 3, 2, 2), "f64")
    a = tfc.conv2d(x, f, strides=[1, 2, 2, 1], padding=[[0, 0], [1, 2], [0, 1], [0, 0]])
    b = tfc.conv2d(x, f, strides=2, padding=[1, 2, 0, 1])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, np_conv2d(x, f, (2, 2), (1, 2, 0, 1), (1, 1)))


@pytest.mark.parametrize("xs,kw", POOL_CASES)
def test_eager_pools_match_loops(xs, kw):
    x = rand(xs, "f64")
    k = nn._spatial_arg("p", "k", kw["ksize"])
    s = nn._spatial_arg("p", "s", kw["strides"])
    np.testing.assert_allclose(tfc.max_pool2d(x, **kw), np_pool(x, k, s, kw["padding"], "max"))
    # SAME average pooling divides by the number of real elements in each window, as TF.
    np.testing.assert_allclose(tfc.avg_pool2d(x, **kw), np_pool(x, k, s, kw["padding"], "avg"), rtol=1e-12, atol=1e-12)
    xi = rand(xs, "f64", 0, 2).round()  # ties
    g = rand(tfc.max_pool2d(xi, **kw).shape, "f64")
    np.testing.assert_allclose(tfc.max_pool2d_grad(xi, tfc.max_pool2d(xi, **kw), g, **kw),
                               np_max_pool_grad(xi, g, k, s, kw["padding"]), rtol=1e-12, atol=1e-12)


def test_eager_bias_add():
    x, b = rand((2, 3, 4), "f64"), rand((4,), "f64")
    np.testing.assert_array_equal(tfc.bias_add(x, b), x + b[None, None, :])


def test_ops_lower_to_recognisable_generics():
    """matmul's contraction and conv2d's window read are in the generic's maps."""
    specs = [tfc.TensorSpec((2, 1, 4, 5), "f32"), tfc.TensorSpec((3, 6, 5), "f32")]
    m, _ = trace_function(lambda a, b: tfc.matmul(a, b, transpose_b=True), specs)
    text = str(lower(m, "linalg"))
    assert ('affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> '
            '(d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>') in text
    assert '["parallel", "parallel", "parallel", "parallel", "reduction"]' in text
    specs = [tfc.TensorSpec((1, 7, 7, 2), "f32"), tfc.TensorSpec((3, 3, 2, 4), "f32")]
    m, _ = trace_function(lambda x, f: tfc.conv2d(x, f, strides=2, dilations=1, padding="SAME"), specs)
    text = str(lower(m, "linalg"))
    assert "(d0, ((d1 * 2) + d4), ((d2 * 2) + d5), d6)" in text
    assert "tensor.insert_slice" in text


# --- errors name the op, the shapes, and the user's line --------------------------------

f32 = np.float32
ERROR_CASES = {
    "matmul_inner": (lambda: tfc.matmul(np.zeros((4, 8), f32), np.zeros((9, 3), f32)),
                     ["tfc.matmul: inner dimensions differ: lhs tensor<4x8xf32>, rhs tensor<9x3xf32>"]),
    "matmul_batch": (lambda: tfc.matmul(np.zeros((2, 4, 5), f32), np.zeros((3, 5, 6), f32)),
                     ["tfc.matmul: batch dimensions", "tensor<2x4x5xf32>", "tensor<3x5x6xf32>"]),
    "matmul_rank1": (lambda: tfc.matmul(np.zeros((4,), f32), np.zeros((4, 2), f32)),
                     ["tfc.matmul", "rank >= 2", "tensor<4xf32>"]),
    "matmul_dtype": (lambda: tfc.matmul(np.zeros((2, 2), f32), np.zeros((2, 2), np.float64)),
                     ["tfc.matmul", "tensor<2x2xf32>", "tensor<2x2xf64>"]),
    "matmul_bool": (lambda: tfc.matmul(np.zeros((2, 2), bool), np.zeros((2, 2), bool)),
                    ["tfc.matmul", "tensor<2x2xi1>"]),
    "conv_channels": (lambda: tfc.conv2d(np.zeros((1, 5, 5, 3), f32), np.zeros((3, 3, 2, 4), f32)),
                      ["tfc.conv2d", "channels", "tensor<1x5x5x3xf32>", "tensor<3x3x2x4xf32>"]),
    "conv_too_big": (lambda: tfc.conv2d(np.zeros((1, 3, 3, 1), f32), np.zeros((2, 2, 1, 1), f32),
                                        dilations=3),
                     ["tfc.conv2d", "larger than the padded input", "tensor<1x3x3x1xf32>"]),
    "conv_rank": (lambda: tfc.conv2d(np.zeros((5, 5, 3), f32), np.zeros((3, 3, 3, 4), f32)),
                  ["tfc.conv2d", "rank 4", "tensor<5x5x3xf32>"]),
    "conv_padding": (lambda: tfc.conv2d(np.zeros((1, 5, 5, 1), f32), np.zeros((3, 3, 1, 1), f32),
                                        padding="FULL"), ["tfc.conv2d", "padding", "'FULL'"]),
    "conv_format": (lambda: tfc.conv2d(np.zeros((1, 5, 5, 1), f32), np.zeros((3, 3, 1, 1), f32),
                                       data_format="NCHW"), ["tfc.conv2d", "NHWC", "NCHW"]),
    "backprop_input_shape": (lambda: tfc.conv2d_backprop_input(
        (1, 5, 5, 1), np.zeros((3, 3, 1, 1), f32), np.zeros((1, 4, 4, 1), f32)),
        ["tfc.conv2d_backprop_input", "[1, 3, 3, 1]", "tensor<1x4x4x1xf32>"]),
    "pool_window": (lambda: tfc.max_pool2d(np.zeros((1, 2, 2, 1), f32), 3, 1, "VALID"),
                    ["tfc.max_pool2d", "window", "tensor<1x2x2x1xf32>"]),
    "avg_pool_int": (lambda: tfc.avg_pool2d(np.zeros((1, 4, 4, 1), np.int32), 2, 2, "VALID"),
                     ["tfc.avg_pool2d", "float", "tensor<1x4x4x1xi32>"]),
    "bias_add": (lambda: tfc.bias_add(np.zeros((2, 3), f32), np.zeros((4,), f32)),
                 ["tfc.bias_add", "tensor<2x3xf32>", "tensor<4xf32>"]),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_eager(case):
    fn, parts = ERROR_CASES[case]
    with pytest.raises(tfc.ShapeError) as info:
        fn()
    msg = str(info.value)
    for part in parts + [HERE]:
        assert part in msg, msg


def test_errors_traced_name_user_line():
    def program(a, b):
        return tfc.matmul(a, b)  # the line the error must name

    line = program.__code__.co_firstlineno + 1
    with pytest.raises(tfc.ShapeError) as info:
        tfc.compile(program, tfc.TensorSpec((4, 8)), tfc.TensorSpec((9, 3)))
    msg = str(info.value)
    assert "tfc.matmul: inner dimensions differ: lhs tensor<4x8xf32>, rhs tensor<9x3xf32>" in msg
    assert f"{HERE}:{line}" in msg, msg


def test_bias_add_traced_error_names_user_line():
    def program(x, b):
        return tfc.bias_add(x, b)  # the line the error must name

    line = program.__code__.co_firstlineno + 1
    with pytest.raises(tfc.ShapeError) as info:
        tfc.compile(program, tfc.TensorSpec((2, 3)), tfc.TensorSpec((4,)))
    assert f"{HERE}:{line}" in str(info.value)


# --- gradients ---------------------------------------------------------------------------

@pytest.mark.parametrize("ta,tb", list(itertools.product([False, True], repeat=2)))
@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((2, 3, 4), (2, 4, 2)), ((2, 1, 3, 4), (3, 4, 2)),
                                    ((3, 4), (2, 4, 2))])
def test_vjp_matmul(shapes, ta, tb):
    a, b = rand(shapes[0], "f64"), rand(shapes[1], "f64")
    a, b = (_t(a) if ta else a), (_t(b) if tb else b)
    check_vjp(lambda a, b: tfc.matmul(a, b, transpose_a=ta, transpose_b=tb), a, b)


def test_vjp_matmul_int_is_none():
    a = np.ones((2, 2), np.int32)
    assert nn.MatmulOp.vjp({"transpose_a": False, "transpose_b": False}, [a, a], [a], [a]) == [None, None]


CONV_VJP_CASES = [
    ((1, 4, 5, 2), (3, 3, 2, 2), dict(strides=1, padding="SAME")),
    ((1, 5, 5, 1), (3, 2, 1, 2), dict(strides=2, padding="SAME")),
    ((2, 5, 4, 1), (2, 2, 1, 1), dict(strides=2, padding="VALID")),
    ((1, 5, 5, 1), (2, 2, 1, 2), dict(strides=1, padding="VALID", dilations=2)),
    ((1, 4, 4, 1), (2, 3, 1, 1), dict(strides=(1, 2), padding=[1, 0, 2, 1])),
]


@pytest.mark.parametrize("xs,fs,kw", CONV_VJP_CASES)
def test_vjp_conv2d(xs, fs, kw):
    check_vjp(lambda x, f: tfc.conv2d(x, f, **kw), rand(xs, "f64"), rand(fs, "f64"))


@pytest.mark.parametrize("xs,fs,kw", CONV_VJP_CASES[1:4])
def test_vjp_conv2d_backprops(xs, fs, kw):
    """The gradient ops are bilinear; their VJPs are conv ops again."""
    x, f = rand(xs, "f64"), rand(fs, "f64")
    g = rand(tfc.conv2d(x, f, **kw).shape, "f64")
    check_vjp(lambda f, g: tfc.conv2d_backprop_input(xs, f, g, **kw), f, g)
    check_vjp(lambda x, g: tfc.conv2d_backprop_filter(x, fs, g, **kw), x, g)


POOL_VJP_CASES = [
    ((1, 4, 4, 2), dict(ksize=2, strides=2, padding="VALID")),
    ((1, 5, 5, 1), dict(ksize=3, strides=2, padding="SAME")),
    ((1, 4, 5, 1), dict(ksize=3, strides=1, padding="SAME")),
    ((2, 5, 4, 1), dict(ksize=(2, 3), strides=(2, 1), padding="VALID")),
]


@pytest.mark.parametrize("xs,kw", POOL_VJP_CASES)
def test_vjp_pools(xs, kw):
    # Distinct, well-separated values: finite differences must not cross a tie.
    x = (RNG_PERM(int(np.prod(xs))).reshape(xs) * 0.1).astype(np.float64)
    check_vjp(lambda x: tfc.max_pool2d(x, **kw), x)
    check_vjp(lambda x: tfc.avg_pool2d(x, **kw), rand(xs, "f64"))
    g = rand(tfc.avg_pool2d(x, **kw).shape, "f64")
    check_vjp(lambda g: tfc.avg_pool2d_grad(xs, g, **kw), g)


def RNG_PERM(n):
    return np.random.default_rng().permutation(n).astype(np.float64)


def test_max_pool_grad_has_no_vjp():
    assert nn.MaxPool2dGradOp.vjp is None


def _rule(fn, *xs, g):
    """The gradients `fn`'s op's VJP rule builds (traced when xs are traced values)."""
    out = fn(*xs)
    op = out.value.owner
    return type(op).vjp(op.py_attrs(), list(xs), [out], [g])


@pytest.mark.parametrize("mm_shapes", [((3, 4, 5), (3, 5, 2)), ((2, 1, 4, 5), (3, 5, 2))])
def test_vjp_rules_trace_and_compile(mm_shapes):
    """The gradient rules are tfc programs: traced, lowered and compiled like any other
    (with batch broadcasting, matmul's rule reduces the gradient back to each shape)."""
    conv = dict(strides=2, padding="SAME")
    pool = dict(ksize=3, strides=2, padding="SAME")

    def program(a, b, gm, x, f, gc, gp):
        outs = []
        for ta, tb in itertools.product([False, True], repeat=2):
            aa = tfc.transpose(a, (0, 2, 1) if a.ndim == 3 else (0, 1, 3, 2)) if ta else a
            bb = tfc.transpose(b, (0, 2, 1)) if tb else b
            outs += _rule(lambda u, v: tfc.matmul(u, v, transpose_a=ta, transpose_b=tb), aa, bb, g=gm)
        outs += _rule(lambda u, v: tfc.conv2d(u, v, **conv), x, f, g=gc)
        outs += _rule(lambda u: tfc.max_pool2d(u, **pool), x, g=gp)
        outs += _rule(lambda u: tfc.avg_pool2d(u, **pool), x, g=gp)
        return tuple(outs)

    a, b = rand(mm_shapes[0]), rand(mm_shapes[1])
    gm = rand(tfc.matmul(a, b).shape)
    x, f = rand((1, 5, 6, 2)), rand((3, 3, 2, 3))
    check_compiled(program, a, b, gm, x, f, rand(tfc.conv2d(x, f, **conv).shape),
                   rand(tfc.max_pool2d(x, **pool).shape))
