"""Small real datasets shipped inside the package (Keras's `keras.datasets` style)."""

from tfc.datasets import digits

__all__ = ["digits"]
