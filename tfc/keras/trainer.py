"""The training loop behind `Model.fit`, `evaluate` and `predict`.

The host side (this module) slices or iterates the data, runs the callbacks
and the progress bar. The step — forward, loss, `tape.gradient`, the
optimizer update and the metric updates — is `Model.train_step`, wrapped in
`tfc.function` (unless `compile(run_eagerly=True)`), so each distinct batch
shape is traced once and compiled into one executable that reads and updates
the weights, optimizer slots and metric totals in place. A last partial batch
has another shape and so gets a second trace.
"""

from __future__ import annotations

import math

import numpy as np

import tfc as tf
from tfc.data.dataset import (
    INFINITE_CARDINALITY,
    Dataset,
    _flatten,
    _map_structure,
    _pack,
    to_numpy,
)
from tfc.keras import callbacks as callbacks_mod

# Integer dtypes the compiler has no type for travel as int32.
_NARROW_INTS = {np.dtype(t) for t in (np.uint8, np.int8, np.uint16, np.int16, np.uint32)}


def host_array(x) -> np.ndarray:
    """User data as a NumPy array of a dtype tfc compiles (f64 -> f32, u8 -> i32)."""
    a = to_numpy(x)
    if a.dtype == np.float64:
        return a.astype(np.float32)
    if a.dtype in _NARROW_INTS:
        return a.astype(np.int32)
    if a.dtype == np.uint64:
        return a.astype(np.int64)
    return a


def unpack(data):
    """(x, y, sample_weight) from a batch that is x, (x,), (x, y) or (x, y, sample_weight)."""
    if isinstance(data, tuple):
        if len(data) == 1:
            return data[0], None, None
        if len(data) == 2:
            return data[0], data[1], None
        if len(data) == 3:
            return data
        raise ValueError(f"a batch must be x, (x, y) or (x, y, sample_weight); got a tuple of "
                         f"{len(data)} elements")
    return data, None, None


# --- data ----------------------------------------------------------------------------------

class DataHandler:
    """Batches for one or more epochs from arrays or a Dataset, as NumPy structures."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, shuffle=False,
                 steps_per_epoch=None, seed=None):
        self.steps_per_epoch = steps_per_epoch
        if isinstance(x, Dataset):
            if y is not None:
                raise ValueError("when x is a tfc.data.Dataset, y must be None (the dataset "
                                 "yields (x, y) batches)")
            if batch_size is not None:
                raise ValueError("when x is a tfc.data.Dataset, do not pass batch_size: batch "
                                 "the dataset with .batch()")
            self.dataset = x
            card = x.cardinality()
            self.steps = steps_per_epoch or (card if card >= 0 else None)
            if card == INFINITE_CARDINALITY and steps_per_epoch is None:
                raise ValueError("the dataset is infinite: pass steps_per_epoch")
            self._iterator = None
            return
        self.dataset = None
        parts = (x,) if y is None else ((x, y) if sample_weight is None else (x, y, sample_weight))
        self.data = _map_structure(host_array, parts)
        flat = _flatten(self.data)
        if any(a.dtype == object for a in flat):
            raise TypeError("fit/evaluate/predict take NumPy arrays, tensors, or a "
                            "tfc.data.Dataset (for a Python generator, wrap its batches in arrays)")
        sizes = {a.shape[0] if a.ndim else None for a in flat}
        if len(sizes) != 1 or None in sizes:
            raise ValueError("x, y and sample_weight must have the same number of examples (first "
                             f"dimension); got shapes {[a.shape for a in flat]}")
        self.n = sizes.pop()
        self.batch_size = int(batch_size or 32)
        self.shuffle = shuffle
        self.rng = np.random.default_rng(seed)
        self.steps = steps_per_epoch or math.ceil(self.n / self.batch_size)

    def first_batch(self):
        """A batch like the ones epochs yield, without consuming anything."""
        if self.dataset is not None:
            return next(iter(self.dataset._numpy_iter()))
        return _map_structure(lambda a: a[:self.batch_size], self.data)

    def epoch(self):
        """The batches of one epoch."""
        if self.dataset is not None:
            if self.steps_per_epoch is None:
                yield from self.dataset._numpy_iter()
                return
            # With steps_per_epoch, epochs continue one iterator (TF's behaviour).
            for _ in range(self.steps_per_epoch):
                if self._iterator is None:
                    self._iterator = iter(self.dataset._numpy_iter())
                try:
                    yield next(self._iterator)
                except StopIteration:
                    self._iterator = None
                    return
            return
        order = self.rng.permutation(self.n) if self.shuffle else None
        flat = _flatten(self.data)
        for i in range(math.ceil(self.n / self.batch_size)):
            if self.steps_per_epoch is not None and i >= self.steps_per_epoch:
                return
            sl = slice(i * self.batch_size, (i + 1) * self.batch_size)
            idx = order[sl] if order is not None else sl
            yield _pack(self.data, [np.ascontiguousarray(a[idx]) for a in flat])


def split_validation(x, y, sample_weight, fraction: float):
    """Keras's validation_split: the last `fraction` of the examples, before shuffling."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation_split must be in (0, 1), got {fraction}")
    if isinstance(x, Dataset):
        raise ValueError("validation_split is for arrays; with a Dataset pass validation_data")
    parts = tuple(None if p is None else _map_structure(host_array, p)
                  for p in (x, y, sample_weight))
    n = _flatten(parts[0])[0].shape[0]
    cut = int(math.floor(n * (1.0 - fraction)))
    if cut == 0 or cut == n:
        raise ValueError(f"validation_split={fraction} leaves an empty part of {n} examples")
    train = tuple(None if p is None else _map_structure(lambda a: a[:cut], p) for p in parts)
    val = tuple(None if p is None else _map_structure(lambda a: a[cut:], p) for p in parts)
    return train, (val if val[2] is not None else val[:2])


