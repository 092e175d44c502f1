"""The scalar-op table of the C target: each `arith` / `math` op as a C expression.

`render(op, args)` returns the C expression computing `op`'s (single) result from
the C expressions of its operands. Entries are format strings over the operands
(`{0}`, `{1}`, ...), the result's C type (`{T}`) and the libm suffix of the
operand type (`{f}`: `f` for float, empty for double), or functions for the few
ops that need more. Half types: f16 is `_Float16`, which C arithmetic handles;
bf16 is stored as `uint16_t` bits, so arithmetic on bf16 goes through float.
`math.exp` / `log` / `tanh` / `erf` on f32 call the vectorizable functions of
`c_math.py` (the C target emits their definitions when used); other math and
all f64 math call libm.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from xdsl.dialects.builtin import (
    AnyFloat,
    BFloat16Type,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
)
from xdsl.ir import Attribute, Operation

from tfc.codegen import c_math

__all__ = ["HELPERS", "LIBM_NAMES", "c_literal", "c_type", "render", "helpers_used"]


class UnsupportedOp(NotImplementedError):
    pass


def c_type(t: Attribute) -> str:
    """The C type that stores one element of `t`."""
    if isinstance(t, Float32Type):
        return "float"
    if isinstance(t, Float64Type):
        return "double"
    if isinstance(t, Float16Type):
        return "_Float16"
    if isinstance(t, BFloat16Type):
        return "uint16_t"
    if isinstance(t, IndexType):
        return "int64_t"
    if isinstance(t, IntegerType):
        width = t.width.data
        if width == 1:
            return "bool"
        if width in (8, 16, 32, 64):
            return f"int{width}_t"
    raise UnsupportedOp(f"C target: unsupported element type {t}")


def _unsigned(t: Attribute) -> str:
    return "bool" if c_type(t) == "bool" else "u" + c_type(t)


def _bits(t: Attribute) -> int:
    if isinstance(t, IndexType):
        return 64
    if isinstance(t, IntegerType):
        return t.width.data
    return t.bitwidth


def c_literal(value: Attribute, t: Attribute) -> str:
    """A C literal for a scalar `arith.constant` value."""
    if isinstance(value, FloatAttr):
        v = value.value.data
        if isinstance(t, BFloat16Type):
            import ml_dtypes

            bits = int(np.array(v, dtype=ml_dtypes.bfloat16).view(np.uint16))
            return f"(uint16_t)0x{bits:04x}"
        lit = _float_literal(v, isinstance(t, Float64Type))
        return f"(_Float16){lit}" if isinstance(t, Float16Type) else lit
    if isinstance(value, IntegerAttr):
        return int_literal(value.value.data, t)
    raise UnsupportedOp(f"C target: unsupported constant {value}")


def _float_literal(v: float, double: bool) -> str:
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INFINITY" if v > 0 else "-INFINITY"
    if double:
        text = repr(float(v))
        return text if ("." in text or "e" in text) else text + ".0"
    text = str(np.float32(v))
    if "." not in text and "e" not in text:
        text += ".0"
    return text + "f"


def int_literal(v: int, t: Attribute) -> str:
    bits = _bits(t)
    if bits == 1:
        return "true" if v & 1 else "false"
    if v == -(1 << (bits - 1)):  # the most negative value has no literal
        return f"(-{(1 << (bits - 1)) - 1}{'LL' if bits == 64 else ''} - 1)"
    return f"{v}LL" if bits == 64 and abs(v) > 0x7FFFFFFF else str(v)


# ----------------------------------------------------------------------------
# Helpers a generated file may need; only the used ones are emitted.

HELPERS: dict[str, str] = {
    "tfc_bf16_to_f32": """\
static inline float tfc_bf16_to_f32(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}""",
    "tfc_f32_to_bf16": """\
/* Round to nearest even; NaN stays NaN (quiet). */
static inline uint16_t tfc_f32_to_bf16(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}""",
    "tfc_prefetch": """\
/* Ask for [p, p + bytes) in cache ahead of use: one prefetch per 64-byte line. */
static inline void tfc_prefetch(const void *p, int64_t bytes) {
  for (int64_t k = 0; k < bytes; k += 64) __builtin_prefetch((const char *)p + k, 0, 3);
}""",
    "tfc_floordiv_i32": """\
static inline int32_t tfc_floordiv_i32(int32_t a, int32_t b) {
  int32_t q = a / b;
  return (q * b != a && ((a < 0) != (b < 0))) ? q - 1 : q;
}""",
    "tfc_floordiv_i64": """\
