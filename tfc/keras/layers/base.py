"""`Layer`: the unit of a Keras model — weights, `build(input_shape)`, `call(inputs)`.

A layer creates its weights lazily on its first call (`build`), from the input
shape, as Keras does; weights are `tfc.Variable`s, so a compiled step reads
and updates them in place. Sub-layers and variables assigned as attributes are
tracked in creation order (Keras's order, which `get_weights` and the weight
files use).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

import tfc as tf
from tfc.errors import ShapeError
from tfc.keras import backend, initializers
from tfc.tracing import format_location, user_location


def shape_error(layer: "Layer", message: str) -> ShapeError:
    """A ShapeError naming the layer, ending with the user's line."""
    where = format_location(user_location())
    text = f"layer '{layer.name}' ({type(layer).__name__}): {message}"
    return ShapeError(f"{text}\n  at {where}" if where else text)


def shape_of(x) -> tuple[int, ...]:
    return tuple(int(d) for d in x.shape)


def is_float(x) -> bool:
    dt = getattr(x, "dtype", None)
    try:
        return np.dtype(dt).kind == "f"
    except TypeError:
        return bool(getattr(dt, "is_floating", False))


def as_tensor(x):
    """User data as something the op functions take (a NumPy array for plain Python data)."""
    if isinstance(x, (list, tuple, int, float)) or isinstance(x, np.generic):
        x = np.asarray(x)
        if x.dtype == np.float64:
            x = x.astype(np.float32)
    return x


