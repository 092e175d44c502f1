"""`Model` (subclass it: layers in `__init__`, the forward pass in `call`) and `Sequential`.

A model is a layer that can be compiled (optimizer, loss, metrics) and trained:
`fit` / `evaluate` / `predict` run the loop in `trainer.py`, around steps
(`train_step`, `test_step`, `predict_step`) that users may override as in Keras.
"""

from __future__ import annotations

import numpy as np

import tfc as tf
from tfc.data.dataset import _flatten, _map_structure
from tfc.keras import losses as losses_mod
from tfc.keras import metrics as metrics_mod
from tfc.keras import optimizers as optimizers_mod
from tfc.keras import saving, trainer
from tfc.keras.layers.base import Layer, shape_of
from tfc.keras.layers.core import InputLayer


class Model(Layer):
    """A trainable stack of layers.

        class MLP(tfc.keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = tfc.keras.layers.Dense(64, activation="relu")
                self.out = tfc.keras.layers.Dense(10)
            def call(self, x, training=False):
                return self.out(self.hidden(x))
    """

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise NotImplementedError(
                "tfc.keras has no functional API (Model(inputs, outputs)): use Sequential, or "
                "subclass Model and write call()")
        super().__init__(**kwargs)
        self.optimizer = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self.loss = None
        self._loss_fn = None
        self._compiled_metrics: list = []
        self._loss_tracker = None
        self._train_function = self._test_function = self._predict_function = None
        self.run_eagerly = False

    # --- building ------------------------------------------------------------------------
    def _build_from_call(self, input_shape) -> None:
        # A subclass's own build runs; by default call() builds the sub-layers lazily.
        if type(self).build not in (Model.build, Sequential.build):
            self.build(input_shape)

    def build(self, input_shape) -> None:
        """Create the weights by calling the model on zeros of `input_shape` (batch may be None)."""
        shape = tuple(1 if d is None else int(d) for d in input_shape)
        self.built = True  # set first: a subclass's build may call this one
        with tf.init_scope():
            self(np.zeros(shape, np.float32))

    # --- compiling ---------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Set the optimizer, loss and metrics. `run_eagerly=True` runs the steps as plain
        Python (for debugging); otherwise each step is one compiled executable."""
        if loss_weights is not None or weighted_metrics is not None:
            raise NotImplementedError("loss_weights / weighted_metrics are not supported")
        self.optimizer = optimizers_mod.get(optimizer)
        self.loss = loss
        self._loss_fn = losses_mod.get(loss) if loss is not None else None
        self._loss_tracker = metrics_mod.Mean(name="loss")
        self._compiled_metrics = [metrics_mod.get(m, self._loss_fn) for m in (metrics or [])]
        self.run_eagerly = bool(run_eagerly)
        self._train_function = self._test_function = self._predict_function = None
        self.compiled = True

    def _assert_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"call model.compile(optimizer, loss, ...) before model.{what}()")

    @property
    def metrics(self) -> list:
        return ([self._loss_tracker] if self._loss_tracker is not None else []) + \
            list(self._compiled_metrics)

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    # --- steps (override these as in Keras) -----------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if self._loss_fn is None:
            raise ValueError("the model was compiled without a loss: pass loss= to compile, or "
                             "override compute_loss / train_step")
        return self._loss_fn(y, y_pred, sample_weight)

    def compute_metrics(self, x, y, y_pred, sample_weight=None, loss=None) -> dict:
        """Update the loss tracker and the compiled metrics; their results, as tensors."""
        if loss is not None:
            batch = shape_of(_flatten(x)[0])[0] if _flatten(x) else 1
            self._loss_tracker.update_state(loss, sample_weight=np.float32(batch))
        for m in self._compiled_metrics:
            m.update_state(y, y_pred, sample_weight)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data) -> dict:
        """One optimization step on a batch: forward, loss, gradients, update, metrics."""
        x, y, sample_weight = trainer.unpack(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        variables = self.trainable_variables
        grads = tape.gradient(loss, variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        return self.compute_metrics(x, y, y_pred, sample_weight, loss)

    def test_step(self, data) -> dict:
        x, y, sample_weight = trainer.unpack(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        return self.compute_metrics(x, y, y_pred, sample_weight, loss)

    def predict_step(self, data):
        x, _, _ = trainer.unpack(data)
        return self(x, training=False)

    def make_train_function(self) -> trainer.StepFunction:
        if self._train_function is None:
            self._train_function = trainer.StepFunction(self.train_step, self.run_eagerly)
        return self._train_function

    def make_test_function(self) -> trainer.StepFunction:
        if self._test_function is None:
            self._test_function = trainer.StepFunction(self.test_step, self.run_eagerly)
        return self._test_function

    def make_predict_function(self) -> trainer.StepFunction:
        if self._predict_function is None:
            self._predict_function = trainer.StepFunction(self.predict_step,
                                                          getattr(self, "run_eagerly", False))
        return self._predict_function

    def _prepare_for_training(self, batch) -> None:
        """Build the model and the optimizer's slots eagerly before the first trace, so a
        compiled step only reads and updates existing variables."""
        x, _, _ = trainer.unpack(batch)
        if not self.built or not self._all_weights():
            with tf.init_scope():
                self(_map_structure(lambda a: a[:1], x), training=False)
        if self.optimizer is not None:
            self.optimizer.build(self.trainable_variables)

    # --- the loop ---------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for `epochs` epochs; returns a History (`history.history['loss']`, ...)."""
        return trainer.fit(self, x, y, batch_size, epochs, verbose, callbacks, validation_split,
                           validation_data, shuffle, class_weight, sample_weight, initial_epoch,
                           steps_per_epoch, validation_steps, validation_batch_size,
                           validation_freq)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """The loss and metrics over the data: a float, a list [loss, *metrics], or a dict."""
        return trainer.evaluate(self, x, y, batch_size, verbose, sample_weight, steps, callbacks,
                                return_dict)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs (inference mode) for all of x, as NumPy arrays."""
        return trainer.predict(self, x, batch_size, verbose, steps, callbacks)

    def train_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled("train_on_batch")
        batch = _map_structure(trainer.host_array, (x, y) if sample_weight is None
                               else (x, y, sample_weight))
        self._prepare_for_training(batch)
        logs = trainer.to_logs(self.make_train_function()(batch))
        return logs if return_dict else list(logs.values())

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled("test_on_batch")
        self.reset_metrics()
        batch = _map_structure(trainer.host_array, (x, y) if sample_weight is None
                               else (x, y, sample_weight))
        logs = trainer.to_logs(self.make_test_function()(batch))
        return logs if return_dict else list(logs.values())

    def predict_on_batch(self, x):
        out = self.make_predict_function()(_map_structure(trainer.host_array, x))
        return _map_structure(lambda v: np.array(trainer.to_numpy(v)), out)

    # --- inspection and saving ------------------------------------------------------------
    def summary(self, print_fn=print, line_length: int = 65) -> None:
        """Print the layers, their output shapes and parameter counts."""
        rows = [(f"{layer.name} ({type(layer).__name__})",
                 _shape_str(layer._last_output_shape), f"{layer.count_params():,}")
                for layer in self.layers]
        w0 = max([len("Layer (type)")] + [len(r[0]) for r in rows]) + 2
        w1 = max([len("Output Shape")] + [len(r[1]) for r in rows]) + 2
        width = max(line_length, w0 + w1 + 10)
        trainable = sum(int(np.prod(w.shape)) for w in self.trainable_weights)
        total = self.count_params()
        lines = [f'Model: "{self.name}"', "_" * width,
                 f"{'Layer (type)':<{w0}}{'Output Shape':<{w1}}{'Param #':>{width - w0 - w1}}",
                 "=" * width]
        for i, (a, b, c) in enumerate(rows):
            lines.append(f"{a:<{w0}}{b:<{w1}}{c:>{width - w0 - w1}}")
            lines.append("_" * width if i < len(rows) - 1 else "=" * width)
        if not rows:
            lines.append("=" * width)
        lines += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
                  f"Non-trainable params: {total - trainable:,}", "_" * width]
        for line in lines:
            print_fn(line)

    def save_weights(self, filepath) -> None:
        """Write the weights to an .npz file (NumPy arrays only: loading needs no pickle)."""
        saving.save_weights(self, filepath)

    def load_weights(self, filepath) -> None:
        """Read weights written by save_weights into this (built) model, checking shapes."""
        saving.load_weights(self, filepath)

    def get_config(self) -> dict:
        return {"name": self.name}


def _shape_str(shape) -> str:
    if shape is None:
        return "?"
    return "(" + ", ".join(["None"] + [str(d) for d in shape[1:]]) + ("," if len(shape) == 1 else "") + ")"


class Sequential(Model):
    """A linear stack of layers: Sequential([Input(shape=(64,)), Dense(32), Dense(10)])."""

    def __init__(self, layers=None, name=None, trainable=True):
        super().__init__(name=name, trainable=trainable)
        self._stack: list[Layer] = []
        self._declared_shape = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Layer) -> None:
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a Layer, got {type(layer).__name__}")
        if isinstance(layer, InputLayer):
            if self._stack:
                raise ValueError("an Input/InputLayer must be the first entry of a Sequential")
            self._declared_shape = layer.shape[1:]
            return
        if not self._stack and layer._input_shape_arg is not None:
            self._declared_shape = layer._input_shape_arg
        self._stack.append(layer)
        self._track(layer)
        self.built = False
        if self._declared_shape is not None:
            self.build((None,) + tuple(self._declared_shape))

    def pop(self) -> Layer:
        layer = self._stack.pop()
        self._sublayers.remove(layer)
        return layer

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)

    def call(self, inputs, training=None):
        x = inputs
        for layer in self._stack:
            x = layer(x, training=training) if layer._call_takes_training else layer(x)
        return x

    def build(self, input_shape=None) -> None:
        if input_shape is None:
            if self._declared_shape is None:
                raise ValueError("Sequential.build needs an input shape (or declare one with "
                                 "keras.Input(shape=...) as the first layer)")
            input_shape = (None,) + tuple(self._declared_shape)
        if not self._stack:
            return
        super().build(input_shape)
