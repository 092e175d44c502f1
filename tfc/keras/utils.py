"""Keras utilities: seeding, one-hot labels."""

from __future__ import annotations

import random

import numpy as np

from tfc.keras import backend


def set_random_seed(seed: int) -> None:
    """Seed Python, NumPy, the Keras initializers and dropout, and tfc.random."""
    random.seed(seed)
    np.random.seed(seed)
    backend.set_seed(seed)
    import tfc

    rnd = getattr(tfc, "random", None)
    if rnd is not None and hasattr(rnd, "set_seed"):
        rnd.set_seed(seed)


def to_categorical(y, num_classes=None, dtype="float32") -> np.ndarray:
    """Integer labels -> one-hot rows."""
    y = np.asarray(y, dtype=np.int64).reshape(-1)
    n = int(num_classes or (y.max() + 1))
    out = np.zeros((y.size, n), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out
