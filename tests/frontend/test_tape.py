"""GradientTape and tfc.grad / value_and_grad: eager gradients against central finite
differences in float64, tape semantics (watching, persistence, stop_gradient, nested
sources, unconnected sources), non-differentiable ops, and composites differentiated
through their decomposition."""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest

try:
    from tests.helpers import numeric_vjp
except ImportError:  # plain `pytest` does not put the repository root on sys.path
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
    from tests.helpers import numeric_vjp

import tfc as tf
from tfc.ops.base import AttrSpec, TfcOp, dtype_of, shape_of, tensor_type, tfc_op
from tfc.frontend.ops import make_wrapper
from tfc.ops.dispatch import apply

RNG = np.random.default_rng()


def check_grad(f, *inputs, rtol=1e-6, atol=1e-8):
    """The tape's VJP of f at `inputs` (float64) against central finite differences."""
    inputs = [np.asarray(x, np.float64) for x in inputs]
    xs = [tf.constant(x) for x in inputs]
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = f(*xs)
    cot = RNG.standard_normal(tuple(y.shape))
    got = tape.gradient(y, xs, output_gradients=tf.constant(cot))
    want = numeric_vjp(lambda *a: f(*[tf.constant(v) for v in a]).numpy(), inputs, cot)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g is not None, f"no gradient for input {i}"
        assert g.shape == inputs[i].shape and g.dtype == tf.float64
        np.testing.assert_allclose(g.numpy(), w, rtol=rtol, atol=atol, err_msg=f"input {i}")


def r(*shape, low=-1.0, high=1.0):
    return RNG.uniform(low, high, size=shape)


# --- gradients against finite differences -----------------------------------------------------------

def test_grad_elementwise_composition_with_broadcasting():
    check_grad(lambda x, b, s: tf.tanh(x * b + s) ** 2 - tf.exp(b) / (1.5 + x * x),
               r(3, 4), r(4), r())
    check_grad(lambda x, y: tf.maximum(x, y) * tf.sigmoid(x) + tf.sqrt(y * y + 1.0),
               r(2, 1, 3), r(4, 1))
    check_grad(lambda x: tf.nn.gelu(x) + tf.nn.relu(x) * tf.math.log(x * x + 2.0), r(5))


def test_grad_reductions_with_keepdims():
    check_grad(lambda x: x / tf.reduce_sum(x * x, axis=1, keepdims=True), r(3, 4, low=0.5))
    check_grad(lambda x: tf.reduce_mean(x, axis=0) * tf.reduce_max(x, axis=[0, 1]), r(3, 4))
    check_grad(lambda x: x - tf.reduce_mean(x, axis=-1, keepdims=True) + tf.reduce_sum(x),
               r(2, 3, 2))
    check_grad(lambda x: tf.reduce_prod(x, axis=1, keepdims=True) * x, r(2, 3, low=0.5))


def test_grad_matmul_with_transposes():
    check_grad(lambda a, b: tf.matmul(a, b), r(3, 4), r(4, 2))
    check_grad(lambda a, b: tf.matmul(a, b, transpose_a=True), r(4, 3), r(4, 2))
    check_grad(lambda a, b: tf.matmul(a, b, transpose_b=True), r(3, 4), r(2, 4))
    check_grad(lambda a, b: tf.matmul(a, b, transpose_a=True, transpose_b=True) @ tf.ones(
        [3, 2], tf.float64), r(4, 3), r(3, 4))
    check_grad(lambda a, b: a @ b, r(2, 3, 4), r(4, 5))  # batched, b broadcast


def test_grad_shape_ops_softmax_and_losses():
    check_grad(lambda x: tf.reshape(tf.transpose(x), [-1])[1:5] * 2.0, r(2, 3))
    check_grad(lambda x, y: tf.concat([x, y * 3.0], axis=0)[:, ::2], r(2, 3), r(1, 3))
    check_grad(lambda x: tf.gather(x, [2, 0, 2]) + tf.expand_dims(x[1], 0), r(3, 2))
    check_grad(lambda x: tf.where(x > 0, x * x, -x), r(4, 3))
    check_grad(lambda x: tf.nn.softmax(x) + tf.nn.log_softmax(x, axis=0), r(3, 4))
    labels = tf.constant(np.eye(4)[[0, 3, 1]])
    check_grad(lambda x: tf.nn.softmax_cross_entropy_with_logits(labels, x), r(3, 4))
    check_grad(lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.constant([1, 0]), logits=x), r(2, 3))
    check_grad(lambda x: tf.nn.softplus(x) * tf.nn.elu(x), r(6))


