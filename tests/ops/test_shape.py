"""Shape ops: compiled kernels against the float64 oracle, eager results against
independent NumPy expressions, shape errors, and gradient rules.

Compiled tests group several ops into one program (one compile each); every op
still has its own output compared with the oracle.
"""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest

try:
    from tests.helpers import RNG, check_compiled, check_vjp, numeric_vjp, rand
except ImportError:  # plain `pytest` does not put the repository root on sys.path
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
    from tests.helpers import RNG, check_compiled, check_vjp, numeric_vjp, rand

import tfc
from tfc.ops import shape as sh
from tfc.tracing import trace_function

FLOATS = ["f32", "f64", "f16", "bf16"]
ALL_DTYPES = FLOATS + ["i32", "i64", "i1"]
HERE = pathlib.Path(__file__).name


def _ops_in(fn, *args):
    """The tfc op names `fn` traces to (to check which IR an op function builds)."""
    specs = [tfc.TensorSpec.of(a) for a in args]
    module, _ = trace_function(fn, specs)
    return [op.name for op in module.walk() if op.name.startswith("tfc.")]


# --- compiled numerics ------------------------------------------------------------

def layout_program(x):
    """Every data-movement op on a rank-3 x of shape (2, 3, 5)."""
    return (
        tfc.broadcast_to(x[:, :1], (4, 2, 3, 5)),     # size-1 dim and a new leading dim
        tfc.reshape(x, (5, -1)),                       # collapse to 1-D then expand
        tfc.reshape(x, (6, 5)),                        # one collapse
        tfc.reshape(x, (2, 1, 3, 5, 1)),               # one expand
        tfc.transpose(x),
        tfc.transpose(x, (1, 2, 0)),
        tfc.expand_dims(x, -1),
        tfc.squeeze(tfc.expand_dims(x, 1), axis=1),
        x[1, ::-1, 1:4:2],                             # shrink, negative stride, stride 2
        x[:, 1:],                                      # extract_slice only
        x[..., None, ::-2],
        tfc.concat([x, x[:, :1], x], axis=1),
        tfc.pad(x, [[1, 0], [0, 2], [3, 1]], constant_values=1),
        tfc.stack([x, x], axis=2),
        tfc.tile(x, (2, 1, 3)),
        tfc.reverse(x, [0, 2]),
        tfc.zeros_like(x),
        tfc.ones_like(x),
    )


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_layout_compiled(dtype):
    check_compiled(layout_program, rand((2, 3, 5), dtype))


def odd_program(x, s):
    """Odd sizes, rank 0 and size-1 dims: x is (1, 7), s is a scalar."""
    return (
        tfc.reshape(s, (1, 1)),                        # rank 0 -> rank n
        tfc.reshape(x[:, :1], ()),                     # rank n -> rank 0
        tfc.broadcast_to(s, (3, 1)),
        tfc.expand_dims(s, 0),
        tfc.squeeze(x),
        tfc.transpose(x),
        x[0, 6],
        x[:, 5:0:-3],
        tfc.concat([x, x], 0),
        tfc.pad(x, [[0, 0], [1, 1]], constant_values=-2.5),
        tfc.pad(s, []),
        tfc.strided_slice(x, [0, 1], [1, 7], [1, 2]),
        tfc.slice(x, [0, 2], [-1, 3]),
    )


@pytest.mark.parametrize("dtype", ["f32", "f16", "i64"])
def test_odd_shapes_compiled(dtype):
    check_compiled(odd_program, rand((1, 7), dtype), rand((), dtype))


@pytest.mark.parametrize("which", [1, 6, 10])
def test_odd_shapes_compiled_singly(which):
    """The outputs of odd_program that are views (rank-0 reshapes, a no-op pad), alone:
    an output that is a view of an input or of a kernel result, with no other output."""
    check_compiled(lambda x, s: odd_program(x, s)[which], rand((1, 7)), rand(()))


def gather_program(p, ids, bids, q):
    """Embedding lookup, a middle axis, batch_dims, and one_hot of the same indices.

    p is (6, 4), q is (3, 6, 2); ids has out-of-range values (clamped)."""
    return (
        tfc.gather(p, ids),
        tfc.gather(p, ids, axis=1),
        tfc.gather(q, bids, axis=1, batch_dims=1),
        tfc.gather(p, ids[0, 0]),                      # scalar index: a row
        tfc.one_hot(ids, 6),
        tfc.one_hot(ids, 5, on_value=2.0, off_value=-1.0, axis=0),
        p[ids[0]],                                     # getitem with a tensor key
    )


