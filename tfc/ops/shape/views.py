"""Views and layout moves: broadcast_to, reshape, expand_dims, squeeze (views:
`tensor.collapse_shape` / `expand_shape` when the dims regroup), transpose (a copy
generic whose indexing map permutes), and the op function `tile`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects import tensor
from xdsl.dialects.builtin import ArrayAttr, IntegerAttr, i64
from xdsl.ir import SSAValue
from xdsl.ir.affine import AffineMap

from tfc.errors import ShapeError
from tfc.ops.base import (
    AttrSpec,
    TfcOp,
    dtype_of,
    shape_of,
    tensor_type,
    tfc_op,
    type_str,
)
from tfc.ops.dispatch import apply
from tfc.ops.shape.common import (
    _copy, _dims, _located, _range, _shape, _shape_str, _spec, _static_int, _static_ints,
    new_axis_position,
)


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
        return new_axis_position(cls.name, t, axis)

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


__all__ = ['broadcast_to', 'reshape', 'transpose', 'expand_dims', 'squeeze', 'tile']