# --- compiled steps -------------------------------------------------------------------------

class StepFunction:
    """A model step over a nested batch, compiled with tfc.function (or run eagerly).

    The batch is flattened into positional arrays (the compiled signature) and
    packed back inside; the step's dict of results comes back in key order."""

    def __init__(self, step, run_eagerly: bool):
        self.step = step
        self.run_eagerly = run_eagerly
        self._keys: dict = {}
        self._structure = None
        self.compiled = None if run_eagerly else tf.function(self._flat_step)

    def _flat_step(self, *flat):
        data = _pack(self._structure, list(flat))
        out = self.step(data)
        if isinstance(out, dict):
            self._keys[self._signature] = list(out)
            return tuple(out[k] for k in out)
        self._keys[self._signature] = None
        return out

    def __call__(self, data):
        if self.run_eagerly:
            return self.step(data)
        flat = _flatten(data)
        self._structure = data
        self._signature = (repr(_map_structure(lambda _: 0, data)),
                           tuple((tuple(a.shape), a.dtype.str) for a in flat))
        out = self.compiled(*flat)
        keys = self._keys.get(self._signature)
        if keys is None:
            return out
        if not isinstance(out, (tuple, list)):
            out = (out,)
        return dict(zip(keys, out))


def to_logs(results) -> dict:
    """Step results (tensors) as Python floats for the logs."""
    if not isinstance(results, dict):
        return {}
    return {k: float(np.asarray(to_numpy(v))) for k, v in results.items()}


def make_callbacks(model, callbacks, verbose, epochs, steps):
    cbs = list(callbacks or [])
    if not any(isinstance(c, callbacks_mod.History) for c in cbs):
        cbs.append(callbacks_mod.History())
    if verbose and not any(isinstance(c, callbacks_mod.ProgbarLogger) for c in cbs):
        cbs.insert(0, callbacks_mod.ProgbarLogger(verbose))
    return callbacks_mod.CallbackList(cbs, model, epochs=epochs, steps=steps, verbose=verbose)


