"""Activation functions by name (`activation="relu"` in layers), written with tfc ops."""

from __future__ import annotations

import tfc as tf


def linear(x):
    return x


def relu(x):
    return tf.nn.relu(x)


def sigmoid(x):
    return tf.math.sigmoid(x)


def tanh(x):
    return tf.math.tanh(x)


def softmax(x, axis=-1):
    return tf.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return tf.nn.log_softmax(x, axis=axis)


def gelu(x, approximate=False):
    return tf.nn.gelu(x, approximate=approximate)


def silu(x):
    return x * tf.math.sigmoid(x)


swish = silu


def softplus(x):
    # Stable form: max(x, 0) + log(1 + exp(-|x|)).
    return tf.nn.relu(x) + tf.math.log(1.0 + tf.math.exp(-tf.math.abs(x)))


def elu(x, alpha=1.0):
    return tf.where(x > 0.0, x, alpha * (tf.math.exp(tf.minimum(x, 0.0)) - 1.0))


_BY_NAME = {f.__name__: f for f in (linear, relu, sigmoid, tanh, softmax, log_softmax, gelu,
                                     silu, softplus, elu)}
_BY_NAME["swish"] = silu


def get(identifier):
    """An activation from a name ('relu'), a callable, or None (linear)."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]
    raise ValueError(f"unknown activation {identifier!r}; known: {', '.join(sorted(_BY_NAME))}")


def serialize(fn) -> str:
    return getattr(fn, "__name__", repr(fn))
