"""Layers against NumPy: shapes, values, training vs inference, custom layers, errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tfc as tf
from tfc.errors import ShapeError

keras = tf.keras
layers = keras.layers
RNG = np.random.default_rng()


def _np(x):
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x)


def _rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def test_dense_matches_numpy_and_tracks_weights():
    layer = layers.Dense(5, activation="relu")
    x = _rand(4, 3)
    y = _np(layer(x))
    k, b = layer.get_weights()
    assert k.shape == (3, 5) and b.shape == (5,)
    assert np.all(b == 0)  # zeros bias, glorot_uniform kernel
    limit = np.sqrt(6 / (3 + 5))
    assert np.all(np.abs(k) <= limit)
    np.testing.assert_allclose(y, np.maximum(x @ k, 0), rtol=1e-5, atol=1e-6)
    assert [w.name for w in layer.weights] == [f"{layer.name}/kernel:0", f"{layer.name}/bias:0"]
    assert layer.count_params() == 20
    # Rank-3 inputs: applied on the last axis.
    assert _np(layer(_rand(2, 7, 3))).shape == (2, 7, 5)


def test_dense_input_dim_mismatch_names_layer_shapes_and_line():
    layer = layers.Dense(4, name="probe")
    layer(_rand(2, 3))
    with pytest.raises(ShapeError) as e:
        layer(_rand(2, 6))  # this line
    msg = str(e.value)
    assert "probe" in msg and "(2, 6)" in msg and "(3, 4)" in msg
    assert re.search(r"test_layers\.py:\d+", msg)


def test_conv2d_and_pooling_match_numpy():
    x = _rand(2, 6, 6, 3)
    conv = layers.Conv2D(4, 3, padding="valid", activation=None)
    y = _np(conv(x))
    k, b = conv.get_weights()
    want = np.zeros((2, 4, 4, 4), np.float32)
    for i in range(4):
        for j in range(4):
            want[:, i, j, :] = np.einsum("nhwc,hwcf->nf", x[:, i:i + 3, j:j + 3, :], k)
    np.testing.assert_allclose(y, want + b, rtol=1e-4, atol=1e-5)
    assert _np(layers.Conv2D(2, 3, padding="same")(x)).shape == (2, 6, 6, 2)
    mp = _np(layers.MaxPooling2D()(x))
    ap = _np(layers.AveragePooling2D(pool_size=2)(x))
    blocks = x.reshape(2, 3, 2, 3, 2, 3)
    np.testing.assert_allclose(mp, blocks.max(axis=(2, 4)), rtol=1e-6)
    np.testing.assert_allclose(ap, blocks.mean(axis=(2, 4)), rtol=1e-5, atol=1e-6)
    with pytest.raises(ShapeError, match="rank 4"):
        layers.MaxPooling2D()(_rand(2, 3))


def test_flatten_reshape_activation_softmax_relu():
    x = _rand(2, 3, 4)
    np.testing.assert_array_equal(_np(layers.Flatten()(x)), x.reshape(2, 12))
    np.testing.assert_array_equal(_np(layers.Reshape((4, 3))(x)), x.reshape(2, 4, 3))
    np.testing.assert_allclose(_np(layers.Activation("tanh")(x)), np.tanh(x), rtol=1e-5, atol=1e-6)
    e = np.exp(x - x.max(-1, keepdims=True))
    np.testing.assert_allclose(_np(layers.Softmax()(x)), e / e.sum(-1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(_np(layers.ReLU(max_value=0.5)(x)), np.clip(x, 0, 0.5))


def test_embedding_looks_up_rows_and_rejects_bad_ids():
    emb = layers.Embedding(10, 3)
    ids = np.array([[1, 2], [9, 0]], np.int32)
    out = _np(emb(ids))
    table = emb.get_weights()[0]
    np.testing.assert_array_equal(out, table[ids])
    with pytest.raises(ShapeError, match=r"\[0, 10\)"):
        emb(np.array([[10]], np.int32))


def test_layer_normalization_matches_numpy():
    x = _rand(4, 6) * 3 + 1
    ln = layers.LayerNormalization(epsilon=1e-3)
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    np.testing.assert_allclose(_np(ln(x)), (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)


def test_batch_normalization_training_vs_inference():
    bn = layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    x = _rand(16, 3) * 2 + 5
    # Training: batch statistics, and the moving averages move toward them.
    y = _np(bn(x, training=True))
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    mm, mv = bn.moving_mean.numpy(), bn.moving_variance.numpy()
    np.testing.assert_allclose(mm, 0.9 * 0 + 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(mv, 0.9 * 1 + 0.1 * var, rtol=1e-5)
    # Inference: the moving statistics; nothing changes.
    y_inf = _np(bn(x, training=False))
    np.testing.assert_allclose(y_inf, (x - mm) / np.sqrt(mv + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), mm)
    assert len(bn.trainable_weights) == 2 and len(bn.non_trainable_weights) == 2
    # Conv feature maps: statistics per channel over (batch, h, w).
    bn4 = layers.BatchNormalization()
    x4 = _rand(2, 3, 3, 5)
    y4 = _np(bn4(x4, training=True))
    m4, v4 = x4.mean((0, 1, 2)), x4.var((0, 1, 2))
    np.testing.assert_allclose(y4, (x4 - m4) / np.sqrt(v4 + 1e-3), rtol=1e-4, atol=1e-4)


def test_dropout_training_and_inference():
    keras.utils.set_random_seed(1)
    d = layers.Dropout(0.5)
    x = np.ones((200, 50), np.float32)
    np.testing.assert_array_equal(_np(d(x)), x)  # inference: identity
    y = _np(d(x, training=True))
    kept = y != 0
    assert 0.4 < kept.mean() < 0.6
    np.testing.assert_allclose(y[kept], 2.0)


def test_custom_layer_with_build_and_call():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
            self.offset = tf.Variable(np.float32(0.5), trainable=False)

        def call(self, x):
            return x * self.w + self.offset

    s = Scale()
    x = _rand(2, 3)
    np.testing.assert_allclose(_np(s(x)), x + 0.5)
    assert [w.shape for w in s.trainable_weights] == [(3,)]
    assert len(s.non_trainable_weights) == 1 and len(s.weights) == 2
    s.trainable = False
    assert s.trainable_weights == [] and len(s.non_trainable_weights) == 2


def test_sequential_summary_and_input_shape():
    model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4, name="hidden"),
                              layers.Dropout(0.1), layers.Dense(2, name="logits")], name="tiny")
    assert model.built and model.count_params() == 8 * 4 + 4 + 4 * 2 + 2
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "tiny"' in text
    assert re.search(r"hidden \(Dense\)\s+\(None, 4\)\s+36", text)
    assert "Total params: 46" in text and "Trainable params: 46" in text
    with pytest.raises(ShapeError, match=r"\(Dense\): input shape \(2, 5\) does not match"):
        keras.Sequential([layers.Dense(3, input_shape=(4,))])(_rand(2, 5))


def test_subclassed_model_build_call_and_summary():
    class Net(keras.Model):
        def __init__(self):
            super().__init__(name="net")
            self._blocks = [layers.Dense(6, activation="relu"), layers.LayerNormalization()]
            self.head = layers.Dense(2)

        def call(self, x, training=False):
            for block in self._blocks:  # private attributes are tracked too, as in Keras
                x = block(x)
            return self.head(x)

    net = Net()
    assert not net.weights
    net.build((None, 3))
    assert [tuple(w.shape) for w in net.trainable_weights] == [(3, 6), (6,), (6,), (6,), (6, 2), (2,)]
    lines = []
    net.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert re.search(r"dense_\d+ \(Dense\)\s+\(None, 6\)\s+24", text)
    assert "Total params: 50" in text
    assert _np(net(_rand(5, 3))).shape == (5, 2)
