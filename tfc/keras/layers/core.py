"""Core layers: Dense, Flatten, Reshape, Dropout, Embedding, Activation, ReLU, Softmax, Input."""

from __future__ import annotations

import math

import numpy as np

import tfc as tf
from tfc.keras import activations, backend, initializers
from tfc.keras.layers.base import Layer, shape_error, shape_of


class InputLayer(Layer):
    """Declares the input shape (without the batch dimension) of a Sequential model."""

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, input_shape=None,
                 **kwargs):
        shape = shape if shape is not None else input_shape
        if shape is None:
            raise ValueError("InputLayer needs a shape (without the batch dimension)")
        super().__init__(name=name, dtype=dtype, input_shape=tuple(shape), **kwargs)
        self.batch_size = batch_size
        self.shape = (batch_size,) + tuple(shape)

    def call(self, inputs):
        return inputs


def Input(shape=None, batch_size=None, dtype=None, name=None):
    """`keras.Input(shape=...)`: for the first entry of a Sequential model.

    (tfc has no functional-API graph of symbolic Keras tensors: build models with
    Sequential or by subclassing Model.)"""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name)


class Dense(Layer):
    """`activation(inputs @ kernel + bias)`, on the last axis of inputs of any rank."""

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if int(units) < 1:
            raise ValueError(f"Dense: units must be a positive integer, got {units}")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        if len(input_shape) < 2:
            raise shape_error(self, f"expects inputs of rank >= 2 (batch, ..., features), got "
                                    f"shape {tuple(input_shape)}")
        self.kernel = self.add_weight((input_shape[-1], self.units), self.kernel_initializer,
                                      name="kernel")
        self.bias = (self.add_weight((self.units,), self.bias_initializer, name="bias")
                     if self.use_bias else None)
        self.built = True

    def call(self, inputs):
        shape = shape_of(inputs)
        in_dim = int(self.kernel.shape[0])
        if len(shape) < 2 or shape[-1] != in_dim:
            raise shape_error(self, f"input shape {shape} does not match the kernel "
                                    f"{tuple(self.kernel.shape)}: the last input dimension must be "
                                    f"{in_dim} (the layer was built for inputs (..., {in_dim}))")
        if len(shape) == 2:
            y = tf.matmul(inputs, self.kernel)
        else:
            y = tf.reshape(tf.matmul(tf.reshape(inputs, (-1, in_dim)), self.kernel),
                           shape[:-1] + (self.units,))
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias}


class Flatten(Layer):
    """Collapse all dimensions but the batch: (batch, d1, d2, ...) -> (batch, d1*d2*...)."""

    _cast_inputs = False

    def call(self, inputs):
        shape = shape_of(inputs)
        return tf.reshape(inputs, (shape[0], math.prod(shape[1:])))


class Reshape(Layer):
    """Reshape each example to `target_shape` (one entry may be -1)."""

    _cast_inputs = False

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)

    def call(self, inputs):
        shape = shape_of(inputs)
        n = math.prod(shape[1:])
        known = math.prod(d for d in self.target_shape if d != -1)
        target = tuple(n // known if d == -1 else d for d in self.target_shape)
        if math.prod(target) != n:
            raise shape_error(self, f"cannot reshape examples of shape {shape[1:]} ({n} values) "
                                    f"to {self.target_shape}")
        return tf.reshape(inputs, (shape[0],) + target)


class Dropout(Layer):
    """Zero a `rate` fraction of the inputs during training and scale the rest by 1/(1-rate).

    The mask comes from `tfc.random.uniform` with a fixed op seed per layer (from
    `seed`, or drawn from the Keras generator, which `keras.utils.set_random_seed`
    seeds). In a compiled step the uniform noise is a host-fed input drawn fresh
    for every call (the op set has no random-number op); eager calls draw from the
    same per-layer stream, so a seeded program gets the same masks either way."""

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout: rate must be in [0, 1), got {rate}")
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        self._op_seed = int(seed) if seed is not None else int(backend.rng().integers(2**31 - 1))

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        shape = shape_of(inputs)
        if self.noise_shape is not None:
            shape = tuple(s if n is None else int(n) for s, n in zip(shape, self.noise_shape))
        u = tf.random.uniform(shape, dtype=inputs.dtype, seed=self._op_seed)
        keep = tf.cast(u >= self.rate, inputs.dtype)
        return inputs * keep * (1.0 / (1.0 - self.rate))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}


class Embedding(Layer):
    """Look up rows of an `(input_dim, output_dim)` table by integer ids."""

    _cast_inputs = False

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform",
                 **kwargs):
        kwargs.pop("mask_zero", None)
        kwargs.pop("input_length", None)
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        if embeddings_initializer == "uniform":
            embeddings_initializer = initializers.RandomUniform(-0.05, 0.05)
        self.embeddings_initializer = initializers.get(embeddings_initializer)

    def build(self, input_shape):
        self.embeddings = self.add_weight((self.input_dim, self.output_dim),
                                          self.embeddings_initializer, name="embeddings")
        self.built = True

    def call(self, inputs):
        if tf.executing_eagerly():
            ids = np.asarray(inputs.numpy() if hasattr(inputs, "numpy") else inputs)
            if ids.dtype.kind == "f" and np.any(ids != np.round(ids)):
                raise shape_error(self, "expects integer ids, got non-integer values")
            if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
                raise shape_error(self, f"ids must be in [0, {self.input_dim}); got values in "
                                        f"[{ids.min()}, {ids.max()}] (input shape {ids.shape})")
        if not str(getattr(inputs.dtype, "name", inputs.dtype)).startswith("int"):
            inputs = tf.cast(inputs, "int32")
        return tf.gather(self.embeddings, inputs)


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)


class ReLU(Layer):
    """max(x, 0), optionally capped at `max_value` and leaky below `threshold`."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, inputs):
        if self.negative_slope == 0.0 and self.threshold == 0.0:
            y = tf.nn.relu(inputs)
        else:
            y = tf.where(inputs >= self.threshold, inputs,
                         self.negative_slope * (inputs - self.threshold))
        if self.max_value is not None:
            y = tf.minimum(y, float(self.max_value))
        return y


class Softmax(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        return tf.nn.softmax(inputs, axis=self.axis)
