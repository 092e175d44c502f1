"""Normalization layers: LayerNormalization and BatchNormalization."""

from __future__ import annotations

import tfc as tf
from tfc.keras import initializers
from tfc.keras.layers.base import Layer, shape_error, shape_of


def _axes(layer: Layer, axis, rank: int) -> list[int]:
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise shape_error(layer, f"axis {a} is out of range for inputs of rank {rank}")
        out.append(a % rank)
    return sorted(out)


class LayerNormalization(Layer):
    """Normalize each example over `axis` (default: the last), then scale and shift.

    y = (x - mean) / sqrt(var + epsilon) * gamma + beta, statistics per example."""

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 beta_initializer="zeros", gamma_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.axis, self.epsilon, self.center, self.scale = axis, float(epsilon), center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)

    def build(self, input_shape):
        self._axes = _axes(self, self.axis, len(input_shape))
        shape = tuple(input_shape[a] for a in self._axes)
        self.gamma = self.add_weight(shape, self.gamma_initializer, name="gamma") if self.scale else None
        self.beta = self.add_weight(shape, self.beta_initializer, name="beta") if self.center else None
        self.built = True

    def call(self, inputs):
        shape = shape_of(inputs)
        mean = tf.reduce_mean(inputs, axis=self._axes, keepdims=True)
        centered = inputs - mean
        var = tf.reduce_mean(tf.square(centered), axis=self._axes, keepdims=True)
        y = centered * tf.math.rsqrt(var + self.epsilon)
        param_shape = [shape[i] if i in self._axes else 1 for i in range(len(shape))]
        if self.gamma is not None:
            y = y * tf.reshape(self.gamma, param_shape)
        if self.beta is not None:
            y = y + tf.reshape(self.beta, param_shape)
        return y


class BatchNormalization(Layer):
    """Normalize over the batch (and spatial axes), per channel on `axis`.

    Training (`training=True`, as in `fit`): batch statistics, and the moving
    averages are updated: moving = moving * momentum + batch_stat * (1 - momentum)
    (the batch variance is the biased one, as in Keras 3). Inference: the moving
    statistics. Either way y = (x - mean) / sqrt(var + epsilon) * gamma + beta."""

    def __init__(self, axis=-1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.axis, self.momentum, self.epsilon = axis, float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape):
        rank = len(input_shape)
        self._channel_axes = _axes(self, self.axis, rank)
        self._reduce_axes = [i for i in range(rank) if i not in self._channel_axes]
        shape = tuple(input_shape[a] for a in self._channel_axes)
        self.gamma = self.add_weight(shape, self.gamma_initializer, name="gamma") if self.scale else None
        self.beta = self.add_weight(shape, self.beta_initializer, name="beta") if self.center else None
        self.moving_mean = self.add_weight(shape, self.moving_mean_initializer, trainable=False,
                                           name="moving_mean")
        self.moving_variance = self.add_weight(shape, self.moving_variance_initializer,
                                               trainable=False, name="moving_variance")
        self.built = True

    def call(self, inputs, training=None):
        shape = shape_of(inputs)
        want = tuple(int(d) for d in self.moving_mean.shape)
        got = tuple(shape[a] for a in self._channel_axes) if len(shape) > max(self._channel_axes) else None
        if got != want:
            raise shape_error(self, f"input shape {shape} does not match the layer's statistics of "
                                    f"shape {want} on axis {self.axis}")
        param_shape = [shape[i] if i in self._channel_axes else 1 for i in range(len(shape))]
        if training:
            mean = tf.reduce_mean(inputs, axis=self._reduce_axes, keepdims=True)
            var = tf.reduce_mean(tf.square(inputs - mean), axis=self._reduce_axes, keepdims=True)
            m = self.momentum
            self.moving_mean.assign(self.moving_mean * m + tf.reshape(mean, want) * (1.0 - m))
            self.moving_variance.assign(self.moving_variance * m + tf.reshape(var, want) * (1.0 - m))
        else:
            mean = tf.reshape(self.moving_mean, param_shape)
            var = tf.reshape(self.moving_variance, param_shape)
        y = (inputs - mean) * tf.math.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            y = y * tf.reshape(self.gamma, param_shape)
        if self.beta is not None:
            y = y + tf.reshape(self.beta, param_shape)
        return y