def _ids(shape, n, dtype="i32"):
    """Indices into a dim of size n, some out of range (below 0 and beyond n - 1)."""
    return RNG.integers(-2, n + 2, size=shape).astype(tfc.TensorSpec((), dtype).dtype.numpy)


@pytest.mark.parametrize("dtype,idx", [("f32", "i32"), ("f64", "i64"), ("bf16", "i32"),
                                       ("f16", "i64"), ("i32", "i32"), ("i64", "i64")])
def test_gather_one_hot_compiled(dtype, idx):
    ids = _ids((2, 5), 6, idx)
    bids = _ids((3, 4), 6, idx)
    check_compiled(gather_program, rand((6, 4), dtype), ids, bids, rand((3, 6, 2), dtype))


def gather_grad_program(g, ids, g1, gb, bids):
    return (sh.gather_grad(g, ids, 7), sh.gather_grad(g1, ids, 3, axis=1),
            sh.gather_grad(gb, bids, 6, axis=1, batch_dims=1))


@pytest.mark.parametrize("dtype", ["f32", "f64", "f16"])
def test_gather_grad_compiled(dtype):
    ids = _ids((2, 5), 7)
    ids[0, 0] = ids[1, 1] = 3  # repeated rows accumulate
    check_compiled(gather_grad_program, rand((2, 5, 4), dtype), ids, rand((4, 2, 5), dtype),
                   rand((3, 4, 2), dtype), _ids((3, 4), 6))


IOTA_FILL = """
func.func @main(%x: tensor<3xf32>) -> (tensor<5xf32>, tensor<4xi32>, tensor<3xi64>, tensor<2x3xf16>, tensor<3xf32>, tensor<2xi1>, tensor<i32>) {
  %a = tfc.iota {size = 5 : i64, start = 1.5 : f64, delta = -0.5 : f64} : () -> tensor<5xf32>
  %b = tfc.iota {size = 4 : i64, start = 3.0 : f64, delta = 2.0 : f64, dtype = i32} : () -> tensor<4xi32>
  %c = tfc.iota {size = 3 : i64, dtype = i64} : () -> tensor<3xi64>
  %d = tfc.fill {shape = array<i64: 2, 3>, value = 2.5 : f64, dtype = f16} : () -> tensor<2x3xf16>
  %e = tfc.fill {shape = array<i64: 3>, value = -1.0 : f64} : () -> tensor<3xf32>
  %s = tfc.add %x, %e : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %f = tfc.fill {shape = array<i64: 2>, value = 1.0 : f64, dtype = i1} : () -> tensor<2xi1>
  %g = tfc.fill {shape = array<i64>, value = 7.0 : f64, dtype = i32} : () -> tensor<i32>
  func.return %a, %b, %c, %d, %s, %f, %g : tensor<5xf32>, tensor<4xi32>, tensor<3xi64>, tensor<2x3xf16>, tensor<3xf32>, tensor<2xi1>, tensor<i32>
}
"""


def test_iota_fill_compiled():
    exe = tfc.compile_mlir(IOTA_FILL)
    check_compiled(None, rand((3,)), exe=exe)
    a, b, c, d, s, f, g = exe(np.zeros(3, np.float32))
    np.testing.assert_array_equal(a, [1.5, 1.0, 0.5, 0.0, -0.5])
    np.testing.assert_array_equal(b, [3, 5, 7, 9])
    np.testing.assert_array_equal(f, [True, True])
    assert g == 7


def test_traced_fill_and_getitem_compiled():
    """zeros_like / ones_like of a traced value build tfc.fill; Symbolic indexing and .T work."""
    def fn(x):
        return tfc.add(x.T, tfc.ones_like(x.T)), x[1], x[:, -1], tfc.add(x, tfc.zeros_like(x))

    x = rand((3, 4))
    names = _ops_in(fn, x)
    assert "tfc.fill" in names and "tfc.slice" in names and "tfc.transpose" in names
    check_compiled(fn, x)


# --- eager results against NumPy ------------------------------------------------------

KEYS = [
    1, -1, (0, 2), slice(None, None, -1), (slice(1, None), None, Ellipsis),
    (Ellipsis, 0), (None, 1, slice(None, None, 2), -3), (slice(-2, None), slice(4, 0, -2)),
    (np.int64(1), Ellipsis, None), (slice(None), slice(5, 1, 1)), slice(10, 20),
]


