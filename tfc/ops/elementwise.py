"""Elementwise tfc ops: arithmetic, math functions, comparisons, logic, select, cast.

Binary ops broadcast like NumPy/TF and require equal dtypes (TF does not
promote). Each op is one class: its NumPy reference, its scalar body for
linalg, and its gradient rule. Every op here lowers to a single elementwise
`linalg.generic`; compound functions (sigmoid, gelu, rsqrt) are one scalar
body rather than a chain of tfc ops, so each stays one loop nest before fusion.

Semantics worth knowing:
- `div` is true division for floats and *floor* division for integers (like
  `tf.math.floordiv` / Python `//`); integer division by zero gives 0 (as NumPy).
- `maximum` / `minimum` propagate NaN (like `np.maximum`, `tf.maximum`).
- integer `pow` with a negative exponent is `1 / x**-y` truncated toward zero:
  1 for x == 1, +-1 for x == -1, 0 otherwise (including x == 0).
- `relu` passes NaN through (`x < 0 ? 0 : x`).
- `cast` follows `tf.cast`: float -> int truncates toward zero (out-of-range
  values and NaN are undefined), anything -> i1 is `x != 0`, i1 -> number is 1/0.
- Half types (f16, bf16) compute in f32, in the reference as in the kernels.
"""

from __future__ import annotations

import math as pymath

import numpy as np
from xdsl.dialects import math

from tfc import dtypes
from tfc.errors import ShapeError
from tfc.ops.base import (
    AttrSpec,
    TfcOp,
    broadcast_shapes,
    dtype_of,
    same_dtype,
    shape_of,
    tensor_type,
    tfc_op,
    type_str,
)
from tfc.ops.dispatch import apply
from tfc.ops.lowering import compute_type

_SQRT1_2 = 1.0 / pymath.sqrt(2.0)
_SQRT_2_OVER_PI = pymath.sqrt(2.0 / pymath.pi)
_TWO_OVER_SQRT_PI = 2.0 / pymath.sqrt(pymath.pi)
_INV_SQRT_2PI = 1.0 / pymath.sqrt(2.0 * pymath.pi)
_GELU_C = 0.044715


# --- bases ----------------------------------------------------------------------

class BinaryElementwise(TfcOp):
    ARITY = 2
    numpy_fn = None
    # Which dtypes the op accepts: "any", "float", "int_or_float", "bool".
    accepts = "int_or_float"

    @classmethod
    def infer(cls, in_types, attrs):
        dtype = same_dtype(cls.name, *in_types)
        _check_accepts(cls, dtype, in_types)
        return [tensor_type(broadcast_shapes(cls.name, *in_types), cls.result_dtype(dtype))]

    @classmethod
    def result_dtype(cls, dtype):
        return dtype

    @classmethod
    def reference(cls, attrs, a, b):
        with np.errstate(all="ignore"):
            return cls.numpy_fn(_up(a), _up(b))

    @staticmethod
    def scalar(s, a, b):
        raise NotImplementedError

    def lower(self, b):
        return [b.elementwise(list(self.inputs), self.outputs[0].type, type(self).scalar)]


class UnaryElementwise(TfcOp):
    ARITY = 1
    numpy_fn = None
    accepts = "float"

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        _check_accepts(cls, dtype_of(t), in_types)
        return [tensor_type(shape_of(t), dtype_of(t))]

    @classmethod
    def reference(cls, attrs, a):
        with np.errstate(all="ignore"):
            return cls.numpy_fn(_up(a))

    @staticmethod
    def scalar(s, a):
        raise NotImplementedError

    def lower(self, b):
        return [b.elementwise(list(self.inputs), self.outputs[0].type, type(self).scalar)]


class Comparison(BinaryElementwise):
    """A binary predicate: result i1 of the broadcast shape."""

    accepts = "int_or_float"
    NOT_DIFFERENTIABLE = True
    pred = ""

    @classmethod
    def result_dtype(cls, dtype):
        return dtypes.i1

    def lower(self, b):
        pred = type(self).pred
        return [b.elementwise(list(self.inputs), self.outputs[0].type,
                              lambda s, x, y: s.cmp(pred, x, y))]


