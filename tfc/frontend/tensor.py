"""`tf.Tensor`: an immutable tensor, eager (a NumPy array) or traced (a symbolic value).

Eager tensors wrap the NumPy array an op produced, without copying: the
GradientTape keys eager values by that array's identity. Inside `tf.function`
op results are symbolic tensors (wrapping a `tfc.tracing.Symbolic`) with the
same Python API, except that they have no value (`numpy()`, `bool()` fail).

`wrap` / `unwrap` convert between front-end objects and what the op
functions of `tfc.ops.api` take (NumPy arrays, Symbolic values, core dtypes).
"""

from __future__ import annotations

import numpy as np

from tfc import dtypes as core_dtypes
from tfc.frontend import dtypes as tf_dtypes
from tfc.frontend.context import current_graph, state
from tfc.tracing import Symbolic

# The front-end op wrappers by name (`add`, `matmul`, ...), filled in by tfc.frontend.ops;
# the operators below call them.
OPS: dict = {}


# --- shapes ------------------------------------------------------------------------------

class TensorShape(tuple):
    """A tensor's shape: a tuple of ints (None for an unknown dim in a TensorSpec)."""

    def __new__(cls, dims=()):
        if dims is None:
            self = super().__new__(cls, ())
            self._unknown_rank = True
            return self
        if isinstance(dims, (int, np.integer)):
            dims = (dims,)
        self = super().__new__(cls, (None if d is None else int(d) for d in dims))
        self._unknown_rank = False
        return self

    @property
    def rank(self):
        return None if self._unknown_rank else len(self)

    ndims = rank

    @property
    def dims(self):
        return None if self._unknown_rank else list(self)

    def as_list(self) -> list:
        if self._unknown_rank:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self)

    def num_elements(self):
        if not self.is_fully_defined():
            return None
        return int(np.prod(self, dtype=np.int64))

    def is_fully_defined(self) -> bool:
        return not self._unknown_rank and all(d is not None for d in self)

    def is_compatible_with(self, other) -> bool:
        other = as_shape(other)
        if self._unknown_rank or other._unknown_rank:
            return True
        return len(self) == len(other) and all(
            a is None or b is None or a == b for a, b in zip(self, other))

    def merge_with(self, other) -> "TensorShape":
        other = as_shape(other)
        if self._unknown_rank:
            return other
        if other._unknown_rank:
            return self
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        return TensorShape([a if a is not None else b for a, b in zip(self, other)])

    def concatenate(self, other) -> "TensorShape":
        return TensorShape(list(self) + list(as_shape(other)))

    def with_rank(self, rank: int) -> "TensorShape":
        if not self._unknown_rank and len(self) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")
        return self

    def __getitem__(self, key):
        if isinstance(key, slice):
            return TensorShape(tuple.__getitem__(self, key))
        return tuple.__getitem__(self, key)

    def __eq__(self, other) -> bool:
        if isinstance(other, TensorShape) and (self._unknown_rank or other._unknown_rank):
            return self._unknown_rank and other._unknown_rank
        if isinstance(other, (list, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        if self._unknown_rank:
            return "TensorShape(None)"
        return f"TensorShape({list(self)})"

    def __str__(self) -> str:
        if self._unknown_rank:
            return "<unknown>"
        if len(self) == 1:
            return f"({self[0]},)"
        return "(" + ", ".join(str(d) for d in self) + ")"


def as_shape(shape) -> TensorShape:
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


# --- the operator mixin (shared by Tensor and Variable) -----------------------------------

def _coerce(self, other):
    """Python lists / tuples meeting a tensor take its dtype (as TF converts them)."""
    if isinstance(other, (list, tuple)):
        return _python_to_numpy(other, self.dtype.core)
    return other


def _binary(name, swap=False):
    def method(self, other):
        if other is None:
            return NotImplemented
        other = _coerce(self, other)
        fn = OPS[name]
        return fn(other, self) if swap else fn(self, other)
    method.__name__ = name
    return method


class TensorOps:
    """Python operators of tensors and variables, mapped to the TF functions."""

    __slots__ = ()
    __array_priority__ = 1000  # numpy_array + tensor -> Tensor.__radd__

    __add__ = _binary("add")
    __radd__ = _binary("add", swap=True)
    __sub__ = _binary("subtract")
    __rsub__ = _binary("subtract", swap=True)
    __mul__ = _binary("multiply")
    __rmul__ = _binary("multiply", swap=True)
    __truediv__ = _binary("truediv")
    __rtruediv__ = _binary("truediv", swap=True)
    __floordiv__ = _binary("floordiv")
    __rfloordiv__ = _binary("floordiv", swap=True)
    __mod__ = _binary("floormod")
    __rmod__ = _binary("floormod", swap=True)
    __pow__ = _binary("pow")
    __rpow__ = _binary("pow", swap=True)
    __matmul__ = _binary("matmul")
    __rmatmul__ = _binary("matmul", swap=True)
    __lt__ = _binary("less")
    __le__ = _binary("less_equal")
    __gt__ = _binary("greater")
    __ge__ = _binary("greater_equal")
    __and__ = _binary("logical_and")
    __rand__ = _binary("logical_and", swap=True)
    __or__ = _binary("logical_or")
    __ror__ = _binary("logical_or", swap=True)
    __xor__ = _binary("logical_xor")
    __rxor__ = _binary("logical_xor", swap=True)

    def __neg__(self):
        return OPS["negative"](self)

    def __pos__(self):
        return self

    def __abs__(self):
        return OPS["abs"](self)

    def __invert__(self):
        return OPS["logical_not"](self)

    def __getitem__(self, key):
        return OPS["getitem"](self, key)

    def __eq__(self, other):
        """Elementwise, as TF2 (`tf.math.equal`); False for None or incompatible shapes."""
        if other is None:
            return False
        try:
            other = _coerce(self, other)
            return OPS["equal"](self, other)
        except (TypeError, ValueError):
            return False

    def __ne__(self, other):
        if other is None:
            return True
        try:
            other = _coerce(self, other)
            return OPS["not_equal"](self, other)
        except (TypeError, ValueError):
            return True

    __hash__ = object.__hash__  # by identity (tensors are immutable values, not keys)


# --- tf.Tensor ------------------------------------------------------------------------------

_NP_TO_TF = {d.core.numpy: d for d in (tf_dtypes.float32, tf_dtypes.float64, tf_dtypes.float16,
                                       tf_dtypes.bfloat16, tf_dtypes.int32, tf_dtypes.int64,
                                       tf_dtypes.bool)}


class Tensor(TensorOps):
    """An immutable tensor. Make one with tf.constant / tf.convert_to_tensor or any op."""

    __slots__ = ("_array", "_sym", "__weakref__")

    def __init__(self, value, dtype=None):
        t = convert_to_tensor(value, dtype)
        self._array, self._sym = t._array, t._sym

    # -- what the op functions see ---------------------------------------------------------
    def __tfc_array__(self) -> np.ndarray:
        if self._sym is not None:
            raise TypeError(
                f"{self!r} is a traced (symbolic) tensor of a tf.function: it has no value. "
                "Return it from the function to get its value.")
        return self._array

    @property
    def is_symbolic(self) -> bool:
        return self._sym is not None

    # -- TF's tensor API -----------------------------------------------------------------
    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._array.shape if self._sym is None else self._sym.shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def dtype(self) -> tf_dtypes.DType:
        if self._sym is None:
            return _NP_TO_TF[self._array.dtype]
        return tf_dtypes.from_core(self._sym.dtype)

    @property
    def ndim(self) -> int:
        return self._array.ndim if self._sym is None else len(self._sym.shape)

    @property
    def device(self) -> str:
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    def numpy(self):
        """A copy of the value (a NumPy scalar for rank 0), as TF's `Tensor.numpy()`."""
        a = self.__tfc_array__()
        return a[()] if a.ndim == 0 else a.copy()

    def __array__(self, dtype=None, copy=None):
        if self._sym is not None:
            raise TypeError(
                f"Cannot convert a symbolic tf.Tensor ({self.shape}, {self.dtype.name}) to a NumPy "
                "array: it is a value inside a tf.function being traced")
        a = self._array
        if dtype is not None and np.dtype(dtype) != a.dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def tolist(self):
        """The value as nested Python lists (NumPy's `tolist`, for convenience)."""
        return self.__tfc_array__().tolist()

    def ref(self):
        return _Ref(self)

    experimental_ref = ref

    def __len__(self) -> int:
        shape = self.shape
        if not shape:
            raise TypeError("len() of a 0-d tensor (scalar)")
        return shape[0]

    def __iter__(self):
        n = len(self)
        for i in range(n):
            yield self[i]

    def __bool__(self) -> bool:
        if self._sym is not None:
            raise TypeError(
                "using a traced tf.Tensor as a Python bool is not allowed inside tf.function "
                "(tfc has no AutoGraph): use tf.where / tf.cond-free arithmetic, or compute the "
                "condition outside the function")
        return bool(self._array)

    def __float__(self) -> float:
        return float(self.__tfc_array__())

    def __int__(self) -> int:
        return int(self.__tfc_array__())

    def __index__(self) -> int:
        a = self.__tfc_array__()
        if a.dtype.kind not in "iu" or a.ndim != 0:
            raise TypeError(f"only integer scalar tensors can be used as an index, got {self!r}")
        return int(a)

    def __format__(self, spec: str) -> str:
        if self._sym is None and self._array.ndim == 0:
            return format(self._array[()], spec)
        return format(str(self), spec)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self if self._sym is not None else _from_array(self._array.copy())

    def __reduce__(self):
        return constant, (self.__tfc_array__(),)

    def __repr__(self) -> str:
        if self._sym is not None:
            return f"<tf.Tensor (traced) shape={self.shape} dtype={self.dtype.name}>"
        return (f"<tf.Tensor: shape={self.shape}, dtype={self.dtype.name}, "
                f"numpy={_numpy_repr(self._array)}>")

    def __str__(self) -> str:
        if self._sym is not None:
            return f"Tensor(traced, shape={self.shape}, dtype={self.dtype.name})"
        return f"tf.Tensor({_numpy_str(self._array)}, shape={self.shape}, dtype={self.dtype.name})"


class _Ref:
    """tensor.ref(): a hashable reference compared by identity; `.deref()` gives the tensor."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        return self._obj

    def __eq__(self, other):
        return isinstance(other, _Ref) and other._obj is self._obj

    def __hash__(self):
        return id(self._obj)

    def __repr__(self):
        return f"<Reference wrapping {self._obj!r}>"


def _numpy_repr(a: np.ndarray) -> str:
    if a.ndim == 0:
        return repr(a[()]) if a.dtype.kind == "b" else str(a[()])
    return repr(a)


def _numpy_str(a: np.ndarray) -> str:
    return str(a[()]) if a.ndim == 0 else str(a)


def _from_array(arr: np.ndarray) -> Tensor:
    t = Tensor.__new__(Tensor)
    t._array = arr
    t._sym = None
    return t


def _from_symbolic(sym: Symbolic) -> Tensor:
    t = Tensor.__new__(Tensor)
    t._array = None
    t._sym = sym
    return t


# --- converting to and from what the op functions take --------------------------------------

def wrap(v):
    """An op function's result as front-end values: arrays become eager Tensors, Symbolic
    values symbolic Tensors while a tf.function is traced (and stay raw otherwise, for
    code traced by tfc.compile); tuples and lists element by element."""
    t = type(v)
    if t is np.ndarray:
        return _from_array(v)
    if t is Symbolic:
        return _from_symbolic(v) if state.graphs else v
    if t is tuple:
        return tuple(wrap(x) for x in v)
    if t is list:
        return [wrap(x) for x in v]
    if isinstance(v, np.generic):
        return _from_array(np.asarray(v))
    return v


# Unwrapping for types other than Tensor / containers / dtypes (tf.Variable registers here).
UNWRAP: dict = {}


def unwrap(v):
    """A front-end value as an op function operand: NumPy array, Symbolic, or as is."""
    t = type(v)
    if t is Tensor:
        sym = v._sym
        if sym is None:
            return v._array
        _check_same_graph(sym)
        return sym
    if t is list or t is tuple:
        return t(unwrap(x) for x in v)
    if t is tf_dtypes.DType:
        return v.core
    if t is TensorShape:
        return tuple(v)
    fn = UNWRAP.get(t)
    if fn is not None:
        return fn(v)
    if isinstance(v, Tensor):  # a subclass
        return v._array if v._sym is None else v._sym
    for cls, fn in UNWRAP.items():
        if isinstance(v, cls):
            return fn(v)
    return v


def _check_same_graph(sym: Symbolic) -> None:
    g = current_graph()
    if g is None or g.trace is not sym.trace:
        raise TypeError(
            "a traced tensor escaped the tf.function it was created in and was used outside it "
            "(return it from the function instead of keeping it, e.g. in a Python attribute)")


# --- tf.constant / tf.convert_to_tensor -------------------------------------------------------

# NumPy integer types tfc has no kernels for are widened (value-preserving) to int32 / int64.
_WIDEN = {np.dtype(np.uint8): np.int32, np.dtype(np.int8): np.int32, np.dtype(np.int16): np.int32,
          np.dtype(np.uint16): np.int32, np.dtype(np.uint32): np.int64,
          np.dtype(np.uint64): np.int64}


def _python_to_numpy(value, dtype: core_dtypes.DType | None) -> np.ndarray:
    """Python scalars / nested lists with TF's defaults: floats -> float32, ints -> int32
    (int64 when out of range), bools -> bool; with `dtype`, converted exactly or TypeError."""
    if isinstance(value, (list, tuple)):
        value = [unwrap_value(v) for v in value]
    arr = np.asarray(value)
    if arr.dtype == object:
        raise TypeError(f"Cannot convert {value!r} to a tensor: elements are not all numbers "
                        "of the same nested shape")
    if dtype is None:
        if arr.dtype.kind == "f":
            return arr.astype(np.float32)
        if arr.dtype.kind in "iu":
            if arr.size and (arr.max() > np.iinfo(np.int32).max or arr.min() < np.iinfo(np.int32).min):
                return arr.astype(np.int64)
            return arr.astype(np.int32)
        return _numpy_to_supported(arr)
    return _cast_exact(arr, dtype, value)


def unwrap_value(v):
    """The NumPy value of one element of a Python list given to tf.constant."""
    if isinstance(v, (list, tuple)):
        return [unwrap_value(x) for x in v]
    if isinstance(v, TensorOps):
        return np.asarray(v)
    return v


def _cast_exact(arr: np.ndarray, dtype: core_dtypes.DType, value) -> np.ndarray:
    if arr.dtype.kind == "f" and not dtype.is_float:
        out = arr.astype(dtype.numpy)
        if not np.array_equal(out.astype(arr.dtype), arr):
            raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype "
                            f"{tf_dtypes.from_core(dtype).name}")
        return out
    return arr.astype(dtype.numpy)


def _numpy_to_supported(arr: np.ndarray) -> np.ndarray:
    d = arr.dtype
    if d in _WIDEN:
        return arr.astype(_WIDEN[d])
    try:
        core_dtypes.from_numpy(d)
    except core_dtypes.DTypeError as e:
        raise TypeError(f"Cannot convert an array of dtype {d} to a tensor: {e}") from None
    return arr


def to_numpy_value(value, dtype=None) -> np.ndarray:
    """The NumPy array tf.constant(value, dtype) holds (always a fresh or owned array)."""
    dt = tf_dtypes.to_core(dtype)
    if isinstance(value, TensorOps):
        arr = np.asarray(value)
        if dt is not None and arr.dtype != dt.numpy:
            arr = _cast_exact(arr, dt, value)
        return arr
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr = np.asarray(value)
        if dt is not None:
            return _cast_exact(arr, dt, value) if arr.dtype != dt.numpy else arr
        return _numpy_to_supported(arr)
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # torch tensor
        return to_numpy_value(value.detach().cpu().numpy(), dtype)
    if isinstance(value, Symbolic):
        raise TypeError("tf.constant needs a concrete value, got a traced tensor")
    return _python_to_numpy(value, dt)


def constant(value, dtype=None, shape=None, name=None) -> Tensor:
    """tf.constant: a tensor holding `value` (Python data, NumPy array or tensor).

    Python floats become float32 and ints int32 (as TF); NumPy arrays keep
    their dtype. With `shape`, a scalar is broadcast and other values reshaped.
    """
    if isinstance(value, Tensor) and value._sym is not None:
        raise TypeError("tf.constant needs a concrete value, got a traced tensor "
                        "(use tf.convert_to_tensor or the tensor itself)")
    arr = to_numpy_value(value, dtype)
    if shape is not None:
        shape = tuple(int(d) for d in shape)
        if arr.size == 1 and arr.shape != shape:
            arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
        elif arr.size == int(np.prod(shape)):
            arr = arr.reshape(shape)
        else:
            raise TypeError(f"Eager execution of tf.constant with unsupported shape: value has "
                            f"{arr.size} elements, shape is {list(shape)} with "
                            f"{int(np.prod(shape))} elements")
    if arr.base is not None or not arr.flags.c_contiguous or not arr.flags.writeable:
        arr = np.array(arr, order="C")
    return _from_array(arr)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None) -> Tensor:
    """tf.convert_to_tensor: tensors pass through (dtype checked); variables give their value;
    everything else becomes a constant (dtype_hint is used when it fits)."""
    if isinstance(value, Tensor):
        if dtype is not None and tf_dtypes.as_dtype(dtype) != value.dtype:
            raise ValueError(f"Tensor conversion requested dtype {tf_dtypes.as_dtype(dtype).name} "
                             f"for Tensor with dtype {value.dtype.name}: {value!r}")
        return value
    if isinstance(value, TensorOps):  # a Variable
        t = wrap(unwrap(value))
        if not isinstance(t, Tensor):
            t = _from_symbolic(t) if isinstance(t, Symbolic) else t
        return convert_to_tensor(t, dtype)
    if isinstance(value, Symbolic):
        return _from_symbolic(value)
    if dtype is None and dtype_hint is not None:
        try:
            return constant(value, dtype_hint)
        except (TypeError, ValueError):
            pass
    return constant(value, dtype)


def is_tensor(x) -> bool:
    """tf.is_tensor: a tf.Tensor or tf.Variable."""
    return isinstance(x, TensorOps)