def test_grad_conv_and_pool():
    check_grad(lambda x, f: tf.nn.conv2d(x, f, strides=1, padding="SAME"),
               r(1, 4, 4, 2), r(3, 3, 2, 3), rtol=1e-5, atol=1e-7)
    check_grad(lambda x: tf.nn.max_pool2d(x, 2, 2, "VALID") + tf.nn.avg_pool2d(x, 2, 2, "VALID"),
               r(1, 4, 4, 1))


# --- tape semantics ---------------------------------------------------------------------------------

def test_variables_are_watched_when_accessed():
    w = tf.Variable([[1.0], [2.0]])
    frozen = tf.Variable(3.0, trainable=False)
    x = tf.constant([[1.0, 1.0], [2.0, 0.5]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.matmul(x, w) * frozen)
    gw, gf = tape.gradient(y, [w, frozen])
    np.testing.assert_allclose(gw, 3.0 * x.numpy().sum(0, keepdims=True).T)
    assert gf is None  # not trainable, not watched
    assert tape.watched_variables() == (w,)  # in order; `frozen` only read
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        y = w * 2.0
    assert tape.gradient(y, w) is None
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(frozen)
        y = frozen * frozen
    assert float(tape.gradient(y, frozen)) == 6.0


def test_unwatched_tensor_gives_none_and_unconnected_zero():
    x, y = tf.constant(2.0), tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = x * x
    gx, gy = tape.gradient(z, [x, y])
    assert float(gx) == 4.0 and gy is None
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = x * y  # y is used, but not watched: None, as in TF
    gx, gy = tape.gradient(z, [x, y])
    assert float(gx) == 3.0 and gy is None
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, y])
        z = x * 2.0
    assert tape.gradient(z, y) is None
    assert float(tape.gradient(z, y, unconnected_gradients=tf.UnconnectedGradients.ZERO)) == 0.0
    assert float(tape.gradient(z, y, unconnected_gradients="zero")) == 0.0


def test_persistent_tape_and_one_shot_tape():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert float(tape.gradient(z, x)) == 108.0 and float(tape.gradient(y, x)) == 6.0
    assert float(tape.gradient(z, y)) == 18.0  # with respect to an intermediate
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.gradient(y, x)


def test_stop_gradient_and_stop_recording():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * tf.stop_gradient(x * x)
        with tape.stop_recording():
            unrecorded = x * 5.0
        z = tf.stop_gradient(x) + 1.0
    assert float(y) == 8.0 and float(tape.gradient(y, x)) == 4.0
    assert tape.gradient(unrecorded, x) is None and tape.gradient(z, x) is None


def test_nested_sources_and_targets():
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    c = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(c)
        loss = a * b + tf.reduce_sum(c * c) * a
    grads = tape.gradient(loss, {"ab": (a, b), "rest": [c, None]})
    assert set(grads) == {"ab", "rest"} and isinstance(grads["ab"], tuple)
    assert float(grads["ab"][0]) == 2.0 + 5.0 and float(grads["ab"][1]) == 1.0
    assert grads["rest"][0].numpy().tolist() == [2.0, 4.0] and grads["rest"][1] is None
    x = tf.constant(1.5)
    with tf.GradientTape() as tape:
        tape.watch(x)
        targets = [x * x, {"t": x * 3.0}]
    assert float(tape.gradient(targets, x)) == 3.0 + 3.0  # targets are summed