def _check_accepts(cls, dtype, in_types):
    ok = {
        "any": True,
        "float": dtype.is_float,
        "int_or_float": not dtype.is_bool,
        "bool": dtype.is_bool,
    }[cls.accepts]
    if not ok:
        want = {"float": "a float", "int_or_float": "a numeric", "bool": "an i1"}[cls.accepts]
        raise ShapeError(
            f"{cls.name}: expects {want} dtype, got {', '.join(type_str(t) for t in in_types)}")


def _up(a: np.ndarray) -> np.ndarray:
    """Half-precision arrays computed in f32, as the kernels do."""
    a = np.asarray(a)
    if a.dtype in (np.float16, dtypes.bf16.numpy):
        return a.astype(np.float32)
    return a


def _is_float(v) -> bool:
    """Whether a value (NumPy array or Symbolic) has a float dtype."""
    return dtypes.from_any(v.dtype).is_float


def _erf(a: np.ndarray) -> np.ndarray:
    try:
        from scipy.special import erf
    except ImportError:  # scipy is optional: math.erf is exact, only slower
        # frompyfunc returns a bare Python float for a rank-0 input: asarray keeps an array.
        return np.asarray(np.frompyfunc(pymath.erf, 1, 1)(a), dtype=np.asarray(a).dtype)
    return erf(a)


def _binary_grads(inputs, grads, rule):
    """Gradients of a broadcasting binary op: `rule(x, y, g) -> (gx, gy)`, unbroadcast.

    Integer ops have no gradient (None, as TF)."""
    from tfc.ops.grad_utils import unbroadcast

    x, y = inputs
    (g,) = grads
    if g is None or not _is_float(x):
        return [None, None]
    gx, gy = rule(x, y, g)
    return [None if gx is None else unbroadcast(gx, x.shape),
            None if gy is None else unbroadcast(gy, y.shape)]


def _unary_grad(inputs, grads, rule):
    (x,), (g,) = inputs, grads
    if g is None or not _is_float(x):
        return [None]
    return [rule(x, g)]


# --- binary arithmetic --------------------------------------------------------

@tfc_op
class AddOp(BinaryElementwise):
    """x + y with broadcasting. `%r = tfc.add %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>`"""

    name = "tfc.add"
    numpy_fn = staticmethod(np.add)
    scalar = staticmethod(lambda s, a, b: s.add(a, b))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        return _binary_grads(inputs, grads, lambda x, y, g: (g, g))


@tfc_op
class SubOp(BinaryElementwise):
    """x - y with broadcasting. `%r = tfc.sub %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>`"""

    name = "tfc.sub"
    numpy_fn = staticmethod(np.subtract)
    scalar = staticmethod(lambda s, a, b: s.sub(a, b))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import neg

        return _binary_grads(inputs, grads, lambda x, y, g: (g, neg(g)))


@tfc_op
class MulOp(BinaryElementwise):
    """x * y with broadcasting. `%r = tfc.mul %x, %y : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>`"""

    name = "tfc.mul"
    numpy_fn = staticmethod(np.multiply)
    scalar = staticmethod(lambda s, a, b: s.mul(a, b))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import mul

        return _binary_grads(inputs, grads, lambda x, y, g: (mul(g, y), mul(g, x)))


def _div_ref(a, b):
    if a.dtype.kind == "f":
        return np.true_divide(a, b)
    return np.floor_divide(a, b)  # x // 0 is 0 in NumPy, and in our kernels


def _div_scalar(s, a, b):
    if s.is_float(a):
        return s.div(a, b)
    # Guard the divisor: integer division by zero traps in C; the result is 0.
    zero = s.const(0, a.type)
    is_zero = s.cmp("eq", b, zero)
    q = s.div(a, s.select(is_zero, s.const(1, a.type), b))
    return s.select(is_zero, zero, q)


