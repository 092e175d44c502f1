"""Losses and metrics against NumPy, and metric state inside a compiled step."""

from __future__ import annotations

import numpy as np
import pytest

import tfc as tf

keras = tf.keras
RNG = np.random.default_rng()


def _f(x) -> float:
    return float(np.asarray(x))


def _log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def test_sparse_categorical_crossentropy_logits_and_probabilities():
    logits = RNG.standard_normal((6, 4)).astype(np.float32)
    labels = RNG.integers(0, 4, 6).astype(np.int32)
    want = -_log_softmax(logits.astype(np.float64))[np.arange(6), labels]
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    assert _f(loss(labels, logits)) == pytest.approx(want.mean(), rel=1e-5)
    probs = np.exp(_log_softmax(logits.astype(np.float64))).astype(np.float32)
    loss_p = keras.losses.SparseCategoricalCrossentropy()
    assert _f(loss_p(labels, probs)) == pytest.approx(want.mean(), rel=1e-4)
    # (batch, 1) labels are accepted, as in Keras; sample weights scale per example.
    assert _f(loss(labels[:, None], logits)) == pytest.approx(want.mean(), rel=1e-5)
    w = RNG.uniform(0, 1, 6).astype(np.float32)
    assert _f(loss(labels, logits, sample_weight=w)) == pytest.approx((want * w).mean(), rel=1e-5)


def test_categorical_binary_and_mse():
    logits = RNG.standard_normal((5, 3)).astype(np.float32)
    onehot = np.eye(3, dtype=np.float32)[RNG.integers(0, 3, 5)]
    want = -(onehot * _log_softmax(logits.astype(np.float64))).sum(-1).mean()
    got = keras.losses.CategoricalCrossentropy(from_logits=True)(onehot, logits)
    assert _f(got) == pytest.approx(want, rel=1e-5)

    z = RNG.standard_normal((5, 2)).astype(np.float32)
    t = (RNG.random((5, 2)) < 0.5).astype(np.float32)
    p = 1 / (1 + np.exp(-z.astype(np.float64)))
    want = -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean()
    assert _f(keras.losses.BinaryCrossentropy(from_logits=True)(t, z)) == pytest.approx(want, rel=1e-5)
    assert _f(keras.losses.BinaryCrossentropy()(t, p.astype(np.float32))) == pytest.approx(want, rel=1e-4)

    a, b = RNG.standard_normal((2, 5, 3)).astype(np.float32)
    assert _f(keras.losses.MeanSquaredError()(a, b)) == pytest.approx(((a - b) ** 2).mean(), rel=1e-5)
    assert _f(keras.losses.get("mse")(a, b)) == pytest.approx(((a - b) ** 2).mean(), rel=1e-5)


def test_metrics_accumulate_and_reset():
    m = keras.metrics.Mean()
    m.update_state([1.0, 2.0, 3.0])
    m.update_state([4.0], sample_weight=[3.0])
    assert _f(m.result()) == pytest.approx((1 + 2 + 3 + 12) / 6)
    m.reset_state()
    assert _f(m.result()) == 0.0

    acc = keras.metrics.SparseCategoricalAccuracy()
    acc.update_state(np.array([0, 1, 2]), np.array([[0.9, 0.1, 0], [0.2, 0.7, 0.1], [0.5, 0.4, 0.1]],
                                                     np.float32))
    acc.update_state(np.array([[1]]), np.array([[0.1, 0.9, 0.0]], np.float32))
    assert _f(acc.result()) == pytest.approx(0.75)
    exact = keras.metrics.Accuracy()
    exact.update_state([1, 2, 3, 4], [1, 2, 0, 4])
    assert _f(exact.result()) == pytest.approx(0.75)
    cat = keras.metrics.CategoricalAccuracy()
    cat.update_state(np.eye(3, dtype=np.float32), np.eye(3, dtype=np.float32)[[0, 2, 2]])
    assert _f(cat.result()) == pytest.approx(2 / 3)
    # "accuracy" picks the accuracy that fits the loss, as Keras does.
    sparse = keras.losses.SparseCategoricalCrossentropy()
    assert isinstance(keras.metrics.get("accuracy", sparse), keras.metrics.SparseCategoricalAccuracy)


def test_metric_updates_inside_a_compiled_function():
    acc = keras.metrics.SparseCategoricalAccuracy()

    @tf.function
    def update(labels, logits):
        acc.update_state(labels, logits)
        return acc.result()

    logits = RNG.standard_normal((8, 5)).astype(np.float32)
    labels = RNG.integers(0, 5, 8).astype(np.int32)
    r1 = _f(update(labels, logits))
    r2 = _f(update(labels, logits))
    want = (logits.argmax(-1) == labels).mean()
    assert r1 == pytest.approx(want) and r2 == pytest.approx(want)
    assert _f(acc.count.numpy()) == 16
