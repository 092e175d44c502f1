"""Losses: MeanSquaredError, the cross entropies, and their function forms.

A loss object computes a per-example loss, weights it by `sample_weight` and
reduces it (default: the mean over the batch, Keras's "sum_over_batch_size").
Shape mismatches between labels and predictions are errors naming the loss,
both shapes and the user's line.
"""

from __future__ import annotations

import numpy as np

import tfc as tf
from tfc.errors import ShapeError
from tfc.tracing import format_location, user_location

EPSILON = 1e-7


def _shape(x) -> tuple[int, ...]:
    return tuple(int(d) for d in x.shape)


def _error(name: str, message: str) -> ShapeError:
    where = format_location(user_location())
    text = f"{name}: {message}"
    return ShapeError(f"{text}\n  at {where}" if where else text)


def _tensor(x):
    if isinstance(x, (list, tuple, int, float)) or isinstance(x, np.generic):
        x = np.asarray(x)
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        x = x.astype(np.float32)
    return x


def _is_float(x) -> bool:
    try:
        return np.dtype(x.dtype).kind == "f"
    except TypeError:
        return bool(getattr(x.dtype, "is_floating", False))


def _float(x, like):
    return x if _is_float(x) and np.dtype(x.dtype) == np.dtype(like.dtype) else tf.cast(x, like.dtype)


def _same_shape(name: str, y_true, y_pred):
    """Labels shaped like predictions; (batch,) labels for (batch, 1) predictions are allowed."""
    ts, ps = _shape(y_true), _shape(y_pred)
    if ts == ps:
        return y_true
    if ts + (1,) == ps or ts == ps + (1,):
        return tf.reshape(y_true, ps)
    raise _error(name, f"labels of shape {ts} do not match predictions of shape {ps}")


class Loss:
    """Base class: subclasses define `call(y_true, y_pred)` -> per-example losses."""

    def __init__(self, reduction: str = "sum_over_batch_size", name: str | None = None):
        if reduction not in ("sum_over_batch_size", "sum", "none", "auto", None):
            raise ValueError(f"unknown reduction {reduction!r}")
        self.reduction = "sum_over_batch_size" if reduction == "auto" else reduction
        self.name = name or _snake(type(self).__name__)

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _tensor(y_true), _tensor(y_pred)
        losses = self.call(y_true, y_pred)
        if sample_weight is not None:
            sw = _float(_tensor(sample_weight), losses)
            ls, ws = _shape(losses), _shape(sw)
            if ws != ls:
                if ws[:len(ls)] == ls and all(d == 1 for d in ws[len(ls):]):
                    sw = tf.reshape(sw, ls)
                else:
                    raise _error(self.name, f"sample_weight of shape {ws} does not match the "
                                            f"per-example losses of shape {ls}")
            losses = losses * sw
        if self.reduction in (None, "none"):
            return losses
        total = tf.reduce_sum(losses)
        if self.reduction == "sum":
            return total
        n = int(np.prod(_shape(losses))) or 1
        return total / float(n)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}