@pytest.mark.parametrize("key", KEYS, ids=[repr(k) for k in KEYS])
def test_getitem_eager_matches_numpy(key):
    x = rand((3, 5, 4))
    got = tfc.getitem(x, key)
    np.testing.assert_array_equal(got, x[key])
    assert got.shape == x[key].shape


def test_getitem_traced_builds_slice_and_reshape():
    assert _ops_in(lambda x: x[1:3], rand((5,))) == ["tfc.slice"]
    assert _ops_in(lambda x: x[0, ::2], rand((2, 6))) == ["tfc.slice", "tfc.reshape"]
    assert _ops_in(lambda x: x[:, :], rand((2, 6))) == []
    assert _ops_in(lambda x: x[None], rand((2, 6))) == ["tfc.reshape"]


def test_strided_slice_masks_match_python_slices():
    x = rand((4, 5, 6))
    np.testing.assert_array_equal(tfc.strided_slice(x, [1, 0, 0], [3, 0, 0], [1, 1, 1],
                                                    end_mask=0b110), x[1:3])
    np.testing.assert_array_equal(
        tfc.strided_slice(x, [0, 2], [0, 0], [1, -1], begin_mask=1, end_mask=0b11), x[:, 2::-1])
    np.testing.assert_array_equal(
        tfc.strided_slice(x, [1, 0, 3], [2, 0, 4], [1, 1, 1], ellipsis_mask=0b10,
                          shrink_axis_mask=0b101), x[1, ..., 3])
    np.testing.assert_array_equal(
        tfc.strided_slice(x, [0, 0], [0, 2], [1, 1], new_axis_mask=1), x[None, 0:2])
    np.testing.assert_array_equal(tfc.slice(x, [1, 2, 0], [2, -1, 3]), x[1:3, 2:, 0:3])


def test_layout_eager_matches_numpy():
    x = rand((2, 3, 4))
    np.testing.assert_array_equal(tfc.reshape(x, [-1, 2]), x.reshape(12, 2))
    np.testing.assert_array_equal(tfc.transpose(x, [2, 0, 1]), x.transpose(2, 0, 1))
    np.testing.assert_array_equal(tfc.transpose(x), x.T)
    np.testing.assert_array_equal(tfc.broadcast_to(x[:, :1], (5, 2, 3, 4)),
                                  np.broadcast_to(x[:, :1], (5, 2, 3, 4)))
    np.testing.assert_array_equal(tfc.concat([x, x], -1), np.concatenate([x, x], axis=2))
    np.testing.assert_array_equal(tfc.pad(x, [[0, 1], [1, 0], [2, 2]], constant_values=3.0),
                                  np.pad(x, [(0, 1), (1, 0), (2, 2)], constant_values=3.0))
    np.testing.assert_array_equal(tfc.squeeze(x[:, :1, None]), x[:, 0])
    np.testing.assert_array_equal(tfc.expand_dims(x, 1), x[:, None])
    np.testing.assert_array_equal(tfc.tile(x, [1, 2, 3]), np.tile(x, (1, 2, 3)))
    np.testing.assert_array_equal(tfc.reverse(x, [-1]), x[..., ::-1])
    np.testing.assert_array_equal(tfc.stack([x, x, x], axis=-1), np.stack([x, x, x], axis=-1))
    for got, want in zip(tfc.unstack(x, axis=1), [x[:, i] for i in range(3)]):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(tfc.split(x, [1, -1, 1], axis=2), np.split(x, [1, 3], axis=2)):
        np.testing.assert_array_equal(got, want)
    assert [p.shape for p in tfc.split(x, 3, axis=1)] == [(2, 1, 4)] * 3


def test_gather_one_hot_eager_match_numpy():
    p = rand((5, 3))
    ids = np.array([[4, 0], [9, -3]], np.int32)
    np.testing.assert_array_equal(tfc.gather(p, ids), p[np.clip(ids, 0, 4)])
    q = rand((2, 5, 3))
    bids = np.array([[0, 4], [2, 2]], np.int64)
    want = np.stack([q[0][[0, 4]], q[1][[2, 2]]])
    np.testing.assert_array_equal(tfc.gather(q, bids, axis=1, batch_dims=1), want)
    np.testing.assert_array_equal(tfc.gather(q, bids, axis=-1, batch_dims=1),
                                  np.stack([q[0][:, [0, 2]], q[1][:, [2, 2]]]))
    hot = tfc.one_hot(np.array([0, 2, 7, -1]), 3)
    np.testing.assert_array_equal(hot, np.array([[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]],
                                                np.float32))
    assert hot.dtype == np.float32
    assert tfc.one_hot([1], 2, on_value=5, off_value=0).dtype == np.int32
    np.testing.assert_array_equal(tfc.one_hot(np.array([1, 0]), 3, axis=0), np.eye(3)[:, [1, 0]])


