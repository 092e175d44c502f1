"""TF's op functions (`tf.add`, `tf.matmul`, `tf.nn.softmax`, ...) over the tfc op functions.

Every name in `tfc.ops.api.__all__` gets a wrapper generated here, so a new op
in a family appears in `import tfc as tf` without more code: the wrapper
unwraps tensors and variables into what op functions take (NumPy arrays,
Symbolic values), drops TF's `name=` argument, calls the op function, and
wraps the result (`tfc.frontend.tensor.wrap`). The functions after that are
TF's names and signatures where they differ from tfc's (subtract, divide,
tf.where, tf.shape, ...), and compositions TF has as ops (softplus, moments,
l2_normalize, ...), written with op functions so that they run eagerly,
trace, and differentiate like everything else.
"""

from __future__ import annotations

import functools
import inspect

import numpy as np

from tfc import dtypes as core_dtypes
from tfc.frontend import dtypes as tf_dtypes
from tfc.frontend import tensor as _t
from tfc.frontend.tape import stop_gradient
from tfc.frontend.tensor import constant, convert_to_tensor, is_tensor, unwrap, wrap
from tfc.ops import api as _api
from tfc.tracing import Symbolic

# Parameters that are static (Python ints) in the op functions: a tensor given there is
# converted to a Python value.
_STATIC_PARAMS = {"axis", "axes", "shape", "perm", "multiples", "begin", "size", "end", "strides",
                  "dims", "depth", "num", "ksize", "paddings", "num_or_size_splits", "dilations",
                  "batch_dims", "input_sizes", "filter_sizes", "orig_input_shape"}

# Binary elementwise ops: a Python list given beside a tensor takes the tensor's dtype.
_BINARY = {"add", "sub", "mul", "div", "maximum", "minimum", "pow", "equal", "not_equal", "less",
           "less_equal", "greater", "greater_equal", "logical_and", "logical_or"}


def _static(v):
    if isinstance(v, np.ndarray) and v.dtype.kind in "iu":
        return v.tolist() if v.ndim else int(v)
    return v


def _hint_of(values):
    for v in values:
        if type(v) is Symbolic:
            return v.dtype
        if isinstance(v, np.ndarray):
            try:
                return core_dtypes.from_numpy(v.dtype)
            except core_dtypes.DTypeError:
                return None
    return None


def _lists_to_arrays(args):
    hint = _hint_of(args)
    return [_t._python_to_numpy(a, hint) if isinstance(a, (list, tuple)) else a for a in args]


def make_wrapper(name: str, fn):
    """The TF-facing function for op function `fn`."""
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        params = []
    takes_name = "name" in params
    static_pos = {i for i, p in enumerate(params) if p in _STATIC_PARAMS}
    binary = name in _BINARY

    def wrapper(*args, **kwargs):
        if not takes_name:
            kwargs.pop("name", None)
        raw = [unwrap(a) for a in args]
        for i in static_pos:
            if i < len(raw):
                raw[i] = _static(raw[i])
        if binary:
            raw = _lists_to_arrays(raw)
        kw = {}
        for k, v in kwargs.items():
            v = unwrap(v)
            kw[k] = _static(v) if k in _STATIC_PARAMS else v
        return wrap(fn(*raw, **kw))

    functools.update_wrapper(wrapper, fn)
    wrapper.__module__ = "tfc"
    wrapper.__wrapped_op_function__ = fn
    return wrapper


# Every op function, wrapped (tfc's own names: add, sub, mul, div, neg, select, ...).
GENERATED = {name: make_wrapper(name, getattr(_api, name)) for name in _api.__all__}


def _fn(name):
    """The wrapped op function `name` (a NameError-like message if that op does not exist)."""
    try:
        return GENERATED[name]
    except KeyError:
        raise NotImplementedError(f"tfc has no op function {name!r} (tfc.ops.api)") from None


def _is_int(x) -> bool:
    d = _dtype(x)
    return d is not None and d.is_int


def _dtype(x):
    x = unwrap(x)
    if type(x) is Symbolic:
        return x.dtype
    if isinstance(x, np.ndarray):
        return core_dtypes.from_numpy(x.dtype)
    return None


# --- arithmetic with TF's names --------------------------------------------------------------

def subtract(x, y, name=None):
    return _fn("sub")(x, y)


