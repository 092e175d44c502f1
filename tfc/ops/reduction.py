"""tfc reduction ops (being written)."""

OPS = []
__all__ = []
