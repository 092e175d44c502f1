"""Convolution and pooling layers (channels_last: inputs are (batch, height, width, channels))."""

from __future__ import annotations

import tfc as tf
from tfc.keras import activations, initializers
from tfc.keras.layers.base import Layer, shape_error, shape_of


def _pair(value, what: str) -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    value = tuple(int(v) for v in value)
    if len(value) != 2:
        raise ValueError(f"{what} must be an int or a pair of ints, got {value}")
    return value


def _padding(value: str) -> str:
    p = str(value).upper()
    if p not in ("VALID", "SAME"):
        raise ValueError(f"padding must be 'valid' or 'same', got {value!r}")
    return p


def _channels_last(data_format) -> None:
    if data_format not in (None, "channels_last"):
        raise NotImplementedError("tfc's conv and pooling layers support data_format='channels_last' "
                                  "(NHWC) only")


def _check_rank4(layer: Layer, inputs) -> tuple[int, ...]:
    shape = shape_of(inputs)
    if len(shape) != 4:
        raise shape_error(layer, f"expects inputs of rank 4 (batch, height, width, channels), "
                                 f"got shape {shape}")
    return shape


class Conv2D(Layer):
    """2-D convolution: `activation(conv2d(inputs, kernel) + bias)`, kernel (kh, kw, in, filters)."""

    def __init__(self, filters: int, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        _channels_last(data_format)
        self.filters = int(filters)
        self.kernel_size = _pair(kernel_size, "Conv2D kernel_size")
        self.strides = _pair(strides, "Conv2D strides")
        self.dilation_rate = _pair(dilation_rate, "Conv2D dilation_rate")
        self.padding = _padding(padding)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise shape_error(self, f"expects inputs of rank 4 (batch, height, width, channels), "
                                    f"got shape {tuple(input_shape)}")
        self.kernel = self.add_weight(self.kernel_size + (input_shape[-1], self.filters),
                                      self.kernel_initializer, name="kernel")
        self.bias = (self.add_weight((self.filters,), self.bias_initializer, name="bias")
                     if self.use_bias else None)
        self.built = True

    def call(self, inputs):
        shape = _check_rank4(self, inputs)
        if shape[-1] != int(self.kernel.shape[2]):
            raise shape_error(self, f"input shape {shape} has {shape[-1]} channels but the kernel "
                                    f"{tuple(self.kernel.shape)} expects {int(self.kernel.shape[2])}")
        y = tf.nn.conv2d(inputs, self.kernel, strides=self.strides, padding=self.padding,
                         dilations=self.dilation_rate)
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding.lower()}


class _Pooling2D(Layer):
    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        _channels_last(data_format)
        self.pool_size = _pair(pool_size, f"{type(self).__name__} pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, "strides")
        self.padding = _padding(padding)

    def call(self, inputs):
        _check_rank4(self, inputs)
        return self._pool(inputs, ksize=self.pool_size, strides=self.strides, padding=self.padding)


class MaxPooling2D(_Pooling2D):
    """The maximum over each pool_size window."""

    @staticmethod
    def _pool(x, **kw):
        return tf.nn.max_pool2d(x, **kw)


class AveragePooling2D(_Pooling2D):
    """The mean over each pool_size window (SAME padding averages over the valid cells only)."""

    @staticmethod
    def _pool(x, **kw):
        return tf.nn.avg_pool2d(x, **kw)


class GlobalAveragePooling2D(Layer):
    """The mean over height and width: (batch, h, w, c) -> (batch, c)."""

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        _channels_last(data_format)
        self.keepdims = keepdims

    def call(self, inputs):
        _check_rank4(self, inputs)
        return tf.reduce_mean(inputs, axis=[1, 2], keepdims=self.keepdims)


MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool2D = GlobalAveragePooling2D
