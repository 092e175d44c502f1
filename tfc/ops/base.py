"""The base of every tfc op: one class per op is its single definition.

An op class declares its attributes (`ATTRS`), its arity, and implements
`infer` (result types, used by the verifier, tracing and eager mode alike),
`reference` (NumPy semantics), and `lower` (linalg IR) or `decompose`
(in terms of other tfc ops). `vjp` is its gradient rule, written with tfc op
functions so that it works eagerly and when traced.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from xdsl.dialects.builtin import (
    ArrayAttr,
    BoolAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    StringAttr,
    TensorType,
    TypeAttribute,
    f64,
    i64,
)
from xdsl.ir import Attribute
from xdsl.irdl import IRDLOperation, irdl_op_definition, traits_def, var_operand_def, var_result_def
from xdsl.traits import HasCanonicalizationPatternsTrait, Pure
from xdsl.utils.exceptions import VerifyException

from tfc import dtypes
from tfc.errors import ShapeError

REQUIRED = object()


@dataclass(frozen=True)
class AttrSpec:
    """One op attribute: its kind decides the IR attribute used to store it.

    kinds: int, float, bool, str, ints (array<i64: ...>), dtype (a type), dense
    (a DenseIntOrFPElementsAttr, for tfc.constant).
    """

    kind: str
    default: Any = REQUIRED


def to_attr(kind: str, value: Any) -> Attribute:
    if kind == "int":
        return IntegerAttr(int(value), i64)
    if kind == "float":
        return FloatAttr(float(value), f64)
    if kind == "bool":
        return BoolAttr.from_bool(bool(value))
    if kind == "str":
        return StringAttr(str(value))
    if kind == "ints":
        return DenseArrayBase.from_list(i64, [int(v) for v in value])
    if kind == "dtype":
        return dtypes.from_any(value).ir_type()
    if kind == "dense":
        assert isinstance(value, DenseIntOrFPElementsAttr)
        return value
    raise AssertionError(f"unknown attribute kind {kind}")


def from_attr(kind: str, attr: Attribute) -> Any:
    """The Python value of an attribute. Accepts the spellings people write by hand."""
    if kind == "int" and isinstance(attr, IntegerAttr):
        return attr.value.data
    if kind == "float" and isinstance(attr, (FloatAttr, IntegerAttr)):
        return float(attr.value.data)
    if kind == "bool":
        # BoolAttr is IntegerAttr of i1 (a subscripted generic: no isinstance on it).
        if isinstance(attr, IntegerAttr) and attr.type == IntegerType(1):
            return bool(attr.value.data)
    if kind == "str" and isinstance(attr, StringAttr):
        return attr.data
    if kind == "ints":
        if isinstance(attr, DenseArrayBase):
            return tuple(int(v) for v in attr.get_values())
        if isinstance(attr, ArrayAttr) and all(isinstance(a, IntegerAttr) for a in attr.data):
            return tuple(a.value.data for a in attr.data)
    if kind == "dtype" and isinstance(attr, TypeAttribute):
        return dtypes.from_ir(attr)
    if kind == "dense" and isinstance(attr, DenseIntOrFPElementsAttr):
        return attr
    raise ValueError(f"expected {kind} attribute, got {attr}")


def type_str(t: TensorType) -> str:
    shape = "x".join(str(d) for d in t.get_shape())
    elem = dtypes.from_ir(t.element_type).name
    return f"tensor<{shape}x{elem}>" if shape else f"tensor<{elem}>"


def tensor_type(shape: Sequence[int], dtype) -> TensorType:
    return _tensor_type(tuple(int(d) for d in shape), dtypes.from_any(dtype).name)


@functools.lru_cache(maxsize=4096)
def _tensor_type(shape: tuple[int, ...], dtype_name: str) -> TensorType:
    # xDSL attributes are immutable, so one instance per (shape, dtype) can be shared;
    # building one verifies it, which was half of tracing a 200-op program.
    return TensorType(dtypes.from_any(dtype_name).ir_type(), list(shape))


def shape_of(t: TensorType) -> tuple[int, ...]:
    return tuple(t.get_shape())


def dtype_of(t: TensorType) -> dtypes.DType:
    return dtypes.from_ir(t.element_type)


class TfcCanonicalization(HasCanonicalizationPatternsTrait):
    """Canonicalization patterns per op class, kept in tfc/ops/canonicalization.py."""

    def get_patterns(self, op):
        from tfc.ops.canonicalization import patterns_for

        return patterns_for(op)

    @classmethod
    def get_canonicalization_patterns(cls):
        return ()


class TfcOp(IRDLOperation):
    """Base of all tfc ops: variadic tensor operands and results, attrs in the attr-dict."""

    inputs = var_operand_def(TensorType)
    outputs = var_result_def(TensorType)
    assembly_format = "$inputs attr-dict `:` functional-type($inputs, results)"
    # Pure: tfc ops have no side effects, so unused ones are dead code.
    traits = traits_def(Pure(), TfcCanonicalization())

    # --- the registry entry -------------------------------------------------
    ATTRS: ClassVar[dict[str, AttrSpec]] = {}
    # Number of inputs; None means variadic (at least one).
    ARITY: ClassVar[int | None] = 1
    # The name users call (tfc.<api_name>); defaults to the op name.
    api_name = ""
    # Composite ops set this: (attrs, *inputs) -> output(s), written with op functions.
    decompose = None
    # Differentiable ops set this: (attrs, inputs, outputs, grads) -> grads per input (or None).
    vjp = None

    @classmethod
    def infer(cls, in_types: list[TensorType], attrs: dict[str, Any]) -> list[TensorType]:
        raise NotImplementedError(f"{cls.name}: no shape inference")

    @classmethod
    def reference(cls, attrs: dict[str, Any], *arrays: np.ndarray):
        raise NotImplementedError(f"{cls.name}: no reference semantics")

    def lower(self, b) -> list:
        """Build the linalg IR for this op with `b` (a LinalgBuilder); return its results."""
        raise NotImplementedError(f"{self.name}: no lowering to linalg (decompose it first)")

    # --- derived machinery ---------------------------------------------------
    @classmethod
    def short_name(cls) -> str:
        return cls.name.split(".", 1)[1]

    @classmethod
    def normalize_attrs(cls, attrs: dict[str, Any]) -> dict[str, Any]:
        """Fill defaults and reject unknown or missing attributes."""
        out = {}
        for key in attrs:
            if key not in cls.ATTRS:
                raise ShapeError(f"{cls.name}: unknown attribute '{key}'")
        for key, spec in cls.ATTRS.items():
            if key in attrs and attrs[key] is not None:
                out[key] = attrs[key]
            elif spec.default is REQUIRED:
                raise ShapeError(f"{cls.name}: missing attribute '{key}'")
            else:
                out[key] = spec.default
        return out

    def py_attrs(self) -> dict[str, Any]:
        """This op's attributes as Python values (defaults filled in)."""
        out = {}
        for key, spec in self.ATTRS.items():
            attr = self.attributes.get(key)
            if attr is None:
                if spec.default is REQUIRED:
                    raise VerifyException(f"{self.name}: missing attribute '{key}'")
                out[key] = spec.default
            else:
                try:
                    out[key] = from_attr(spec.kind, attr)
                except (ValueError, dtypes.DTypeError) as e:
                    raise VerifyException(f"{self.name}: attribute '{key}': {e}") from None
        return out

    @classmethod
    def check_arity(cls, n: int) -> None:
        if cls.ARITY is None:
            if n < 1:
                raise ShapeError(f"{cls.name}: expects at least one operand")
        elif n != cls.ARITY:
            raise ShapeError(f"{cls.name}: expects {cls.ARITY} operand(s), got {n}")

    @classmethod
    def build_attributes(cls, attrs: dict[str, Any]) -> dict[str, Attribute]:
        """IR attributes for non-default values (defaults stay implicit in the text)."""
        out = {}
        for key, value in attrs.items():
            spec = cls.ATTRS[key]
            if spec.default is not REQUIRED and _same(value, spec.default):
                continue
            out[key] = to_attr(spec.kind, value)
        return out

    def verify_(self) -> None:
        for key in self.attributes:
            if key not in self.ATTRS:
                raise VerifyException(f"{self.name}: unknown attribute '{key}'")
        attrs = self.py_attrs()
        in_types = [o.type for o in self.inputs]
        try:
            for t in in_types + [r.type for r in self.outputs]:
                dtypes.from_ir(t.element_type)
            self.check_arity(len(in_types))
            expected = self.infer(in_types, attrs)
        except (ShapeError, dtypes.DTypeError) as e:
            raise VerifyException(str(e)) from None
        actual = [r.type for r in self.outputs]
        if len(actual) != len(expected):
            raise VerifyException(
                f"{self.name}: expected {len(expected)} result(s), got {len(actual)}")
        for a, e in zip(actual, expected):
            if a != e:
                raise VerifyException(
                    f"{self.name}: result type {type_str(a)} does not match the inferred "
                    f"type {type_str(e)} (operands: {', '.join(type_str(t) for t in in_types)})")


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return tuple(a) == tuple(b)
    return type(a) is type(b) and a == b


