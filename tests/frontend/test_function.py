"""tf.function: one trace per input signature, compiled once; variables as inputs and
outputs of the compiled program, updated in place; a training step (forward, loss,
tape.gradient, assign_sub) compiled into one executable that matches eager execution
step by step."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import tfc as tf


def test_traces_once_per_signature():
    @tf.function
    def f(x, y):
        return tf.reduce_sum(x * y, axis=0)

    a, b = tf.ones([3, 2]), tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2))
    out = f(a, b)
    assert isinstance(out, tf.Tensor) and out.numpy().tolist() == [6.0, 9.0]
    f(b, a)
    f(a.numpy(), b)  # NumPy arrays are tensors of their shape and dtype
    assert f.experimental_get_tracing_count() == 1
    f(tf.ones([4, 2]), tf.ones([4, 2]))  # a new shape retraces
    assert f.experimental_get_tracing_count() == 2
    f(tf.ones([3, 2], tf.float64), tf.ones([3, 2], tf.float64))  # a new dtype retraces
    assert f.experimental_get_tracing_count() == 3
    f(a, b)
    assert f.trace_count == 3


def test_python_values_are_part_of_the_signature_and_become_constants():
    calls = []

    @tf.function
    def f(x, scale, training=False):
        calls.append(scale)  # Python side effects run once per trace
        y = x * scale
        return y + 1.0 if training else y

    x = tf.constant([1.0, 2.0])
    assert f(x, 2.0).numpy().tolist() == [2.0, 4.0]
    assert f(x, 2.0).numpy().tolist() == [2.0, 4.0]
    assert f(x, 3.0).numpy().tolist() == [3.0, 6.0]
    assert f(x, 3.0, training=True).numpy().tolist() == [4.0, 7.0]
    assert f(x, 3.0, True).numpy().tolist() == [4.0, 7.0]  # bound like the keyword form
    assert calls == [2.0, 3.0, 3.0] and f.experimental_get_tracing_count() == 3
    ir = f.get_concrete_function(x, 3.0).ir("tfc")
    assert "3.0" in ir or "3.000000e+00" in ir  # the Python value is a constant of the program


def test_retracing_is_counted_and_logged(caplog):
    @tf.function
    def f(x):
        return x + 1.0

    with caplog.at_level(logging.INFO, logger="tfc"):
        for n in range(1, 8):
            f(tf.zeros([n]))
    assert f.experimental_get_tracing_count() == 7
    infos = [r for r in caplog.records if r.levelno == logging.INFO and "tracing" in r.message]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(infos) == 5 and len(warnings) == 2
    assert "retraces" in warnings[0].message and "f" in warnings[0].message


def test_structures_in_and_out():
    @tf.function
    def f(inputs, pair):
        x, y = pair
        return {"sum": inputs["a"] + inputs["b"], "prod": (x * y, y)}, 7

    out, seven = f({"a": tf.ones([2]), "b": tf.ones([2])}, (tf.constant(2.0), tf.constant(3.0)))
    assert seven == 7 and out["sum"].numpy().tolist() == [2.0, 2.0]
    assert float(out["prod"][0]) == 6.0 and float(out["prod"][1]) == 3.0  # an input returned


def test_input_signature_and_bad_calls():
    @tf.function(input_signature=[tf.TensorSpec(shape=[None, 2], dtype=tf.float32)],
                 jit_compile=True, reduce_retracing=True)
    def f(x):
        return tf.reduce_sum(x, axis=1)

    assert f(np.ones((3, 2))).numpy().tolist() == [2.0, 2.0, 2.0]  # converted to float32
    assert f(tf.ones([5, 2])).shape == (5,)
    with pytest.raises(ValueError, match="not compatible"):
        f(tf.ones([3, 3]))
    with pytest.raises(TypeError, match="input_signature"):
        f(tf.ones([3, 2]), tf.ones([3, 2]))
    with pytest.raises(TypeError):
        f(tf.ones([3, 2], tf.int32))

    @tf.function
    def g(x, y):
        return x + y

    with pytest.raises(TypeError, match=r"g\(x, y\)"):
        g(tf.ones([2]))
    with pytest.raises(tf.ShapeError, match=r"(?s)tfc\.add.*test_function\.py"):
        g(tf.ones([2]), tf.ones([3]))
    with pytest.raises(TypeError, match="tf.where"):
        tf.function(lambda x: x if x > 0 else -x)(tf.constant(1.0))


def test_variables_are_captured_and_updated_in_place():
    v = tf.Variable([1.0, 2.0], name="v")
    counter = tf.Variable(0, name="counter")

    @tf.function
    def step(x):
        v.assign(v * x)
        counter.assign_add(1)
        return v.read_value() + 0.5

    out = step(tf.constant([2.0, 3.0]))
    assert out.numpy().tolist() == [2.5, 6.5] and v.numpy().tolist() == [2.0, 6.0]
    concrete = step.get_concrete_function(tf.constant([2.0, 3.0]))
    assert concrete.variables == (v, counter) and concrete.updated_variables == (v, counter)
    # The program writes the new value into the variable's spare buffer; the buffers swap
    # (ids, not references: a reference held here would make the spare buffer busy).
    before, spare = id(v._value), id(v._spare)
    step(tf.constant([1.0, 1.0]))
    assert id(v._value) == spare and id(v._spare) == before
    snapshot = v.read_value()
    step(tf.constant([10.0, 10.0]))
    assert snapshot.numpy().tolist() == [2.0, 6.0]  # a snapshot is never overwritten
    assert v.numpy().tolist() == [20.0, 60.0] and int(counter.numpy()) == 3
    assert step.experimental_get_tracing_count() == 1


def test_variable_shape_errors_inside_functions():
    v = tf.Variable(tf.zeros([2, 2]), name="m")

    @tf.function
    def bad(x):
        v.assign(x)
        return x

    with pytest.raises(ValueError, match=r"(?s)m:0 has shape \(2, 2\).*test_function\.py"):
        bad(tf.ones([2]))


def _linear_regression_step(w, b, lr):
    def step(x, y):
        with tf.GradientTape() as tape:
            pred = tf.matmul(x, w) + b
            loss = tf.reduce_mean(tf.square(pred - y))
        gw, gb = tape.gradient(loss, [w, b])
        w.assign_sub(lr * gw)
        b.assign_sub(lr * gb)
        return loss
    return step


def test_training_step_compiles_to_one_executable_matching_eager():
    rng = np.random.default_rng(1)
    x = tf.constant(rng.standard_normal((16, 3)).astype(np.float32))
    y = tf.constant((x.numpy() @ np.array([[1.0], [-2.0], [0.5]]) + 0.3).astype(np.float32))
    init_w = rng.standard_normal((3, 1)).astype(np.float32)
    w_e, b_e = tf.Variable(init_w), tf.Variable(tf.zeros([1]))
    w_c, b_c = tf.Variable(init_w), tf.Variable(tf.zeros([1]))
    eager_step = _linear_regression_step(w_e, b_e, 0.1)
    compiled_step = tf.function(_linear_regression_step(w_c, b_c, 0.1))
    losses = []
    for _ in range(30):
        le, lc = eager_step(x, y), compiled_step(x, y)
        np.testing.assert_allclose(lc, le, rtol=2e-5, atol=1e-6)
        np.testing.assert_allclose(w_c.numpy(), w_e.numpy(), rtol=2e-5, atol=1e-6)
        np.testing.assert_allclose(b_c.numpy(), b_e.numpy(), rtol=2e-5, atol=1e-6)
        losses.append(float(lc))
    assert losses[-1] < 0.05 * losses[0]
    assert compiled_step.experimental_get_tracing_count() == 1
    concrete = compiled_step.get_concrete_function(x, y)
    assert concrete.executable is not None
    ir = concrete.ir("tfc")
    # Forward and backward in one program: x @ w, then the gradient's x^T @ g (and g @ w^T).
    assert ir.count("tfc.matmul") >= 2 and "transpose_a = true" in ir
    assert "tfc.reduce_mean" in ir and "tfc.reduce_sum" in ir  # loss, and the bias gradient
    specs = concrete.executable.input_specs
    assert [s.shape for s in specs] == [(16, 3), (16, 1), (3, 1), (1,)]  # x, y, then w and b
    assert len(concrete.executable.output_specs) == 3  # loss, new w, new b


def test_methods_and_modules():
    class Linear(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(tf.ones([2, 1]))

        @tf.function
        def __call__(self, x):
            return tf.matmul(x, self.w)

        @tf.function
        def scale(self, s):
            self.w.assign(self.w * s)

    m1, m2 = Linear(), Linear()
    m2.w.assign([[2.0], [3.0]])
    x = tf.constant([[1.0, 1.0]])
    assert float(m1(x)[0, 0]) == 2.0 and float(m2(x)[0, 0]) == 5.0  # each instance its variables
    m1.scale(tf.constant(3.0))
    assert float(m1(x)[0, 0]) == 6.0 and float(m2(x)[0, 0]) == 5.0
    assert type(m1).__call__.__get__(m1, type(m1)).experimental_get_tracing_count() == 1


def test_gradients_inside_and_around_functions():
    @tf.function
    def grad_of_cube(x):
        return tf.grad(lambda v: tf.reduce_sum(v * v * v))(x)

    assert grad_of_cube(tf.constant([1.0, 2.0])).numpy().tolist() == [3.0, 12.0]

    @tf.function
    def f(x):
        return x * x

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:  # a function called under a tape is differentiable
        tape.watch(x)
        y = f(x)
    assert float(tape.gradient(y, x)) == 6.0


def test_random_ops_are_fresh_each_call_and_seeded():
    @tf.function
    def noisy(x):
        return x + tf.random.normal([3], seed=1), tf.nn.dropout(x, 0.5, seed=2)

    tf.random.set_seed(3)
    a, _ = noisy(tf.zeros([3]))
    b, _ = noisy(tf.zeros([3]))
    assert not np.array_equal(a, b) and noisy.experimental_get_tracing_count() == 1
    tf.random.set_seed(3)
    a2, _ = noisy(tf.zeros([3]))
    np.testing.assert_array_equal(a, a2)
    _, d = noisy(tf.ones([3]))
    assert set(d.numpy().tolist()) <= {0.0, 2.0}


def test_run_functions_eagerly():
    calls = []

    @tf.function
    def f(x):
        calls.append(1)
        return x * 2.0

    tf.config.run_functions_eagerly(True)
    try:
        f(tf.ones([2]))
        f(tf.ones([2]))
    finally:
        tf.config.run_functions_eagerly(False)
    assert len(calls) == 2 and f.experimental_get_tracing_count() == 0


def test_compiled_gradients_match_eager_with_stop_gradient():
    def f(x, w):
        with tf.GradientTape() as tape:
            tape.watch(x)
            h = tf.nn.softmax(tf.matmul(x, w), axis=-1)
            y = tf.reduce_sum(h * tf.stop_gradient(h)) + tf.reduce_sum(tf.square(x))
        return tape.gradient(y, [x, w])  # w is not watched: None

    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((3, 4)), rng.standard_normal((4, 5))
    gx_eager, gw_eager = f(tf.constant(x), tf.constant(w))
    gx, gw = tf.function(f)(x, w)
    assert gw is None and gw_eager is None
    np.testing.assert_allclose(gx, gx_eager, rtol=1e-12)


def test_outputs_that_alias_variables_stay_snapshots():
    v = tf.Variable([1.0, 2.0])

    @tf.function
    def bump():
        v.assign_add(tf.ones([2]))
        return v.read_value()  # the same value as the variable's update

    first = bump()
    second = bump()
    assert first.numpy().tolist() == [2.0, 3.0] and second.numpy().tolist() == [3.0, 4.0]
    v.assign([0.0, 0.0])
    assert first.numpy().tolist() == [2.0, 3.0] and v.numpy().tolist() == [0.0, 0.0]


def test_nested_input_signature_callable_modules_and_traced_tape_features():
    @tf.function(input_signature=[{"a": tf.TensorSpec([None], tf.float32)},
                                  (tf.TensorSpec([], tf.int32),)])
    def h(d, t):
        return d["a"] * tf.cast(t[0], tf.float32)

    assert h({"a": [1.0, 2.0]}, (3,)).numpy().tolist() == [3.0, 6.0]  # lists become tensors
    with pytest.raises(TypeError, match="structure"):
        h({"b": [1.0]}, (3,))

    class Scale(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(2.0)

        def __call__(self, x):
            return self.w * x

    assert float(tf.function(Scale())(tf.constant(3.0))) == 6.0

    @tf.function
    def g(x):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            y = x * x
            z = tf.reduce_sum(y * x)
        return tape.gradient(z, x), tape.jacobian(y, x), tape.gradient(y, x)

    dz, jac, dy = g(tf.constant([1.0, 2.0]))
    assert dz.numpy().tolist() == [3.0, 12.0] and dy.numpy().tolist() == [2.0, 4.0]
    assert jac.numpy().tolist() == [[2.0, 0.0], [0.0, 4.0]]
