"""The element types tfc supports, and their names in IR, NumPy, C and torch.

The short name (`"f32"`) is what manifests and user-facing messages use.
"""

from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes
import numpy as np
from xdsl.dialects.builtin import (
    BFloat16Type,
    Float16Type,
    Float32Type,
    Float64Type,
    IntegerType,
    Signedness,
)
from xdsl.ir import Attribute


@dataclass(frozen=True)
class DType:
    name: str          # "f32"
    numpy: np.dtype    # storage dtype in NumPy
    c_type: str        # C storage type
    is_float: bool
    is_bool: bool = False
    bits: int = 32

    @property
    def is_int(self) -> bool:
        return not self.is_float and not self.is_bool

    @property
    def is_half(self) -> bool:
        """Stored in 16 bits, computed in f32."""
        return self.name in ("f16", "bf16")

    def ir_type(self) -> Attribute:
        return _IR_TYPES[self.name]()

    def __str__(self) -> str:
        return self.name


f32 = DType("f32", np.dtype(np.float32), "float", True, bits=32)
f64 = DType("f64", np.dtype(np.float64), "double", True, bits=64)
f16 = DType("f16", np.dtype(np.float16), "_Float16", True, bits=16)
bf16 = DType("bf16", np.dtype(ml_dtypes.bfloat16), "uint16_t", True, bits=16)
i32 = DType("i32", np.dtype(np.int32), "int32_t", False, bits=32)
i64 = DType("i64", np.dtype(np.int64), "int64_t", False, bits=64)
i1 = DType("i1", np.dtype(np.bool_), "bool", False, is_bool=True, bits=1)

ALL: dict[str, DType] = {d.name: d for d in (f32, f64, f16, bf16, i32, i64, i1)}

_IR_TYPES = {
    "f32": Float32Type,
    "f64": Float64Type,
    "f16": Float16Type,
    "bf16": BFloat16Type,
    "i32": lambda: IntegerType(32),
    "i64": lambda: IntegerType(64),
    "i1": lambda: IntegerType(1),
}

_NUMPY_NAMES = {d.numpy: d for d in ALL.values()}
_ALIASES = {
    "float32": f32, "float64": f64, "float16": f16, "bfloat16": bf16, "half": f16,
    "int32": i32, "int64": i64, "bool": i1, "float": f32, "double": f64,
}


class DTypeError(TypeError):
    pass


def from_ir(t: Attribute) -> DType:
    """The DType of an xDSL element type; DTypeError if tfc does not support it."""
    if isinstance(t, Float32Type):
        return f32
    if isinstance(t, Float64Type):
        return f64
    if isinstance(t, Float16Type):
        return f16
    if isinstance(t, BFloat16Type):
        return bf16
    if isinstance(t, IntegerType) and t.signedness.data == Signedness.SIGNLESS:
        width = t.width.data
        if width in (1, 32, 64):
            return ALL[f"i{width}"]
    raise DTypeError(f"unsupported element type {t}: tfc supports f32, f64, f16, bf16, i32, i64, i1")


def from_any(x) -> DType:
    """A DType from a DType, its name, a NumPy dtype or a torch dtype."""
    if isinstance(x, DType):
        return x
    if isinstance(x, str):
        if x in ALL:
            return ALL[x]
        if x in _ALIASES:
            return _ALIASES[x]
        raise DTypeError(f"unknown dtype {x!r}: use one of {', '.join(ALL)}")
    if isinstance(x, Attribute):
        return from_ir(x)
    torch_name = getattr(x, "is_floating_point", None) and str(x)
    if torch_name and torch_name.startswith("torch."):
        return from_any(torch_name[len("torch."):])
    try:
        npd = np.dtype(x)
    except TypeError:
        raise DTypeError(f"unknown dtype {x!r}") from None
    if npd in _NUMPY_NAMES:
        return _NUMPY_NAMES[npd]
    raise DTypeError(f"unsupported dtype {npd}: tfc supports {', '.join(ALL)}")


def from_numpy(npd: np.dtype) -> DType:
    return from_any(np.dtype(npd))
