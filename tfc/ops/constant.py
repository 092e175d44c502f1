"""`tfc.constant`: a tensor whose value is in the IR.

`%c = tfc.constant {value = dense<[1.0, 2.0]> : tensor<2xf32>} : () -> tensor<2xf32>`
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr
from tfc.ops.base import tfc_op

from tfc import dtypes
from tfc.errors import ShapeError
from tfc.ops.base import AttrSpec, TfcOp, tensor_type
from tfc.ops.dispatch import apply


def dense_attr(arr: np.ndarray) -> DenseIntOrFPElementsAttr:
    """The IR attribute holding `arr` (a splat when all elements are bitwise equal)."""
    d = dtypes.from_numpy(arr.dtype)
    t = tensor_type(arr.shape, d)
    flat = np.ascontiguousarray(arr).reshape(-1)
    # Compare bytes, not values: 0.0 == -0.0 and NaN != NaN would both mislead.
    raw = flat.view(np.uint8).reshape(flat.size, -1) if flat.size else flat
    if flat.size > 1 and (raw == raw[0]).all():
        flat = flat[:1]
    if d.is_bool:
        values = [bool(v) for v in flat]
    elif d.is_float:
        values = [float(v) for v in flat.astype(np.float64)]
    else:
        values = [int(v) for v in flat]
    # A single value for a larger type is a splat: dense<1.0> : tensor<4x8xf32>.
    return DenseIntOrFPElementsAttr.from_list(t, values)


def dense_to_numpy(attr: DenseIntOrFPElementsAttr) -> np.ndarray:
    """The array an attribute holds, read from its packed bytes (exact, keeps -0.0 and NaN payloads)."""
    t = attr.get_type()
    d = dtypes.from_ir(t.element_type)
    shape = tuple(t.get_shape())
    data = attr.data.data
    if d.is_bool:
        flat = np.frombuffer(data, np.uint8) != 0
    else:
        flat = np.frombuffer(data, d.numpy)
    count = int(np.prod(shape)) if shape else 1
    if flat.size == 1 and count != 1:
        return np.full(shape, flat[0], dtype=d.numpy)
    return flat.reshape(shape).copy()


@tfc_op
class ConstantOp(TfcOp):
    """A constant tensor; its value attribute's type is the result type."""

    name = "tfc.constant"
    ARITY = 0
    ATTRS = {"value": AttrSpec("dense")}

    @classmethod
    def check_arity(cls, n):
        if n != 0:
            raise ShapeError(f"{cls.name}: takes no operands, got {n}")

    @classmethod
    def infer(cls, in_types, attrs):
        return [attrs["value"].get_type()]

    @classmethod
    def reference(cls, attrs):
        return dense_to_numpy(attrs["value"])

    def lower(self, b):
        return [b.dense(self.attributes["value"])]

    def value_array(self) -> np.ndarray:
        return dense_to_numpy(self.attributes["value"])


OPS = [ConstantOp]


def constant(value, dtype=None, *, trace=None):
    """A constant tensor (eager: a NumPy array; traced: a tfc.constant op)."""
    from tfc.tracing import to_array

    arr = to_array(value, dtypes.from_any(dtype) if dtype is not None else None)
    if dtype is not None:
        arr = arr.astype(dtypes.from_any(dtype).numpy)
    if trace is None:
        return arr
    return apply(ConstantOp, [], {"value": dense_attr(np.asarray(arr, order="C"))}, trace=trace)


__all__ = ["constant"]
