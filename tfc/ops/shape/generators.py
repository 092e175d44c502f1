"""Values from attributes: iota (`tfc.range`) and fill (`fill`, `zeros`, `ones`,
`zeros_like`, `ones_like`).
"""

from __future__ import annotations

import numpy as np
from xdsl.ir.affine import AffineMap

from tfc import dtypes
from tfc.errors import ShapeError
from tfc.ops.base import (
    AttrSpec,
    TfcOp,
    tensor_type,
    tfc_op,
)
from tfc.ops.dispatch import apply
from tfc.ops.lowering import PARALLEL, compute_type
from tfc.ops.shape.common import (
    _dtype, _located, _scalar_dtype, _shape, _shape_str, _spec, _static_ints,
)
from tfc.ops.shape.views import broadcast_to
from tfc.tracing import Symbolic, find_trace


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


__all__ = ['range', 'fill', 'zeros', 'ones', 'zeros_like', 'ones_like']
