"""Weight files: `save_weights` / `load_weights` as .npz archives of plain arrays.

No pickle: the archive holds only numeric arrays (loaded with
`allow_pickle=False`). Entries are named `NNNN/<variable name>` in the
model's weight order (`model.weights`); loading matches by position, as
Keras 3 does, and checks the count and every shape, naming the weight on a
mismatch. The file is written to a temporary name and renamed, so an
interrupted save never leaves a half-written checkpoint.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

from tfc.errors import ShapeError

FORMAT_KEY = "__tfc_weights_format__"
FORMAT_VERSION = 1


def save_weights(model, filepath) -> None:
    path = os.fspath(filepath)
    weights = model.weights
    if not weights:
        raise ValueError(f"model '{model.name}' has no weights yet: build it (call it on data or "
                         "model.build(input_shape)) before save_weights")
    arrays = {FORMAT_KEY: np.asarray(FORMAT_VERSION, np.int64)}
    for i, w in enumerate(weights):
        arrays[f"{i:04d}/{w.name.split(':')[0]}"] = np.asarray(w.numpy())
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-weights-", suffix=".npz", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_weights(model, filepath) -> None:
    path = os.fspath(filepath)
    with np.load(path, allow_pickle=False) as archive:
        if FORMAT_KEY not in archive.files:
            raise ValueError(f"{path} is not a tfc weights file (no {FORMAT_KEY} entry)")
        names = sorted(k for k in archive.files if k != FORMAT_KEY)
        values = [archive[k] for k in names]
    weights = model.weights
    if not weights:
        raise ValueError(f"model '{model.name}' is not built: call it on data or "
                         "model.build(input_shape) before load_weights")
    if len(values) != len(weights):
        raise ValueError(f"{path} holds {len(values)} weights; model '{model.name}' has "
                         f"{len(weights)} ({', '.join(w.name for w in weights)})")
    for name, v, w in zip(names, values, weights):
        if tuple(v.shape) != tuple(w.shape):
            raise ShapeError(f"{path}: weight {name} has shape {tuple(v.shape)}, but the model's "
                             f"weight {w.name} has shape {tuple(w.shape)}")
    for v, w in zip(values, weights):
        w.assign(v.astype(np.dtype(w.dtype), copy=False))