@tfc_op
class DivOp(BinaryElementwise):
    """x / y: true division for floats, floor division for integers (tf.math.floordiv).

    `%r = tfc.div %x, %y : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>`
    """

    name = "tfc.div"
    numpy_fn = staticmethod(_div_ref)
    scalar = staticmethod(_div_scalar)

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import div, mul, neg

        out = outputs[0]
        return _binary_grads(inputs, grads,
                             lambda x, y, g: (div(g, y), neg(div(mul(g, out), y))))


def _minmax_vjp(inputs, grads, mask_fn):
    """TF's split: the gradient goes to x where mask(x, y) holds (ties included), else to y."""
    from tfc.ops.api import where

    def rule(x, y, g):
        mask = mask_fn(x, y)
        return where(mask, g, 0), where(mask, 0, g)

    return _binary_grads(inputs, grads, rule)


@tfc_op
class MaximumOp(BinaryElementwise):
    """max(x, y), NaN-propagating. `%r = tfc.maximum %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>`"""

    name = "tfc.maximum"
    numpy_fn = staticmethod(np.maximum)
    scalar = staticmethod(lambda s, a, b: s.max(a, b))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import greater_equal

        return _minmax_vjp(inputs, grads, greater_equal)


@tfc_op
class MinimumOp(BinaryElementwise):
    """min(x, y), NaN-propagating. `%r = tfc.minimum %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>`"""

    name = "tfc.minimum"
    numpy_fn = staticmethod(np.minimum)
    scalar = staticmethod(lambda s, a, b: s.min(a, b))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import less_equal

        return _minmax_vjp(inputs, grads, less_equal)


def _pow_ref(a, b):
    if a.dtype.kind == "f":
        return np.power(a, b)
    a, b = np.broadcast_arrays(a, b)
    pos = np.power(a, np.maximum(b, 0))
    neg = np.where(a == 1, 1, np.where(a == -1, np.where(b % 2 == 0, 1, -1), 0))
    return np.where(b < 0, neg, pos).astype(a.dtype)


def _pow_scalar(s, a, b):
    if s.is_float(a):
        return s.pow(a, b)
    t = a.type
    zero, one, minus_one = s.const(0, t), s.const(1, t), s.const(-1, t)
    p = s.pow(a, s.max(b, zero))
    odd = s.cmp("ne", s.and_(b, one), zero)
    neg = s.select(s.cmp("eq", a, one), one,
                   s.select(s.cmp("eq", a, minus_one), s.select(odd, minus_one, one), zero))
    return s.select(s.cmp("lt", b, zero), neg, p)


@tfc_op
class PowOp(BinaryElementwise):
    """x ** y with broadcasting. `%r = tfc.pow %x, %y : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>`"""

    name = "tfc.pow"
    numpy_fn = staticmethod(_pow_ref)
    scalar = staticmethod(_pow_scalar)

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import greater, log, mul, pow, sub, where

        out = outputs[0]

        def rule(x, y, g):
            gx = mul(mul(g, y), pow(x, sub(y, 1.0)))
            # As TF: log(x) is taken as 0 where x <= 0 (there the derivative in y is undefined).
            positive = greater(x, 0.0)
            safe_x = where(positive, x, 1.0)
            gy = mul(mul(g, out), where(positive, log(safe_x), 0.0))
            return gx, gy

        return _binary_grads(inputs, grads, rule)


# --- unary math -----------------------------------------------------------------

@tfc_op
class NegOp(UnaryElementwise):
    """-x. `%r = tfc.neg %x : (tensor<4xi32>) -> tensor<4xi32>`"""

    name = "tfc.neg"
    accepts = "int_or_float"
    numpy_fn = staticmethod(np.negative)
    scalar = staticmethod(lambda s, a: s.neg(a))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import neg

        return _unary_grad(inputs, grads, lambda x, g: neg(g))