def test_gather_grad_eager_matches_numpy():
    g = rand((4, 3), "f64")
    ids = np.array([1, 1, -5, 9])
    want = np.zeros((5, 3))
    for i, row in zip(np.clip(ids, 0, 4), g):
        want[i] += row
    np.testing.assert_allclose(sh.gather_grad(g, ids, 5), want)


def test_range_fill_zeros_eager():
    from tfc.ops import api as tfc  # the registry's op functions: NumPy in, NumPy out

    np.testing.assert_array_equal(tfc.range(5), np.arange(5))
    assert tfc.range(5).dtype == np.int32
    np.testing.assert_allclose(tfc.range(1, 2, 0.25), [1.0, 1.25, 1.5, 1.75])
    assert tfc.range(1, 2, 0.25).dtype == np.float32
    np.testing.assert_array_equal(tfc.range(10, 1, -3), [10, 7, 4])
    np.testing.assert_array_equal(tfc.range(3, dtype="i64"), np.arange(3))
    assert tfc.range(5, 2).shape == (0,)
    np.testing.assert_array_equal(tfc.fill((2, 3), 7), np.full((2, 3), 7, np.int32))
    assert tfc.fill((2,), 1.5).dtype == np.float32
    assert tfc.fill((2,), True).dtype == np.bool_
    assert tfc.zeros((2, 2)).dtype == np.float32 and not tfc.zeros((2, 2)).any()
    np.testing.assert_array_equal(tfc.ones((3,), "i64"), np.ones(3, np.int64))
    x = rand((2, 3), "f16")
    assert tfc.zeros_like(x).dtype == np.float16 and tfc.ones_like(x).shape == (2, 3)


def test_traced_fill_with_a_traced_scalar():
    def fn(s):
        return tfc.fill((2, 3), s)

    assert _ops_in(fn, np.float32(2.0)) == ["tfc.broadcast_to"]
    check_compiled(fn, np.float32(2.0))


# --- errors -------------------------------------------------------------------------

ERRORS = [
    (lambda: tfc.reshape(rand((2, 3)), (4, 2)),
     "tfc.reshape: cannot reshape tensor<2x3xf32> (6 elements) to shape [4, 2] (8 elements)"),
    (lambda: tfc.reshape(rand((2, 3)), (4, -1)), "tfc.reshape: cannot reshape tensor<2x3xf32>"),
    (lambda: tfc.reshape(rand((2, 3)), (-1, -1)), "tfc.reshape: shape [-1, -1] may hold at most one -1"),
    (lambda: tfc.broadcast_to(rand((2, 3)), (3, 3)),
     "tfc.broadcast_to: cannot broadcast tensor<2x3xf32> to shape [3, 3]"),
    (lambda: tfc.transpose(rand((2, 3)), (0, 0)),
     "tfc.transpose: perm [0, 0] is not a permutation of the axes of tensor<2x3xf32>"),
    (lambda: tfc.expand_dims(rand((2, 3)), 4), "tfc.expand_dims: axis 4 is out of range for tensor<2x3xf32>"),
    (lambda: tfc.squeeze(rand((2, 3)), axis=[1]),
     "tfc.squeeze: cannot squeeze axis 1 of size 3 in tensor<2x3xf32>"),
    (lambda: tfc.concat([rand((2, 3)), rand((3, 3))], 1),
     "tfc.concat: operand shapes differ outside axis 1: tensor<2x3xf32>, tensor<3x3xf32>"),
    (lambda: tfc.concat([rand((2, 3)), rand((2, 3), "f64")], 0), "tfc.concat: operand dtypes differ"),
    (lambda: tfc.concat([rand((2, 3)), rand((2,))], 0), "tfc.concat: operand ranks differ"),
    (lambda: tfc.slice(rand((2, 3)), [1, 1], [2, 1]),
     "tfc.slice: dim 0 of tensor<2x3xf32> is read out of bounds (begin 1, end 3, stride 1)"),
    (lambda: tfc.pad(rand((2, 3)), [[1, 1]]), "tfc.pad: paddings must be 4 values >= 0"),
    (lambda: tfc.pad(rand((2, 3)), [[1, 1], [0, 0]], mode="REFLECT"),
     "tfc.pad: only mode='CONSTANT' is supported"),
    (lambda: tfc.gather(rand((4, 3)), rand((2,))),
     "tfc.gather: indices must be i32 or i64, got tensor<2xf32>"),
    (lambda: tfc.gather(rand((4, 3)), np.zeros(2, np.int32), axis=2),
     "tfc.gather: axis 2 is out of range for params tensor<4x3xf32>, indices tensor<2xi32>"),
    (lambda: tfc.gather(rand((4, 3)), np.zeros((3, 2), np.int32), axis=1, batch_dims=1),
     "tfc.gather: the first 1 (batch) dims of params and indices differ"),
    (lambda: tfc.one_hot(rand((3,)), 4), "tfc.one_hot: indices must be i32 or i64, got tensor<3xf32>"),
    (lambda: tfc.getitem(rand((2, 3)), (0, 0, 0)),
     "tfc.getitem: too many indices for tensor<2x3xf32>: [0, 0, 0]"),
    (lambda: tfc.getitem(rand((2, 3)), (0, 3)),
     "tfc.getitem: index 3 is out of bounds for axis 1 of tensor<2x3xf32>"),
    (lambda: tfc.getitem(rand((2, 3)), rand((2, 3)) > 0), "tfc.getitem: boolean-mask indexing"),
    (lambda: tfc.range(1, 5, 0), "tfc.range: delta must be non-zero"),
    (lambda: tfc.split(rand((2, 3)), 2, axis=1), "tfc.split: dim 1 of tensor<2x3xf32> does not split"),
]


