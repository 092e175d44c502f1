"""Shape ops: moving, copying and creating elements without arithmetic.

IR ops: broadcast_to, reshape, transpose, expand_dims, squeeze, concat, slice,
pad, gather (+ gather_grad, its gradient), one_hot, iota, fill. Their lowerings
are copy generics whose indexing maps do the work (broadcast, permute, stride),
views (`tensor.collapse_shape` / `expand_shape`), or `tensor.insert_slice`
into a filled tensor. Op functions built on them: `tfc.range`, `tfc.slice`,
`tfc.strided_slice`, `getitem` (Python indexing on traced tensors), `zeros`,
`ones`, `zeros_like`, `ones_like`, `stack`, `unstack`, `split`, `tile`,
`reverse`.

All attributes hold static, normalized values: the op functions resolve `-1`
sizes, negative indices and TF's masks, so the IR never has to.
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Sequence

import numpy as np
from xdsl.dialects import tensor
from xdsl.dialects.builtin import ArrayAttr, IndexType, IntegerAttr, IntegerType, i64
from xdsl.ir import SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap

from tfc import dtypes
from tfc.errors import ShapeError
from tfc.ops.base import (
    AttrSpec,
    TfcOp,
    dtype_of,
    same_dtype,
    shape_of,
    tensor_type,
    tfc_op,
    type_str,
)
from tfc.ops.dispatch import apply
from tfc.ops.lowering import PARALLEL, REDUCTION, compute_type
from tfc.tracing import Symbolic, find_trace, format_location, user_location

# This module defines op functions named `range` and `slice`, as TF does.
_range = builtins.range
_slice = builtins.slice


# --- helpers -------------------------------------------------------------------------

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


def _dims(exprs) -> tuple[AffineExpr, ...]:
    return tuple(AffineExpr.dimension(d) if isinstance(d, int) else d for d in exprs)


def _copy(b, x: SSAValue, in_map: AffineMap, out_type) -> SSAValue:
    """A copy generic over `out_type` that reads `x` through `in_map`."""
    rank = len(out_type.get_shape())
    return b.generic([x], [b.empty(out_type)], [in_map, AffineMap.identity(rank)],
                     [PARALLEL] * rank, lambda s, a, _out: a)[0]


def _reassociation(big: Sequence[int], small: Sequence[int]) -> list[list[int]] | None:
    """Contiguous groups of `big`'s dims whose products are `small`'s dims, or None."""
    groups: list[list[int]] = []
    i = 0
    for d in small:
        if i >= len(big):
            return None
        group, p = [i], big[i]
        i += 1
        while p < d and i < len(big):
            group.append(i)
            p *= big[i]
            i += 1
        if p != d:
            return None
        groups.append(group)
    rest = list(_range(i, len(big)))
    if any(big[k] != 1 for k in rest):
        return None
    if not groups:
        return []  # collapse to rank 0: every dim is 1
    groups[-1].extend(rest)
    return groups


def _reassoc_attr(groups: list[list[int]]) -> ArrayAttr:
    return ArrayAttr([ArrayAttr([IntegerAttr(i, i64) for i in g]) for g in groups])


def _collapse(b, x: SSAValue, groups, out_type) -> SSAValue:
    op = tensor.CollapseShapeOp.build(operands=[x], result_types=[out_type],
                                      properties={"reassociation": _reassoc_attr(groups)})
    return b.insert(op).results[0]


def _expand(b, x: SSAValue, groups, out_type) -> SSAValue:
    op = tensor.ExpandShapeOp(x, [], _reassoc_attr(groups), list(out_type.get_shape()), out_type)
    return b.insert(op).results[0]


def reshape_value(b, x: SSAValue, out_type) -> SSAValue:
    """`x` viewed with `out_type`'s shape: one collapse or expand when the dims regroup,
    otherwise a collapse to 1-D and an expand to the target."""
    src, dst = tuple(x.type.get_shape()), tuple(out_type.get_shape())
    if src == dst:
        return x
    if not src:
        # rank 0 -> rank n: MLIR allows an expand_shape with an empty reassociation,
        # xDSL 0.74's verifier does not; a copy generic reading x[] does the same.
        return _copy(b, x, AffineMap(len(dst), 0, ()), out_type)
    if len(dst) < len(src) and (groups := _reassociation(src, dst)) is not None:
        return _collapse(b, x, groups, out_type)
    if len(dst) > len(src) and (groups := _reassociation(dst, src)) is not None:
        return _expand(b, x, groups, out_type)
    flat = x
    if len(src) != 1:
        flat = _collapse(b, x, [list(_range(len(src)))],
                         tensor_type([int(np.prod(src))], dtype_of(x.type)))
    if len(dst) != 1:
        return _expand(b, flat, [list(_range(len(dst)))], out_type)
    return flat


def _index_dtype(op: str, t) -> None:
    if dtype_of(t).name not in ("i32", "i64"):
        raise ShapeError(f"{op}: indices must be i32 or i64, got {type_str(t)}")


# --- broadcast_to --------------------------------------------------------------------

@tfc_op
class BroadcastToOp(TfcOp):
    """x broadcast to `shape` by NumPy's rules.

    `%r = tfc.broadcast_to %x {shape = array<i64: 4, 8>} : (tensor<8xf32>) -> tensor<4x8xf32>`
    """

    name = "tfc.broadcast_to"
    ATTRS = {"shape": AttrSpec("ints")}

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        src, dst = shape_of(t), tuple(attrs["shape"])
        ok = len(dst) >= len(src) and all(d >= 0 for d in dst) and all(
            s in (1, d) for s, d in zip(src, dst[len(dst) - len(src):]))
        if not ok:
            raise ShapeError(f"{cls.name}: cannot broadcast {type_str(t)} to shape {_shape_str(dst)}")
        return [tensor_type(dst, dtype_of(t))]

    @classmethod
    def reference(cls, attrs, x):
        return np.broadcast_to(x, attrs["shape"])

    def lower(self, b):
        return [b.elementwise([self.inputs[0]], self.outputs[0].type, lambda s, a: a)]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.grad_utils import unbroadcast

        g = grads[0]
        return [None if g is None else unbroadcast(g, _shape(inputs[0]))]


# --- reshape, expand_dims, squeeze: views ----------------------------------------------

class _ViewOp(TfcOp):
    """Ops that only change the shape: lowered to collapse/expand_shape, gradient reshapes back."""

    def lower(self, b):
        return [reshape_value(b, self.inputs[0], self.outputs[0].type)]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        g = grads[0]
        return [None if g is None else reshape(g, _shape(inputs[0]))]


@tfc_op
class ReshapeOp(_ViewOp):
    """x with a new shape of the same size (row-major order).

    `%r = tfc.reshape %x {shape = array<i64: 2, 3>} : (tensor<6xf32>) -> tensor<2x3xf32>`
    """

    name = "tfc.reshape"
    ATTRS = {"shape": AttrSpec("ints")}

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        dst = tuple(attrs["shape"])
        n, m = int(np.prod(shape_of(t))), int(np.prod(dst))
        if any(d < 0 for d in dst) or n != m:
            raise ShapeError(f"{cls.name}: cannot reshape {type_str(t)} ({n} elements) "
                             f"to shape {_shape_str(dst)} ({m} elements)")
        return [tensor_type(dst, dtype_of(t))]

    @classmethod
    def reference(cls, attrs, x):
        return np.reshape(x, attrs["shape"])


@tfc_op
class ExpandDimsOp(_ViewOp):
    """x with a size-1 dim inserted at `axis` (negative counts from the end of the result).

    `%r = tfc.expand_dims %x {axis = 1 : i64} : (tensor<4xf32>) -> tensor<4x1xf32>`
    """

    name = "tfc.expand_dims"
    ATTRS = {"axis": AttrSpec("int")}

    @classmethod
    def normalized_axis(cls, t, axis: int) -> int:
        rank = len(shape_of(t))
        if not -rank - 1 <= axis <= rank:
            raise ShapeError(f"{cls.name}: axis {axis} is out of range for {type_str(t)}")
        return axis % (rank + 1)

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        axis = cls.normalized_axis(t, attrs["axis"])
        shape = list(shape_of(t))
        shape.insert(axis, 1)
        return [tensor_type(shape, dtype_of(t))]

    @classmethod
    def reference(cls, attrs, x):
        return np.expand_dims(x, attrs["axis"])


@tfc_op
class SqueezeOp(_ViewOp):
    """x without its size-1 dims at `axis` (all of them when `axis` is absent).

    `%r = tfc.squeeze %x {axis = array<i64: 1>} : (tensor<4x1xf32>) -> tensor<4xf32>`
    """

    name = "tfc.squeeze"
    ATTRS = {"axis": AttrSpec("ints", None)}

    @classmethod
    def squeezed_axes(cls, t, axis) -> tuple[int, ...]:
        shape = shape_of(t)
        if axis is None:
            return tuple(i for i, d in enumerate(shape) if d == 1)
        out = []
        for a in axis:
            if not -len(shape) <= a < len(shape):
                raise ShapeError(f"{cls.name}: axis {a} is out of range for {type_str(t)}")
            a %= len(shape)
            if shape[a] != 1:
                raise ShapeError(
                    f"{cls.name}: cannot squeeze axis {a} of size {shape[a]} in {type_str(t)}")
            out.append(a)
        return tuple(sorted(set(out)))

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        axes = cls.squeezed_axes(t, attrs["axis"])
        shape = [d for i, d in enumerate(shape_of(t)) if i not in axes]
        return [tensor_type(shape, dtype_of(t))]

    @classmethod
    def reference(cls, attrs, x):
        return np.squeeze(x, axis=cls.squeezed_axes(tensor_type(x.shape, x.dtype), attrs["axis"]))


# --- transpose ---------------------------------------------------------------------------

@tfc_op
class TransposeOp(TfcOp):
    """Result dim i is x's dim perm[i].

    `%r = tfc.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>`
    """

    name = "tfc.transpose"
    ATTRS = {"perm": AttrSpec("ints")}

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        shape, perm = shape_of(t), tuple(attrs["perm"])
        if sorted(perm) != list(_range(len(shape))):
            raise ShapeError(f"{cls.name}: perm {list(perm)} is not a permutation of the "
                             f"axes of {type_str(t)}")
        return [tensor_type([shape[p] for p in perm], dtype_of(t))]

    @classmethod
    def reference(cls, attrs, x):
        return np.transpose(x, attrs["perm"])

    def lower(self, b):
        perm = self.py_attrs()["perm"]
        inverse = [0] * len(perm)
        for i, p in enumerate(perm):
            inverse[p] = i
        # x's dim k is the result's dim inverse[k].
        in_map = AffineMap(len(perm), 0, _dims(inverse))
        return [_copy(b, self.inputs[0], in_map, self.outputs[0].type)]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        g = grads[0]
        return [None if g is None else transpose(g, [int(i) for i in np.argsort(attrs["perm"])])]


# --- concat ----------------------------------------------------------------------------

@tfc_op
class ConcatOp(TfcOp):
    """The operands joined along `axis`; other dims must agree.

    `%r = tfc.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>`
    """

    name = "tfc.concat"
    ARITY = None
    ATTRS = {"axis": AttrSpec("int")}

    @classmethod
    def normalized_axis(cls, in_types, axis: int) -> int:
        rank = len(shape_of(in_types[0]))
        if not -rank <= axis < rank:
            raise ShapeError(f"{cls.name}: axis {axis} is out of range for "
                             f"{', '.join(type_str(t) for t in in_types)}")
        return axis % rank

    @classmethod
    def infer(cls, in_types, attrs):
        dtype = same_dtype(cls.name, *in_types)
        shapes = [shape_of(t) for t in in_types]
        if len({len(s) for s in shapes}) > 1:
            raise ShapeError(f"{cls.name}: operand ranks differ: "
                             f"{', '.join(type_str(t) for t in in_types)}")
        axis = cls.normalized_axis(in_types, attrs["axis"])
        rest = {s[:axis] + s[axis + 1:] for s in shapes}
        if len(rest) > 1:
            raise ShapeError(f"{cls.name}: operand shapes differ outside axis {axis}: "
                             f"{', '.join(type_str(t) for t in in_types)}")
        out = list(shapes[0])
        out[axis] = sum(s[axis] for s in shapes)
        return [tensor_type(out, dtype)]

    @classmethod
    def reference(cls, attrs, *xs):
        return np.concatenate(xs, axis=attrs["axis"])

    def lower(self, b):
        inputs = list(self.inputs)
        if len(inputs) == 1:
            return [inputs[0]]
        out_type = self.outputs[0].type
        axis = self.normalized_axis([v.type for v in inputs], self.py_attrs()["axis"])
        acc, offset = b.empty(out_type), 0
        for v in inputs:
            shape = list(v.type.get_shape())
            offsets = [0] * len(shape)
            offsets[axis] = offset
            acc = b.insert(tensor.InsertSliceOp.from_static_parameters(
                v, acc, offsets, shape)).results[0]
            offset += shape[axis]
        return [acc]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        g = grads[0]
        if g is None:
            return [None] * len(inputs)
        shapes = [_shape(x) for x in inputs]
        axis = attrs["axis"] % len(shapes[0])
        out, offset = [], 0
        for shape in shapes:
            begin = [0] * len(shape)
            begin[axis] = offset
            out.append(_slice_op(g, begin, [b + n for b, n in zip(begin, shape)]))
            offset += shape[axis]
        return out


# --- slice -------------------------------------------------------------------------------

def _slice_sizes(begin, end, strides) -> list[int]:
    """Elements read per dim: ceil((end - begin) / stride), at least 0."""
    return [max(0, -((b - e) // s)) for b, e, s in zip(begin, end, strides)]


@tfc_op
class SliceOp(TfcOp):
    """A strided slice: along dim k it reads begin[k], begin[k] + strides[k], ... before end[k].

    Values are absolute (no negative wrapping); a negative stride walks down
    (end may then be -1). Every element read must be in bounds. `strides`
    defaults to all ones.
    `%r = tfc.slice %x {begin = array<i64: 0, 1>, end = array<i64: 4, 8>, strides = array<i64: 1, 2>} : (tensor<4x8xf32>) -> tensor<4x4xf32>`
    """

    name = "tfc.slice"
    ATTRS = {"begin": AttrSpec("ints"), "end": AttrSpec("ints"), "strides": AttrSpec("ints", None)}

    @classmethod
    def params(cls, t, attrs):
        shape = shape_of(t)
        begin, end = tuple(attrs["begin"]), tuple(attrs["end"])
        strides = tuple(attrs["strides"]) if attrs["strides"] is not None else (1,) * len(shape)
        if not len(begin) == len(end) == len(strides) == len(shape):
            given = f"begin {list(begin)}, end {list(end)}"
            if attrs["strides"] is not None:
                given += f", strides {list(strides)}"
            raise ShapeError(f"{cls.name}: {given} need one value per dim of {type_str(t)}")
        if 0 in strides:
            raise ShapeError(f"{cls.name}: strides must be non-zero, got {list(strides)}")
        sizes = _slice_sizes(begin, end, strides)
        for k, (b, s, n, d) in enumerate(zip(begin, strides, sizes, shape)):
            last = b + (n - 1) * s
            if n and not (0 <= b < d and 0 <= last < d):
                raise ShapeError(
                    f"{cls.name}: dim {k} of {type_str(t)} is read out of bounds "
                    f"(begin {b}, end {end[k]}, stride {s})")
        return begin, strides, sizes

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        _, _, sizes = cls.params(t, attrs)
        return [tensor_type(sizes, dtype_of(t))]

    @classmethod
    def reference(cls, attrs, x):
        begin, strides, sizes = cls.params(tensor_type(x.shape, x.dtype), attrs)
        return x[np.ix_(*[b + s * np.arange(n) for b, s, n in zip(begin, strides, sizes)])]

    def lower(self, b):
        x = self.inputs[0]
        begin, strides, sizes = self.params(x.type, self.py_attrs())
        if 0 in sizes:  # nothing to read (and the map's first index may lie past the end)
            return [b.empty(self.outputs[0].type)]
        shape = tuple(x.type.get_shape())
        # A map result that is a bare loop dim (begin 0, stride 1) must span the
        # whole operand dim (the linalg verifier's rule), so dims cut short that
        # way are narrowed first by a tensor.extract_slice.
        cut = [k for k, (bk, s, n) in enumerate(zip(begin, strides, sizes))
               if bk == 0 and s == 1 and n != shape[k]]
        if cut:
            narrow = [sizes[k] if k in cut else d for k, d in enumerate(shape)]
            x = b.insert(tensor.ExtractSliceOp.from_static_parameters(
                x, [0] * len(shape), narrow)).results[0]
            shape = tuple(narrow)
        if tuple(sizes) == shape and all(s == 1 for s in strides):
            return [x]
        exprs = [AffineExpr.dimension(k) * s + bk for k, (bk, s) in enumerate(zip(begin, strides))]
        in_map = AffineMap(len(sizes), 0, tuple(exprs))
        return [_copy(b, x, in_map, self.outputs[0].type)]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        g = grads[0]
        if g is None:
            return [None]
        x = inputs[0]
        shape = _shape(x)
        begin, strides, sizes = SliceOp.params(tensor_type(shape, _dtype(x)), attrs)
        return [_scatter_slice(g, shape, list(begin), list(strides), sizes)]


def _dtype(x) -> dtypes.DType:
    if isinstance(x, Symbolic):
        return x.dtype
    return dtypes.from_numpy(np.asarray(x).dtype)


def _scatter_slice(g, shape, begin, strides, sizes):
    """Zeros of `shape` with `g` written where the slice read: built from slice, pad, reshape.

    Negative strides become positive ones by reversing g; stride s > 1 along a dim
    interleaves s - 1 zeros after each element (expand_dims, pad, reshape).
    """
    rank = len(shape)
    if 0 in sizes:
        return _fill_like(g, 0.0, None, shape)
    flip = [k for k in _range(rank) if strides[k] < 0]
    if flip:
        g = _slice_op(g, [sizes[k] - 1 if k in flip else 0 for k in _range(rank)],
                      [-1 if k in flip else sizes[k] for k in _range(rank)],
                      [-1 if k in flip else 1 for k in _range(rank)])
        for k in flip:
            begin[k] += (sizes[k] - 1) * strides[k]
            strides[k] = -strides[k]
    lengths = list(sizes)
    for k in _range(rank):
        s = strides[k]
        if s == 1:
            continue
        cur = list(_shape(g))
        g = expand_dims(g, k + 1)
        pads = [0] * (2 * (rank + 1))
        pads[2 * (k + 1) + 1] = s - 1
        g = apply(PadOp, [g], {"paddings": pads})
        cur[k] *= s
        g = reshape(g, cur)
        lengths[k] = min(sizes[k] * s, shape[k] - begin[k])
    if lengths != list(_shape(g)):
        g = _slice_op(g, [0] * rank, lengths)
    pads = []
    for k in _range(rank):
        pads += [begin[k], shape[k] - begin[k] - lengths[k]]
    if any(pads):
        g = apply(PadOp, [g], {"paddings": pads})
    return g


def _slice_op(x, begin, end, strides=None):
    if strides is not None and all(s == 1 for s in strides):
        strides = None
    return apply(SliceOp, [x], {"begin": list(begin), "end": list(end), "strides": strides})


# --- pad -----------------------------------------------------------------------------------

@tfc_op
class PadOp(TfcOp):
    """x surrounded by `value`: paddings are [lo0, hi0, lo1, hi1, ...], all >= 0.

    `%r = tfc.pad %x {paddings = array<i64: 1, 1, 0, 2>} : (tensor<2x3xf32>) -> tensor<4x5xf32>`
    """

    name = "tfc.pad"
    ATTRS = {"paddings": AttrSpec("ints"), "value": AttrSpec("float", 0.0)}

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        shape, pads = shape_of(t), tuple(attrs["paddings"])
        if len(pads) != 2 * len(shape) or any(p < 0 for p in pads):
            raise ShapeError(f"{cls.name}: paddings must be {2 * len(shape)} values >= 0 "
                             f"(lo, hi per dim) for {type_str(t)}, got {list(pads)}")
        out = [d + pads[2 * k] + pads[2 * k + 1] for k, d in enumerate(shape)]
        return [tensor_type(out, dtype_of(t))]

    @classmethod
    def reference(cls, attrs, x):
        p = attrs["paddings"]
        if not any(p):
            return x
        pairs = [(p[2 * k], p[2 * k + 1]) for k in _range(x.ndim)]
        return np.pad(x, pairs, constant_values=np.asarray(attrs["value"]).astype(x.dtype))

    def lower(self, b):
        x = self.inputs[0]
        attrs = self.py_attrs()
        if not any(attrs["paddings"]):
            return [x]
        filled = b.fill(self.outputs[0].type, attrs["value"])
        shape = list(x.type.get_shape())
        offsets = list(attrs["paddings"][0::2])
        return [b.insert(tensor.InsertSliceOp.from_static_parameters(
            x, filled, offsets, shape)).results[0]]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        g = grads[0]
        if g is None:
            return [None]
        lo = attrs["paddings"][0::2]
        return [_slice_op(g, lo, [b + n for b, n in zip(lo, _shape(inputs[0]))])]


# --- gather ----------------------------------------------------------------------------

def _gather_layout(op: str, pt, it, axis: int, batch_dims: int) -> tuple[int, int]:
    """(axis, batch_dims) made non-negative and checked against params / indices types."""
    rp, ri = len(shape_of(pt)), len(shape_of(it))
    both = f"params {type_str(pt)}, indices {type_str(it)}"
    B = batch_dims + ri if batch_dims < 0 else batch_dims
    if not 0 <= B <= ri:
        raise ShapeError(f"{op}: batch_dims {batch_dims} is out of range for {both}")
    A = axis + rp if axis < 0 else axis
    if not B <= A < rp:
        raise ShapeError(f"{op}: axis {axis} is out of range for {both} with batch_dims {B}")
    if shape_of(pt)[:B] != shape_of(it)[:B]:
        raise ShapeError(f"{op}: the first {B} (batch) dims of params and indices differ: {both}")
    return A, B


@tfc_op
class GatherOp(TfcOp):
    """Slices of params along `axis` picked by indices (an embedding lookup for axis 0).

    Result shape: params.shape[:axis] + indices.shape[batch_dims:] + params.shape[axis+1:].
    Out-of-range indices are clamped to [0, params.shape[axis] - 1], as XLA's
    gather does on CPU (TF raises on CPU and returns zeros on GPU); the
    gradient flows to the clamped position.
    `%r = tfc.gather %p, %i : (tensor<100x16xf32>, tensor<4x7xi32>) -> tensor<4x7x16xf32>`
    """

    name = "tfc.gather"
    ARITY = 2
    ATTRS = {"axis": AttrSpec("int", 0), "batch_dims": AttrSpec("int", 0)}

    @classmethod
    def infer(cls, in_types, attrs):
        pt, it = in_types
        _index_dtype(cls.name, it)
        A, B = _gather_layout(cls.name, pt, it, attrs["axis"], attrs["batch_dims"])
        ps = shape_of(pt)
        return [tensor_type(ps[:A] + shape_of(it)[B:] + ps[A + 1:], dtype_of(pt))]

    @classmethod
    def reference(cls, attrs, params, indices):
        A, B = _gather_layout(cls.name, tensor_type(params.shape, params.dtype),
                              tensor_type(indices.shape, indices.dtype),
                              attrs["axis"], attrs["batch_dims"])
        idx = np.clip(indices.astype(np.int64), 0, params.shape[A] - 1)
        if B == 0:
            return np.take(params, idx, axis=A)
        out = np.empty(params.shape[:A] + idx.shape[B:] + params.shape[A + 1:], params.dtype)
        for bi in np.ndindex(*params.shape[:B]):
            out[bi] = np.take(params[bi], idx[bi], axis=A - B)
        return out

    def lower(self, b):
        params, indices = self.inputs
        attrs = self.py_attrs()
        A, B = _gather_layout(self.name, params.type, indices.type, attrs["axis"], attrs["batch_dims"])
        out_type = self.outputs[0].type
        rp, ri, ro = len(params.type.get_shape()), len(indices.type.get_shape()), len(out_type.get_shape())
        r = ri - B
        n = params.type.get_shape()[A]
        # indices' batch dims are the result's first B dims, its other dims the result's A.. A+r.
        idx_map = AffineMap(ro, 0, _dims([*_range(B), *_range(A, A + r)]))
        elem = params.type.element_type

        def body(s, idx, _out):
            i = _clamp(s, idx, n)
            coords = [s.index(d) for d in _range(A)] + [s.cast(i, IndexType())]
            coords += [s.index(d) for d in _range(A + r, ro)]
            v = s._ins(tensor.ExtractOp(params, coords, elem))
            return s.cast(v, compute_type(elem))

        assert len(_range(A)) + 1 + len(_range(A + r, ro)) == rp
        return b.generic([indices], [b.empty(out_type)], [idx_map, AffineMap.identity(ro)],
                         [PARALLEL] * ro, body)

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        g = grads[0]
        if g is None:
            return [None, None]
        params, indices = inputs
        ps = _shape(params)
        A, B = _gather_layout(GatherOp.name, tensor_type(ps, "f32"),
                              tensor_type(_shape(indices), "i32"), attrs["axis"], attrs["batch_dims"])
        return [gather_grad(g, indices, ps[A], axis=A, batch_dims=B), None]


def _clamp(s, idx, n: int):
    """An index value clamped to [0, n - 1], as i64."""
    i = s.cast(idx, IntegerType(64))
    i = s.max(i, s.const(0, IntegerType(64)))
    return s.min(i, s.const(max(n - 1, 0), IntegerType(64)))


@tfc_op
class GatherGradOp(TfcOp):
    """The gradient of tfc.gather w.r.t. params: grad scatter-added into zeros.

    Operands are (grad, indices); `dim` is params.shape[axis] and axis /
    batch_dims are non-negative. Indices are clamped as tfc.gather clamps them.
    It lowers to one reduction generic over params' shape x indices' non-batch
    dims that compares each index with the output position, so it costs
    |params| * |indices| / |batch| multiply-adds: fine for embedding tables of a
    few thousand rows, quadratic beyond.
    `%r = tfc.gather_grad %g, %i {dim = 100 : i64} : (tensor<4x7x16xf32>, tensor<4x7xi32>) -> tensor<100x16xf32>`
    """

    name = "tfc.gather_grad"
    ARITY = 2
    ATTRS = {"dim": AttrSpec("int"), "axis": AttrSpec("int", 0), "batch_dims": AttrSpec("int", 0)}

    @classmethod
    def layout(cls, gt, it, attrs):
        gs, ishape = shape_of(gt), shape_of(it)
        A, B, n = attrs["axis"], attrs["batch_dims"], attrs["dim"]
        r = len(ishape) - B
        both = f"grad {type_str(gt)}, indices {type_str(it)}"
        if not (0 <= B <= len(ishape) and B <= A and A + r <= len(gs) and n >= 0):
            raise ShapeError(f"{cls.name}: axis {A}, batch_dims {B}, dim {n} do not fit {both}")
        if gs[:B] != ishape[:B] or gs[A:A + r] != ishape[B:]:
            raise ShapeError(f"{cls.name}: grad's dims do not match the indices: {both}")
        return A, B, r, gs[:A] + (n,) + gs[A + r:]

    @classmethod
    def infer(cls, in_types, attrs):
        gt, it = in_types
        _index_dtype(cls.name, it)
        if not dtype_of(gt).is_float:
            raise ShapeError(f"{cls.name}: grad must be a float tensor, got {type_str(gt)}")
        return [tensor_type(cls.layout(gt, it, attrs)[3], dtype_of(gt))]

    @classmethod
    def reference(cls, attrs, g, indices):
        A, B, r, ps = cls.layout(tensor_type(g.shape, g.dtype),
                                 tensor_type(indices.shape, indices.dtype), attrs)
        idx = np.clip(indices.astype(np.int64), 0, max(attrs["dim"] - 1, 0))
        out = np.zeros(ps, g.dtype)
        for bi in np.ndindex(*ps[:B]):
            o, gb, ib = out[bi], g[bi], idx[bi]
            a = A - B
            # o's dim a goes first; g's index dims go first: o[ib[j]] += gb[j].
            np.add.at(np.moveaxis(o, a, 0), ib,
                      np.moveaxis(gb, list(_range(a, a + r)), list(_range(r))))
        return out

    def lower(self, b):
        g, indices = self.inputs
        attrs = self.py_attrs()
        out_type = self.outputs[0].type
        A, B, r, ps = self.layout(g.type, indices.type, attrs)
        rp = len(ps)
        # Iteration space: params' dims d0..d(rp-1) (parallel), then indices' r
        # non-batch dims (reduction).
        red = [rp + j for j in _range(r)]
        g_map = AffineMap(rp + r, 0, _dims([*_range(A), *red, *_range(A + 1, rp)]))
        idx_map = AffineMap(rp + r, 0, _dims([*_range(B), *red]))
        out_map = AffineMap(rp + r, 0, _dims(_range(rp)))
        n = attrs["dim"]

        def body(s, gv, idx, acc):
            i = _clamp(s, idx, n)
            hit = s.cmp("eq", i, s.cast(s.index(A), IntegerType(64)))
            return s.add(acc, s.select(hit, gv, s.const(0.0, gv.type)))

        # Half types accumulate in an f32 tensor, truncated once at the end.
        acc_type = out_type
        if dtype_of(out_type).is_half:
            acc_type = tensor_type(ps, dtypes.f32)
        init = b.fill(acc_type, 0.0)
        acc = b.generic([g, indices], [init], [g_map, idx_map, out_map],
                        [PARALLEL] * rp + [REDUCTION] * r, body)[0]
        if acc_type != out_type:
            acc = b.elementwise([acc], out_type, lambda s, a: a)
        return [acc]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        g = grads[0]
        if g is None:
            return [None, None]
        return [gather(g, inputs[1], axis=attrs["axis"], batch_dims=attrs["batch_dims"]), None]


# --- one_hot, iota, fill: values from indices or attributes ------------------------------

@tfc_op
class OneHotOp(TfcOp):
    """on_value where indices == position along the new `axis` of size depth, else off_value.

    Out-of-range indices give a row of off_value, as in TF.
    `%r = tfc.one_hot %i {depth = 10 : i64} : (tensor<4xi32>) -> tensor<4x10xf32>`
    """

    name = "tfc.one_hot"
    ATTRS = {"depth": AttrSpec("int"), "on_value": AttrSpec("float", 1.0),
             "off_value": AttrSpec("float", 0.0), "axis": AttrSpec("int", -1),
             "dtype": AttrSpec("dtype", dtypes.f32)}

    @classmethod
    def normalized_axis(cls, t, axis: int) -> int:
        rank = len(shape_of(t))
        if not -rank - 1 <= axis <= rank:
            raise ShapeError(f"{cls.name}: axis {axis} is out of range for {type_str(t)}")
        return axis % (rank + 1)

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        _index_dtype(cls.name, t)
        if attrs["depth"] < 0:
            raise ShapeError(f"{cls.name}: depth must be >= 0, got {attrs['depth']}")
        shape = list(shape_of(t))
        shape.insert(cls.normalized_axis(t, attrs["axis"]), attrs["depth"])
        return [tensor_type(shape, dtypes.from_any(attrs["dtype"]))]

    @classmethod
    def reference(cls, attrs, indices):
        axis = cls.normalized_axis(tensor_type(indices.shape, indices.dtype), attrs["axis"])
        hot = indices.astype(np.int64)[..., None] == np.arange(attrs["depth"])
        hot = np.moveaxis(hot, -1, axis)
        d = dtypes.from_any(attrs["dtype"]).numpy
        on, off = (np.asarray(attrs[k]).astype(d) for k in ("on_value", "off_value"))
        return np.where(hot, on, off)

    def lower(self, b):
        (x,) = self.inputs
        attrs = self.py_attrs()
        out_type = self.outputs[0].type
        ro = len(out_type.get_shape())
        axis = self.normalized_axis(x.type, attrs["axis"])
        in_map = AffineMap(ro, 0, _dims([d for d in _range(ro) if d != axis]))
        elem = out_type.element_type

        def body(s, idx, _out):
            i = s.cast(idx, IntegerType(64))
            hit = s.cmp("eq", i, s.cast(s.index(axis), IntegerType(64)))
            return s.select(hit, s.const(attrs["on_value"], elem), s.const(attrs["off_value"], elem))

        return b.generic([x], [b.empty(out_type)], [in_map, AffineMap.identity(ro)],
                         [PARALLEL] * ro, body)

    # Integer indices get no gradient (None), as in TF.
    vjp = staticmethod(lambda attrs, inputs, outputs, grads: [None])


@tfc_op
class IotaOp(TfcOp):
    """The 1-D tensor start + i * delta for i in [0, size): what tfc.range builds.

    `%r = tfc.iota {size = 5 : i64, start = 1.0 : f64, delta = 2.0 : f64} : () -> tensor<5xf32>`
    """

    name = "tfc.iota"
    api_name = "range"
    ARITY = 0
    ATTRS = {"size": AttrSpec("int"), "start": AttrSpec("float", 0.0),
             "delta": AttrSpec("float", 1.0), "dtype": AttrSpec("dtype", dtypes.f32)}

    @classmethod
    def infer(cls, in_types, attrs):
        if attrs["size"] < 0:
            raise ShapeError(f"{cls.name}: size must be >= 0, got {attrs['size']}")
        d = dtypes.from_any(attrs["dtype"])
        if d.is_bool:
            raise ShapeError(f"{cls.name}: dtype must be numeric, got {d.name}")
        return [tensor_type([attrs["size"]], d)]

    @classmethod
    def reference(cls, attrs):
        d = dtypes.from_any(attrs["dtype"])
        i = np.arange(attrs["size"])
        if d.is_int:
            return (int(attrs["start"]) + i * int(attrs["delta"])).astype(d.numpy)
        return (attrs["start"] + i * attrs["delta"]).astype(d.numpy)

    def lower(self, b):
        attrs = self.py_attrs()
        out_type = self.outputs[0].type
        t = compute_type(out_type.element_type)

        def body(s, _out):
            i = s.cast(s.index(0), t)
            return s.add(s.const(attrs["start"], t), s.mul(i, s.const(attrs["delta"], t)))

        return b.generic([], [b.empty(out_type)], [AffineMap.identity(1)], [PARALLEL], body)

    vjp = staticmethod(lambda attrs, inputs, outputs, grads: [])


@tfc_op
class FillOp(TfcOp):
    """A tensor of `shape` whose elements are all `value` (an f64 attribute, so integers
    beyond 2**53 are not exact).

    `%r = tfc.fill {shape = array<i64: 2, 3>, value = 1.0 : f64} : () -> tensor<2x3xf32>`
    """

    name = "tfc.fill"
    ARITY = 0
    ATTRS = {"shape": AttrSpec("ints"), "value": AttrSpec("float", 0.0),
             "dtype": AttrSpec("dtype", dtypes.f32)}

    @classmethod
    def infer(cls, in_types, attrs):
        shape = tuple(attrs["shape"])
        if any(d < 0 for d in shape):
            raise ShapeError(f"{cls.name}: shape must be >= 0, got {_shape_str(shape)}")
        return [tensor_type(shape, dtypes.from_any(attrs["dtype"]))]

    @classmethod
    def reference(cls, attrs):
        d = dtypes.from_any(attrs["dtype"]).numpy
        return np.full(attrs["shape"], np.asarray(attrs["value"]).astype(d), dtype=d)

    def lower(self, b):
        return [b.fill(self.outputs[0].type, self.py_attrs()["value"])]

    vjp = staticmethod(lambda attrs, inputs, outputs, grads: [])


OPS = [BroadcastToOp, ReshapeOp, ExpandDimsOp, SqueezeOp, TransposeOp, ConcatOp, SliceOp,
       PadOp, GatherOp, GatherGradOp, OneHotOp, IotaOp, FillOp]


# --- op functions ----------------------------------------------------------------------

def broadcast_to(input, shape):
    """`input` broadcast to `shape` (NumPy rules)."""
    return apply(BroadcastToOp, [input], {"shape": _static_ints("tfc.broadcast_to", "shape", shape)})


def reshape(tensor, shape):
    """`tensor` with a new shape; one entry of `shape` may be -1 (inferred)."""
    op = "tfc.reshape"
    dims = list(_static_ints(op, "shape", shape))
    src = _shape(tensor)
    n = int(np.prod(src))
    if dims.count(-1) > 1 or any(d < -1 for d in dims):
        raise _located(f"{op}: shape {_shape_str(dims)} may hold at most one -1 and no other "
                       f"negative size")
    if -1 in dims:
        known = int(np.prod([d for d in dims if d != -1]))
        if known == 0 or n % known:
            raise _located(f"{op}: cannot reshape {_spec(tensor)} ({n} elements) "
                           f"to shape {_shape_str(dims)}")
        dims[dims.index(-1)] = n // known
    return apply(ReshapeOp, [tensor], {"shape": dims})


def _spec(x) -> str:
    return type_str(tensor_type(_shape(x), _dtype(x)))


def transpose(a, perm=None):
    """`a` with its dims permuted: result dim i is a's dim perm[i]; default reverses them."""
    if perm is None:
        perm = list(reversed(_range(len(_shape(a)))))
    return apply(TransposeOp, [a], {"perm": _static_ints("tfc.transpose", "perm", perm)})


