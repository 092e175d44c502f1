"""Callbacks for `fit` / `evaluate` / `predict`: History, the progress bar, EarlyStopping,
ModelCheckpoint, LearningRateScheduler, LambdaCallback, TerminateOnNaN."""

from __future__ import annotations

import math
import os
import sys
import time

import numpy as np


class Callback:
    """Base class: override the hooks you need. `self.model` is set by fit."""

    def __init__(self):
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): pass
    def on_train_batch_end(self, batch, logs=None): pass
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass


class CallbackList(Callback):
    """Calls each hook on every callback in order."""

    def __init__(self, callbacks=None, model=None, **params):
        super().__init__()
        self.callbacks = list(callbacks or [])
        if model is not None:
            self.set_model(model)
        self.set_params(params)

    def set_model(self, model):
        super().set_model(model)
        for c in self.callbacks:
            c.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        for c in self.callbacks:
            c.set_params(params)

    def __getattribute__(self, name):
        if name.startswith("on_"):
            callbacks = object.__getattribute__(self, "callbacks")
            # Keras passes logs positionally: on_epoch_end(epoch, logs), on_train_begin(logs).
            n = 2 if ("epoch" in name or "batch" in name) else 1

            def hook(*args, **kwargs):
                if "logs" not in kwargs and len(args) < n:
                    args = args + ({},)
                for c in callbacks:
                    getattr(c, name)(*args, **kwargs)
            return hook
        return object.__getattribute__(self, name)


class History(Callback):
    """Records each epoch's logs: `history.history['loss']`, `history.epoch`."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self


# --- the progress bar ---------------------------------------------------------------------

def _format_logs(logs: dict) -> str:
    return "".join(f" - {k}: {v:.4f}" if isinstance(v, float) else f" - {k}: {v}"
                   for k, v in logs.items())


def _format_time(seconds: float, steps: int) -> str:
    per = seconds / max(steps, 1)
    unit = f"{per * 1e3:.0f}ms/step" if per >= 1e-3 else f"{per * 1e6:.0f}us/step"
    total = f"{seconds:.0f}s" if seconds >= 1 else f"{seconds * 1e3:.0f}ms"
    return f"{total} {unit}"


class Progbar:
    """A Keras-style progress bar: `12/45 [=====>........] - loss: 0.3125`.

    On a terminal it redraws in place; otherwise it prints the final line only."""

    def __init__(self, target: int | None, width: int = 30, verbose: int = 1, stream=None):
        self.target, self.width, self.verbose = target, width, verbose
        self.stream = stream or sys.stdout
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._dynamic = verbose == 1 and hasattr(self.stream, "isatty") and self.stream.isatty()

    def bar(self, current: int) -> str:
        if self.target is None:
            return f"{current}/unknown"
        n = len(str(self.target))
        done = int(self.width * current / self.target) if self.target else self.width
        arrow = "=" * max(done - 1, 0) + (">" if current < self.target else "=") if done else ""
        return f"{current:>{n}}/{self.target} [{arrow}{'.' * (self.width - len(arrow))}]"

    def update(self, current: int, logs: dict | None = None, finalize: bool = False) -> None:
        if self.verbose == 0:
            return
        now = time.perf_counter()
        if not finalize:
            if not self._dynamic or now - self._last_draw < 0.05:
                return
            self._last_draw = now
            self.stream.write(f"\r{self.bar(current)}{_format_logs(logs or {})}")
            self.stream.flush()
            return
        line = f"{self.bar(current)} - {_format_time(now - self.start, current)}{_format_logs(logs or {})}"
        self.stream.write(("\r" if self._dynamic else "") + line + "\n")
        self.stream.flush()


class ProgbarLogger(Callback):
    """Prints `Epoch i/n` and one progress bar per epoch (fit's verbose=1 or 2)."""

    def __init__(self, verbose: int = 1, stream=None):
        super().__init__()
        self.verbose, self.stream = verbose, stream or sys.stdout
        self._bar = None
        self._seen = 0

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            self.stream.write(f"Epoch {epoch + 1}/{self.params.get('epochs', '?')}\n")
        self._bar = Progbar(self.params.get("steps"), verbose=self.verbose, stream=self.stream)
        self._seen = 0

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        self._bar.update(self._seen, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._bar.update(self._seen, logs, finalize=True)


# --- control callbacks ---------------------------------------------------------------------

def _mode_op(mode: str, monitor: str):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        mode = "max" if ("acc" in monitor or monitor.endswith("auc")) else "min"
    return np.greater if mode == "max" else np.less


class EarlyStopping(Callback):
    """Stop training when `monitor` has not improved by `min_delta` for `patience` epochs.

    With restore_best_weights, the weights of the best epoch are put back at the end."""

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        self.monitor, self.patience, self.verbose = monitor, int(patience), verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.monitor_op = _mode_op(mode, monitor)
        self.min_delta = abs(min_delta) if self.monitor_op is np.greater else -abs(min_delta)

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = -np.inf if self.monitor_op is np.greater else np.inf
        self.best_weights = None

    def _improved(self, value, reference) -> bool:
        return bool(self.monitor_op(value - self.min_delta, reference))

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None:
            avail = ", ".join(sorted(logs or {}))
            print(f"EarlyStopping: '{self.monitor}' is not in the logs (available: {avail}); "
                  "skipping", file=sys.stderr)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._improved(value, self.best):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._improved(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None and self.stopped_epoch:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the weights after every epoch (or only when `monitor` improves).

    `filepath` may use `{epoch}` and log keys: 'ckpt-{epoch:02d}-{val_loss:.2f}.weights.npz'.
    Weights are written with `save_weights` (an .npz file, no pickle)."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=True, mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        if save_freq != "epoch":
            raise NotImplementedError("ModelCheckpoint: only save_freq='epoch' is supported")
        if not save_weights_only:
            raise NotImplementedError("ModelCheckpoint: tfc saves weights only "
                                      "(save_weights_only=True)")
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only = save_best_only
        self.monitor_op = _mode_op(mode, monitor)
        self.best = initial_value_threshold
        if self.best is None:
            self.best = -np.inf if self.monitor_op is np.greater else np.inf

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            value = logs.get(self.monitor)
            if value is None:
                print(f"ModelCheckpoint: '{self.monitor}' is not in the logs; skipping",
                      file=sys.stderr)
                return
            if not self.monitor_op(value, self.best):
                return
            if self.verbose:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{value:.5f}, saving model to {path}")
            self.best = value
        elif self.verbose:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self.model.save_weights(path)


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at each epoch start: `schedule(epoch, lr) -> lr`."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        opt = self.model.optimizer
        lr = float(self.schedule(epoch, opt.learning_rate))
        opt.learning_rate = lr
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self.model.optimizer.learning_rate


class TerminateOnNaN(Callback):
    """Stop training as soon as the loss is NaN or infinite."""

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from functions: LambdaCallback(on_epoch_end=lambda epoch, logs: ...)."""

    def __init__(self, **hooks):
        super().__init__()
        for name, fn in hooks.items():
            if not name.startswith("on_") or not hasattr(Callback, name):
                raise TypeError(f"LambdaCallback: unknown hook {name!r}")
            setattr(self, name, fn)
