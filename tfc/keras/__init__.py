"""`tfc.keras` (TF's `tf.keras`): layers, models, losses, optimizers, metrics, callbacks.

Models train with `compile` / `fit`, whose step (forward, loss, gradients,
optimizer update, metrics) is one compiled executable, or with a custom loop
over `tfc.GradientTape` inside a `@tfc.function`.
"""

from tfc.keras import (
    activations,
    backend,
    callbacks,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    utils,
)
from tfc.keras.layers import Input, Layer
from tfc.keras.models import Model, Sequential

__all__ = ["layers", "models", "losses", "optimizers", "metrics", "callbacks", "initializers",
           "activations", "backend", "utils", "Model", "Sequential", "Input", "Layer"]
