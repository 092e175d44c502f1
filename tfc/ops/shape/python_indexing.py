"""Python indexing on tensors (`x[1:, None, ..., ids]`: `getitem`), and the op
functions defined by it: `strided_slice` (TF's masks) and `unstack`. Keys become
one strided slice, then a reshape for new / removed axes, then a gather for an
index tensor.
"""

from __future__ import annotations

import operator

import numpy as np

from tfc.ops.shape.common import _located, _range, _shape, _slice, _spec, _static_int, _static_ints
from tfc.ops.shape.indexing import gather
from tfc.ops.shape.slicing import _slice_op, _slice_sizes
from tfc.ops.shape.views import reshape
from tfc.tracing import Symbolic


def unstack(value, num=None, axis=0):
    """The slices of `value` along `axis`, each without that dim."""
    shape = _shape(value)
    axis = _static_int("tfc.unstack", "axis", axis)
    if not -len(shape) <= axis < len(shape):
        raise _located(f"tfc.unstack: axis {axis} is out of range for {_spec(value)}")
    axis %= len(shape)
    if num is not None and num != shape[axis]:
        raise _located(f"tfc.unstack: num {num} does not match dim {axis} of {_spec(value)}")
    key = (_slice(None),) * axis
    return [getitem(value, key + (i,)) for i in _range(shape[axis])]


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0,
                  ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0):
    """tf.strided_slice: the Python slice input_[begin[0]:end[0]:strides[0], ...], with TF's
    masks (bit i of begin_mask / end_mask ignores begin[i] / end[i], ellipsis_mask marks an
    `...`, new_axis_mask a `None`, shrink_axis_mask an integer index begin[i])."""
    op = "tfc.strided_slice"
    begin = _static_ints(op, "begin", begin)
    end = _static_ints(op, "end", end)
    strides = _static_ints(op, "strides", strides) if strides is not None else (1,) * len(begin)
    if not len(begin) == len(end) == len(strides):
        raise _located(f"{op}: begin, end and strides differ in length: "
                       f"{list(begin)}, {list(end)}, {list(strides)}")
    key = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        bit = 1 << i
        if ellipsis_mask & bit:
            key.append(Ellipsis)
        elif new_axis_mask & bit:
            key.append(None)
        elif shrink_axis_mask & bit:
            key.append(b)
        else:
            key.append(_slice(None if begin_mask & bit else b, None if end_mask & bit else e, s))
    return getitem(input_, tuple(key))


def getitem(x, key):
    """Python indexing: ints, slices (with steps), None / np.newaxis and `...`.

    Built from one tfc.slice and one tfc.reshape (for dropped and new dims).
    An integer tensor or list as the whole key gathers along axis 0.
    """
    op = "tfc.getitem"
    if isinstance(key, (Symbolic, np.ndarray, list)):
        if isinstance(key, Symbolic):
            is_int = key.dtype.is_int
        else:
            is_int = np.asarray(key).dtype.kind in "iu"
        if is_int:
            return gather(x, key)
        raise _located(f"{op}: boolean-mask indexing is not supported (the result shape "
                       "would depend on the data)")
    if not isinstance(key, tuple):
        key = (key,)
    shape = _shape(x)
    rank = len(shape)
    if sum(k is Ellipsis for k in key) > 1:
        raise _located(f"{op}: an index can only have a single ellipsis ('...')")
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    if used > rank:
        raise _located(f"{op}: too many indices for {_spec(x)}: {_key_str(key)}")
    if any(k is Ellipsis for k in key):
        i = next(j for j, k in enumerate(key) if k is Ellipsis)
        key = key[:i] + (_slice(None),) * (rank - used) + key[i + 1:]
    else:
        key = key + (_slice(None),) * (rank - used)
    begin, end, strides, out_shape = [], [], [], []
    dim = 0
    for k in key:
        if k is None:
            out_shape.append(1)
            continue
        d = shape[dim]
        if isinstance(k, _slice):
            start, stop, step = k.indices(d)
            n = len(_range(start, stop, step))
            begin.append(start)
            end.append(stop)
            strides.append(step)
            out_shape.append(n)
        elif isinstance(k, (bool, np.bool_)) or isinstance(k, (Symbolic, np.ndarray)):
            raise _located(f"{op}: unsupported index {k!r} in {_key_str(key)}: use ints, slices, "
                           "None and '...', or tfc.gather for tensor indices")
        else:
            try:
                i = operator.index(k)
            except TypeError:
                raise _located(f"{op}: unsupported index {k!r} for {_spec(x)}") from None
            if not -d <= i < d:
                raise _located(f"{op}: index {i} is out of bounds for axis {dim} of {_spec(x)}")
            i %= d
            begin.append(i)
            end.append(i + 1)
            strides.append(1)
        dim += 1
    y = x
    sizes = _slice_sizes(begin, end, strides)
    if tuple(sizes) != tuple(shape) or any(s != 1 for s in strides):
        y = _slice_op(x, begin, end, strides)
    if tuple(out_shape) != tuple(sizes):
        y = reshape(y, out_shape)
    return y


def _key_str(key) -> str:
    def one(k):
        if k is None:
            return "None"
        if k is Ellipsis:
            return "..."
        if isinstance(k, _slice):
            s = f"{'' if k.start is None else k.start}:{'' if k.stop is None else k.stop}"
            return s + (f":{k.step}" if k.step is not None else "")
        return repr(k)

    return "[" + ", ".join(one(k) for k in key) + "]"


__all__ = ['unstack', 'strided_slice', 'getitem']
