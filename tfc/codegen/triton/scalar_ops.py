"""The scalar-op table of the Triton target: each `arith` / `math` op as a Triton expression.

The sibling of `c_ops.py`. `render(op, args)` returns the Triton expression
computing `op`'s (single) result from the expressions of its operands; the
operands are block tensors (or Python literals for constants), so every entry
is elementwise. Entries are format strings over the operands (`{0}`, `{1}`,
...) and the result's Triton dtype (`{T}`), or functions for the few ops that
need more. Ops without a `tl` builtin (tanh, pow, floor division, ...) call
small `@triton.jit` helpers; `helpers_used(code)` lists the ones a module needs.
Everything here runs on GPUs and in Triton's interpreter alike (libdevice calls
would not run in the interpreter).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from xdsl.dialects.builtin import (
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

__all__ = [
    "HELPERS", "UnsupportedOp", "combiner", "helpers_used", "is_float", "literal",
    "neutral_literal", "render", "tl_type", "torch_dtype",
]


class UnsupportedOp(NotImplementedError):
    pass


_TL = {Float32Type: "tl.float32", Float64Type: "tl.float64", Float16Type: "tl.float16",
       BFloat16Type: "tl.bfloat16"}
_TORCH = {Float32Type: "torch.float32", Float64Type: "torch.float64", Float16Type: "torch.float16",
          BFloat16Type: "torch.bfloat16"}


def is_float(t: Attribute) -> bool:
    return type(t) in _TL


def _bits(t: Attribute) -> int:
    if isinstance(t, IndexType):
        return 64
    if isinstance(t, IntegerType):
        return t.width.data
    return t.bitwidth


def tl_type(t: Attribute) -> str:
    """The Triton dtype of an element type (`index` computes in int64)."""
    if type(t) in _TL:
        return _TL[type(t)]
    if isinstance(t, IndexType):
        return "tl.int64"
    if isinstance(t, IntegerType) and t.width.data in (1, 8, 16, 32, 64):
        return f"tl.int{t.width.data}"
    raise UnsupportedOp(f"Triton target: unsupported element type {t}")


def torch_dtype(t: Attribute) -> str:
    """The torch dtype that stores one element of `t` (i1 is torch.bool)."""
    if type(t) in _TORCH:
        return _TORCH[type(t)]
    if isinstance(t, IntegerType):
        return {1: "torch.bool", 8: "torch.uint8", 16: "torch.int16", 32: "torch.int32",
                64: "torch.int64"}[t.width.data]
    if isinstance(t, IndexType):
        return "torch.int64"
    raise UnsupportedOp(f"Triton target: unsupported element type {t}")


def _float_literal(v: float) -> str:
    if math.isnan(v):
        return 'float("nan")'
    if math.isinf(v):
        return 'float("inf")' if v > 0 else 'float("-inf")'
    return repr(float(v))


def literal(value: Attribute, t: Attribute) -> str:
    """A Python literal for a scalar `arith.constant` (Triton types it from its use)."""
    if isinstance(value, FloatAttr):
        v = value.value.data
        if math.isfinite(v) and not isinstance(t, Float64Type):
            # The shortest decimal that reads back as the same float32 (0.797884583 -> 0.7978846).
            text = str(np.float32(v))
            return text if ("." in text or "e" in text) else text + ".0"
        return _float_literal(v)
    if isinstance(value, IntegerAttr):
        v = value.value.data
        if _bits(t) == 1:
            return "True" if v & 1 else "False"
        return str(v)
    raise UnsupportedOp(f"Triton target: unsupported constant {value}")


# ----------------------------------------------------------------------------
# Reductions: the combiner of an associative reduction body, and its identity.

# arith op -> (how a block is reduced along an axis, identity as a function of the type)
_COMBINERS: dict[str, tuple[str, Callable[[Attribute], str]]] = {
    "arith.addf": ("tl.sum({x}, axis={axis})", lambda t: "0.0"),
    "arith.addi": ("tl.sum({x}, axis={axis})", lambda t: "0"),
    "arith.mulf": ("tl.reduce({x}, {axis}, _mul)", lambda t: "1.0"),
    "arith.muli": ("tl.reduce({x}, {axis}, _mul)", lambda t: "1"),
    "arith.maximumf": ("tl.reduce({x}, {axis}, _maximum)", lambda t: 'float("-inf")'),
    "arith.minimumf": ("tl.reduce({x}, {axis}, _minimum)", lambda t: 'float("inf")'),
    "arith.maxnumf": ("tl.max({x}, axis={axis})", lambda t: 'float("-inf")'),
    "arith.minnumf": ("tl.min({x}, axis={axis})", lambda t: 'float("inf")'),
    "arith.maxsi": ("tl.max({x}, axis={axis})", lambda t: str(-(1 << (_bits(t) - 1)))),
    "arith.minsi": ("tl.min({x}, axis={axis})", lambda t: str((1 << (_bits(t) - 1)) - 1)),
    "arith.ori": ("tl.reduce({x}, {axis}, _or)", lambda t: "False" if _bits(t) == 1 else "0"),
    "arith.andi": ("tl.reduce({x}, {axis}, _and)", lambda t: "True" if _bits(t) == 1 else "-1"),
    "arith.xori": ("tl.reduce({x}, {axis}, _xor)", lambda t: "False" if _bits(t) == 1 else "0"),
}


def combiner(name: str) -> str | None:
    """The reduction form (`tl.sum({x}, axis={axis})`) of an associative combiner op, or None."""
    entry = _COMBINERS.get(name)
    return entry[0] if entry else None


def neutral_literal(name: str, t: Attribute) -> str:
    """The identity of combiner `name` on type `t`, as a literal."""
    return _COMBINERS[name][1](t)


# ----------------------------------------------------------------------------
# Helpers a generated module may need; only the used ones are emitted.

HELPERS: dict[str, str] = {
    "_maximum": '''\
@triton.jit
def _maximum(a, b):
    # NaN-propagating, like NumPy's maximum (arith.maximumf)
    return tl.maximum(a, b, propagate_nan=tl.PropagateNan.ALL)''',
    "_minimum": '''\
@triton.jit
def _minimum(a, b):
    # NaN-propagating, like NumPy's minimum (arith.minimumf)
    return tl.minimum(a, b, propagate_nan=tl.PropagateNan.ALL)''',
    "_mul": '''\
@triton.jit
def _mul(a, b):
    return a * b''',
    "_or": '''\
@triton.jit
def _or(a, b):
    return a | b''',
    "_and": '''\
@triton.jit
def _and(a, b):
    return a & b''',
    "_xor": '''\
@triton.jit
def _xor(a, b):
    return a ^ b''',
    "_tanh": '''\
@triton.jit
def _tanh(x):
    # 1 - 2 / (exp(2x) + 1): exact limits at +-inf (exp overflows to inf, never NaN)
    return 1.0 - 2.0 / (tl.exp(2.0 * x) + 1.0)''',
    "_powf": '''\
@triton.jit
def _powf(a, b):
    # C pow(): |a|^b, negated for a negative base and an odd integer exponent,
    # NaN for a negative base and a non-integer exponent; pow(x, 0) = pow(1, y) = 1
    r = tl.exp2(b * tl.log2(tl.abs(a)))
    b_int = tl.floor(b) == b
    b_odd = b_int & (tl.floor(b * 0.5) * 2.0 != b)
    r = tl.where(a < 0.0, tl.where(b_int, tl.where(b_odd, -r, r), float("nan")), r)
    return tl.where((b == 0.0) | (a == 1.0), 1.0, r)''',
    "_ipow": '''\
@triton.jit
def _ipow(base, exp):
    # integer power by squaring; for a negative exponent, 1 // base ** -exp (C semantics)
    r = base * 0 + exp * 0 + 1
    b = base + exp * 0
    e = exp + base * 0
    for _ in tl.static_range(63):
        r = tl.where((e & 1) == 1, r * b, r)
        b = b * b
        e = tl.where(e > 0, e >> 1, 0)
    neg = tl.where(base == 1, 1, tl.where(base == -1, tl.where((exp & 1) == 1, -1, 1), 0))
    return tl.where(exp < 0, neg, r)''',
    "_floordiv": '''\
@triton.jit
def _floordiv(a, b):
    # rounds toward negative infinity (arith.floordivsi); `//` truncates
    q = a // b
    return tl.where((q * b != a) & ((a < 0) != (b < 0)), q - 1, q)''',
    "_ceildiv": '''\
@triton.jit
def _ceildiv(a, b):
    # rounds toward positive infinity (arith.ceildivsi)
    q = a // b
    return tl.where((q * b != a) & ((a < 0) == (b < 0)), q + 1, q)''',
}


def helpers_used(code: str) -> list[str]:
    """The helper definitions `code` calls, in a fixed order."""
    return [text for name, text in HELPERS.items()
            if name + "(" in code or f", {name})" in code]


# ----------------------------------------------------------------------------
# The table

_CMPF_NAMES = ["false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord",
               "ueq", "ugt", "uge", "ult", "ule", "une", "uno", "true"]
_CMPF = {
    "false": "({0} != {0}) & ({0} == {0})", "oeq": "{0} == {1}", "ogt": "{0} > {1}",
    "oge": "{0} >= {1}", "olt": "{0} < {1}", "ole": "{0} <= {1}",
    "one": "({0} < {1}) | ({0} > {1})", "ord": "({0} == {0}) & ({1} == {1})",
    "ueq": "~(({0} < {1}) | ({0} > {1}))", "ugt": "~({0} <= {1})", "uge": "~({0} < {1})",
    "ult": "~({0} >= {1})", "ule": "~({0} > {1})", "une": "{0} != {1}",
    "uno": "({0} != {0}) | ({1} != {1})", "true": "({0} == {0}) | ({0} != {0})",
}
_CMPI_NAMES = ["eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge"]
_CMPI = {"eq": "==", "ne": "!=", "slt": "<", "sle": "<=", "sgt": ">", "sge": ">=",
         "ult": "<", "ule": "<=", "ugt": ">", "uge": ">="}

_TABLE: dict[str, str | Callable[[Operation, list[str]], str]] = {
    "arith.addf": "{0} + {1}", "arith.subf": "{0} - {1}", "arith.mulf": "{0} * {1}",
    "arith.divf": "{0} / {1}", "arith.negf": "-{0}", "arith.remf": "{0} % {1}",
    "arith.maximumf": "tl.maximum({0}, {1}, propagate_nan=tl.PropagateNan.ALL)",
    "arith.minimumf": "tl.minimum({0}, {1}, propagate_nan=tl.PropagateNan.ALL)",
    "arith.maxnumf": "tl.maximum({0}, {1})", "arith.minnumf": "tl.minimum({0}, {1})",
    "arith.addi": "{0} + {1}", "arith.subi": "{0} - {1}", "arith.muli": "{0} * {1}",
    # Triton's integer // and % truncate toward zero, like arith.divsi / remsi.
    "arith.divsi": "{0} // {1}", "arith.remsi": "{0} % {1}",
    "arith.floordivsi": "_floordiv({0}, {1})", "arith.ceildivsi": "_ceildiv({0}, {1})",
    "arith.maxsi": "tl.maximum({0}, {1})", "arith.minsi": "tl.minimum({0}, {1})",
    "arith.andi": "{0} & {1}", "arith.ori": "{0} | {1}", "arith.xori": "{0} ^ {1}",
    "arith.shli": "{0} << {1}", "arith.shrsi": "{0} >> {1}",
    "arith.select": "tl.where({0}, {1}, {2})",
    "math.exp": "tl.exp({0})", "math.exp2": "tl.exp2({0})", "math.log": "tl.log({0})",
    "math.log2": "tl.log2({0})", "math.log10": "tl.log({0}) * 0.4342944819032518",
    "math.log1p": "tl.log(1.0 + {0})", "math.expm1": "tl.exp({0}) - 1.0",
    "math.sqrt": "tl.sqrt({0})", "math.rsqrt": "tl.rsqrt({0})",
    "math.sin": "tl.sin({0})", "math.cos": "tl.cos({0})", "math.erf": "tl.erf({0})",
    "math.tanh": "_tanh({0})", "math.powf": "_powf({0}, {1})", "math.ipowi": "_ipow({0}, {1})",
    "math.absf": "tl.abs({0})", "math.absi": "tl.abs({0})",
    "math.floor": "tl.floor({0})", "math.ceil": "tl.ceil({0})", "math.fma": "tl.fma({0}, {1}, {2})",
    "math.copysign": "tl.where(({1} < 0.0) | ((1.0 / {1}) < 0.0), -tl.abs({0}), tl.abs({0}))",
}


def _cmpf(op: Operation, a: list[str]) -> str:
    name = _CMPF_NAMES[op.predicate.value.data]
    if a[0] == a[1] and name in ("ord", "uno"):  # is x NaN?
        return f"({a[0]} == {a[0]})" if name == "ord" else f"({a[0]} != {a[0]})"
    return "(" + _CMPF[name].format(*a) + ")"


def _cmpi(op: Operation, a: list[str]) -> str:
    name = _CMPI_NAMES[op.predicate.value.data]
    if name.startswith("u") and _bits(op.operands[0].type) > 1:
        u = f"tl.uint{_bits(op.operands[0].type)}"
        a = [f"{x}.to({u}, bitcast=True)" for x in a]
    return f"({a[0]} {_CMPI[name]} {a[1]})"


def _convert(op: Operation, a: list[str]) -> str:
    """extf, truncf, fptosi, sitofp, extsi, trunci, index_cast: a value conversion."""
    src, dst = op.operands[0].type, op.results[0].type
    x = a[0]
    if _bits(dst) == 1 and not is_float(dst):  # to i1: x != 0 (trunci keeps the low bit)
        return f"(({x} & 1) != 0)" if op.name == "arith.trunci" else f"({x} != 0)"
    if not is_float(src) and _bits(src) == 1:
        # i1 is signed in sitofp / extsi (true is -1) and unsigned in uitofp / extui.
        if op.name in ("arith.sitofp", "arith.extsi"):
            return f"tl.where({x}, -1, 0).to({tl_type(dst)})"
        return f"{x}.to({tl_type(dst)})"
    if op.name in ("arith.uitofp", "arith.extui", "arith.index_castui") and _bits(src) > 1:
        x = f"{x}.to(tl.uint{_bits(src)}, bitcast=True)"
    return f"{x}.to({tl_type(dst)})"


def _bitcast(op: Operation, a: list[str]) -> str:
    return f"{a[0]}.to({tl_type(op.results[0].type)}, bitcast=True)"


def _shrui(op: Operation, a: list[str]) -> str:
    bits = _bits(op.operands[0].type)
    return f"({a[0]}.to(tl.uint{bits}, bitcast=True) >> {a[1]}).to(tl.int{bits}, bitcast=True)"


for _name in ("arith.extf", "arith.truncf", "arith.fptosi", "arith.fptoui", "arith.sitofp",
              "arith.uitofp", "arith.extsi", "arith.extui", "arith.trunci", "arith.index_cast",
              "arith.index_castui"):
    _TABLE[_name] = _convert
_TABLE.update({"arith.cmpf": _cmpf, "arith.cmpi": _cmpi, "arith.bitcast": _bitcast,
               "arith.shrui": _shrui})


def is_supported(op: Operation) -> bool:
    return op.name in _TABLE


def render(op: Operation, args: list[str]) -> str:
    """The Triton expression for `op`'s result, given its operands as expressions."""
    entry = _TABLE.get(op.name)
    if entry is None:
        raise UnsupportedOp(f"Triton target: no Triton translation for {op.name}")
    if callable(entry):
        return entry(op, args)
    return entry.format(*args, T=tl_type(op.results[0].type) if op.results else "")