static inline int64_t tfc_floordiv_i64(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (q * b != a && ((a < 0) != (b < 0))) ? q - 1 : q;
}""",
    "tfc_ceildiv_i32": """\
static inline int32_t tfc_ceildiv_i32(int32_t a, int32_t b) {
  int32_t q = a / b;
  return (q * b != a && ((a < 0) == (b < 0))) ? q + 1 : q;
}""",
    "tfc_ceildiv_i64": """\
static inline int64_t tfc_ceildiv_i64(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (q * b != a && ((a < 0) == (b < 0))) ? q + 1 : q;
}""",
    "tfc_ipow_i32": """\
static inline int32_t tfc_ipow_i32(int32_t b, int32_t e) {
  int32_t r = 1;
  if (e < 0) return b == 1 ? 1 : (b == -1 ? ((e & 1) ? -1 : 1) : 0);
  for (; e; e >>= 1, b *= b) if (e & 1) r *= b;
  return r;
}""",
    "tfc_ipow_i64": """\
static inline int64_t tfc_ipow_i64(int64_t b, int64_t e) {
  int64_t r = 1;
  if (e < 0) return b == 1 ? 1 : (b == -1 ? ((e & 1) ? -1 : 1) : 0);
  for (; e; e >>= 1, b *= b) if (e & 1) r *= b;
  return r;
}""",
}


def helpers_used(code: str) -> list[str]:
    """The helper definitions `code` calls, in a fixed order."""
    return [text for name, text in HELPERS.items() if name + "(" in code]


# ----------------------------------------------------------------------------
# The table

_CMPF = {
    "false": "false", "oeq": "{0} == {1}", "ogt": "{0} > {1}", "oge": "{0} >= {1}",
    "olt": "{0} < {1}", "ole": "{0} <= {1}", "one": "({0} < {1} || {0} > {1})",
    "ord": "({0} == {0} && {1} == {1})", "ueq": "!({0} < {1} || {0} > {1})",
    "ugt": "!({0} <= {1})", "uge": "!({0} < {1})", "ult": "!({0} >= {1})",
    "ule": "!({0} > {1})", "une": "{0} != {1}", "uno": "({0} != {0} || {1} != {1})",
    "true": "true",
}
_CMPF_NAMES = list(_CMPF)  # predicate number -> name (MLIR's order)

_CMPI_NAMES = ["eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"]
_CMPI = {
    "eq": "{0} == {1}", "ne": "{0} != {1}", "slt": "{0} < {1}", "sle": "{0} <= {1}",
    "sgt": "{0} > {1}", "sge": "{0} >= {1}",
    "ult": "({U}){0} < ({U}){1}", "ule": "({U}){0} <= ({U}){1}",
    "ugt": "({U}){0} > ({U}){1}", "uge": "({U}){0} >= ({U}){1}",
}

# libm functions by MLIR name (the float variant adds an `f`).
_LIBM = {
    "math.exp": "exp", "math.exp2": "exp2", "math.expm1": "expm1", "math.log": "log",
    "math.log2": "log2", "math.log10": "log10", "math.log1p": "log1p", "math.sqrt": "sqrt",
    "math.cbrt": "cbrt", "math.tanh": "tanh", "math.erf": "erf", "math.sin": "sin",
    "math.cos": "cos", "math.tan": "tan", "math.asin": "asin", "math.acos": "acos",
    "math.atan": "atan", "math.sinh": "sinh", "math.cosh": "cosh", "math.asinh": "asinh",
    "math.acosh": "acosh", "math.atanh": "atanh", "math.floor": "floor", "math.ceil": "ceil",
    "math.trunc": "trunc", "math.round": "round", "math.roundeven": "nearbyint",
    "math.absf": "fabs", "math.powf": "pow", "math.atan2": "atan2", "math.copysign": "copysign",
    "math.fma": "fma", "arith.remf": "fmod", "arith.maxnumf": "fmax", "arith.minnumf": "fmin",
}
LIBM_NAMES = frozenset(n + s for n in _LIBM.values() for s in ("", "f"))
# f32 (and half types, computed in f32) use the vectorizable versions of c_math.py.
VECTOR_MATH = c_math.FUNCTIONS

_TABLE: dict[str, str | Callable[[Operation, list[str]], str]] = {
    "arith.addf": "{0} + {1}", "arith.subf": "{0} - {1}", "arith.mulf": "{0} * {1}",
    "arith.divf": "{0} / {1}", "arith.negf": "-{0}",
    # NaN-propagating, like NumPy's maximum / minimum.
    "arith.maximumf": "(({0} > {1} || {0} != {0}) ? {0} : {1})",
    "arith.minimumf": "(({0} < {1} || {0} != {0}) ? {0} : {1})",
    "arith.addi": "{0} + {1}", "arith.subi": "{0} - {1}", "arith.muli": "{0} * {1}",
    "arith.divsi": "{0} / {1}", "arith.remsi": "{0} % {1}",
    "arith.divui": "({U}){0} / ({U}){1}", "arith.remui": "({U}){0} % ({U}){1}",
    "arith.maxsi": "({0} > {1} ? {0} : {1})", "arith.minsi": "({0} < {1} ? {0} : {1})",
    "arith.maxui": "(({U}){0} > ({U}){1} ? {0} : {1})",
    "arith.minui": "(({U}){0} < ({U}){1} ? {0} : {1})",
    "arith.andi": "{0} & {1}", "arith.ori": "{0} | {1}", "arith.xori": "{0} ^ {1}",
    "arith.shli": "{0} << {1}", "arith.shrsi": "{0} >> {1}", "arith.shrui": "({T})(({U}){0} >> {1})",
    "arith.select": "{0} ? {1} : {2}",
    "arith.index_cast": "({T}){0}", "arith.index_castui": "({T})({U0}){0}",
    "math.rsqrt": "1 / sqrt{f}({0})",
    "math.absi": "({0} < 0 ? -{0} : {0})",
    "math.fpowi": "pow{f}({0}, ({F}){1})",
    "math.ctpop": "({T})__builtin_popcountll(({U}){0})",
}


def _floordiv(op: Operation, a: list[str]) -> str:
    return f"tfc_floordiv_i{_bits(op.results[0].type)}({a[0]}, {a[1]})"


def _ceildiv(op: Operation, a: list[str]) -> str:
    return f"tfc_ceildiv_i{_bits(op.results[0].type)}({a[0]}, {a[1]})"


def _ipowi(op: Operation, a: list[str]) -> str:
    return f"tfc_ipow_i{_bits(op.results[0].type)}({a[0]}, {a[1]})"


def _cmpf(op: Operation, a: list[str]) -> str:
    return _CMPF[_CMPF_NAMES[op.predicate.value.data]].format(*a)


def _cmpi(op: Operation, a: list[str]) -> str:
    return _CMPI[_CMPI_NAMES[op.predicate.value.data]].format(*a, U=_unsigned(op.operands[0].type))


def _to_float(src: Attribute, x: str) -> str:
    """`x` (of float type `src`) as a C float or double value."""
    return f"tfc_bf16_to_f32({x})" if isinstance(src, BFloat16Type) else x


def _from_float(dst: Attribute, x: str) -> str:
    """A float/double C value `x` converted to float type `dst`."""
    if isinstance(dst, BFloat16Type):
        return f"tfc_f32_to_bf16((float)({x}))"
    return f"({c_type(dst)})({x})"


def _extf_truncf(op: Operation, a: list[str]) -> str:
    src, dst = op.operands[0].type, op.results[0].type
    if isinstance(src, BFloat16Type) and isinstance(dst, Float32Type):
        return f"tfc_bf16_to_f32({a[0]})"
    if isinstance(dst, BFloat16Type) and isinstance(src, Float32Type):
        return f"tfc_f32_to_bf16({a[0]})"
    return _from_float(dst, _to_float(src, a[0]))


def _int_to_float(signed: bool) -> Callable[[Operation, list[str]], str]:
    def render_(op: Operation, a: list[str]) -> str:
        src, dst = op.operands[0].type, op.results[0].type
        x = a[0]
        if _bits(src) == 1:
            x = f"({x} ? {'-1' if signed else '1'} : 0)"
        elif not signed:
            x = f"({_unsigned(src)}){x}"
        return _from_float(dst, x)
    return render_


def _float_to_int(signed: bool) -> Callable[[Operation, list[str]], str]:
    def render_(op: Operation, a: list[str]) -> str:
        src, dst = op.operands[0].type, op.results[0].type
        x = _to_float(src, a[0])
        if _bits(dst) == 1:
            return f"({x} != 0)"
        return f"({c_type(dst)})({x})" if signed else f"({c_type(dst)})({_unsigned(dst)})({x})"
    return render_


def _extsi(op: Operation, a: list[str]) -> str:
    dst = c_type(op.results[0].type)
    if _bits(op.operands[0].type) == 1:
        return f"({dst})({a[0]} ? -1 : 0)"
    return f"({dst}){a[0]}"


def _extui(op: Operation, a: list[str]) -> str:
    return f"({c_type(op.results[0].type)})({_unsigned(op.operands[0].type)}){a[0]}"


def _trunci(op: Operation, a: list[str]) -> str:
    if _bits(op.results[0].type) == 1:
        return f"(({a[0]} & 1) != 0)"
    return f"({c_type(op.results[0].type)}){a[0]}"


def _bitcast(op: Operation, a: list[str]) -> str:
    src, dst = c_type(op.operands[0].type), c_type(op.results[0].type)
    return f"((union {{ {src} from; {dst} to; }}){{ .from = {a[0]} }}).to"


def _ctlz(op: Operation, a: list[str]) -> str:
    bits = _bits(op.results[0].type)
    return f"({a[0]} == 0 ? {bits} : ({c_type(op.results[0].type)})__builtin_clzll(({_unsigned(op.operands[0].type)}){a[0]}) - {64 - bits})"


def _cttz(op: Operation, a: list[str]) -> str:
    bits = _bits(op.results[0].type)
    return f"({a[0]} == 0 ? {bits} : ({c_type(op.results[0].type)})__builtin_ctzll(({_unsigned(op.operands[0].type)}){a[0]}))"


_TABLE.update({
    "arith.floordivsi": _floordiv, "arith.ceildivsi": _ceildiv, "math.ipowi": _ipowi,
    "arith.cmpf": _cmpf, "arith.cmpi": _cmpi,
    "arith.extf": _extf_truncf, "arith.truncf": _extf_truncf,
    "arith.sitofp": _int_to_float(True), "arith.uitofp": _int_to_float(False),
    "arith.fptosi": _float_to_int(True), "arith.fptoui": _float_to_int(False),
    "arith.extsi": _extsi, "arith.extui": _extui, "arith.trunci": _trunci,
    "arith.bitcast": _bitcast, "math.ctlz": _ctlz, "math.cttz": _cttz,
})

# Ops whose float operands are computed on, not just moved: bf16 operands of
# these are widened to float first (and a bf16 result narrowed back).
_CONVERSIONS = {"arith.extf", "arith.truncf", "arith.fptosi", "arith.fptoui", "arith.bitcast",
                "arith.select"}


def render(op: Operation, args: list[str]) -> str:
    """The C expression for `op`'s result, given its operands as C expressions."""
    name = op.name
    if name not in _TABLE and name not in _LIBM:
        raise UnsupportedOp(f"C target: no C translation for {name}")
    operand_types = [v.type for v in op.operands]
    result_t = op.results[0].type
    first_float = next((t for t in operand_types if isinstance(t, AnyFloat)), None)
    half_compute = name not in _CONVERSIONS and first_float is not None and isinstance(
        first_float, BFloat16Type | Float16Type) and (name in _LIBM or isinstance(first_float, BFloat16Type))
    if half_compute:
        # Compute in float: libm has no half variants and bf16 is raw bits.
        args = [_to_float(t, x) if isinstance(t, AnyFloat) else x for t, x in zip(operand_types, args)]
        args = [f"(float){x}" if isinstance(t, Float16Type) else x for t, x in zip(operand_types, args)]
        first_float = Float32Type()
    if name in VECTOR_MATH and not isinstance(first_float, Float64Type):
        expr = f"{VECTOR_MATH[name]}({', '.join(args)})"
    elif name in _LIBM:
        suffix = "" if isinstance(first_float, Float64Type) else "f"
        expr = f"{_LIBM[name]}{suffix}({', '.join(args)})"
    else:
        entry = _TABLE[name]
        if callable(entry):
            expr = entry(op, args)
        else:
            fmt = {
                "T": c_type(result_t),
                "f": "" if isinstance(first_float, Float64Type) else "f",
                "F": "double" if isinstance(first_float, Float64Type) else "float",
            }
            if operand_types and not isinstance(operand_types[0], AnyFloat):
                fmt["U"] = _unsigned(operand_types[0])
                fmt["U0"] = _unsigned(operand_types[0])
            expr = entry.format(*args, **fmt)
    if half_compute and isinstance(result_t, BFloat16Type | Float16Type):
        expr = _from_float(result_t, expr)
    return expr


def is_supported(op: Operation) -> bool:
    return op.name in _TABLE or op.name in _LIBM

