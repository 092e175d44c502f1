"""tf.Tensor, tf.constant and the TF op functions, eagerly: dtypes, operators with TF's
broadcasting and dtype rules, indexing, errors that name the op, shapes and the user's line,
random seeds, and the namespaces of `import tfc as tf`."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import tfc as tf
from tfc.tracing import Symbolic


def _line() -> int:
    return inspect.currentframe().f_back.f_lineno


# --- construction and dtypes ------------------------------------------------------------------

def test_constant_default_dtypes_follow_tf():
    assert tf.constant(1.5).dtype == tf.float32
    assert tf.constant(3).dtype == tf.int32
    assert tf.constant(True).dtype == tf.bool
    assert tf.constant([[1.0, 2.0]]).dtype == tf.float32
    assert tf.constant(2 ** 40).dtype == tf.int64
    assert tf.constant(np.zeros(2)).dtype == tf.float64          # NumPy keeps its dtype
    assert tf.constant(np.zeros(2, np.uint8)).dtype == tf.int32  # widened, value-preserving
    assert tf.constant([1, 2], dtype=tf.float64).dtype == tf.float64
    assert tf.constant(0, shape=[2, 3]).numpy().tolist() == [[0, 0, 0], [0, 0, 0]]
    with pytest.raises(TypeError, match="int32"):
        tf.constant(1.5, dtype=tf.int32)


def test_dtype_objects_compare_with_names_numpy_and_core():
    assert tf.float32 == "float32" and tf.float32 == "f32" and tf.float32 == np.float32
    assert tf.float32 != tf.float64 and tf.int64 == np.dtype("int64")
    assert tf.float32.name == "float32" and repr(tf.bfloat16) == "tf.bfloat16"
    assert tf.as_dtype("float16") is tf.float16 and tf.as_dtype(float) is tf.float32
    assert tf.float32.is_floating and tf.int32.is_integer and tf.bool.is_bool
    assert tf.float32.as_numpy_dtype is np.float32
    assert np.dtype(tf.float64) == np.float64
    assert tf.dtypes.float32 is tf.float32 and tf.dtypes.as_dtype("int32") is tf.int32
    assert tf.int32.max == 2 ** 31 - 1


def test_tensor_api_shape_numpy_repr():
    x = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert x.shape == (2, 3) and x.shape == [2, 3] and x.shape.as_list() == [2, 3]
    assert x.shape.rank == 2 and x.shape.num_elements() == 6 and x.ndim == 2
    assert str(x.shape) == "(2, 3)" and repr(x.shape) == "TensorShape([2, 3])"
    assert isinstance(x.numpy(), np.ndarray) and x.numpy().dtype == np.float32
    x.numpy()[0, 0] = 100.0  # numpy() is a copy: the tensor is immutable
    assert x.numpy()[0, 0] == 1.0
    assert repr(tf.constant(5.0)) == "<tf.Tensor: shape=(), dtype=float32, numpy=5.0>"
    assert repr(tf.constant([1.0, 2.0])) == (
        "<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>")
    assert str(tf.constant(30.0)) == "tf.Tensor(30.0, shape=(), dtype=float32)"
    assert float(tf.constant(2.5)) == 2.5 and int(tf.constant(3)) == 3
    assert bool(tf.constant(True)) and len(x) == 2
    assert [r.numpy().tolist() for r in x] == [[1, 2, 3], [4, 5, 6]]
    assert [10, 20, 30][tf.constant(1)] == 20  # int scalar tensors index lists
    assert tf.is_tensor(x) and not tf.is_tensor(np.ones(2))
    assert {x: 1}[x] == 1  # hashed by identity
    np.testing.assert_array_equal(np.asarray(x), [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_allclose(np.exp(x), np.exp(x.numpy()))
    assert f"{tf.constant(0.5):.2f}" == "0.50"


# --- operators: TF's broadcasting and dtype rules -----------------------------------------------

def test_operators_broadcast_and_scalars_adopt_dtype():
    x = tf.constant(np.arange(6, dtype=np.float64).reshape(2, 3))
    b = tf.constant(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x + b, x.numpy() + b.numpy())
    np.testing.assert_array_equal(2 * x - 1, 2 * x.numpy() - 1)
    assert (2 * x).dtype == tf.float64  # the Python scalar takes the tensor's dtype
    np.testing.assert_array_equal(x ** 2 / (b + 1), x.numpy() ** 2 / (b.numpy() + 1))
    np.testing.assert_array_equal(-x, -x.numpy())
    np.testing.assert_array_equal(abs(x - 3), np.abs(x.numpy() - 3))
    np.testing.assert_array_equal(x @ tf.transpose(x), x.numpy() @ x.numpy().T)
    np.testing.assert_array_equal(np.ones(3) + b, 1 + b.numpy())  # ndarray + tensor -> tensor
    assert isinstance(np.ones(3) + b, tf.Tensor)
    np.testing.assert_array_equal(x + [1.0, 2.0, 3.0], x.numpy() + [1, 2, 3])  # list adopts f64
    assert (x + [1.0, 2.0, 3.0]).dtype == tf.float64
    # Comparisons and logic are elementwise, as in TF2.
    np.testing.assert_array_equal(x > 2, x.numpy() > 2)
    np.testing.assert_array_equal(x == x, np.ones((2, 3), bool))
    np.testing.assert_array_equal((x > 1) & (x < 4), (x.numpy() > 1) & (x.numpy() < 4))
    np.testing.assert_array_equal(~(x > 1) | (x > 4), ~(x.numpy() > 1) | (x.numpy() > 4))
    assert (x == None) is False  # noqa: E711


def test_integer_division_follows_tf():
    a, b = tf.constant([7, -7]), tf.constant([2, 2])
    assert (a / b).dtype == tf.float64 and (a / b).numpy().tolist() == [3.5, -3.5]
    assert (a // b).numpy().tolist() == [3, -4] and (a % b).numpy().tolist() == [1, 1]
    f = tf.constant([-7.5, 7.5])
    assert (f // 2.0).numpy().tolist() == [-4.0, 3.0] and (f % 2.0).numpy().tolist() == [0.5, 1.5]


def test_dtype_mismatch_is_an_error_naming_op_shapes_and_line():
    x = tf.constant([[1.0, 2.0]])
    with pytest.raises(tf.ShapeError) as e:
        line = _line() + 1
        x + tf.constant([1, 2])
    msg = str(e.value)
    assert "tfc.add" in msg and "tensor<1x2xf32>" in msg and "tensor<2xi32>" in msg
    assert f"test_tensor.py:{line}" in msg
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"tfc\.add.*broadcast") as e:
        line = _line() + 1
        tf.add(x, tf.constant([1.0, 2.0, 3.0]))
    assert f"test_tensor.py:{line}" in str(e.value)
    with pytest.raises(tf.ShapeError, match="float"):
        tf.constant(1) + 2.5
    with pytest.raises(tf.ShapeError, match=r"tfc\.matmul"):
        tf.matmul(tf.ones([2, 3]), tf.ones([2, 3]))


# --- indexing -------------------------------------------------------------------------------------

def test_indexing_and_slicing():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    x = tf.constant(a)
    for key in [0, -1, (1, 2), (slice(None), 1), (Ellipsis, 1), (slice(None), slice(1, None), 0),
                (0, slice(None, None, 2)), (None, 1), (slice(None), None, 2), (1, slice(2, 0, -1))]:
        np.testing.assert_array_equal(x[key], a[key], err_msg=str(key))
    np.testing.assert_array_equal(x[tf.constant([1, 0])], a[[1, 0]])
    with pytest.raises(tf.ShapeError, match="out of bounds"):
        x[5]


# --- construction functions and TF's names ------------------------------------------------------

def test_construction_functions():
    assert tf.zeros([2, 3]).dtype == tf.float32 and tf.zeros([2, 3]).shape == (2, 3)
    assert tf.ones((2,), dtype=tf.int32).numpy().tolist() == [1, 1]
    assert tf.fill([2], 7).numpy().tolist() == [7, 7]
    assert tf.range(5).numpy().tolist() == [0, 1, 2, 3, 4] and tf.range(5).dtype == tf.int32
    assert tf.range(1.0, 2.0, 0.5).numpy().tolist() == [1.0, 1.5]
    np.testing.assert_allclose(tf.linspace(0.0, 1.0, 5), np.linspace(0, 1, 5))
    assert tf.linspace(0.0, 1.0, 5).dtype == tf.float32
    assert tf.zeros_like(tf.ones([2], tf.int64)).dtype == tf.int64
    np.testing.assert_array_equal(tf.eye(3), np.eye(3))
    assert tf.shape(tf.zeros([2, 5])).numpy().tolist() == [2, 5]
    assert int(tf.size(tf.zeros([2, 5]))) == 10 and int(tf.rank(tf.zeros([2, 5]))) == 2
    assert tf.convert_to_tensor([1.0, 2.0]).dtype == tf.float32
    t = tf.constant(1.0)
    assert tf.convert_to_tensor(t) is t
    with pytest.raises(ValueError, match="float64"):
        tf.convert_to_tensor(t, dtype=tf.float64)


def test_tf_names_and_namespaces():
    x = tf.constant([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]])
    a = x.numpy()
    np.testing.assert_allclose(tf.subtract(x, 1.0), a - 1)
    np.testing.assert_allclose(tf.multiply(x, x), a * a)
    np.testing.assert_allclose(tf.math.divide(x, 2.0), a / 2)
    np.testing.assert_allclose(tf.math.reduce_sum(x, axis=1), a.sum(1))
    np.testing.assert_allclose(tf.reduce_mean(x, axis=0, keepdims=True), a.mean(0, keepdims=True))
    np.testing.assert_allclose(tf.math.reduce_logsumexp(x, axis=1),
                               np.log(np.exp(a).sum(1)), rtol=1e-6)
    np.testing.assert_allclose(tf.math.reduce_std(x), a.std(), rtol=1e-6)
    np.testing.assert_allclose(tf.nn.relu(x), np.maximum(a, 0))
    np.testing.assert_allclose(tf.nn.softmax(x), np.exp(a) / np.exp(a).sum(1, keepdims=True),
                               rtol=1e-6)
    np.testing.assert_allclose(tf.nn.leaky_relu(x, 0.1), np.where(a > 0, a, 0.1 * a), rtol=1e-6)
    np.testing.assert_allclose(tf.nn.softplus(x), np.log1p(np.exp(a)), rtol=1e-6)
    np.testing.assert_allclose(tf.math.sigmoid(x), 1 / (1 + np.exp(-a)), rtol=1e-6)
    np.testing.assert_allclose(tf.linalg.matmul(x, x, transpose_b=True), a @ a.T, rtol=1e-6)
    np.testing.assert_allclose(tf.linalg.matvec(x, tf.ones([3])), a @ np.ones(3), rtol=1e-6)
    np.testing.assert_allclose(tf.clip_by_value(x, -1.0, 1.0), np.clip(a, -1, 1))
    np.testing.assert_array_equal(tf.where(x > 0, x, tf.zeros_like(x)), np.where(a > 0, a, 0))
    np.testing.assert_array_equal(tf.cast(x, tf.int32), a.astype(np.int32))
    np.testing.assert_array_equal(tf.cast(np.array([3, 200], np.uint8), tf.float32), [3, 200])
    np.testing.assert_array_equal(tf.concat([x, x], axis=0), np.concatenate([a, a]))
    np.testing.assert_array_equal(tf.gather(x, [1, 0]), a[[1, 0]])
    np.testing.assert_array_equal(tf.one_hot([0, 2], 3), np.eye(3)[[0, 2]])
    np.testing.assert_array_equal(tf.argmax(x, axis=1), a.argmax(1))
    assert tf.argmax(x, axis=1).dtype == tf.int64
    assert bool(tf.reduce_all(tf.abs(x) >= 0)) and not bool(tf.reduce_any(x > 5))
    labels = tf.constant([0, 2])
    ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x)
    logp = a - np.log(np.exp(a).sum(1, keepdims=True))
    np.testing.assert_allclose(ce, -logp[[0, 1], [0, 2]], rtol=1e-6)
    with pytest.raises(NotImplementedError, match="data-dependent"):
        tf.where(x > 0)


def test_tfc_compile_still_takes_tf_functions_on_traced_values():
    # Outside tf.function, tf functions pass raw traced values through (tfc.compile's world).
    def f(x, w):
        h = tf.nn.relu(tf.matmul(x, w) + 1.0)
        assert isinstance(h, Symbolic)
        return tf.reduce_sum(h, axis=1)

    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    w = np.ones((3, 2), np.float32)
    exe = tf.compile(f, x, w)
    np.testing.assert_allclose(exe(x, w), np.maximum(x @ w + 1, 0).sum(1), rtol=1e-5)


# --- random -----------------------------------------------------------------------------------------

def test_random_seeds_are_deterministic():
    tf.random.set_seed(7)
    a1, b1, c1 = tf.random.normal([3]), tf.random.uniform([2], seed=1), tf.random.uniform([2], seed=1)
    tf.random.set_seed(7)
    a2, b2, c2 = tf.random.normal([3]), tf.random.uniform([2], seed=1), tf.random.uniform([2], seed=1)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(b1, b2)
    np.testing.assert_array_equal(c1, c2)
    assert not np.array_equal(b1, c1)  # the same op seed twice: the next values
    u = tf.random.uniform([1000], minval=2.0, maxval=3.0, seed=3)
    assert u.dtype == tf.float32 and 2.0 <= float(tf.reduce_min(u)) < float(tf.reduce_max(u)) < 3.0
    n = tf.random.normal([4000], mean=1.0, stddev=2.0, dtype=tf.float64, seed=4)
    assert n.dtype == tf.float64 and abs(float(tf.reduce_mean(n)) - 1.0) < 0.2
    i = tf.random.uniform([50], maxval=5, dtype=tf.int32, seed=5)
    assert i.dtype == tf.int32 and set(i.numpy().tolist()) <= set(range(5))
    assert float(tf.reduce_max(tf.abs(tf.random.truncated_normal([500], seed=6)))) <= 2.0
    g1, g2 = tf.random.Generator.from_seed(3), tf.random.Generator.from_seed(3)
    np.testing.assert_array_equal(g1.normal([4]), g2.normal([4]))
    s = tf.random.shuffle(tf.range(10), seed=2)
    assert sorted(s.numpy().tolist()) == list(range(10))
    np.testing.assert_array_equal(tf.random.stateless_normal([3], seed=[1, 2]),
                                  tf.random.stateless_normal([3], seed=[1, 2]))