def test_integer_results_carry_no_gradient():
    x = tf.constant([[0.1, 0.9], [0.8, 0.2]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        idx = tf.argmax(x, axis=1)  # int64: no gradient, no error
        y = tf.reduce_sum(tf.cast(idx, tf.float32) * x)
    # idx = [1, 0] scales x's columns: d y / d x is idx broadcast along the rows.
    np.testing.assert_array_equal(tape.gradient(y, x), [[1.0, 0.0], [1.0, 0.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cast(tf.argmax(x, axis=1), tf.float32)
    assert tape.gradient(y, x) is None


@tfc_op
class _RoundOp(TfcOp):
    """A float-valued op without a gradient (test only)."""

    name = "tfc.test_round"
    NOT_DIFFERENTIABLE = True

    @classmethod
    def infer(cls, in_types, attrs):
        return [in_types[0]]

    @classmethod
    def reference(cls, attrs, a):
        return np.round(a)


# A new op function, exposed the way tfc.frontend.ops exposes every op function.
round_op = make_wrapper("test_round", lambda x: apply(_RoundOp, [x]))


def test_non_differentiable_op_on_the_path_names_the_op():
    x = tf.constant([1.2, 2.7])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.constant(1.0) * tf.reduce_sum(x * 2.0)
        z = tf.reduce_sum(round_op(x * 2.0))
    assert float(tape.gradient(y, x)[0]) == 2.0  # the op is not on this path
    with pytest.raises(tf.NotDifferentiableError, match=r"tfc\.test_round is not differentiable"):
        tape.gradient(z, x)
    with pytest.raises(LookupError, match="test_tape.py"):
        tape.gradient(z, x)


@tfc_op
class _SoftplusComposite(TfcOp):
    """A composite with a decomposition and no vjp (test only): log(1 + exp(x * scale))."""

    name = "tfc.test_softplus"
    ATTRS = {"scale": AttrSpec("float", 1.0)}

    @classmethod
    def infer(cls, in_types, attrs):
        return [tensor_type(shape_of(in_types[0]), dtype_of(in_types[0]))]

    @classmethod
    def reference(cls, attrs, a):
        return np.log1p(np.exp(a * attrs["scale"]))

    @staticmethod
    def decompose(attrs, x):
        from tfc.ops import api

        return api.log(api.add(api.exp(api.mul(x, attrs["scale"])), 1.0))


softplus_op = make_wrapper("test_softplus",
                           lambda x, scale: apply(_SoftplusComposite, [x], {"scale": scale}))


def test_composite_without_vjp_is_differentiated_through_its_decomposition():
    check_grad(lambda x: softplus_op(x, 2.0) * x, r(2, 3))


def test_higher_order_gradients_with_nested_tapes():
    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x * x * x
        dy = inner.gradient(y, x)
    assert float(dy) == 12.0 and float(outer.gradient(dy, x)) == 12.0


def test_jacobian():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    np.testing.assert_array_equal(tape.jacobian(y, x), np.diag([2.0, 4.0, 6.0]))


# --- functional gradients ------------------------------------------------------------------------------

def test_grad_and_value_and_grad_eagerly():
    def loss(w, b, x):
        return tf.reduce_sum(tf.square(x @ w + b))

    rng = np.random.default_rng(0)
    w, b, x = rng.random((3, 2)), rng.random(2), rng.random((4, 3))
    gw = tf.grad(loss)(w, b, x)
    want_w = 2 * x.T @ (x @ w + b)
    np.testing.assert_allclose(gw, want_w, rtol=1e-12)
    value, (gw2, gb) = tf.value_and_grad(loss, argnums=(0, 1))(w, b, x)
    np.testing.assert_allclose(value, np.sum((x @ w + b) ** 2), rtol=1e-12)
    np.testing.assert_allclose(gw2, want_w, rtol=1e-12)
    np.testing.assert_allclose(gb, 2 * (x @ w + b).sum(0), rtol=1e-12)
    (v, aux), g = tf.value_and_grad(
        lambda p: (tf.reduce_sum(p["a"] * p["a"]) + tf.reduce_sum(p["b"]), "aux"), has_aux=True)(
        {"a": np.ones(2), "b": np.ones(3)})
    assert aux == "aux" and float(v) == 5.0
    assert g["a"].numpy().tolist() == [2.0, 2.0] and g["b"].numpy().tolist() == [1.0] * 3
    with pytest.raises(TypeError, match="scalar"):
        tf.grad(lambda p: p * 2.0)(np.ones(3))


def test_grad_inside_tfc_compile_is_ir():
    def f(x):
        return tf.grad(lambda v: tf.reduce_sum(tf.sin(v) * v))(x)

    x = np.linspace(-1, 1, 6)
    exe = tf.compile(f, x)
    np.testing.assert_allclose(exe(x), np.cos(x) * x + np.sin(x), rtol=1e-12)
    assert "tfc.cos" in exe.ir("tfc")  # the backward pass is in the compiled program
