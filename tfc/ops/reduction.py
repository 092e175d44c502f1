"""Reductions and row-wise normalizations: reduce_*, argmax/argmin, softmax, layer norm, cross entropy.

Reductions lower to a fill of the neutral element plus one `linalg.generic`
with reduction iterators. Half-precision sums, products and means accumulate
in an f32 tensor and are cast back at the end, as TF does. The normalizations
(softmax, log_softmax, layer_norm, the cross entropies) are composites: their
`decompose` is the max-subtracted, numerically stable form written with op
functions, while their NumPy reference is written directly so that the two
check each other.
"""

from __future__ import annotations

import math

import numpy as np
from xdsl.dialects import arith
from xdsl.dialects.builtin import Float32Type, TensorType
from xdsl.ir.affine import AffineExpr, AffineMap

from tfc import dtypes
from tfc.errors import ShapeError
from tfc.ops.base import (
    AttrSpec,
    TfcOp,
    dtype_of,
    normalize_axes,
    same_dtype,
    shape_of,
    tensor_type,
    tfc_op,
    type_str,
)
from tfc.ops.dispatch import apply
from tfc.ops.lowering import PARALLEL, REDUCTION

# --- shared helpers -------------------------------------------------------------


def _reduced_axes(op: str, t: TensorType, axes) -> tuple[int, ...]:
    """The normalized axes of a reduction, rejecting zero-size reduced dimensions."""
    shape = shape_of(t)
    out = normalize_axes(op, axes, len(shape), t) if shape else ()
    for a in out:
        if shape[a] == 0:
            raise ShapeError(f"{op}: cannot reduce over the zero-size axis {a} of {type_str(t)}")
    return out


def _reduced_shape(shape, axes, keepdims: bool) -> tuple[int, ...]:
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _np_axes(axes, ndim: int) -> tuple[int, ...]:
    """Normalized reduction axes for NumPy (after `infer` has validated them)."""
    if ndim == 0:
        return ()
    if axes is None:
        return tuple(range(ndim))
    return tuple(sorted(a % ndim for a in axes))


def _axis_list(axis):
    """TF's `axis` argument (None, an int or a sequence of ints) as an attribute value."""
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)):
        return [int(axis)]
    return [int(a) for a in axis]


def _is_half_array(a: np.ndarray) -> bool:
    return dtypes.from_numpy(a.dtype).is_half


def _compute_array(a: np.ndarray) -> np.ndarray:
    """Half-precision arrays are computed in f32 (as the compiled code does)."""
    return a.astype(np.float32) if _is_half_array(a) else a


def _float_only(op: str, *types: TensorType) -> dtypes.DType:
    d = same_dtype(op, *types)
    if not d.is_float:
        raise ShapeError(f"{op}: expects a float dtype, got {', '.join(type_str(t) for t in types)}")
    return d


def _dtype(v) -> dtypes.DType:
    """The tfc dtype of a NumPy array or a traced value."""
    return dtypes.from_any(v.dtype)


def _keepdims_shape(shape, axes) -> list[int]:
    return [1 if i in axes else d for i, d in enumerate(shape)]


def _broadcast_back(g, x_shape, axes, keepdims: bool):
    """A reduction's cotangent `g`, broadcast back to the input's shape."""
    from tfc.ops.api import broadcast_to, reshape

    if not keepdims:
        g = reshape(g, _keepdims_shape(x_shape, axes))
    return broadcast_to(g, list(x_shape))


# --- reductions -------------------------------------------------------------------