class Layer(tf.Module):
    """Base class of layers; subclass it and define `build` and `call`.

        class Scale(tfc.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
            def call(self, x):
                return x * self.w
    """

    # Non-float inputs (uint8 pixels, int features) are cast to float32 first.
    _cast_inputs = True

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None,
                 input_shape=None, **kwargs):
        input_dim = kwargs.pop("input_dim", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) "
                            f"{', '.join(sorted(kwargs))}")
        object.__setattr__(self, "_tracking", False)
        name = name or backend.unique_name(backend.snake_case(type(self).__name__))
        super().__init__(name=name)
        self._trainable = trainable
        self.dtype = "float32" if dtype is None else np.dtype(dtype).name
        self.built = False
        self._own_weights: list = []        # Variables made by add_weight or set as attributes
        self._sublayers: list[Layer] = []
        self._last_output_shape = None
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            input_shape = tuple(batch_input_shape)[1:]
        self._input_shape_arg = None if input_shape is None else tuple(input_shape)
        self._call_takes_training = "training" in inspect.signature(self.call).parameters
        self._tracking = True

    # --- tracking ----------------------------------------------------------------
    # The tracker's own lists are not themselves tracked.
    _UNTRACKED = frozenset(("_own_weights", "_sublayers"))

    def __setattr__(self, key: str, value: Any) -> None:
        if getattr(self, "_tracking", False) and key not in self._UNTRACKED:
            self._track(value)
        object.__setattr__(self, key, value)

    def _track(self, value) -> None:
        if isinstance(value, Layer):
            if all(value is not s for s in self._sublayers):
                self._sublayers.append(value)
        elif isinstance(value, tf.Variable):
            if all(value is not w for w in self._own_weights):
                self._own_weights.append(value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                self._track(v)
        elif isinstance(value, dict):
            for v in value.values():
                self._track(v)

    @property
    def layers(self) -> list["Layer"]:
        return list(self._sublayers)

    def _flat_layers(self) -> list["Layer"]:
        out = []
        for s in self._sublayers:
            out.append(s)
            out.extend(s._flat_layers())
        return out

    def _all_weights(self) -> list:
        """Own weights then sub-layers', each once, in creation order."""
        seen, out = set(), []
        for w in self._own_weights + [w for s in self._sublayers for w in s._all_weights()]:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for s in self._sublayers:
            s.trainable = value

    @property
    def trainable_weights(self) -> list:
        if not self._trainable:
            return []
        own = [w for w in self._own_weights if w.trainable]
        return _unique(own + [w for s in self._sublayers for w in s.trainable_weights])

    @property
    def non_trainable_weights(self) -> list:
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self._all_weights() if id(w) not in trainable]

    @property
    def weights(self) -> list:
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_variables(self) -> list:
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        return self.non_trainable_weights

    @property
    def variables(self) -> list:
        return self.weights

    @property
    def submodules(self):
        return tuple(self._flat_layers())

    def count_params(self) -> int:
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        return [np.array(w.numpy()) for w in self.weights]

    def set_weights(self, values) -> None:
        weights = self.weights
        if len(values) != len(weights):
            raise ValueError(f"layer '{self.name}': set_weights got {len(values)} arrays for "
                             f"{len(weights)} weights")
        for w, v in zip(weights, values):
            v = np.asarray(v)
            if tuple(v.shape) != tuple(w.shape):
                raise ShapeError(f"layer '{self.name}': weight '{w.name}' has shape "
                                 f"{tuple(w.shape)}, got an array of shape {v.shape}")
            w.assign(v.astype(np.dtype(w.dtype)))

    # --- weights ---------------------------------------------------------------------
    def add_weight(self, shape=(), initializer="glorot_uniform", dtype=None, trainable=True,
                   name: str | None = None, regularizer=None, constraint=None):
        """Create a Variable owned by this layer (Keras's `add_weight`)."""
        dtype = np.dtype(dtype or self.dtype)
        shape = tuple(int(d) for d in shape)
        init = initializers.get(initializer)
        name = name or f"weight_{len(self._own_weights)}"
        with tf.init_scope(), tf.name_scope(f"{self.name}/"):  # absolute: "dense_1/kernel"
            value = np.asarray(init(shape, dtype=dtype)).astype(dtype)
            var = tf.Variable(value, trainable=trainable, name=name)
        self._own_weights.append(var)
        return var

    # --- calling ----------------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Create the weights for inputs of `input_shape` (override in subclasses)."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    def _build_from_call(self, input_shape) -> None:
        self.build(input_shape)

    def __call__(self, inputs, *args, **kwargs):
        inputs = as_tensor(inputs)
        if self._cast_inputs and hasattr(inputs, "dtype") and not is_float(inputs):
            inputs = tf.cast(inputs, self.dtype)
        if not self.built:
            self._check_declared_input(inputs)
            self._build_from_call(_input_shape(inputs))
            self.built = True
        if "training" in kwargs and not self._call_takes_training:
            kwargs.pop("training")
        outputs = self.call(inputs, *args, **kwargs)
        if hasattr(outputs, "shape"):
            self._last_output_shape = shape_of(outputs)
        return outputs

    def _check_declared_input(self, inputs) -> None:
        if self._input_shape_arg is None or not hasattr(inputs, "shape"):
            return
        got = shape_of(inputs)[1:]
        want = self._input_shape_arg
        if len(got) != len(want) or any(w is not None and w != g for w, g in zip(want, got)):
            raise shape_error(self, f"expected inputs of shape (batch, {', '.join(map(str, want))})"
                                    f" (its input_shape), got {shape_of(inputs)}")

    def compute_output_shape(self, input_shape):
        """The output shape for `input_shape` (batch dim may be None), found by a trial call."""
        batch = input_shape[0] if input_shape and input_shape[0] is not None else 1
        shape = (batch,) + tuple(input_shape[1:])
        out = self(np.zeros(shape, np.float32))
        return (input_shape[0],) + shape_of(out)[1:]

    def get_config(self) -> dict:
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _input_shape(inputs):
    if isinstance(inputs, dict):
        return {k: _input_shape(v) for k, v in inputs.items()}
    if isinstance(inputs, (list, tuple)):
        return [_input_shape(v) for v in inputs]
    return shape_of(inputs)


def _unique(ws: list) -> list:
    seen, out = set(), []
    for w in ws:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out
