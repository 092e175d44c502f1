"""Each optimizer's update against a NumPy transcription of its formula, and the schedules."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tfc as tf

keras = tf.keras
RNG = np.random.default_rng()


def _run(opt, steps=4, shape=(3, 2)):
    """Apply `steps` random gradients to two variables; return the trajectory and the grads."""
    w0 = RNG.standard_normal(shape).astype(np.float32)
    b0 = RNG.standard_normal(shape[-1:]).astype(np.float32)
    w, b = tf.Variable(w0), tf.Variable(b0)
    grads = [(RNG.standard_normal(shape).astype(np.float32),
              RNG.standard_normal(shape[-1:]).astype(np.float32)) for _ in range(steps)]
    for gw, gb in grads:
        opt.apply_gradients([(tf.constant(gw), w), (tf.constant(gb), b)])
    return (w0, b0), grads, (w.numpy(), b.numpy())


def _check(opt, numpy_step, steps=4, **tol):
    (w0, b0), grads, (w, b) = _run(opt, steps)
    for i, start, got in ((0, w0, w), (1, b0, b)):
        v = start.astype(np.float64)
        state: dict = {}
        for t, g in enumerate(grads, start=1):
            v = numpy_step(v, g[i].astype(np.float64), t, state)
        np.testing.assert_allclose(got, v, rtol=tol.get("rtol", 2e-5), atol=tol.get("atol", 2e-6))
    assert int(opt.iterations.numpy()) == steps


def _sgd(lr, momentum=0.0, nesterov=False):
    def step(v, g, t, s):
        if not momentum:
            return v - lr * g
        m = s.get("m", 0.0) * momentum - lr * g
        s["m"] = m
        return v + (momentum * m - lr * g if nesterov else m)
    return step


def _adam(lr, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=0.0):
    def step(v, g, t, s):
        if wd:
            v = v - v * lr * wd
        m = s.get("m", 0.0) + (g - s.get("m", 0.0)) * (1 - b1)
        u = s.get("v", 0.0) + (g * g - s.get("v", 0.0)) * (1 - b2)
        s["m"], s["v"] = m, u
        if amsgrad:
            u = s["vhat"] = np.maximum(s.get("vhat", 0.0), u)
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return v - alpha * m / (np.sqrt(u) + eps)
    return step


def _rmsprop(lr, rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    def step(v, g, t, s):
        vel = rho * s.get("vel", 0.0) + (1 - rho) * g * g
        s["vel"] = vel
        if centered:
            a = s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g
            denom = vel - a * a + eps
        else:
            denom = vel + eps
        inc = lr * g / np.sqrt(denom)
        if momentum:
            mom = s["mom"] = momentum * s.get("mom", 0.0) + inc
            return v - mom
        return v - inc
    return step


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd(momentum, nesterov):
    _check(keras.optimizers.SGD(0.1, momentum=momentum, nesterov=nesterov),
           _sgd(0.1, momentum, nesterov))


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam(amsgrad):
    _check(keras.optimizers.Adam(0.01, amsgrad=amsgrad), _adam(0.01, amsgrad=amsgrad))


def test_adamw():
    _check(keras.optimizers.AdamW(0.01, weight_decay=0.1), _adam(0.01, wd=0.1))


@pytest.mark.parametrize("momentum,centered", [(0.0, False), (0.5, True)])
def test_rmsprop(momentum, centered):
    _check(keras.optimizers.RMSprop(0.01, momentum=momentum, centered=centered),
           _rmsprop(0.01, momentum=momentum, centered=centered), rtol=1e-4)


def test_none_gradients_are_skipped_and_learning_rate_is_settable():
    opt = keras.optimizers.SGD(0.5)
    a, b = tf.Variable(np.ones(2, np.float32)), tf.Variable(np.ones(2, np.float32))
    opt.apply_gradients([(tf.constant(np.ones(2, np.float32)), a), (None, b)])
    np.testing.assert_allclose(a.numpy(), [0.5, 0.5])
    np.testing.assert_allclose(b.numpy(), [1.0, 1.0])
    opt.learning_rate = 0.25
    assert opt.learning_rate == pytest.approx(0.25)


def test_clipnorm_and_global_clipnorm():
    v = tf.Variable(np.zeros(2, np.float32))
    keras.optimizers.SGD(1.0, clipnorm=1.0).apply_gradients([(tf.constant([3.0, 4.0]), v)])
    np.testing.assert_allclose(v.numpy(), [-0.6, -0.8], rtol=1e-6)
    a, b = tf.Variable(np.zeros(1, np.float32)), tf.Variable(np.zeros(1, np.float32))
    keras.optimizers.SGD(1.0, global_clipnorm=1.0).apply_gradients(
        [(tf.constant([3.0]), a), (tf.constant([4.0]), b)])
    np.testing.assert_allclose([a.numpy()[0], b.numpy()[0]], [-0.6, -0.8], rtol=1e-6)


SCHEDULES = [
    (keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5),
     lambda s: 0.1 * 0.5 ** (s / 10)),
    (keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True),
     lambda s: 0.1 * 0.5 ** (s // 10)),
    (keras.optimizers.schedules.InverseTimeDecay(0.1, 5, 0.5),
     lambda s: 0.1 / (1 + 0.5 * s / 5)),
    (keras.optimizers.schedules.PiecewiseConstantDecay([5, 15], [0.1, 0.05, 0.01]),
     lambda s: 0.1 if s <= 5 else (0.05 if s <= 15 else 0.01)),
    (keras.optimizers.schedules.PolynomialDecay(0.1, 20, 0.01, power=2.0),
     lambda s: (0.1 - 0.01) * (1 - min(s, 20) / 20) ** 2 + 0.01),
    (keras.optimizers.schedules.CosineDecay(0.1, 20, alpha=0.1),
     lambda s: 0.1 * ((1 - 0.1) * 0.5 * (1 + math.cos(math.pi * min(s, 20) / 20)) + 0.1)),
]


@pytest.mark.parametrize("schedule,formula", SCHEDULES)
def test_schedules(schedule, formula):
    for s in (0, 1, 5, 6, 10, 15, 16, 25):
        assert float(np.asarray(schedule(s))) == pytest.approx(formula(s), rel=1e-5)
        # The same schedule on a tensor step (what a compiled step evaluates).
        got = schedule(tf.constant(np.int64(s)))
        assert float(np.asarray(got)) == pytest.approx(formula(s), rel=1e-5)


def test_schedule_drives_the_update_from_the_iteration_count():
    sched = keras.optimizers.schedules.ExponentialDecay(0.1, 1, 0.5)
    opt = keras.optimizers.SGD(sched)
    v = tf.Variable(np.zeros(1, np.float32))
    for _ in range(3):
        opt.apply_gradients([(tf.constant([1.0]), v)])
    # Steps use lr 0.1, 0.05, 0.025.
    np.testing.assert_allclose(v.numpy(), [-0.175], rtol=1e-6)
    assert opt.learning_rate == pytest.approx(0.0125)