class _Reduce(TfcOp):
    """reduce_<kind>(x, axes, keepdims): `axes` absent means every axis."""

    ARITY = 1
    ATTRS = {"axes": AttrSpec("ints", None), "keepdims": AttrSpec("bool", False)}
    # Sums, products and means of half types accumulate in f32.
    accumulates = True

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        d = dtype_of(t)
        if d.is_bool:
            raise ShapeError(f"{cls.name}: expects a numeric dtype, got {type_str(t)} "
                             "(cast booleans with tfc.cast)")
        axes = _reduced_axes(cls.name, t, attrs["axes"])
        return [tensor_type(_reduced_shape(shape_of(t), axes, attrs["keepdims"]), d)]

    def reduced_axes(self) -> tuple[int, ...]:
        return _reduced_axes(self.name, self.inputs[0].type, self.py_attrs()["axes"])

    @classmethod
    def init_value(cls, t) -> float | int:
        raise NotImplementedError

    @staticmethod
    def combine(s, acc, v):
        raise NotImplementedError

    def finish(self, s, acc, count: int):
        """Maps the accumulator to the result (mean divides by the count)."""
        return acc

    def lower(self, b):
        (x,) = self.inputs
        out_t = self.outputs[0].type
        axes = self.reduced_axes()
        count = math.prod(x.type.get_shape()[a] for a in axes)
        half = dtypes.from_ir(out_t.element_type).is_half
        acc_t = TensorType(Float32Type(), out_t.get_shape()) if half and self.accumulates else out_t
        acc = b.reduce(x, axes, acc_t, self.init_value(out_t.element_type), type(self).combine)
        if acc_t == out_t and type(self).finish is _Reduce.finish:
            return [acc]
        return [b.elementwise([acc], out_t, lambda s, a: self.finish(s, a, count))]


def _np_accumulate_dtype(x: np.ndarray):
    """NumPy accumulator dtype: f32 for half types, the own type otherwise (ints wrap)."""
    return np.float32 if _is_half_array(x) else x.dtype


@tfc_op
class ReduceSumOp(_Reduce):
    """Sum over `axes`. `%r = tfc.reduce_sum %x {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>`"""

    name = "tfc.reduce_sum"
    combine = staticmethod(lambda s, acc, v: s.add(acc, v))

    @classmethod
    def init_value(cls, t):
        return 0

    @classmethod
    def reference(cls, attrs, x):
        axes = _np_axes(attrs["axes"], x.ndim)
        return np.sum(x, axis=axes, keepdims=attrs["keepdims"], dtype=_np_accumulate_dtype(x))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        (x,), (g,) = inputs, grads
        if g is None or not _dtype(x).is_float:
            return [None]
        axes = _np_axes(attrs["axes"], len(x.shape))
        return [_broadcast_back(g, x.shape, axes, attrs["keepdims"])]


