"""Metrics: running statistics kept in Variables (so a compiled step updates them in place).

`update_state` is written with tfc ops and may run inside a compiled step;
`result` and `reset_state` run on the host between steps and epochs.
"""

from __future__ import annotations

import numpy as np

import tfc as tf
from tfc.keras import losses as losses_mod


class Metric:
    """Base class: `update_state(...)`, `result()`, `reset_state()`; state in Variables."""

    def __init__(self, name: str | None = None, dtype=None):
        self.name = name or losses_mod._snake(type(self).__name__)
        self.dtype = "float32" if dtype is None else np.dtype(dtype).name
        self._variables: list = []

    def add_variable(self, shape=(), initializer="zeros", dtype=None, name=None):
        with tf.init_scope():
            value = np.zeros(shape, dtype=np.dtype(dtype or self.dtype))
            if initializer == "ones":
                value = value + 1
            var = tf.Variable(value, trainable=False, name=f"{self.name}/{name or 'var'}")
        self._variables.append(var)
        return var

    add_weight = add_variable

    @property
    def variables(self) -> list:
        return list(self._variables)

    def reset_state(self) -> None:
        for v in self._variables:
            v.assign(np.zeros(tuple(v.shape), dtype=np.dtype(v.dtype)))

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The (weighted) mean of all values seen: total / count."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)
        self.total = self.add_variable(name="total")
        self.count = self.add_variable(name="count")

    def update_state(self, values, sample_weight=None):
        values = losses_mod._tensor(values)
        if not losses_mod._is_float(values):
            values = tf.cast(values, self.dtype)
        elif np.dtype(values.dtype) != np.dtype(self.dtype):
            values = tf.cast(values, self.dtype)
        if sample_weight is None:
            n = float(np.prod(losses_mod._shape(values)))
            self.total.assign_add(tf.reduce_sum(values))
            self.count.assign_add(np.asarray(n, dtype=self.dtype))
            return
        sw = tf.cast(losses_mod._tensor(sample_weight), self.dtype)
        vs, ws = losses_mod._shape(values), losses_mod._shape(sw)
        if vs != ws:
            if len(vs) > len(ws) and vs[:len(ws)] == ws:  # weight per example, values per output
                sw = tf.reshape(sw, ws + (1,) * (len(vs) - len(ws)))
            sw = tf.broadcast_to(sw, vs) if vs else sw
        self.total.assign_add(tf.reduce_sum(values * sw))
        self.count.assign_add(tf.reduce_sum(sw * tf.ones_like(values)))

    def result(self):
        """total / count (0 before any update), as a tensor: it may be part of a compiled step."""
        return self.total.read_value() / tf.maximum(self.count.read_value(), 1e-30)


class MeanMetricWrapper(Mean):
    """The mean of `fn(y_true, y_pred)` over all examples seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name or fn.__name__, dtype)
        self.fn, self.fn_kwargs = fn, kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self.fn(losses_mod._tensor(y_true), losses_mod._tensor(y_pred), **self.fn_kwargs)
        super().update_state(values, sample_weight)


# --- per-example metric functions -------------------------------------------------------

def _matches(a, b):
    return tf.cast(tf.equal(a, b), "float32")


def accuracy(y_true, y_pred):
    """1 where the prediction equals the label (exactly), else 0."""
    y_true = losses_mod._same_shape("accuracy", y_true, y_pred)
    if np.dtype(y_true.dtype) != np.dtype(y_pred.dtype):
        y_true = tf.cast(y_true, y_pred.dtype)
    return _matches(y_true, y_pred)


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) is the integer label."""
    ts, ps = losses_mod._shape(y_true), losses_mod._shape(y_pred)
    if ts == ps[:-1] + (1,) and len(ts) == len(ps):
        y_true = tf.reshape(y_true, ps[:-1])
    elif ts != ps[:-1]:
        raise losses_mod._error("sparse_categorical_accuracy",
                                f"labels of shape {ts} do not match predictions of shape {ps}")
    pred = tf.cast(tf.argmax(y_pred, axis=-1), "int32")
    return _matches(tf.cast(y_true, "int32"), pred)


def categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) is argmax(y_true) (one-hot labels)."""
    if losses_mod._shape(y_true) != losses_mod._shape(y_pred):
        raise losses_mod._error("categorical_accuracy", f"labels of shape {losses_mod._shape(y_true)} "
                                f"do not match predictions of shape {losses_mod._shape(y_pred)}")
    return _matches(tf.cast(tf.argmax(y_true, axis=-1), "int32"),
                    tf.cast(tf.argmax(y_pred, axis=-1), "int32"))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """The mean over the last axis of 1 where (y_pred > threshold) equals the 0/1 label."""
    y_true = losses_mod._same_shape("binary_accuracy", y_true, y_pred)
    pred = tf.cast(y_pred > threshold, "float32")
    return tf.reduce_mean(_matches(tf.cast(y_true, "float32"), pred), axis=-1)


class Accuracy(MeanMetricWrapper):
    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name, dtype)


class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name, dtype)


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)


class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(losses_mod.mean_squared_error, name, dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(losses_mod.mean_absolute_error, name, dtype)


_BY_NAME = {
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "binary_accuracy": BinaryAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
}


def get(identifier, loss=None) -> Metric:
    """A metric from a name, an instance or a function. 'accuracy' / 'acc' picks the
    accuracy that fits the loss, as Keras does (sparse labels -> sparse accuracy)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("accuracy", "acc"):
            fn = getattr(loss, "fn", loss)
            cls = {losses_mod.sparse_categorical_crossentropy: SparseCategoricalAccuracy,
                   losses_mod.categorical_crossentropy: CategoricalAccuracy,
                   losses_mod.binary_crossentropy: BinaryAccuracy}.get(fn, Accuracy)
            return cls(name=identifier)
        if key in _BY_NAME:
            return _BY_NAME[key]()
        raise ValueError(f"unknown metric {identifier!r}; known: accuracy, "
                         f"{', '.join(sorted(_BY_NAME))}")
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(f"cannot interpret {identifier!r} as a metric")