@tfc_op
class AbsOp(UnaryElementwise):
    """|x|. `%r = tfc.abs %x : (tensor<4xf32>) -> tensor<4xf32>`"""

    name = "tfc.abs"
    accepts = "int_or_float"
    numpy_fn = staticmethod(np.abs)
    scalar = staticmethod(lambda s, a: s.abs(a))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import greater, less, neg, where

        # g * sign(x): 0 at x == 0, as TF.
        return _unary_grad(inputs, grads,
                           lambda x, g: where(greater(x, 0.0), g, where(less(x, 0.0), neg(g), 0.0)))


@tfc_op
class ExpOp(UnaryElementwise):
    """e**x, elementwise. `%r = tfc.exp %x : (tensor<8xf32>) -> tensor<8xf32>`"""

    name = "tfc.exp"
    numpy_fn = staticmethod(np.exp)
    scalar = staticmethod(lambda s, a: s.unary(math.ExpOp, a))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import mul

        return _unary_grad(inputs, grads, lambda x, g: mul(g, outputs[0]))


@tfc_op
class LogOp(UnaryElementwise):
    """Natural logarithm. `%r = tfc.log %x : (tensor<8xf32>) -> tensor<8xf32>`"""

    name = "tfc.log"
    numpy_fn = staticmethod(np.log)
    scalar = staticmethod(lambda s, a: s.unary(math.LogOp, a))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import div

        return _unary_grad(inputs, grads, lambda x, g: div(g, x))


@tfc_op
class SqrtOp(UnaryElementwise):
    """Square root. `%r = tfc.sqrt %x : (tensor<8xf32>) -> tensor<8xf32>`"""

    name = "tfc.sqrt"
    numpy_fn = staticmethod(np.sqrt)
    scalar = staticmethod(lambda s, a: s.unary(math.SqrtOp, a))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import div, mul

        return _unary_grad(inputs, grads, lambda x, g: div(mul(g, 0.5), outputs[0]))


@tfc_op
class RsqrtOp(UnaryElementwise):
    """1 / sqrt(x). `%r = tfc.rsqrt %x : (tensor<8xf32>) -> tensor<8xf32>`"""

    name = "tfc.rsqrt"
    numpy_fn = staticmethod(lambda a: 1.0 / np.sqrt(a))
    # 1/sqrt rather than math.rsqrt: every backend has sqrt and division.
    scalar = staticmethod(lambda s, a: s.div(s.const(1.0, a.type), s.unary(math.SqrtOp, a)))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import mul

        y = outputs[0]
        # d/dx x**-0.5 = -0.5 * y**3
        return _unary_grad(inputs, grads, lambda x, g: mul(mul(g, -0.5), mul(y, mul(y, y))))


@tfc_op
class SquareOp(UnaryElementwise):
    """x * x. `%r = tfc.square %x : (tensor<8xi64>) -> tensor<8xi64>`"""

    name = "tfc.square"
    accepts = "int_or_float"
    numpy_fn = staticmethod(np.square)
    scalar = staticmethod(lambda s, a: s.mul(a, a))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import mul

        return _unary_grad(inputs, grads, lambda x, g: mul(g, mul(x, 2.0)))


@tfc_op
class TanhOp(UnaryElementwise):
    """Hyperbolic tangent. `%r = tfc.tanh %x : (tensor<8xf32>) -> tensor<8xf32>`"""

    name = "tfc.tanh"
    numpy_fn = staticmethod(np.tanh)
    scalar = staticmethod(lambda s, a: s.unary(math.TanhOp, a))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import mul, sub

        y = outputs[0]
        return _unary_grad(inputs, grads, lambda x, g: mul(g, sub(1.0, mul(y, y))))


def _sigmoid_ref(a):
    # exp of -|x| never overflows: 1/(1+e) for x >= 0, e/(1+e) for x < 0.
    e = np.exp(-np.abs(a))
    t = 1.0 / (1.0 + e)
    return np.where(a >= 0, t, e * t)


