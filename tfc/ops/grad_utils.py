"""Helpers shared by gradient rules (written with op functions, so eager and traced alike)."""

from __future__ import annotations


def unbroadcast(g, shape):
    """Sum `g` over the axes along which an input of `shape` was broadcast; reshape to `shape`."""
    from tfc.ops import api

    shape = tuple(shape)
    gshape = tuple(g.shape)
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = list(range(lead))
    axes += [lead + i for i, d in enumerate(shape) if d == 1 and gshape[lead + i] != 1]
    if axes:
        g = api.reduce_sum(g, axis=axes, keepdims=True)
    return api.reshape(g, shape)
