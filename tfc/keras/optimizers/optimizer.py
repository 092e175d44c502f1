"""The optimizer base: state in Variables, updates written with tfc ops.

Everything an optimizer keeps — the iteration count, the learning rate, the
per-variable slots (momentum, velocity, ...) — is a `tfc.Variable`, so inside
a compiled train step the update is part of the one executable and the state
is updated in place. A learning-rate schedule is evaluated from the iteration
variable inside the step. Slots are created on the first `apply_gradients`
(under `tfc.init_scope`, so also on the first trace of a compiled step).

The update rules follow Keras 3 (keras/src/optimizers/*.py) exactly, so the
tests check them against NumPy transcriptions of those formulas.
"""

from __future__ import annotations

import numpy as np

import tfc as tf
from tfc.keras.optimizers import schedules


class Optimizer:
    """Base class; subclasses define `build_slots(var)` and `update_step(grad, var, lr)`."""

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name: str = "optimizer"):
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("set at most one of clipnorm, clipvalue and global_clipnorm")
        self.name = name
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        with tf.init_scope():
            self.iterations = tf.Variable(np.int64(0), trainable=False, name=f"{name}/iteration")
            if isinstance(learning_rate, schedules.LearningRateSchedule):
                self._schedule, self._lr_var = learning_rate, None
            elif callable(learning_rate):
                raise TypeError("learning_rate must be a number or a "
                                "keras.optimizers.schedules.LearningRateSchedule")
            else:
                self._schedule = None
                self._lr_var = tf.Variable(np.float32(learning_rate), trainable=False,
                                           name=f"{name}/learning_rate")
        self._slots: dict[int, dict] = {}
        self._slot_vars: list = []
        self._built_for: list = []
        self._no_decay_ids: set[int] = set()
        self._no_decay_names: list[str] = []

    # --- learning rate ------------------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate (a float, on the host)."""
        if self._schedule is not None:
            return float(np.asarray(self._schedule(int(self.iterations.numpy()))))
        return float(self._lr_var.numpy())

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if self._lr_var is None:
            raise TypeError("this optimizer's learning rate is a schedule; it cannot be set")
        self._lr_var.assign(np.float32(value))

    lr = learning_rate

    def _current_lr(self):
        """The learning rate as a tensor for this step (traced when compiled)."""
        if self._schedule is not None:
            return tf.cast(self._schedule(self.iterations), "float32")
        return self._lr_var.read_value()

    # --- state ---------------------------------------------------------------------------
    def add_slot(self, var, slot: str, init: float = 0.0):
        with tf.init_scope():
            value = np.full(tuple(var.shape), init, dtype=np.dtype(var.dtype))
            base = var.name.split(":")[0]
            s = tf.Variable(value, trainable=False, name=f"{self.name}/{base}/{slot}")
        self._slots.setdefault(id(var), {})[slot] = s
        self._slot_vars.append(s)
        return s

    def get_slot(self, var, slot: str):
        return self._slots[id(var)][slot]

    def build(self, var_list) -> None:
        """Create the slots of every variable in `var_list` not seen yet."""
        for v in var_list:
            if id(v) not in self._slots:
                self._slots[id(v)] = {}
                self._built_for.append(v)
                self.build_slots(v)

    def build_slots(self, var) -> None:
        pass

    @property
    def variables(self) -> list:
        out = [self.iterations] + ([self._lr_var] if self._lr_var is not None else [])
        return out + list(self._slot_vars)

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        self._no_decay_ids |= {id(v) for v in var_list or ()}
        self._no_decay_names += list(var_names or ())

    # --- applying ------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars, name=None):
        """One update of each variable from its gradient (None gradients are skipped)."""
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            return self.iterations
        self.build([v for _, v in pairs])
        grads = self._clip([g for g, _ in pairs])
        lr = self._current_lr()
        for g, (_, v) in zip(grads, pairs):
            if g.dtype != v.dtype:
                g = tf.cast(g, v.dtype)
            if self.weight_decay and self._decays(v):
                v.assign_sub(v * (lr * self.weight_decay))
            self.update_step(g, v, lr)
        self.iterations.assign_add(np.int64(1))
        return self.iterations

    def apply(self, grads, trainable_variables=None):
        return self.apply_gradients(zip(grads, trainable_variables))

    def minimize(self, loss, var_list, tape=None):
        """Compute the gradients of `loss` (a callable, or a tensor recorded on `tape`) and apply them."""
        if callable(loss):
            with tf.GradientTape() as tape:
                value = loss()
        elif tape is None:
            raise ValueError("minimize: pass a callable loss, or the tape that recorded the loss")
        else:
            value = loss
        var_list = var_list() if callable(var_list) else list(var_list)
        grads = tape.gradient(value, var_list)
        return self.apply_gradients(zip(grads, var_list))

    def update_step(self, grad, var, lr) -> None:
        raise NotImplementedError

    def _decays(self, var) -> bool:
        return id(var) not in self._no_decay_ids and not any(
            n in var.name for n in self._no_decay_names)

    def _clip(self, grads: list) -> list:
        if self.clipvalue is not None:
            c = float(self.clipvalue)
            return [tf.clip_by_value(g, -c, c) for g in grads]
        if self.clipnorm is not None:
            c = float(self.clipnorm)
            return [g * (c / tf.maximum(tf.sqrt(tf.reduce_sum(tf.square(g))), c)) for g in grads]
        if self.global_clipnorm is not None:
            c = float(self.global_clipnorm)
            norm = tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(g)) for g in grads]))
            scale = c / tf.maximum(norm, c)
            return [g * scale for g in grads]
        return grads

    def get_config(self) -> dict:
        lr = self._schedule.get_config() if self._schedule is not None else self.learning_rate
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.get_config()}>"