def _sigmoid_scalar(s, a):
    one = s.const(1.0, a.type)
    e = s.unary(math.ExpOp, s.neg(s.abs(a)))
    t = s.div(one, s.add(one, e))
    return s.select(s.cmp("ge", a, s.const(0.0, a.type)), t, s.mul(e, t))


@tfc_op
class SigmoidOp(UnaryElementwise):
    """1 / (1 + exp(-x)), stable for large |x|. `%r = tfc.sigmoid %x : (tensor<8xf32>) -> tensor<8xf32>`"""

    name = "tfc.sigmoid"
    numpy_fn = staticmethod(_sigmoid_ref)
    scalar = staticmethod(_sigmoid_scalar)

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import mul, sub

        y = outputs[0]
        return _unary_grad(inputs, grads, lambda x, g: mul(g, mul(y, sub(1.0, y))))


def _relu_scalar(s, a):
    zero = s.const(0, a.type)
    return s.select(s.cmp("lt", a, zero), zero, a)  # NaN < 0 is false: NaN passes through


@tfc_op
class ReluOp(UnaryElementwise):
    """max(x, 0) (NaN passes through). `%r = tfc.relu %x : (tensor<8xf32>) -> tensor<8xf32>`"""

    name = "tfc.relu"
    accepts = "int_or_float"
    numpy_fn = staticmethod(lambda a: np.where(a < 0, np.zeros((), a.dtype), a))
    scalar = staticmethod(_relu_scalar)

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import greater, where

        # 0 at x == 0, as TF.
        return _unary_grad(inputs, grads, lambda x, g: where(greater(x, 0.0), g, 0.0))


@tfc_op
class ErfOp(UnaryElementwise):
    """The error function. `%r = tfc.erf %x : (tensor<8xf32>) -> tensor<8xf32>`"""

    name = "tfc.erf"
    numpy_fn = staticmethod(_erf)
    scalar = staticmethod(lambda s, a: s.unary(math.ErfOp, a))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import exp, mul, neg

        return _unary_grad(inputs, grads,
                           lambda x, g: mul(g, mul(exp(neg(mul(x, x))), _TWO_OVER_SQRT_PI)))


@tfc_op
class SinOp(UnaryElementwise):
    """Sine. `%r = tfc.sin %x : (tensor<8xf32>) -> tensor<8xf32>`"""

    name = "tfc.sin"
    numpy_fn = staticmethod(np.sin)
    scalar = staticmethod(lambda s, a: s.unary(math.SinOp, a))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import cos, mul

        return _unary_grad(inputs, grads, lambda x, g: mul(g, cos(x)))


@tfc_op
class CosOp(UnaryElementwise):
    """Cosine. `%r = tfc.cos %x : (tensor<8xf32>) -> tensor<8xf32>`"""

    name = "tfc.cos"
    numpy_fn = staticmethod(np.cos)
    scalar = staticmethod(lambda s, a: s.unary(math.CosOp, a))

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import mul, neg, sin

        return _unary_grad(inputs, grads, lambda x, g: mul(neg(g), sin(x)))


def _gelu_ref(a, approximate):
    if approximate:
        return 0.5 * a * (1.0 + np.tanh(_SQRT_2_OVER_PI * (a + _GELU_C * a * a * a)))
    return 0.5 * a * (1.0 + _erf(a * _SQRT1_2))


def _gelu_scalar(s, a, approximate):
    def c(v):
        return s.const(v, a.type)

    if approximate:
        # 0.5 (1 + tanh(z)) = 1 / (1 + exp(-2z)): gelu = a / (1 + exp(-2z)) with
        # -2z = a (C0 + C1 a^2). Half the operations of the tanh form (one exp and
        # one division instead of tanh's polynomial, exp, division and selects: W1
        # is compute-bound on them), and more accurate for negative a, where
        # 1 + tanh(z) cancels. Limits: +inf -> inf, -inf -> NaN (as the reference's
        # -inf * 0), a < -10.9 -> -0 (exp overflows), NaN -> NaN.
        k = -2.0 * _SQRT_2_OVER_PI
        m = s.mul(a, s.add(c(k), s.mul(c(k * _GELU_C), s.mul(a, a))))
        return s.div(a, s.add(c(1.0), s.unary(math.ExpOp, m)))
    else:
        phi = s.add(c(1.0), s.unary(math.ErfOp, s.mul(a, c(_SQRT1_2))))
    return s.mul(s.mul(c(0.5), a), phi)