@pytest.mark.parametrize("fn,msg", ERRORS, ids=[m.split(":")[0] + str(i) for i, (_, m) in enumerate(ERRORS)])
def test_errors_name_op_shapes_and_line(fn, msg):
    with pytest.raises(tfc.ShapeError) as info:
        fn()
    text = str(info.value)
    assert msg in text
    assert HERE in text  # the user's file:line


def test_traced_error_names_the_line():
    def bad(x):
        return tfc.reshape(x, (7,))

    with pytest.raises(tfc.ShapeError) as info:
        tfc.compile(bad, rand((2, 3)))
    assert "tfc.reshape: cannot reshape tensor<2x3xf32> (6 elements)" in str(info.value)
    assert HERE in str(info.value)


def test_static_arguments_are_required():
    def bad(x, n):
        return tfc.reshape(x, n)

    with pytest.raises(tfc.ShapeError, match="tfc.reshape: shape must be static"):
        tfc.compile(bad, rand((2, 3)), np.array([6], np.int32))


# --- gradients -----------------------------------------------------------------------

X = (3, 4, 5)

VJPS = [
    ("broadcast_to", lambda x: tfc.broadcast_to(x, (2, 3, 4, 5)), [X]),
    ("broadcast_to size-1", lambda x: tfc.broadcast_to(x, (3, 4, 5)), [(3, 1, 5)]),
    ("reshape", lambda x: tfc.reshape(x, (5, 12)), [X]),
    ("reshape rank 0", lambda x: tfc.reshape(x, ()), [(1, 1)]),
    ("transpose", lambda x: tfc.transpose(x, (1, 2, 0)), [X]),
    ("expand_dims", lambda x: tfc.expand_dims(x, 1), [X]),
    ("squeeze", lambda x: tfc.squeeze(x), [(3, 1, 5, 1)]),
    ("concat", lambda a, b: tfc.concat([a, b], 1), [(2, 3), (2, 1)]),
    ("concat axis 0", lambda a, b, c: tfc.concat([a, b, c], -3), [(1, 2, 3), (3, 2, 3), (2, 2, 3)]),
    ("slice", lambda x: tfc.slice(x, [1, 0, 2], [2, 3, -1]), [X]),
    ("slice strided", lambda x: sh._slice_op(x, [0, 1, 4], [3, 4, 5], [2, 2, 1]), [X]),
    ("slice stride > size", lambda x: sh._slice_op(x, [2, 1], [3, 5], [3, 7]), [(4, 9)]),
    ("slice negative", lambda x: sh._slice_op(x, [2, 3, 4], [-1, 0, -1], [-1, -2, -3]), [X]),
    ("pad", lambda x: tfc.pad(x, [[1, 0], [2, 3]], constant_values=0.5), [(2, 3)]),
]


@pytest.mark.parametrize("fn,shapes", [v[1:] for v in VJPS], ids=[v[0] for v in VJPS])
def test_vjp(fn, shapes):
    check_vjp(fn, *[rand(s, "f64") for s in shapes])