class LossFunctionWrapper(Loss):
    """A loss object around a function `fn(y_true, y_pred, **kwargs)` -> per-example losses."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, **kwargs):
        super().__init__(reduction, name or fn.__name__)
        self.fn, self.fn_kwargs = fn, kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.fn_kwargs)


# --- per-example loss functions --------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """mean((y_pred - y_true)^2) over the last axis."""
    y_true, y_pred = _tensor(y_true), _tensor(y_pred)
    y_true = _float(_same_shape("mean_squared_error", y_true, y_pred), y_pred)
    return tf.reduce_mean(tf.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _tensor(y_true), _tensor(y_pred)
    y_true = _float(_same_shape("mean_absolute_error", y_true, y_pred), y_pred)
    return tf.reduce_mean(tf.abs(y_pred - y_true), axis=-1)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """Cross entropy with integer class labels: (batch,) labels, (batch, classes) predictions."""
    name = "sparse_categorical_crossentropy"
    y_true, y_pred = _tensor(y_true), _tensor(y_pred)
    ts, ps = _shape(y_true), _shape(y_pred)
    if len(ps) < 1 or axis not in (-1, len(ps) - 1):
        raise _error(name, f"expects classes on the last axis of predictions, got shape {ps}")
    if ts == ps[:-1] + (1,) and len(ts) == len(ps):
        y_true = tf.reshape(y_true, ps[:-1])
    elif ts != ps[:-1]:
        raise _error(name, f"labels of shape {ts} do not match predictions of shape {ps}: expected "
                           f"labels of shape {ps[:-1]} (one class id per row of "
                           f"{ps[-1]} {'logits' if from_logits else 'probabilities'})")
    if _is_float(y_true):
        y_true = tf.cast(y_true, "int32")
    if tf.executing_eagerly():
        ids = np.asarray(y_true.numpy() if hasattr(y_true, "numpy") else y_true)
        if ids.size and (ids.min() < 0 or ids.max() >= ps[-1]):
            raise _error(name, f"labels must be class ids in [0, {ps[-1]}), got values in "
                               f"[{ids.min()}, {ids.max()}]")
    if from_logits:
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    onehot = tf.one_hot(y_true, ps[-1], dtype=y_pred.dtype)
    p = tf.clip_by_value(y_pred, EPSILON, 1.0 - EPSILON)
    return -tf.reduce_sum(onehot * tf.math.log(p), axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross entropy with one-hot (or soft) labels shaped like the predictions."""
    name = "categorical_crossentropy"
    y_true, y_pred = _tensor(y_true), _tensor(y_pred)
    if _shape(y_true) != _shape(y_pred):
        raise _error(name, f"labels of shape {_shape(y_true)} do not match predictions of shape "
                           f"{_shape(y_pred)} (one-hot labels have the predictions' shape; for "
                           "integer class ids use sparse_categorical_crossentropy)")
    y_true = _float(y_true, y_pred)
    if label_smoothing:
        k = _shape(y_pred)[-1]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / k
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    p = y_pred / tf.reduce_sum(y_pred, axis=axis, keepdims=True)
    p = tf.clip_by_value(p, EPSILON, 1.0 - EPSILON)
    return -tf.reduce_sum(y_true * tf.math.log(p), axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean over the last axis of the binary cross entropy of each output."""
    y_true, y_pred = _tensor(y_true), _tensor(y_pred)
    y_true = _float(_same_shape("binary_crossentropy", y_true, y_pred), y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        # max(x, 0) - x * z + log(1 + exp(-|x|)), stable for any x.
        x = y_pred
        per = tf.nn.relu(x) - x * y_true + tf.math.log(1.0 + tf.math.exp(-tf.abs(x)))
    else:
        p = tf.clip_by_value(y_pred, EPSILON, 1.0 - EPSILON)
        per = -(y_true * tf.math.log(p) + (1.0 - y_true) * tf.math.log(1.0 - p))
    return tf.reduce_mean(per, axis=axis)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


# --- loss classes ----------------------------------------------------------------------

class MeanSquaredError(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(mean_squared_error, reduction, name)


class MeanAbsoluteError(LossFunctionWrapper):
    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(mean_absolute_error, reduction, name)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits=False, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy"):
        super().__init__(sparse_categorical_crossentropy, reduction, name, from_logits=from_logits)
        self.from_logits = from_logits


class CategoricalCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy"):
        super().__init__(categorical_crossentropy, reduction, name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class BinaryCrossentropy(LossFunctionWrapper):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy"):
        super().__init__(binary_crossentropy, reduction, name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


_BY_NAME = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
}


def get(identifier):
    """A loss object from a name ('mse'), a Loss instance, or a function."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        key = _snake(identifier)
        if key in _BY_NAME:
            return _BY_NAME[key]()
        raise ValueError(f"unknown loss {identifier!r}; known: {', '.join(sorted(_BY_NAME))}")
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise TypeError(f"cannot interpret {identifier!r} as a loss")


def _snake(name: str) -> str:
    from tfc.keras.backend import snake_case

    return name if name.islower() else snake_case(name)