def fit(model, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
        validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
        sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
        validation_batch_size=None, validation_freq=1, seed=None):
    model._assert_compiled("fit")
    if class_weight is not None:
        raise NotImplementedError("fit(class_weight=...) is not supported: pass sample_weight")
    if validation_split and validation_data is None:
        (x, y, sample_weight), validation_data = split_validation(x, y, sample_weight,
                                                                  validation_split)
    data = DataHandler(x, y, sample_weight, batch_size, shuffle, steps_per_epoch, seed)
    verbose = _verbosity(verbose)
    cbs = make_callbacks(model, callbacks, verbose, epochs, data.steps)
    model.stop_training = False
    model._prepare_for_training(data.first_batch())
    train_fn = model.make_train_function()
    cbs.on_train_begin()
    logs: dict = {}
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        cbs.on_epoch_begin(epoch)
        step = -1
        for step, batch in enumerate(data.epoch()):
            cbs.on_train_batch_begin(step)
            logs = to_logs(train_fn(batch))
            cbs.on_train_batch_end(step, logs)
            if model.stop_training:
                break
        if step < 0:
            raise ValueError("fit: the training data produced no batches")
        if data.steps is None:
            data.steps = step + 1
        epoch_logs = dict(logs)
        if validation_data is not None and (epoch + 1) % validation_freq == 0:
            val = validation_data
            vx, vy, vsw = unpack(val) if not isinstance(val, Dataset) else (val, None, None)
            val_logs = evaluate(model, vx, vy, batch_size=validation_batch_size or batch_size,
                                sample_weight=vsw, steps=validation_steps, verbose=0,
                                return_dict=True, _internal=True)
            epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
        cbs.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    cbs.on_train_end(epoch_logs if epochs > initial_epoch else {})
    return model.history


def evaluate(model, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
             steps=None, callbacks=None, return_dict=False, _internal=False):
    model._assert_compiled("evaluate")
    data = DataHandler(x, y, sample_weight, batch_size, False, steps)
    cbs = callbacks_mod.CallbackList(callbacks, model, steps=data.steps)
    test_fn = model.make_test_function()
    model.reset_metrics()
    cbs.on_test_begin()
    verbose = 0 if _internal else _verbosity(verbose)
    bar = callbacks_mod.Progbar(data.steps, verbose=verbose)
    logs, step = {}, -1
    for step, batch in enumerate(data.epoch()):
        if step == 0 and not model.built:
            model._prepare_for_training(batch)
        cbs.on_test_batch_begin(step)
        logs = to_logs(test_fn(batch))
        cbs.on_test_batch_end(step, logs)
        bar.update(step + 1, logs)
    if step < 0:
        raise ValueError("evaluate: the data produced no batches")
    bar.update(step + 1, logs, finalize=True)
    cbs.on_test_end(logs)
    if return_dict:
        return logs
    values = [logs[k] for k in logs]
    return values[0] if len(values) == 1 else values


def predict(model, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
    data = DataHandler(x, None, None, batch_size, False, steps)
    predict_fn = model.make_predict_function()
    cbs = callbacks_mod.CallbackList(callbacks, model, steps=data.steps)
    cbs.on_predict_begin()
    bar = callbacks_mod.Progbar(data.steps, verbose=_verbosity(verbose) if verbose != "auto" else 0)
    outputs, step = [], -1
    for step, batch in enumerate(data.epoch()):
        cbs.on_predict_batch_begin(step)
        out = predict_fn(batch)
        outputs.append(_map_structure(lambda v: np.array(to_numpy(v)), out))
        cbs.on_predict_batch_end(step, {"outputs": out})
        bar.update(step + 1)
    if step < 0:
        raise ValueError("predict: the data produced no batches")
    bar.update(step + 1, finalize=True)
    cbs.on_predict_end()
    flat = [_flatten(o) for o in outputs]
    return _pack(outputs[0], [np.concatenate(parts) for parts in zip(*flat)])


def _verbosity(verbose) -> int:
    if verbose == "auto":
        return 1
    return int(verbose)