@pytest.mark.parametrize("axis,batch_dims,pshape,ishape", [
    (0, 0, (6, 3), (2, 4)), (1, 0, (2, 5, 3), (4,)), (1, 1, (3, 5, 2), (3, 4)),
    (0, 0, (6, 3), ()),
])
def test_gather_vjp(axis, batch_dims, pshape, ishape):
    """gather's rule (a gather_grad) and gather_grad's rule (a gather), by finite differences.

    (check_vjp perturbs every input, integer indices included, so the indices are
    closed over here.)"""
    ids = _ids(ishape, pshape[axis], "i64")
    attrs = {"axis": axis, "batch_dims": batch_dims}
    p = rand(pshape, "f64")
    out_shape = pshape[:axis] + ids.shape[batch_dims:] + pshape[axis + 1:]
    cot = RNG.standard_normal(out_shape)
    got, none = sh.GatherOp.vjp(attrs, [p, ids], None, [cot])
    assert none is None
    want = numeric_vjp(lambda p: tfc.gather(p, ids, **attrs), [p], cot)[0]
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)

    g = rand(out_shape, "f64")
    cot = RNG.standard_normal(pshape)
    got = sh.GatherGradOp.vjp({**attrs, "dim": pshape[axis]}, [g, ids], None, [cot])[0]
    want = numeric_vjp(lambda g: sh.gather_grad(g, ids, pshape[axis], **attrs), [g], cot)[0]
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


def test_vjp_through_getitem_chain():
    """A getitem (slice + reshape) differentiated rule by rule, against finite differences."""
    x = rand((4, 6), "f64")

    def f(x):
        return x[1, ::-2]

    cot = RNG.standard_normal((3,))
    sl = sh._slice_op(x, [1, 5], [2, -1], [1, -2])
    g = sh.ReshapeOp.vjp({"shape": (3,)}, [sl], None, [cot])[0]
    g = sh.SliceOp.vjp({"begin": (1, 5), "end": (2, -1), "strides": (1, -2)}, [x], None, [g])[0]
    np.testing.assert_allclose(g, numeric_vjp(f, [x], cot)[0], rtol=1e-6, atol=1e-8)


def test_non_differentiable_inputs_get_none():
    ids = np.array([0, 2])
    assert sh.OneHotOp.vjp({}, [ids], None, [np.ones((2, 3))]) == [None]
    assert sh.GatherOp.vjp({"axis": 0, "batch_dims": 0}, [rand((3, 2), "f64"), ids], None,
                           [np.ones((2, 2))])[1] is None
    assert sh.FillOp.vjp({}, [], None, [np.ones(2)]) == []
    assert sh.IotaOp.vjp({}, [], None, [np.ones(2)]) == []


def test_gradient_of_a_shape_op_chain_eager_and_compiled():
    """Every shape rule chained (gather, pad, strided getitem, concat, broadcast, tile) under a
    GradientTape, eagerly and compiled, against finite differences."""
    from tfc.frontend.tape import GradientTape

    E = rand((7, 4), "f64")
    ids = np.array([[1, 3, 3], [0, 6, 9]], np.int32)

    def loss(E):
        h = tfc.pad(tfc.gather(E, ids), [[0, 0], [1, 0], [0, 0]])            # (2, 4, 4)
        h = tfc.concat([tfc.getitem(h, (slice(None), slice(None, None, 2))),
                        tfc.getitem(h, (slice(None), slice(3, 0, -2)))], 1)   # (2, 4, 4)
        h = tfc.broadcast_to(tfc.expand_dims(tfc.transpose(h, (0, 2, 1)), 0), (3, 2, 4, 4))
        h = tfc.tile(tfc.getitem(h, (Ellipsis, None, 1)), (1, 1, 1, 2))
        return tfc.reduce_sum(tfc.mul(h, tfc.sin(h)))

    def grad(E):
        with GradientTape() as tape:
            tape.watch(E)
            value = loss(E)
        return tape.gradient(value, E)

    want = numeric_vjp(loss, [E], np.float64(1.0))[0]
    np.testing.assert_allclose(grad(E), want, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(tfc.compile(grad, E)(E), want, rtol=1e-6, atol=1e-7)


def test_zero_size_slices_compiled():
    check_compiled(lambda x: (x[3:1], x[:, 2:2], tfc.concat([x, x[:0]], 0), x * 2.0), rand((4, 3)))