def _gelu_grad(x, g, approximate):
    from tfc.ops.api import add, erf, exp, mul, sub, tanh

    if approximate:
        x2 = mul(x, x)
        t = tanh(mul(add(x, mul(mul(x2, x), _GELU_C)), _SQRT_2_OVER_PI))
        dinner = mul(add(mul(x2, 3.0 * _GELU_C), 1.0), _SQRT_2_OVER_PI)
        d = add(mul(add(t, 1.0), 0.5), mul(mul(mul(x, 0.5), sub(1.0, mul(t, t))), dinner))
    else:
        cdf = mul(add(erf(mul(x, _SQRT1_2)), 1.0), 0.5)
        pdf = mul(exp(mul(mul(x, x), -0.5)), _INV_SQRT_2PI)
        d = add(cdf, mul(x, pdf))
    return mul(g, d)


@tfc_op
class GeluOp(UnaryElementwise):
    """Gaussian error linear unit, as tf.nn.gelu: x * Phi(x) (erf form), or its tanh
    approximation with `approximate = true`.

    `%r = tfc.gelu %x {approximate = true} : (tensor<8xf32>) -> tensor<8xf32>`
    """

    name = "tfc.gelu"
    ATTRS = {"approximate": AttrSpec("bool", False)}

    @classmethod
    def reference(cls, attrs, a):
        with np.errstate(all="ignore"):
            return _gelu_ref(_up(a), attrs["approximate"])

    def lower(self, b):
        approximate = self.py_attrs()["approximate"]
        return [b.elementwise(list(self.inputs), self.outputs[0].type,
                              lambda s, a: _gelu_scalar(s, a, approximate))]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        return _unary_grad(inputs, grads, lambda x, g: _gelu_grad(x, g, attrs["approximate"]))


# --- comparisons ------------------------------------------------------------------

@tfc_op
class EqualOp(Comparison):
    """x == y -> i1 (any dtype). `%r = tfc.equal %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>`"""

    name = "tfc.equal"
    accepts = "any"
    pred = "eq"
    numpy_fn = staticmethod(np.equal)


@tfc_op
class NotEqualOp(Comparison):
    """x != y -> i1 (any dtype; NaN != NaN). `%r = tfc.not_equal %x, %y : (tensor<4xi1>, tensor<i1>) -> tensor<4xi1>`"""

    name = "tfc.not_equal"
    accepts = "any"
    pred = "ne"
    numpy_fn = staticmethod(np.not_equal)


@tfc_op
class LessOp(Comparison):
    """x < y -> i1. `%r = tfc.less %x, %y : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>`"""

    name = "tfc.less"
    pred = "lt"
    numpy_fn = staticmethod(np.less)


@tfc_op
class LessEqualOp(Comparison):
    """x <= y -> i1. `%r = tfc.less_equal %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>`"""

    name = "tfc.less_equal"
    pred = "le"
    numpy_fn = staticmethod(np.less_equal)


@tfc_op
class GreaterOp(Comparison):
    """x > y -> i1. `%r = tfc.greater %x, %y : (tensor<4xf32>, tensor<f32>) -> tensor<4xi1>`"""

    name = "tfc.greater"
    pred = "gt"
    numpy_fn = staticmethod(np.greater)


@tfc_op
class GreaterEqualOp(Comparison):
    """x >= y -> i1. `%r = tfc.greater_equal %x, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>`"""

    name = "tfc.greater_equal"
    pred = "ge"
    numpy_fn = staticmethod(np.greater_equal)