def expand_dims(input, axis):
    """`input` with a size-1 dim inserted at `axis`."""
    return apply(ExpandDimsOp, [input], {"axis": _static_int("tfc.expand_dims", "axis", axis)})


def squeeze(input, axis=None):
    """`input` without its size-1 dims (only those in `axis` when given)."""
    if axis is not None:
        axis = _static_ints("tfc.squeeze", "axis", axis)
    return apply(SqueezeOp, [input], {"axis": axis})


def concat(values, axis):
    """The tensors in `values` joined along `axis`."""
    values = list(values)
    return apply(ConcatOp, values, {"axis": _static_int("tfc.concat", "axis", axis)})


def stack(values, axis=0):
    """The tensors in `values` (all of one shape) stacked along a new dim at `axis`."""
    values = list(values)
    if not values:
        raise _located("tfc.stack: needs at least one tensor")
    rank = len(_shape(values[0]))
    axis = _static_int("tfc.stack", "axis", axis)
    if not -rank - 1 <= axis <= rank:
        raise _located(f"tfc.stack: axis {axis} is out of range for {_spec(values[0])}")
    axis %= rank + 1
    expanded = [expand_dims(v, axis) for v in values]
    return expanded[0] if len(expanded) == 1 else concat(expanded, axis)


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


def split(value, num_or_size_splits, axis=0):
    """`value` cut along `axis` into equal parts (an int) or parts of the given sizes
    (a list; one may be -1)."""
    op = "tfc.split"
    shape = _shape(value)
    axis = _static_int(op, "axis", axis)
    if not -len(shape) <= axis < len(shape):
        raise _located(f"{op}: axis {axis} is out of range for {_spec(value)}")
    axis %= len(shape)
    d = shape[axis]
    if isinstance(num_or_size_splits, int):
        n = num_or_size_splits
        if n <= 0 or d % n:
            raise _located(f"{op}: dim {axis} of {_spec(value)} does not split into {n} equal parts")
        sizes = [d // n] * n
    else:
        sizes = list(_static_ints(op, "size_splits", num_or_size_splits))
        if sizes.count(-1) == 1:
            sizes[sizes.index(-1)] = d - (sum(sizes) + 1)
        if sum(sizes) != d or any(s < 0 for s in sizes):
            raise _located(f"{op}: sizes {list(num_or_size_splits)} do not add up to dim {axis} "
                           f"of {_spec(value)}")
    out, offset = [], 0
    for s in sizes:
        begin = [0] * len(shape)
        end = list(shape)
        begin[axis], end[axis] = offset, offset + s
        out.append(_slice_op(value, begin, end))
        offset += s
    return out


def tile(input, multiples):
    """`input` repeated multiples[k] times along each dim k."""
    op = "tfc.tile"
    shape = _shape(input)
    mult = _static_ints(op, "multiples", multiples)
    if len(mult) != len(shape) or any(m < 0 for m in mult):
        raise _located(f"{op}: multiples {list(mult)} need one value >= 0 per dim of {_spec(input)}")
    if all(m == 1 for m in mult):
        return input
    pairs = [v for d, m in zip(shape, mult) for v in (1, d)]
    wide = [v for d, m in zip(shape, mult) for v in (m, d)]
    x = broadcast_to(reshape(input, pairs), wide)
    return reshape(x, [d * m for d, m in zip(shape, mult)])


def reverse(tensor, axis):
    """`tensor` with the order of elements reversed along each dim in `axis`."""
    shape = _shape(tensor)
    axes = {a % len(shape) for a in _static_ints("tfc.reverse", "axis", axis)} if shape else set()
    if not axes:
        return tensor
    return _slice_op(tensor, [shape[k] - 1 if k in axes else 0 for k in _range(len(shape))],
                     [-1 if k in axes else shape[k] for k in _range(len(shape))],
                     [-1 if k in axes else 1 for k in _range(len(shape))])


def slice(input_, begin, size):
    """tf.slice: `size[k]` elements from `begin[k]` along each dim (size -1: to the end)."""
    op = "tfc.slice"
    shape = _shape(input_)
    begin = _static_ints(op, "begin", begin)
    size = _static_ints(op, "size", size)
    if len(begin) != len(shape) or len(size) != len(shape):
        raise _located(f"{op}: begin {list(begin)} and size {list(size)} need one value per dim "
                       f"of {_spec(input_)}")
    end = [d if n == -1 else b + n for b, n, d in zip(begin, size, shape)]
    if any(b < 0 for b in begin) or any(n < -1 for n in size):
        raise _located(f"{op}: begin {list(begin)} and size {list(size)} must be >= 0 "
                       f"(size -1: to the end) for {_spec(input_)}")
    return _slice_op(input_, begin, end)


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


def pad(tensor, paddings, mode="CONSTANT", constant_values=0):
    """`tensor` padded with `constant_values`: paddings is [[lo, hi], ...], one pair per dim."""
    op = "tfc.pad"
    if str(mode).upper() != "CONSTANT":
        raise _located(f"{op}: only mode='CONSTANT' is supported, got {mode!r}")
    if isinstance(paddings, Symbolic):
        raise _located(f"{op}: paddings must be static, not a traced tensor")
    pairs = np.asarray(paddings, dtype=np.int64) if np.size(paddings) else np.zeros((0, 2), np.int64)
    if pairs.ndim != 2 or pairs.shape[1:] != (2,):
        raise _located(f"{op}: paddings must be [[lo, hi], ...], one pair per dim, "
                       f"got {paddings!r}")
    if isinstance(constant_values, Symbolic):
        raise _located(f"{op}: constant_values must be a Python number, not a traced tensor")
    return apply(PadOp, [tensor], {"paddings": [int(v) for v in pairs.reshape(-1)],
                                   "value": float(constant_values)})


def gather(params, indices, axis=None, batch_dims=0):
    """Slices of `params` along `axis` at `indices` (tf.gather; axis defaults to batch_dims).

    Out-of-range indices are clamped to the valid range, as XLA's gather does
    on CPU (TF itself raises on CPU); their gradient goes to the clamped row.
    """
    batch_dims = _static_int("tfc.gather", "batch_dims", batch_dims)
    axis = batch_dims if axis is None else _static_int("tfc.gather", "axis", axis)
    if isinstance(indices, list):
        indices = np.asarray(indices, dtype=np.int32)
    return apply(GatherOp, [params, indices], {"axis": axis, "batch_dims": batch_dims})


def gather_grad(grad, indices, dim, axis=0, batch_dims=0):
    """The gradient of tfc.gather w.r.t. params (whose size along `axis` is `dim`)."""
    return apply(GatherGradOp, [grad, indices], {"dim": int(dim), "axis": int(axis),
                                                 "batch_dims": int(batch_dims)})


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None):
    """A one-hot encoding of `indices` along a new dim of size `depth` at `axis` (default last)."""
    op = "tfc.one_hot"
    for name, v in (("on_value", on_value), ("off_value", off_value)):
        if isinstance(v, Symbolic):
            raise _located(f"{op}: {name} must be a Python number, not a traced tensor")
    if dtype is None:
        dtype = _scalar_dtype(on_value if on_value is not None else off_value, dtypes.f32)
    if isinstance(indices, list):
        indices = np.asarray(indices, dtype=np.int32)
    return apply(OneHotOp, [indices], {
        "depth": _static_int(op, "depth", depth),
        "on_value": 1.0 if on_value is None else float(on_value),
        "off_value": 0.0 if off_value is None else float(off_value),
        "axis": -1 if axis is None else _static_int(op, "axis", axis),
        "dtype": dtypes.from_any(dtype)})


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


