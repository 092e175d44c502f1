"""Keras-level state: the host random generator for initializers, and unique layer names.

Weight initialisation and dropout noise are drawn on the host from one NumPy
generator, seeded by `tfc.keras.utils.set_random_seed` (which also seeds
`tfc.random` when the front end provides it), so a seeded program is
reproducible and eager and compiled runs see the same numbers.
"""

from __future__ import annotations

import collections
import re

import numpy as np

_rng = np.random.default_rng()
_name_counts: collections.Counter = collections.Counter()


def rng() -> np.random.Generator:
    return _rng


def set_seed(seed: int) -> None:
    global _rng
    _rng = np.random.default_rng(seed)


def floatx() -> str:
    return "float32"


def snake_case(name: str) -> str:
    """'BatchNormalization' -> 'batch_normalization', as Keras names layers."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def unique_name(base: str) -> str:
    """'dense', 'dense_1', 'dense_2', ... per base name, as Keras does."""
    n = _name_counts[base]
    _name_counts[base] += 1
    return base if n == 0 else f"{base}_{n}"


def clear_session() -> None:
    """Reset layer name counters (Keras's `clear_session`)."""
    _name_counts.clear()