# --- logic ------------------------------------------------------------------------

@tfc_op
class LogicalAndOp(BinaryElementwise):
    """x && y on i1. `%r = tfc.logical_and %x, %y : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>`"""

    name = "tfc.logical_and"
    accepts = "bool"
    NOT_DIFFERENTIABLE = True
    numpy_fn = staticmethod(np.logical_and)
    scalar = staticmethod(lambda s, a, b: s.and_(a, b))


@tfc_op
class LogicalOrOp(BinaryElementwise):
    """x || y on i1. `%r = tfc.logical_or %x, %y : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>`"""

    name = "tfc.logical_or"
    accepts = "bool"
    NOT_DIFFERENTIABLE = True
    numpy_fn = staticmethod(np.logical_or)
    scalar = staticmethod(lambda s, a, b: s.or_(a, b))


@tfc_op
class LogicalNotOp(UnaryElementwise):
    """!x on i1. `%r = tfc.logical_not %x : (tensor<4xi1>) -> tensor<4xi1>`"""

    name = "tfc.logical_not"
    accepts = "bool"
    NOT_DIFFERENTIABLE = True
    numpy_fn = staticmethod(np.logical_not)
    scalar = staticmethod(lambda s, a: s.xor(a, s.const(True, a.type)))


# --- select and cast ----------------------------------------------------------------

@tfc_op
class SelectOp(TfcOp):
    """cond ? x : y, all three broadcast; cond is i1.

    `%r = tfc.select %c, %x, %y : (tensor<4x1xi1>, tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>`
    """

    name = "tfc.select"
    ARITY = 3

    @classmethod
    def infer(cls, in_types, attrs):
        c, x, y = in_types
        if not dtype_of(c).is_bool:
            raise ShapeError(f"{cls.name}: the condition must be i1, got {type_str(c)}")
        dtype = same_dtype(cls.name, x, y)
        return [tensor_type(broadcast_shapes(cls.name, c, x, y), dtype)]

    @classmethod
    def reference(cls, attrs, c, x, y):
        return np.where(c, x, y)

    def lower(self, b):
        return [b.elementwise(list(self.inputs), self.outputs[0].type,
                              lambda s, c, x, y: s.select(c, x, y))]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import where
        from tfc.ops.grad_utils import unbroadcast

        c, x, y = inputs
        (g,) = grads
        if g is None or not _is_float(x):
            return [None, None, None]
        return [None, unbroadcast(where(c, g, 0), x.shape), unbroadcast(where(c, 0, g), y.shape)]


@tfc_op
class CastOp(TfcOp):
    """Convert to dtype `to`, as tf.cast (float -> int truncates; -> i1 is x != 0).

    `%r = tfc.cast %x {to = f16} : (tensor<4xf32>) -> tensor<4xf16>`
    """

    name = "tfc.cast"
    ATTRS = {"to": AttrSpec("dtype")}

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        return [tensor_type(shape_of(t), dtypes.from_any(attrs["to"]))]

    @classmethod
    def reference(cls, attrs, a):
        with np.errstate(all="ignore"):
            return np.asarray(a).astype(dtypes.from_any(attrs["to"]).numpy)

    def lower(self, b):
        to = compute_type(self.outputs[0].type.element_type)
        return [b.elementwise(list(self.inputs), self.outputs[0].type,
                              lambda s, a: s.cast(a, to))]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.api import cast

        (x,), (g,) = inputs, grads
        if g is None or not _is_float(x) or not dtypes.from_any(attrs["to"]).is_float:
            return [None]
        return [cast(g, dtypes.from_any(x.dtype))]


OPS = [
    AddOp, SubOp, MulOp, DivOp, MaximumOp, MinimumOp, PowOp,
    NegOp, AbsOp, ExpOp, LogOp, SqrtOp, RsqrtOp, SquareOp, TanhOp, SigmoidOp, ReluOp, ErfOp,
    SinOp, CosOp, GeluOp,
    EqualOp, NotEqualOp, LessOp, LessEqualOp, GreaterOp, GreaterEqualOp,
    LogicalAndOp, LogicalOrOp, LogicalNotOp,
    SelectOp, CastOp,
]


