"""Helpers the shape-op families share: static-argument checks with the user's
line, shapes and their text, copy generics.
"""

from __future__ import annotations

import builtins
import operator

import numpy as np
from xdsl.ir import SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap

from tfc import dtypes
from tfc.errors import ShapeError
from tfc.ops.base import dtype_of, tensor_type, type_str
from tfc.ops.lowering import PARALLEL
from tfc.tracing import Symbolic, format_location, user_location


# The family defines op functions named `range` and `slice`, as TF does: its
# modules use the builtins by these names.
_range = builtins.range
_slice = builtins.slice


def _located(msg: str) -> ShapeError:
    """A ShapeError for a check made in an op function (outside `apply`), with the user's line."""
    where = format_location(user_location())
    return ShapeError(f"{msg}\n  at {where}" if where else msg)


def _static_ints(op: str, what: str, value) -> tuple[int, ...]:
    """A static list of ints (shape, perm, begin, ...) from a list, tuple, array or int."""
    if isinstance(value, Symbolic):
        raise _located(f"{op}: {what} must be static (a list of ints), not a traced tensor")
    if hasattr(value, "__tfc_array__"):
        value = value.__tfc_array__()
    arr = np.asarray(value)
    if arr.ndim > 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise _located(f"{op}: {what} must be a list of ints, got {value!r}")
    return tuple(int(v) for v in arr.reshape(-1))


def _static_int(op: str, what: str, value) -> int:
    if isinstance(value, Symbolic):
        raise _located(f"{op}: {what} must be a static int, not a traced tensor")
    try:
        return operator.index(value)
    except TypeError:
        raise _located(f"{op}: {what} must be an int, got {value!r}") from None


def _shape(x) -> tuple[int, ...]:
    if hasattr(x, "shape"):
        return tuple(x.shape)
    return np.shape(x)


def _shape_str(shape) -> str:
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _spec(x) -> str:
    return type_str(tensor_type(_shape(x), _dtype(x)))


def _dtype(x) -> dtypes.DType:
    if isinstance(x, Symbolic):
        return x.dtype
    return dtypes.from_numpy(np.asarray(x).dtype)


def _scalar_dtype(value, default):
    """TF's dtype for a Python / NumPy scalar: float -> f32, int -> i32, bool -> i1."""
    if value is None:
        return default
    if isinstance(value, (bool, np.bool_)):
        return dtypes.i1
    if isinstance(value, (np.generic, np.ndarray)):
        return dtypes.from_numpy(np.asarray(value).dtype)
    if isinstance(value, int):
        return dtypes.i32
    return dtypes.f32


def _dims(exprs) -> tuple[AffineExpr, ...]:
    return tuple(AffineExpr.dimension(d) if isinstance(d, int) else d for d in exprs)


def _copy(b, x: SSAValue, in_map: AffineMap, out_type) -> SSAValue:
    """A copy generic over `out_type` that reads `x` through `in_map`."""
    rank = len(out_type.get_shape())
    return b.generic([x], [b.empty(out_type)], [in_map, AffineMap.identity(rank)],
                     [PARALLEL] * rank, lambda s, a, _out: a)[0]


def _index_dtype(op: str, t) -> None:
    if dtype_of(t).name not in ("i32", "i64"):
        raise ShapeError(f"{op}: indices must be i32 or i64, got {type_str(t)}")


def new_axis_position(op: str, t, axis: int) -> int:
    """Where a new dim goes for `axis` in [-rank-1, rank] (expand_dims, one_hot)."""
    from tfc.ops.base import shape_of

    rank = len(shape_of(t))
    if not -rank - 1 <= axis <= rank:
        raise ShapeError(f"{op}: axis {axis} is out of range for {type_str(t)}")
    return axis % (rank + 1)