def multiply(x, y, name=None):
    return _fn("mul")(x, y)


def negative(x, name=None):
    return _fn("neg")(x)


def truediv(x, y, name=None):
    """x / y; integer tensors are converted to float64 first (TF's `/`)."""
    if _is_int(x) or _is_int(y):
        x = _t.convert_to_tensor(x) if not is_tensor(x) else x
        y = _t.convert_to_tensor(y, dtype=x.dtype) if not is_tensor(y) else y
        if x.dtype != y.dtype:
            raise TypeError(f"x and y must have the same dtype, got {x.dtype!r} != {y.dtype!r}")
        return _fn("div")(cast(x, tf_dtypes.float64), cast(y, tf_dtypes.float64))
    return _fn("div")(x, y)


divide = truediv


def realdiv(x, y, name=None):
    return _fn("div")(x, y)


def floordiv(x, y, name=None):
    """floor(x / y), elementwise (integer division rounds toward -inf, as TF)."""
    if _is_int(x) or _is_int(y):
        return _fn("div")(x, y)
    return floor(_fn("div")(x, y))


def floormod(x, y, name=None):
    """x - floordiv(x, y) * y: the remainder has the sign of y (Python's %)."""
    return subtract(x, multiply(floordiv(x, y), y))


mod = floormod


def floor(x, name=None):
    """Largest integer <= x (no gradient, as TF's zero gradient)."""
    x = stop_gradient(x)
    t = cast(cast(x, tf_dtypes.int64), _dtype(x))
    return subtract(t, cast(_fn("greater")(t, x), _dtype(x)))


def ceil(x, name=None):
    return negative(floor(negative(x)))


def sign(x, name=None):
    zero = _fn("zeros_like")(x)
    one = _fn("ones_like")(x)
    return _fn("select")(_fn("greater")(x, zero), one,
                         _fn("select")(_fn("less")(x, zero), negative(one), zero))


def reciprocal(x, name=None):
    return _fn("div")(_fn("ones_like")(x), x)


def squared_difference(x, y, name=None):
    return _fn("square")(subtract(x, y))


def add_n(inputs, name=None):
    inputs = list(inputs)
    if not inputs:
        raise ValueError("add_n: inputs must be a non-empty list of tensors")
    out = inputs[0]
    for x in inputs[1:]:
        out = _fn("add")(out, x)
    return out if len(inputs) > 1 else identity(out)


def logical_xor(x, y, name=None):
    return _fn("logical_and")(_fn("logical_or")(x, y),
                              _fn("logical_not")(_fn("logical_and")(x, y)))


def log1p(x, name=None):
    return _fn("log")(_fn("add")(x, 1.0))


def expm1(x, name=None):
    return _fn("sub")(_fn("exp")(x), 1.0)


def log_sigmoid(x, name=None):
    return negative(softplus(negative(x)))


def softplus(features, name=None):
    """log(1 + exp(x)), computed stably as relu(x) + log(1 + exp(-|x|))."""
    return _fn("add")(_fn("relu")(features),
                      log1p(_fn("exp")(negative(_fn("abs")(features)))))


def is_nan(x, name=None):
    return _fn("not_equal")(x, x)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    return _fn("minimum")(_fn("maximum")(t, clip_value_min), clip_value_max)


def cast(x, dtype, name=None):
    """x converted to `dtype` (float -> int truncates, as tf.cast)."""
    dt = tf_dtypes.to_core(dtype)
    raw = unwrap(x)
    if isinstance(raw, (list, tuple, int, float, bool)) or (
            isinstance(raw, (np.ndarray, np.generic)) and np.asarray(raw).dtype in _t._WIDEN):
        raw = _t.to_numpy_value(raw)
    return wrap(_api.cast(raw, dt))


def saturate_cast(value, dtype, name=None):
    return cast(value, dtype)


def identity(input, name=None):  # noqa: A002 - TF's name
    """The same value (a new tensor object; gradients flow through)."""
    raw = unwrap(input)
    if not isinstance(raw, (np.ndarray, Symbolic)):
        return convert_to_tensor(raw)
    return wrap(raw)


# --- reductions TF has beyond tfc's ---------------------------------------------------------