def range(start, limit=None, delta=1, dtype=None):
    """tf.range: the 1-D tensor start, start + delta, ... stopping before limit.

    range(n) counts from 0. The dtype defaults to f32 if any argument is a
    float, else i32.
    """
    op = "tfc.range"
    for v in (start, limit, delta):
        if isinstance(v, Symbolic):
            raise _located(f"{op}: start, limit and delta must be Python numbers, "
                           "not traced tensors")
    if limit is None:
        start, limit = 0, start
    if delta == 0:
        raise _located(f"{op}: delta must be non-zero")
    if dtype is None:
        is_float = any(_scalar_dtype(v, dtypes.i32).is_float for v in (start, limit, delta))
        dtype = dtypes.f32 if is_float else dtypes.i32
    size = max(0, int(np.ceil((float(limit) - float(start)) / float(delta))))
    return apply(IotaOp, [], {"size": size, "start": float(start), "delta": float(delta),
                              "dtype": dtypes.from_any(dtype)})


def fill(dims, value, dtype=None):
    """A tensor of shape `dims` filled with `value` (a Python / NumPy scalar, or a rank-0
    traced tensor, which is broadcast). The dtype defaults to value's."""
    dims = _static_ints("tfc.fill", "dims", dims)
    if isinstance(value, Symbolic):
        if value.shape != ():
            raise _located(f"tfc.fill: value must be a scalar, got {_spec(value)}")
        if dtype is not None and dtypes.from_any(dtype) != value.dtype:
            from tfc.ops.api import cast

            value = cast(value, dtype)
        return broadcast_to(value, dims)
    if np.ndim(value) != 0:
        raise _located(f"tfc.fill: value must be a scalar, got shape {np.shape(value)}")
    if dtype is None:
        dtype = _scalar_dtype(value, dtypes.f32)
    return _fill(dims, float(np.asarray(value).astype(np.float64)), dtype)