_IRDL_KEYS = {"name", "assembly_format", "custom_directives", "traits", "irdl_options"}


def _is_metadata(key: str, value: Any) -> bool:
    """Plain class data (registry metadata), as opposed to IRDL fields and methods."""
    if key in _IRDL_KEYS or key.startswith("__"):
        return False
    if isinstance(value, (classmethod, staticmethod, property)) or callable(value):
        return False
    return not type(value).__module__.startswith("xdsl.irdl")


def tfc_op(cls):
    """Define a tfc op: `irdl_op_definition` that allows registry metadata as class data.

    xDSL only accepts IRDL fields and methods on op classes; metadata such as
    ATTRS or ARITY is set aside while xDSL reads the class, then restored.
    """
    stash = []
    for klass in cls.__mro__:
        if klass is IRDLOperation or not issubclass(klass, IRDLOperation):
            continue
        for key, value in list(vars(klass).items()):
            if _is_metadata(key, value):
                stash.append((klass, key, value))
                delattr(klass, key)
    try:
        return irdl_op_definition(cls)
    finally:
        for klass, key, value in stash:
            setattr(klass, key, value)


# --- shared inference helpers ------------------------------------------------

def broadcast_shapes(op: str, *types: TensorType) -> tuple[int, ...]:
    """NumPy/TF broadcasting of the operands' shapes, with an error naming the op and shapes."""
    shapes = [shape_of(t) for t in types]
    rank = max(len(s) for s in shapes)
    out = []
    for i in range(rank):
        dims = {s[len(s) - rank + i] for s in shapes if len(s) - rank + i >= 0}
        dims.discard(1)
        if len(dims) > 1:
            raise ShapeError(
                f"{op}: shapes are not broadcast-compatible: "
                f"{', '.join(type_str(t) for t in types)}")
        out.append(dims.pop() if dims else 1)
    return tuple(out)


def same_dtype(op: str, *types: TensorType) -> dtypes.DType:
    kinds = {dtype_of(t) for t in types}
    if len(kinds) > 1:
        raise ShapeError(
            f"{op}: operand dtypes differ: {', '.join(type_str(t) for t in types)} "
            "(cast one of them with tfc.cast)")
    return kinds.pop()


def normalize_axes(op: str, axes: Sequence[int] | None, rank: int, t: TensorType) -> tuple[int, ...]:
    """Axes as sorted non-negative ints; None means all axes."""
    if axes is None:
        return tuple(range(rank))
    out = []
    for a in axes:
        if not -rank <= a < max(rank, 1):
            raise ShapeError(f"{op}: axis {a} is out of range for {type_str(t)}")
        out.append(a % rank if rank else 0)
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: repeated axis in {list(axes)}")
    return tuple(sorted(out))
