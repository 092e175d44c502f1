"""Optimizers (`tfc.keras.optimizers`) and learning-rate schedules (`.schedules`)."""

from tfc.keras.optimizers import schedules
from tfc.keras.optimizers.adam import Adam, AdamW
from tfc.keras.optimizers.optimizer import Optimizer
from tfc.keras.optimizers.rmsprop import RMSprop
from tfc.keras.optimizers.sgd import SGD

_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop}


def get(identifier) -> Optimizer:
    """An optimizer from a name ('adam') or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(f"unknown optimizer {identifier!r}; known: {', '.join(sorted(_BY_NAME))}")


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "schedules", "get"]