def _fill(dims, value: float, dtype, trace=None):
    return apply(FillOp, [], {"shape": list(dims), "value": value,
                              "dtype": dtypes.from_any(dtype)}, trace=trace)


def zeros(shape, dtype=dtypes.f32):
    """A tensor of zeros."""
    return _fill(_static_ints("tfc.zeros", "shape", shape), 0.0, dtype)


def ones(shape, dtype=dtypes.f32):
    """A tensor of ones."""
    return _fill(_static_ints("tfc.ones", "shape", shape), 1.0, dtype)


def zeros_like(input, dtype=None):
    """Zeros with `input`'s shape and dtype (a tfc.fill in the same trace when traced)."""
    return _fill_like(input, 0.0, dtype, None)


def ones_like(input, dtype=None):
    """Ones with `input`'s shape and dtype."""
    return _fill_like(input, 1.0, dtype, None)


def _fill_like(x, value, dtype, shape):
    dtype = dtype if dtype is not None else _dtype(x)
    shape = _shape(x) if shape is None else shape
    return _fill(shape, value, dtype, trace=find_trace([x]))


__all__ = [
    "broadcast_to", "reshape", "transpose", "expand_dims", "squeeze", "concat", "stack",
    "unstack", "split", "tile", "reverse", "slice", "strided_slice", "getitem", "pad",
    "gather", "gather_grad", "one_hot", "range", "fill", "zeros", "ones", "zeros_like",
    "ones_like",
]
