"""tfc nn ops (being written)."""

OPS = []
__all__ = []
