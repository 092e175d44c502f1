"""Values at indices held in tensors: gather (+ gather_grad, its gradient, a
scatter-add written as a reduction) and one_hot.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects import tensor
from xdsl.dialects.builtin import IndexType, IntegerType
from xdsl.ir.affine import AffineMap

from tfc import dtypes
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
from tfc.ops.lowering import PARALLEL, REDUCTION, compute_type
from tfc.ops.shape.common import (
    _dims, _index_dtype, _located, _range, _scalar_dtype, _shape, _static_int,
    new_axis_position,
)
from tfc.tracing import Symbolic


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
        return new_axis_position(cls.name, t, axis)

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


__all__ = ['gather', 'gather_grad', 'one_hot']