@tfc_op
class ReduceMeanOp(_Reduce):
    """Mean over `axes` (integer means divide with truncation, as TF).
    `%r = tfc.reduce_mean %x {axes = array<i64: -1>, keepdims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>`"""

    name = "tfc.reduce_mean"
    combine = staticmethod(lambda s, acc, v: s.add(acc, v))

    @classmethod
    def init_value(cls, t):
        return 0

    def finish(self, s, acc, count):
        n = s.const(count, acc.type)
        if s.is_float(acc):
            return s.div(acc, n)
        return s._ins(arith.DivSIOp(acc, n))  # C-style truncating division, as TF

    @classmethod
    def reference(cls, attrs, x):
        axes = _np_axes(attrs["axes"], x.ndim)
        total = np.sum(x, axis=axes, keepdims=attrs["keepdims"], dtype=_np_accumulate_dtype(x))
        count = math.prod(x.shape[a] for a in axes)
        if x.dtype.kind in "iu":
            total = np.asarray(total)
            return (np.sign(total) * (np.abs(total) // count)).astype(x.dtype)
        return total / np.asarray(count, dtype=np.asarray(total).dtype)

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import div

        (x,), (g,) = inputs, grads
        if g is None or not _dtype(x).is_float:
            return [None]
        axes = _np_axes(attrs["axes"], len(x.shape))
        count = math.prod(x.shape[a] for a in axes)
        return [_broadcast_back(div(g, float(count)), x.shape, axes, attrs["keepdims"])]


@tfc_op
class ReduceProdOp(_Reduce):
    """Product over `axes`. `%r = tfc.reduce_prod %x : (tensor<4x8xf32>) -> tensor<f32>`"""

    name = "tfc.reduce_prod"
    combine = staticmethod(lambda s, acc, v: s.mul(acc, v))

    @classmethod
    def init_value(cls, t):
        return 1

    @classmethod
    def reference(cls, attrs, x):
        axes = _np_axes(attrs["axes"], x.ndim)
        return np.prod(x, axis=axes, keepdims=attrs["keepdims"], dtype=_np_accumulate_dtype(x))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        """d prod / d x_i = product of the other elements, computed without dividing by zero:
        with one zero in a row, only that zero's position gets the product of the rest."""
        from tfc.ops.api import cast, div, equal, mul, reduce_prod, reduce_sum, where

        (x,), (y,), (g,) = inputs, outputs, grads
        if g is None or not _dtype(x).is_float:
            return [None]
        axes = _np_axes(attrs["axes"], len(x.shape))
        keep = attrs["keepdims"]
        dt = _dtype(x).name
        is_zero = equal(x, 0.0)
        zeros = _broadcast_back(reduce_sum(cast(is_zero, dt), axis=list(axes), keepdims=keep),
                                x.shape, axes, keep)
        prod_nonzero = _broadcast_back(
            reduce_prod(where(is_zero, 1.0, x), axis=list(axes), keepdims=keep), x.shape, axes, keep)
        others = where(is_zero,
                       where(equal(zeros, 1.0), prod_nonzero, 0.0),
                       div(_broadcast_back(y, x.shape, axes, keep), where(is_zero, 1.0, x)))
        return [mul(_broadcast_back(g, x.shape, axes, keep), others)]


def _min_max_vjp(attrs, inputs, outputs, grads):
    """The gradient goes to the elements equal to the extremum, split equally among ties (TF)."""
    from tfc.ops.api import cast, div, equal, mul, reduce_sum

    (x,), (y,), (g,) = inputs, outputs, grads
    if g is None or not _dtype(x).is_float:
        return [None]
    axes = _np_axes(attrs["axes"], len(x.shape))
    keep = attrs["keepdims"]
    hits = cast(equal(x, _broadcast_back(y, x.shape, axes, keep)), _dtype(x).name)
    count = reduce_sum(hits, axis=list(axes), keepdims=True)
    share = div(hits, count)
    return [mul(share, _broadcast_back(g, x.shape, axes, keep))]


@tfc_op
class ReduceMaxOp(_Reduce):
    """Maximum over `axes` (NaN propagates). `%r = tfc.reduce_max %x {axes = array<i64: 0>} : (tensor<4x8xf32>) -> tensor<8xf32>`"""

    name = "tfc.reduce_max"
    accumulates = False
    combine = staticmethod(lambda s, acc, v: s.max(acc, v))
    vjp = staticmethod(_min_max_vjp)

    @classmethod
    def init_value(cls, t):
        d = dtypes.from_ir(t)
        return -math.inf if d.is_float else int(np.iinfo(d.numpy).min)

    @classmethod
    def reference(cls, attrs, x):
        return np.max(_compute_array(x), axis=_np_axes(attrs["axes"], x.ndim), keepdims=attrs["keepdims"])


@tfc_op
class ReduceMinOp(_Reduce):
    """Minimum over `axes` (NaN propagates). `%r = tfc.reduce_min %x : (tensor<4x8xi32>) -> tensor<i32>`"""

    name = "tfc.reduce_min"
    accumulates = False
    combine = staticmethod(lambda s, acc, v: s.min(acc, v))
    vjp = staticmethod(_min_max_vjp)

    @classmethod
    def init_value(cls, t):
        d = dtypes.from_ir(t)
        return math.inf if d.is_float else int(np.iinfo(d.numpy).max)

    @classmethod
    def reference(cls, attrs, x):
        return np.min(_compute_array(x), axis=_np_axes(attrs["axes"], x.ndim), keepdims=attrs["keepdims"])


# --- argmax / argmin ------------------------------------------------------------------


class _ArgReduce(TfcOp):
    """Index of the extremum along `axis`: the first one on ties; the first NaN wins (NumPy)."""

    ARITY = 1
    ATTRS = {"axis": AttrSpec("int", 0), "output_type": AttrSpec("dtype", dtypes.i64)}
    NOT_DIFFERENTIABLE = True
    numpy_fn = None
    pred = ""  # "gt" for argmax, "lt" for argmin

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        d = dtype_of(t)
        if d.is_bool:
            raise ShapeError(f"{cls.name}: expects a numeric dtype, got {type_str(t)}")
        out = dtypes.from_any(attrs["output_type"])
        if out not in (dtypes.i32, dtypes.i64):
            raise ShapeError(f"{cls.name}: output_type must be i32 or i64, got {out.name}")
        if not shape_of(t):
            raise ShapeError(f"{cls.name}: expects a tensor of rank >= 1, got {type_str(t)}")
        (axis,) = _reduced_axes(cls.name, t, [attrs["axis"]])
        return [tensor_type(_reduced_shape(shape_of(t), (axis,), False), out)]

    @classmethod
    def reference(cls, attrs, x):
        return cls.numpy_fn(_compute_array(x), axis=attrs["axis"] % x.ndim)

    @classmethod
    def init_value(cls, d: dtypes.DType):
        sign = -1 if cls.pred == "gt" else 1
        if d.is_float:
            return sign * math.inf
        info = np.iinfo(d.numpy)
        return int(info.min if sign < 0 else info.max)

    def lower(self, b):
        """One generic with two outputs, (extremum so far, its index); the index is the result."""
        (x,) = self.inputs
        out_t = self.outputs[0].type
        shape = x.type.get_shape()
        rank = len(shape)
        (axis,) = _reduced_axes(self.name, x.type, [self.py_attrs()["axis"]])
        d = dtypes.from_ir(x.type.element_type)
        values = b.fill(TensorType(x.type.element_type, out_t.get_shape()), self.init_value(d))
        indices = b.fill(out_t, 0)
        out_map = AffineMap(rank, 0, tuple(AffineExpr.dimension(i) for i in range(rank) if i != axis))
        iters = [REDUCTION if i == axis else PARALLEL for i in range(rank)]
        pred = self.pred

        def body(s, v, best, best_i):
            i = s.cast(s.index(axis), best_i.type)
            take = s.cmp(pred, v, best)
            if s.is_float(v):  # a NaN replaces a non-NaN best; later NaNs do not
                v_nan = s._ins(arith.CmpfOp(v, v, "uno"))
                best_ok = s._ins(arith.CmpfOp(best, best, "ord"))
                take = s.or_(take, s.and_(v_nan, best_ok))
            return [s.select(take, v, best), s.select(take, i, best_i)]

        maps = [AffineMap.identity(rank), out_map, out_map]
        return [b.generic([x], [values, indices], maps, iters, body)[1]]


@tfc_op
class ArgMaxOp(_ArgReduce):
    """Index of the maximum along `axis`.
    `%r = tfc.argmax %x {axis = 1 : i64} : (tensor<4x8xf32>) -> tensor<4xi64>`"""

    name = "tfc.argmax"
    numpy_fn = staticmethod(np.argmax)
    pred = "gt"


@tfc_op
class ArgMinOp(_ArgReduce):
    """Index of the minimum along `axis`.
    `%r = tfc.argmin %x {output_type = i32} : (tensor<4x8xf32>) -> tensor<8xi32>`"""

    name = "tfc.argmin"
    numpy_fn = staticmethod(np.argmin)
    pred = "lt"


# --- softmax / log_softmax ---------------------------------------------------------------


def _softmax_axis(op: str, t: TensorType, axis: int) -> int:
    shape = shape_of(t)
    if not shape:
        raise ShapeError(f"{op}: expects a tensor of rank >= 1, got {type_str(t)}")
    (a,) = _reduced_axes(op, t, [axis])
    return a


def _to_compute(x):
    """Half-precision inputs of a composite are computed in f32 (Keras does the same)."""
    from tfc.ops.api import cast

    return cast(x, "f32") if _dtype(x).is_half else x


def _from_compute(y, like):
    from tfc.ops.api import cast

    return cast(y, _dtype(like).name) if _dtype(like).is_half else y


def _shifted_logits(x, axis: int):
    """(x - max(x), log(sum(exp(x - max(x))))) along `axis`, both with the axis kept."""
    from tfc.ops.api import exp, log, sub

    z = sub(x, reduce_max(x, axis, keepdims=True))
    return z, log(reduce_sum(exp(z), axis, keepdims=True))


class _SoftmaxBase(TfcOp):
    ARITY = 1
    ATTRS = {"axis": AttrSpec("int", -1)}

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        _float_only(cls.name, t)
        _softmax_axis(cls.name, t, attrs["axis"])
        return [t]


@tfc_op
class SoftmaxOp(_SoftmaxBase):
    """exp(x) / sum(exp(x)) along `axis`. `%r = tfc.softmax %x : (tensor<4x8xf32>) -> tensor<4x8xf32>`"""

    name = "tfc.softmax"

    @classmethod
    def reference(cls, attrs, x):
        x = _compute_array(x)
        e = np.exp(x - np.max(x, axis=attrs["axis"], keepdims=True))
        return e / np.sum(e, axis=attrs["axis"], keepdims=True)

    @staticmethod
    def decompose(attrs, x):
        from tfc.ops.api import div, exp, mul, sub

        xc = _to_compute(x)
        e = exp(sub(xc, reduce_max(xc, attrs["axis"], keepdims=True)))
        # One division per row and a multiply per element, as torch's and XLA's
        # CPU softmax do (W2 on one thread: 3.65-3.76 ms instead of 3.77-4.05, best of
        # 40 calls); the result differs from e / sum by <= 1 ulp.
        inv = div(1.0, reduce_sum(e, attrs["axis"], keepdims=True))
        return _from_compute(mul(e, inv), x)

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import mul, sub

        (y,), (g,) = outputs, grads
        if g is None:
            return [None]
        return [mul(y, sub(g, reduce_sum(mul(g, y), attrs["axis"], keepdims=True)))]


@tfc_op
class LogSoftmaxOp(_SoftmaxBase):
    """x - log(sum(exp(x))) along `axis`. `%r = tfc.log_softmax %x {axis = 0 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>`"""

    name = "tfc.log_softmax"

    @classmethod
    def reference(cls, attrs, x):
        x = _compute_array(x)
        z = x - np.max(x, axis=attrs["axis"], keepdims=True)
        return z - np.log(np.sum(np.exp(z), axis=attrs["axis"], keepdims=True))

    @staticmethod
    def decompose(attrs, x):
        from tfc.ops.api import sub

        z, lse = _shifted_logits(_to_compute(x), attrs["axis"])
        return _from_compute(sub(z, lse), x)

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import exp, mul, sub

        (y,), (g,) = outputs, grads
        if g is None:
            return [None]
        return [sub(g, mul(exp(y), reduce_sum(g, attrs["axis"], keepdims=True)))]


# --- layer normalization ------------------------------------------------------------------


def _layer_norm_axes(op: str, x: TensorType, axis) -> tuple[int, ...]:
    rank = len(shape_of(x))
    if not axis:
        raise ShapeError(f"{op}: needs at least one axis to normalize over")
    axes = normalize_axes(op, axis, rank, x) if rank else ()
    if not axes or axes != tuple(range(rank - len(axes), rank)):
        raise ShapeError(f"{op}: axis {list(axis)} must be the trailing axes of {type_str(x)}")
    return axes


@tfc_op
class LayerNormOp(TfcOp):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta over the trailing `axis` (Keras LayerNormalization).
    `%r = tfc.layer_norm %x, %g, %b : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>`"""

    name = "tfc.layer_norm"
    ARITY = 3
    ATTRS = {"axis": AttrSpec("ints", (-1,)), "epsilon": AttrSpec("float", 1e-3)}

    @classmethod
    def infer(cls, in_types, attrs):
        x, gamma, beta = in_types
        _float_only(cls.name, x, gamma, beta)
        axes = _layer_norm_axes(cls.name, x, attrs["axis"])
        norm = shape_of(x)[axes[0]:]
        if 0 in norm:
            # The statistics of an empty axis do not exist; reject it as reduce_mean does,
            # so eager mode and compiled code agree.
            raise ShapeError(f"{cls.name}: cannot normalize over a zero-size axis of {type_str(x)}")
        if shape_of(gamma) != norm or shape_of(beta) != norm:
            raise ShapeError(
                f"{cls.name}: gamma and beta must have the normalized shape "
                f"{'x'.join(map(str, norm))}: x {type_str(x)}, gamma {type_str(gamma)}, "
                f"beta {type_str(beta)}")
        return [x]

    @classmethod
    def reference(cls, attrs, x, gamma, beta):
        x, gamma, beta = (_compute_array(a) for a in (x, gamma, beta))
        axes = _np_axes(attrs["axis"], x.ndim)
        mean = np.mean(x, axis=axes, keepdims=True)
        var = np.mean(np.square(x - mean), axis=axes, keepdims=True)
        return (x - mean) / np.sqrt(var + attrs["epsilon"]) * gamma + beta

    @staticmethod
    def _normalized(x, axes, epsilon):
        """(x_hat, 1/sqrt(var + epsilon)) with the statistics over `axes`, kept."""
        from tfc.ops.api import add, mul, rsqrt, sub

        xc = sub(x, reduce_mean(x, axes, keepdims=True))
        inv = rsqrt(add(reduce_mean(mul(xc, xc), axes, keepdims=True), epsilon))
        return mul(xc, inv), inv

    @staticmethod
    def decompose(attrs, x, gamma, beta):
        from tfc.ops.api import add, mul

        axes = list(_np_axes(attrs["axis"], len(x.shape)))
        xhat, _ = LayerNormOp._normalized(_to_compute(x), axes, attrs["epsilon"])
        y = add(mul(xhat, _to_compute(gamma)), _to_compute(beta))
        return _from_compute(y, x)

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import mul, sub

        (x, gamma, _beta), (g,) = inputs, grads
        if g is None:
            return [None, None, None]
        axes = list(_np_axes(attrs["axis"], len(x.shape)))
        lead = [a for a in range(len(x.shape)) if a not in axes]
        xhat, inv = LayerNormOp._normalized(x, axes, attrs["epsilon"])
        d_gamma = mul(g, xhat)
        d_beta = g
        if lead:
            d_gamma = reduce_sum(d_gamma, lead)
            d_beta = reduce_sum(d_beta, lead)
        d_xhat = mul(g, gamma)
        d_x = mul(inv, sub(sub(d_xhat, reduce_mean(d_xhat, axes, keepdims=True)),
                           mul(xhat, reduce_mean(mul(d_xhat, xhat), axes, keepdims=True))))
        return [d_x, d_gamma, d_beta]


# --- cross entropy -------------------------------------------------------------------------


@tfc_op
class SoftmaxCrossEntropyWithLogitsOp(TfcOp):
    """-sum(labels * log_softmax(logits)) along `axis`: one loss per row (tf.nn semantics).
    `%r = tfc.softmax_cross_entropy_with_logits %labels, %logits : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4xf32>`"""

    name = "tfc.softmax_cross_entropy_with_logits"
    ARITY = 2
    ATTRS = {"axis": AttrSpec("int", -1)}

    @classmethod
    def infer(cls, in_types, attrs):
        labels, logits = in_types
        d = _float_only(cls.name, labels, logits)
        if shape_of(labels) != shape_of(logits):
            raise ShapeError(f"{cls.name}: labels and logits must have the same shape: "
                             f"labels {type_str(labels)}, logits {type_str(logits)}")
        axis = _softmax_axis(cls.name, logits, attrs["axis"])
        return [tensor_type(_reduced_shape(shape_of(logits), (axis,), False), d)]

    @classmethod
    def reference(cls, attrs, labels, logits):
        labels, logits = _compute_array(labels), _compute_array(logits)
        axis = attrs["axis"]
        z = logits - np.max(logits, axis=axis, keepdims=True)
        lse = np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
        return np.sum(labels * (lse - z), axis=axis)

    @staticmethod
    def decompose(attrs, labels, logits):
        from tfc.ops.api import mul, neg, sub

        axis = attrs["axis"]
        z, lse = _shifted_logits(_to_compute(logits), axis)
        loss = neg(reduce_sum(mul(_to_compute(labels), sub(z, lse)), axis))
        return _from_compute(loss, logits)

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        """TF's fused rule: d/dlogits = (softmax(logits) - labels) * g (exact when each
        row of labels sums to 1), d/dlabels = -log_softmax(logits) * g."""
        from tfc.ops.api import mul, neg, reshape, sub

        (labels, logits), (g,) = inputs, grads
        if g is None:
            return [None, None]
        axis = attrs["axis"] % len(logits.shape)
        g = reshape(g, _keepdims_shape(logits.shape, (axis,)))
        d_logits = mul(sub(softmax(logits, axis), labels), g)
        d_labels = mul(neg(log_softmax(logits, axis)), g)
        return [d_labels, d_logits]


@tfc_op
class SparseSoftmaxCrossEntropyWithLogitsOp(TfcOp):
    """-log_softmax(logits)[label] per row; integer labels index the last axis.
    A label outside [0, classes) gives a NaN loss (TF raises on CPU, gives NaN on GPU).
    `%r = tfc.sparse_softmax_cross_entropy_with_logits %labels, %logits : (tensor<4xi32>, tensor<4x8xf32>) -> tensor<4xf32>`"""

    name = "tfc.sparse_softmax_cross_entropy_with_logits"
    ARITY = 2

    @classmethod
    def infer(cls, in_types, attrs):
        labels, logits = in_types
        d = dtype_of(logits)
        if not d.is_float:
            raise ShapeError(f"{cls.name}: logits must have a float dtype, got {type_str(logits)}")
        if dtype_of(labels) not in (dtypes.i32, dtypes.i64):
            raise ShapeError(f"{cls.name}: labels must be i32 or i64, got {type_str(labels)}")
        if not shape_of(logits) or shape_of(labels) != shape_of(logits)[:-1]:
            raise ShapeError(f"{cls.name}: labels must have the shape of logits without its last "
                             f"axis: labels {type_str(labels)}, logits {type_str(logits)}")
        if shape_of(logits)[-1] == 0:
            raise ShapeError(f"{cls.name}: logits have no classes: {type_str(logits)}")
        return [tensor_type(shape_of(labels), d)]

    @classmethod
    def reference(cls, attrs, labels, logits):
        logits = _compute_array(logits)
        classes = logits.shape[-1]
        z = logits - np.max(logits, axis=-1, keepdims=True)
        lse = np.log(np.sum(np.exp(z), axis=-1))
        valid = (labels >= 0) & (labels < classes)
        picked = np.take_along_axis(z, np.where(valid, labels, 0)[..., None].astype(np.int64), -1)[..., 0]
        return np.where(valid, lse - picked, np.nan)

    @staticmethod
    def decompose(attrs, labels, logits):
        from tfc.ops.api import equal, mul, neg, one_hot, sub, where

        x = _to_compute(logits)
        hot = one_hot(labels, x.shape[-1], dtype=_dtype(x).name)
        z, lse = _shifted_logits(x, -1)
        loss = neg(reduce_sum(mul(hot, sub(z, lse)), -1))
        valid = equal(reduce_sum(hot, -1), 1.0)  # an out-of-range label has an all-zero row
        return _from_compute(where(valid, loss, math.nan), logits)

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        """TF's fused rule: d/dlogits = (softmax(logits) - one_hot(labels)) * g."""
        from tfc.ops.api import mul, one_hot, reshape, sub

        (labels, logits), (g,) = inputs, grads
        if g is None:
            return [None, None]
        hot = one_hot(labels, logits.shape[-1], dtype=_dtype(logits).name)
        g = reshape(g, [*g.shape, 1])
        return [None, mul(sub(softmax(logits), hot), g)]


OPS = [ReduceSumOp, ReduceMeanOp, ReduceProdOp, ReduceMaxOp, ReduceMinOp, ArgMaxOp, ArgMinOp,
       SoftmaxOp, LogSoftmaxOp, LayerNormOp, SoftmaxCrossEntropyWithLogitsOp,
       SparseSoftmaxCrossEntropyWithLogitsOp]


# --- op functions ------------------------------------------------------------------------


def reduce_sum(x, axis=None, keepdims=False):
    """Sum of `x` over `axis` (an int, a list of ints, or None for all axes)."""
    return apply(ReduceSumOp, [x], {"axes": _axis_list(axis), "keepdims": keepdims})


def reduce_mean(x, axis=None, keepdims=False):
    """Mean of `x` over `axis` (integer inputs: truncating division, as TF)."""
    return apply(ReduceMeanOp, [x], {"axes": _axis_list(axis), "keepdims": keepdims})


def reduce_max(x, axis=None, keepdims=False):
    return apply(ReduceMaxOp, [x], {"axes": _axis_list(axis), "keepdims": keepdims})


def reduce_min(x, axis=None, keepdims=False):
    return apply(ReduceMinOp, [x], {"axes": _axis_list(axis), "keepdims": keepdims})


def reduce_prod(x, axis=None, keepdims=False):
    return apply(ReduceProdOp, [x], {"axes": _axis_list(axis), "keepdims": keepdims})


def argmax(input, axis=None, output_type="i64"):
    """Index of the largest value along `axis` (None means 0, as tf.math.argmax)."""
    return apply(ArgMaxOp, [input], {"axis": 0 if axis is None else int(axis),
                                     "output_type": dtypes.from_any(output_type)})


def argmin(input, axis=None, output_type="i64"):
    """Index of the smallest value along `axis` (None means 0, as tf.math.argmin)."""
    return apply(ArgMinOp, [input], {"axis": 0 if axis is None else int(axis),
                                     "output_type": dtypes.from_any(output_type)})


def softmax(logits, axis=-1):
    return apply(SoftmaxOp, [logits], {"axis": int(axis)})


def log_softmax(logits, axis=-1):
    return apply(LogSoftmaxOp, [logits], {"axis": int(axis)})


def layer_norm(x, gamma, beta, axis=-1, epsilon=1e-3):
    """Layer normalization over the trailing `axis` (an int or a list of trailing axes)."""
    return apply(LayerNormOp, [x, gamma, beta], {"axis": _axis_list(axis), "epsilon": float(epsilon)})


def softmax_cross_entropy_with_logits(labels, logits, axis=-1):
    """Per-row cross entropy between `labels` (probabilities) and softmax(`logits`)."""
    return apply(SoftmaxCrossEntropyWithLogitsOp, [labels, logits], {"axis": int(axis)})


def sparse_softmax_cross_entropy_with_logits(labels, logits):
    """Per-row cross entropy with integer class `labels` indexing the last axis of `logits`."""
    return apply(SparseSoftmaxCrossEntropyWithLogitsOp, [labels, logits])


__all__ = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "argmax",
           "argmin", "softmax", "log_softmax", "layer_norm", "softmax_cross_entropy_with_logits",
           "sparse_softmax_cross_entropy_with_logits"]