def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    x = cast(input_tensor, tf_dtypes.int32)
    return cast(_fn("reduce_min")(x, axis=axis, keepdims=keepdims), tf_dtypes.bool)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    x = cast(input_tensor, tf_dtypes.int32)
    return cast(_fn("reduce_max")(x, axis=axis, keepdims=keepdims), tf_dtypes.bool)


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    m = stop_gradient(_fn("reduce_max")(input_tensor, axis=axis, keepdims=True))
    s = _fn("reduce_sum")(_fn("exp")(subtract(input_tensor, m)), axis=axis, keepdims=True)
    out = _fn("add")(_fn("log")(s), m)
    return out if keepdims else _squeeze_axes(out, axis)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    mean = _fn("reduce_mean")(input_tensor, axis=axis, keepdims=True)
    return _fn("reduce_mean")(_fn("square")(subtract(input_tensor, mean)), axis=axis,
                              keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    return _fn("sqrt")(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    return _fn("sqrt")(_fn("reduce_sum")(_fn("square")(input_tensor), axis=axis, keepdims=keepdims))


def count_nonzero(input, axis=None, keepdims=False, dtype=tf_dtypes.int64, name=None):  # noqa: A002
    nz = cast(_fn("not_equal")(input, _fn("zeros_like")(input)), dtype)
    return _fn("reduce_sum")(nz, axis=axis, keepdims=keepdims)


def _squeeze_axes(x, axis):
    if axis is None:
        return _fn("reshape")(x, [])
    return _fn("squeeze")(x, axis=[axis] if isinstance(axis, int) else list(axis))


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    if ord not in ("euclidean", 2, "fro"):
        raise NotImplementedError(f"tf.norm: ord={ord!r} is not supported (only 'euclidean')")
    return reduce_euclidean_norm(tensor, axis=axis, keepdims=bool(keepdims))


# --- shapes and construction ----------------------------------------------------------------

def shape(input, out_type=tf_dtypes.int32, name=None):  # noqa: A002
    """The static shape as a 1-D int tensor (shapes are always static in tfc)."""
    return constant(list(unwrap_shape(input)), dtype=out_type, shape=[len(unwrap_shape(input))])


def unwrap_shape(x) -> tuple:
    raw = unwrap(x)
    return tuple(raw.shape) if hasattr(raw, "shape") else np.shape(raw)


def size(input, out_type=tf_dtypes.int32, name=None):  # noqa: A002
    return constant(int(np.prod(unwrap_shape(input), dtype=np.int64)), dtype=out_type)


def rank(input, name=None):  # noqa: A002
    return constant(len(unwrap_shape(input)), dtype=tf_dtypes.int32)


def zeros(shape, dtype=tf_dtypes.float32, name=None):  # noqa: F811 - TF's signature
    return _fn("zeros")(_shape_list(shape), dtype=dtype)


def ones(shape, dtype=tf_dtypes.float32, name=None):
    return _fn("ones")(_shape_list(shape), dtype=dtype)


def fill(dims, value, name=None):
    return _fn("fill")(_shape_list(dims), value)


def _shape_list(shape):
    raw = unwrap(shape)
    if isinstance(raw, (int, np.integer)):
        return [int(raw)]
    return _static(np.asarray(raw)) if isinstance(raw, np.ndarray) else list(raw)


def linspace(start, stop, num, name=None, axis=0):
    """`num` evenly spaced values from start to stop (inclusive)."""
    s, e = unwrap(start), unwrap(stop)
    if type(s) is Symbolic or type(e) is Symbolic:
        n = int(num)
        step = _fn("div")(subtract(e, s), float(max(n - 1, 1)))
        idx = cast(_api.range(n), _dtype(s))
        return _fn("add")(s, _fn("mul")(idx, step))
    dt = np.asarray(s).dtype if isinstance(s, np.ndarray) else np.float32
    return constant(np.linspace(np.asarray(s), np.asarray(e), int(num), axis=axis).astype(dt))


def eye(num_rows, num_columns=None, batch_shape=None, dtype=tf_dtypes.float32, name=None):
    m = np.eye(int(num_rows), None if num_columns is None else int(num_columns),
               dtype=tf_dtypes.to_core(dtype).numpy)
    if batch_shape is not None:
        m = np.broadcast_to(m, tuple(batch_shape) + m.shape).copy()
    return constant(m)


def where(condition, x=None, y=None, name=None):
    """tf.where(condition, x, y): elementwise select, all three broadcast."""
    if x is None and y is None:
        raise NotImplementedError(
            "tf.where(condition) (the indices of true elements) has a data-dependent shape, "
            "which tfc's static shapes cannot express; use tf.where(condition, x, y)")
    if x is None or y is None:
        raise ValueError("tf.where: x and y must both be given or both be None")
    return _fn("where")(condition, x, y)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """a @ b over the last two dims (batch dims broadcast); adjoint is transpose for reals."""
    out = _fn("matmul")(a, b, transpose_a=bool(transpose_a or adjoint_a),
                        transpose_b=bool(transpose_b or adjoint_b))
    return out if output_type is None else cast(out, output_type)


def matvec(a, b, transpose_a=False, adjoint_a=False, name=None):
    m = matmul(a, _fn("expand_dims")(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a)
    return _fn("squeeze")(m, axis=[-1])


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    r = len(unwrap_shape(a))
    if r < 2:
        raise ValueError(f"tf.linalg.matrix_transpose: needs rank >= 2, got shape {unwrap_shape(a)}")
    perm = list(range(r - 2)) + [r - 1, r - 2]
    return _fn("transpose")(a, perm)


def tensordot(a, b, axes, name=None):
    """Contraction of a's last `axes` dims with b's first (the int form of `axes`)."""
    if not isinstance(axes, int):
        raise NotImplementedError("tf.tensordot: only an int `axes` is supported")
    sa, sb = unwrap_shape(a), unwrap_shape(b)
    free_a, free_b = sa[:len(sa) - axes], sb[axes:]
    k = int(np.prod(sa[len(sa) - axes:], dtype=np.int64))
    a2 = _fn("reshape")(a, [int(np.prod(free_a, dtype=np.int64)), k])
    b2 = _fn("reshape")(b, [k, int(np.prod(free_b, dtype=np.int64))])
    return _fn("reshape")(matmul(a2, b2), list(free_a) + list(free_b))


# --- nn compositions -------------------------------------------------------------------------

def softmax(logits, axis=None, name=None):
    return _fn("softmax")(logits, axis=-1 if axis is None else axis)


def log_softmax(logits, axis=None, name=None):
    return _fn("log_softmax")(logits, axis=-1 if axis is None else axis)


def relu6(features, name=None):
    return _fn("minimum")(_fn("relu")(features), 6.0)


def leaky_relu(features, alpha=0.2, name=None):
    return _fn("maximum")(features, _fn("mul")(features, float(alpha)))


def elu(features, name=None):
    neg = _fn("sub")(_fn("exp")(_fn("minimum")(features, 0.0)), 1.0)
    return _fn("where")(_fn("greater")(features, 0.0), features, neg)


def selu(features, name=None):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return _fn("mul")(_fn("where")(_fn("greater")(features, 0.0), features,
                                   _fn("mul")(_fn("sub")(_fn("exp")(_fn("minimum")(features, 0.0)),
                                                         1.0), alpha)), scale)


def silu(features, beta=1.0, name=None):
    return _fn("mul")(features, _fn("sigmoid")(_fn("mul")(features, float(beta))
                                               if beta != 1.0 else features))


swish = silu


def gelu(features, approximate=False, name=None):
    return _fn("gelu")(features, approximate=approximate)


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """max(x, 0) - x * z + log(1 + exp(-|x|)), stable for any logits x and labels z."""
    if labels is None or logits is None:
        raise ValueError("sigmoid_cross_entropy_with_logits needs both labels and logits")
    x, z = logits, labels
    return _fn("add")(_fn("sub")(_fn("relu")(x), _fn("mul")(x, z)),
                      log1p(_fn("exp")(negative(_fn("abs")(x)))))


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    return _fn("softmax_cross_entropy_with_logits")(labels, logits, axis=axis)


def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None):
    return _fn("sparse_softmax_cross_entropy_with_logits")(labels, logits)


def l2_loss(t, name=None):
    return _fn("mul")(_fn("reduce_sum")(_fn("square")(t)), 0.5)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    axis = dim if axis is None else axis
    sq = _fn("reduce_sum")(_fn("square")(x), axis=axis, keepdims=True)
    return _fn("mul")(x, _fn("rsqrt")(_fn("maximum")(sq, float(epsilon))))


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) of x over `axes`."""
    mean = _fn("reduce_mean")(x, axis=axes, keepdims=True)
    var = _fn("reduce_mean")(_fn("square")(_fn("sub")(x, stop_gradient(mean))), axis=axes,
                             keepdims=keepdims)
    if not keepdims:
        mean = _fn("reduce_mean")(x, axis=axes, keepdims=False)
    return mean, var


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    inv = _fn("rsqrt")(_fn("add")(variance, float(variance_epsilon)))
    if scale is not None:
        inv = _fn("mul")(inv, scale)
    y = _fn("mul")(_fn("sub")(x, mean), inv)
    return y if offset is None else _fn("add")(y, offset)


def embedding_lookup(params, ids, max_norm=None, name=None):
    return _fn("gather")(params, ids)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    return _fn("max_pool2d")(input, ksize, strides, padding, data_format=data_format)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    return _fn("avg_pool2d")(input, ksize, strides, padding, data_format=data_format)


def conv2d(input, filters, strides=1, padding="VALID", data_format="NHWC", dilations=None,  # noqa: A002
           name=None):
    return _fn("conv2d")(input, filters, strides=strides, padding=padding, data_format=data_format,
                         dilations=dilations)


# TF names (top level and namespaces) -> the function that implements them here.
TF_FUNCTIONS = {
    "constant": constant, "convert_to_tensor": convert_to_tensor, "is_tensor": is_tensor,
    "subtract": subtract, "multiply": multiply, "negative": negative, "truediv": truediv,
    "divide": divide, "realdiv": realdiv, "floordiv": floordiv, "floormod": floormod, "mod": mod,
    "floor": floor, "ceil": ceil, "sign": sign, "reciprocal": reciprocal,
    "squared_difference": squared_difference, "add_n": add_n, "logical_xor": logical_xor,
    "log1p": log1p, "expm1": expm1, "log_sigmoid": log_sigmoid, "softplus": softplus,
    "is_nan": is_nan, "clip_by_value": clip_by_value, "cast": cast, "saturate_cast": saturate_cast,
    "identity": identity, "stop_gradient": stop_gradient,
    "reduce_all": reduce_all, "reduce_any": reduce_any, "reduce_logsumexp": reduce_logsumexp,
    "reduce_variance": reduce_variance, "reduce_std": reduce_std,
    "reduce_euclidean_norm": reduce_euclidean_norm, "count_nonzero": count_nonzero, "norm": norm,
    "shape": shape, "size": size, "rank": rank, "zeros": zeros, "ones": ones, "fill": fill,
    "linspace": linspace, "eye": eye, "where": where, "matmul": matmul, "tensordot": tensordot,
}

NN_FUNCTIONS = {
    "relu": GENERATED["relu"], "sigmoid": GENERATED["sigmoid"], "tanh": GENERATED["tanh"],
    "softmax": softmax, "log_softmax": log_softmax, "relu6": relu6, "leaky_relu": leaky_relu,
    "elu": elu, "selu": selu, "silu": silu, "swish": swish, "gelu": gelu, "softplus": softplus,
    "sigmoid_cross_entropy_with_logits": sigmoid_cross_entropy_with_logits,
    "softmax_cross_entropy_with_logits": softmax_cross_entropy_with_logits,
    "sparse_softmax_cross_entropy_with_logits": sparse_softmax_cross_entropy_with_logits,
    "l2_loss": l2_loss, "l2_normalize": l2_normalize, "moments": moments,
    "batch_normalization": batch_normalization, "embedding_lookup": embedding_lookup,
    "conv2d": conv2d, "max_pool2d": max_pool2d, "max_pool": max_pool2d,
    "avg_pool2d": avg_pool2d, "avg_pool": avg_pool2d, "bias_add": GENERATED.get("bias_add"),
    "log_sigmoid": log_sigmoid,
}

LINALG_FUNCTIONS = {
    "matmul": matmul, "matvec": matvec, "matrix_transpose": matrix_transpose, "norm": norm,
    "l2_normalize": l2_normalize, "eye": eye, "tensordot": tensordot,
}


def _install_tensor_operators() -> None:
    ops = dict(GENERATED)
    ops.update(TF_FUNCTIONS)
    ops.update({"negative": negative, "getitem": GENERATED["getitem"]})
    _t.OPS.update(ops)


_install_tensor_operators()
