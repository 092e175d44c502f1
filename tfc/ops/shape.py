"""tfc shape ops (being written)."""

OPS = []
__all__ = []