# --- op functions ---------------------------------------------------------------
# Python scalars take the dtype of the tensor they meet (TF's rule).

def add(x, y):
    """x + y, broadcasting."""
    return apply(AddOp, [x, y])


def sub(x, y):
    """x - y, broadcasting."""
    return apply(SubOp, [x, y])


def mul(x, y):
    """x * y, broadcasting."""
    return apply(MulOp, [x, y])


def div(x, y):
    """x / y: true division for floats, floor division (tf.math.floordiv) for integers."""
    return apply(DivOp, [x, y])


def maximum(x, y):
    """Elementwise max, NaN-propagating."""
    return apply(MaximumOp, [x, y])


def minimum(x, y):
    """Elementwise min, NaN-propagating."""
    return apply(MinimumOp, [x, y])


def pow(x, y):  # noqa: A001 - TF's name
    """x ** y, broadcasting."""
    return apply(PowOp, [x, y])


def neg(x):
    return apply(NegOp, [x])


def abs(x):  # noqa: A001 - TF's name
    return apply(AbsOp, [x])


def exp(x):
    return apply(ExpOp, [x])


def log(x):
    return apply(LogOp, [x])


def sqrt(x):
    return apply(SqrtOp, [x])


def rsqrt(x):
    return apply(RsqrtOp, [x])


def square(x):
    return apply(SquareOp, [x])


def tanh(x):
    return apply(TanhOp, [x])


def sigmoid(x):
    return apply(SigmoidOp, [x])


def relu(x):
    return apply(ReluOp, [x])


def erf(x):
    return apply(ErfOp, [x])


def sin(x):
    return apply(SinOp, [x])


def cos(x):
    return apply(CosOp, [x])


def gelu(x, approximate=False):
    """As tf.nn.gelu: x * Phi(x); `approximate=True` uses the tanh form."""
    return apply(GeluOp, [x], {"approximate": bool(approximate)})


def equal(x, y):
    return apply(EqualOp, [x, y])


def not_equal(x, y):
    return apply(NotEqualOp, [x, y])


def less(x, y):
    return apply(LessOp, [x, y])


def less_equal(x, y):
    return apply(LessEqualOp, [x, y])


def greater(x, y):
    return apply(GreaterOp, [x, y])


def greater_equal(x, y):
    return apply(GreaterEqualOp, [x, y])


def logical_and(x, y):
    return apply(LogicalAndOp, [x, y])


def logical_or(x, y):
    return apply(LogicalOrOp, [x, y])


def logical_not(x):
    return apply(LogicalNotOp, [x])


def select(condition, x, y):
    """condition ? x : y elementwise, all three broadcast (condition is bool)."""
    from tfc.tracing import operand_dtype_hint, to_array

    # Scalars take the dtype of the other branch, not of the (bool) condition.
    if _is_python_scalar(x):
        x = to_array(x, operand_dtype_hint([y]))
    if _is_python_scalar(y):
        y = to_array(y, operand_dtype_hint([x]))
    return apply(SelectOp, [condition, x, y])


def where(condition, x, y):
    """tf.where(condition, x, y): the same as `select` (the one-argument form is not supported)."""
    return select(condition, x, y)


def cast(x, dtype):
    """x converted to `dtype` (a name like "f16"/"float16", a NumPy or torch dtype)."""
    return apply(CastOp, [x], {"to": dtypes.from_any(dtype)})


def _is_python_scalar(v) -> bool:
    return isinstance(v, (bool, int, float))


__all__ = [
    "add", "sub", "mul", "div", "maximum", "minimum", "pow",
    "neg", "abs", "exp", "log", "sqrt", "rsqrt", "square", "tanh", "sigmoid", "relu", "erf",
    "sin", "cos", "gelu",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_not",
    "select", "where", "cast",
]
