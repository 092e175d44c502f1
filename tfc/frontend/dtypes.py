"""TF's dtype objects (`tf.float32`, ...) over tfc's element types.

A `DType` here is TF-shaped: `.name` is TF's name ('float32'), `.as_numpy_dtype`,
`.is_floating`, `.is_integer`, `.is_bool`, `.min`/`.max`, `repr` 'tf.float32'.
It wraps the core `tfc.dtypes.DType` (`.core`, whose name is the IR's 'f32'),
compares equal to it, to NumPy dtypes and to either name, and NumPy accepts it
(`np.dtype(tf.float32)`), so core code that calls `tfc.dtypes.from_any` takes it
unchanged.
"""

from __future__ import annotations

import numpy as np

from tfc import dtypes as core

_pybool = type(True)  # this module defines `bool` (tf.bool)


class DType:
    """A TF dtype. Compare with `==` (against DTypes, names, NumPy dtypes)."""

    __slots__ = ("core", "name")

    def __init__(self, core_dtype: core.DType, name: str):
        self.core = core_dtype
        self.name = name

    # NumPy reads this: np.dtype(tf.float32) is float32.
    @property
    def dtype(self) -> np.dtype:
        return self.core.numpy

    @property
    def as_numpy_dtype(self):
        return self.core.numpy.type

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def real_dtype(self) -> "DType":
        return self

    @property
    def is_floating(self) -> bool:
        return self.core.is_float

    @property
    def is_integer(self) -> bool:
        return self.core.is_int

    @property
    def is_bool(self) -> bool:
        return self.core.is_bool

    @property
    def is_complex(self) -> bool:
        return False

    @property
    def is_unsigned(self) -> bool:
        return False

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def is_numpy_compatible(self) -> bool:
        return True

    @property
    def size(self) -> int:
        return self.core.numpy.itemsize

    @property
    def min(self):
        if self.core.is_bool:
            return False
        if self.core.is_float:
            return _finfo(self.core).min
        return np.iinfo(self.core.numpy).min

    @property
    def max(self):
        if self.core.is_bool:
            return True
        if self.core.is_float:
            return _finfo(self.core).max
        return np.iinfo(self.core.numpy).max

    def is_compatible_with(self, other) -> bool:
        return self == other

    def __eq__(self, other) -> bool:
        if other is self:
            return True
        try:
            return as_dtype(other).core == self.core
        except (TypeError, ValueError):
            return False

    def __ne__(self, other) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.core.name)

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: '{self.name}'>"

    def __reduce__(self):
        return as_dtype, (self.name,)


def _finfo(d: core.DType):
    import ml_dtypes

    return ml_dtypes.finfo(d.numpy) if d.name == "bf16" else np.finfo(d.numpy)


float32 = DType(core.f32, "float32")
float64 = DType(core.f64, "float64")
float16 = DType(core.f16, "float16")
bfloat16 = DType(core.bf16, "bfloat16")
int32 = DType(core.i32, "int32")
int64 = DType(core.i64, "int64")
bool = DType(core.i1, "bool")  # noqa: A001 - TF's name (tf.bool)
half = float16
double = float64

_BY_CORE = {d.core.name: d for d in (float32, float64, float16, bfloat16, int32, int64, bool)}


def as_dtype(x) -> DType:
    """tf.as_dtype: the DType for a DType, a name ('float32' or 'f32'), a NumPy or torch dtype."""
    if isinstance(x, DType):
        return x
    if x is float:
        return float32
    if x is int:
        return int32
    if x is _pybool:
        return bool
    try:
        return _BY_CORE[core.from_any(x).name]
    except core.DTypeError as e:
        raise TypeError(f"Cannot convert {x!r} to a tfc dtype: {e}") from None


def from_core(d: core.DType) -> DType:
    return _BY_CORE[d.name]


def to_core(x) -> core.DType:
    """The core DType for anything `as_dtype` accepts (None stays None)."""
    if x is None:
        return None
    if isinstance(x, DType):
        return x.core
    return as_dtype(x).core


__all__ = ["DType", "as_dtype", "float32", "float64", "float16", "bfloat16", "half", "double",
           "int32", "int64", "bool"]
