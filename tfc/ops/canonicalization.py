"""Canonicalization patterns for tfc ops, applied by xDSL's `canonicalize` pass.

`patterns_for(op_class)` returns the RewritePatterns rooted at that op class
(`TfcCanonicalization` in tfc/ops/base.py asks for them). Ops are known here
by name only, so this module imports no op family when it is imported.

Every rewrite is exact: the result is bit-for-bit what the original ops
compute (NaN payloads aside), so canonicalization never changes numerics.

Constant folding
- An op whose operands are all `tfc.constant` and whose results have at most
  FOLD_MAX_ELEMENTS elements each becomes a `tfc.constant`, computed by the
  op's NumPy `reference` and stored in exactly the result's dtype. Operands
  larger than FOLD_MAX_OPERAND_ELEMENTS are not read (compile time).
- An elementwise op whose operands are all splat constants is computed once
  on the scalars and becomes a splat constant, at any size up to that of its
  largest constant operand.
- `tfc.fill` of at most FOLD_MAX_ELEMENTS elements is a splat constant.
- No rewrite makes the program's constant data grow: the backends store every
  element of a constant, splats included, while a fill or a broadcast is
  computed. So a new constant has at most FOLD_MAX_ELEMENTS elements, or no
  more than the constant it replaces (see `_may_create`).
- Constants are read from their bytes, so -0.0 and NaN survive folding. A
  result made only of zeros of both signs is not folded: xDSL prints (and
  reads) a dense attribute whose elements compare equal as a splat.
- Ops without operands other than fill (`tfc.iota`) are left alone: a
  generator is cheaper to compute in a kernel than to store.

Algebraic identities (c is a splat constant; the rewrite applies only when
the other operand already has the result's type, i.e. the constant's broadcast
changes nothing)
- x + 0, 0 + x -> x: integers; floats only for c = -0.0, since x + (+0.0)
  turns x = -0.0 into +0.0 (MLIR's arith.addf folds the same way).
- x - 0 -> x: integers; floats only for c = +0.0 (x - (-0.0) is x + 0.0).
- x * 1, 1 * x, x / 1 -> x: exact for every dtype.
- x * 0, 0 * x -> 0: integers only (within the size limit above). For floats NaN * 0, inf * 0 and -x * 0
  are not +0.0, so it never folds.
- neg(neg(x)) -> x; cast to x's own dtype -> x.
- transpose(transpose(x, p), q) -> transpose(x, p o q); identity perm -> x.
- reshape of a reshape / expand_dims / squeeze -> one reshape of the source;
  reshape, expand_dims or squeeze to x's own shape -> x.
- broadcast_to of a splat constant -> a splat constant (within the size
  limit above); broadcast_to of a
  broadcast_to -> one broadcast_to; broadcast_to to x's own shape -> x.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from xdsl.ir import Operation, SSAValue
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

FOLD_MAX_ELEMENTS = 1024
FOLD_MAX_OPERAND_ELEMENTS = 1 << 16


# --- helpers -----------------------------------------------------------------------

def _op(name: str):
    from tfc.ops.registry import lookup

    return lookup(name)


def _num_elements(t) -> int:
    return int(np.prod(t.get_shape(), dtype=np.int64))


def _constant_op(value: SSAValue) -> Operation | None:
    owner = value.owner
    return owner if isinstance(owner, Operation) and owner.name == "tfc.constant" else None


def _raw_values(attr, dtype) -> np.ndarray:
    """The stored elements of a dense attribute, decoded from its bytes (exact, no Python loop).

    xDSL's own readers decide splat-ness by value equality, which reads
    [0.0, -0.0] as a splat of 0.0; the bytes do not lie.
    """
    raw = attr.data.data
    if dtype.is_bool:
        return np.frombuffer(raw, np.uint8) != 0
    return np.frombuffer(raw, dtype.numpy)


def _constant_array(value: SSAValue) -> np.ndarray | None:
    op = _constant_op(value)
    if op is None:
        return None
    d = _dtype(value)
    shape = tuple(value.type.get_shape())
    flat = _raw_values(op.attributes["value"], d)
    if flat.size == 1:
        return np.full(shape, flat[0], dtype=d.numpy)
    return flat.reshape(shape).copy()


def _splat(value: SSAValue):
    """The scalar (as a 0-d array of the value's dtype) if `value` is a constant whose
    elements all have the same bits."""
    op = _constant_op(value)
    if op is None:
        return None
    flat = _raw_values(op.attributes["value"], _dtype(value))
    return flat[:1].copy().reshape(()) if _bitwise_uniform(flat) else None


def _dtype(value: SSAValue):
    from tfc import dtypes

    return dtypes.from_ir(value.type.element_type)


def _is(scalar, want: float, dtype, *, negative_zero: bool | None = None) -> bool:
    """scalar == want; for floats with want == 0, also its sign when `negative_zero` is given."""
    if scalar is None or dtype.is_bool:
        return False
    x = scalar.astype(np.float64) if dtype.is_float else scalar
    if x != want:
        return False
    if dtype.is_float and want == 0 and negative_zero is not None:
        return bool(np.signbit(x)) == negative_zero
    return True


def _bitwise_uniform(flat: np.ndarray) -> bool:
    """All elements have the same bits (so -0.0 and +0.0 differ, and equal NaNs agree)."""
    if flat.size == 0:
        return False
    raw = np.ascontiguousarray(flat).view(np.uint8).reshape(flat.size, -1)
    return bool(np.all(raw == raw[:1]))


class _Unrepresentable(Exception):
    """A value the IR's dense attributes cannot hold exactly."""


def _dense(arr: np.ndarray, result_type):
    """The value attribute for `arr` in exactly `result_type` (splat when bitwise uniform).

    Unlike comparing values, the splat test keeps the sign of zeros: [0.0, -0.0]
    stays two elements.
    """
    from xdsl.dialects.builtin import DenseIntOrFPElementsAttr

    from tfc import dtypes

    d = dtypes.from_ir(result_type.element_type)
    flat = np.asarray(arr).astype(d.numpy).reshape(-1)
    if _bitwise_uniform(flat):
        flat = flat[:1]
    elif d.is_float and bool(np.all(flat == flat[0])):
        # Zeros of both signs only: xDSL would print (and read) it as a splat,
        # losing the signs, so such a value is not folded.
        raise _Unrepresentable()
    if d.is_bool:
        values = [bool(v) for v in flat]
    elif d.is_float:
        values = [float(v) for v in flat.astype(np.float64)]
    else:
        values = [int(v) for v in flat]
    return DenseIntOrFPElementsAttr.from_list(result_type, values)


def _make_constant(arr, result_type, location) -> Operation:
    """A tfc.constant of `result_type` holding `arr` (a scalar makes a splat)."""
    op = _op("tfc.constant").create(result_types=[result_type],
                                    attributes={"value": _dense(arr, result_type)})
    op.location = location
    return op


def _may_create(result_type, *operands: SSAValue) -> bool:
    """Whether a constant of `result_type` may be created: the backends store every
    element of a constant (splats too), so the program's constant data must not grow
    past FOLD_MAX_ELEMENTS or the largest constant it replaces."""
    existing = [_num_elements(v.type) for v in operands if _constant_op(v) is not None]
    return _num_elements(result_type) <= max([FOLD_MAX_ELEMENTS, *existing])


def _replace_with(rewriter: PatternRewriter, op: Operation, value: SSAValue) -> None:
    rewriter.replace(op, [], [value])


def _new_op(name: str, operand: SSAValue, attrs: dict, result_type, location) -> Operation:
    cls = _op(name)
    op = cls.create(operands=[operand], result_types=[result_type],
                    attributes=cls.build_attributes(cls.normalize_attrs(attrs)))
    op.location = location
    return op


# --- constant folding --------------------------------------------------------------

@cache
def _elementwise_names() -> frozenset[str]:
    import importlib

    return frozenset(cls.name for cls in importlib.import_module("tfc.ops.elementwise").OPS)


class FoldConstantOperands(RewritePattern):
    """op(constants...) -> tfc.constant, by the op's NumPy reference."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        if not op.operands or op.name == "tfc.constant":
            return
        if any(_constant_op(v) is None for v in op.operands):
            return
        results = [r.type for r in op.results]
        if (op.name in _elementwise_names() and all(_splat(v) is not None for v in op.operands)
                and all(_may_create(t, *op.operands) for t in results)):
            scalars = [_splat(v) for v in op.operands]
            values = _evaluate(op, scalars, [() for _ in results])
            if values is not None and (new := _constants(values, results, op.location)):
                rewriter.replace(op, new)
                return
        if any(_num_elements(t) > FOLD_MAX_ELEMENTS for t in results):
            return
        if any(_num_elements(v.type) > FOLD_MAX_OPERAND_ELEMENTS for v in op.operands):
            return
        arrays = [_constant_array(v) for v in op.operands]
        values = _evaluate(op, arrays, [tuple(t.get_shape()) for t in results])
        if values is not None and (new := _constants(values, results, op.location)):
            rewriter.replace(op, new)


def _constants(values, types, location) -> list[Operation] | None:
    try:
        return [_make_constant(v, t, location) for v, t in zip(values, types)]
    except _Unrepresentable:
        return None


def _evaluate(op: Operation, arrays: list[np.ndarray], shapes: list[tuple]) -> list | None:
    """The op's reference on `arrays`, or None if it cannot be evaluated (then: no fold)."""
    try:
        with np.errstate(all="ignore"):
            out = type(op).reference(op.py_attrs(), *arrays)
    except Exception:  # no reference, or it rejects these values: leave the op alone
        return None
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    if len(outs) != len(shapes):
        return None
    outs = [np.asarray(o) for o in outs]
    if any(o.shape != s for o, s in zip(outs, shapes)):
        return None
    return outs


class FillToConstant(RewritePattern):
    """tfc.fill -> a splat tfc.constant."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        (t,) = [r.type for r in op.results]
        if _may_create(t):
            value = np.asarray(op.py_attrs()["value"])
            rewriter.replace(op, _make_constant(value, t, op.location))


# --- algebraic identities ------------------------------------------------------------

class BinaryIdentity(RewritePattern):
    """x op c -> x (or c op x -> x) where c is the op's identity element."""

    def __init__(self, right: dict, left: dict | None = None):
        # {(is_float): (value, negative_zero)}: the identity on each side.
        self.right = right
        self.left = left or {}

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        x, y = op.operands
        result = op.results[0].type
        dtype = _dtype(x)
        for keep, const, table in ((x, y, self.right), (y, x, self.left)):
            want = table.get(dtype.is_float)
            if want is None or keep.type != result:
                continue
            value, negative_zero = want
            if _is(_splat(const), value, dtype, negative_zero=negative_zero):
                _replace_with(rewriter, op, keep)
                return


class MulByZero(RewritePattern):
    """x * 0 -> 0 for integers (never for floats: NaN * 0, inf * 0, -x * 0)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        x, y = op.operands
        dtype = _dtype(x)
        if not dtype.is_int:
            return
        t = op.results[0].type
        for c in (x, y):
            if _is(_splat(c), 0, dtype) and _may_create(t, c):
                rewriter.replace(op, _make_constant(np.zeros((), dtype.numpy), t, op.location))
                return


class DoubleNegation(RewritePattern):
    """neg(neg(x)) -> x."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        inner = op.operands[0].owner
        if isinstance(inner, Operation) and inner.name == "tfc.neg":
            _replace_with(rewriter, op, inner.operands[0])


class SameTypeIsIdentity(RewritePattern):
    """A unary op whose result has its operand's type (shape and dtype) is the identity.

    Sound for cast (to the same dtype), reshape, expand_dims/squeeze (same shape means
    nothing was inserted or removed) and broadcast_to (to the same shape).
    """

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        (x,) = op.operands
        if x.type == op.results[0].type:
            _replace_with(rewriter, op, x)


class TransposeOfTranspose(RewritePattern):
    """transpose(x, identity) -> x; transpose(transpose(x, p), q) -> transpose(x, [p[i] for i in q])."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        perm = tuple(op.py_attrs()["perm"])
        if perm == tuple(range(len(perm))):
            _replace_with(rewriter, op, op.operands[0])
            return
        inner = op.operands[0].owner
        if not (isinstance(inner, Operation) and inner.name == "tfc.transpose"):
            return
        inner_perm = tuple(inner.py_attrs()["perm"])
        # result dim i = inner's dim perm[i] = x's dim inner_perm[perm[i]]
        composed = [inner_perm[p] for p in perm]
        source = inner.operands[0]
        if composed == list(range(len(composed))):
            _replace_with(rewriter, op, source)
        else:
            rewriter.replace(op, _new_op("tfc.transpose", source, {"perm": composed},
                                         op.results[0].type, op.location))


_VIEW_OPS = ("tfc.reshape", "tfc.expand_dims", "tfc.squeeze")


class ReshapeOfView(RewritePattern):
    """reshape(reshape | expand_dims | squeeze (x)) -> reshape(x) (or x if shapes agree)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        inner = op.operands[0].owner
        if not (isinstance(inner, Operation) and inner.name in _VIEW_OPS):
            return
        source = inner.operands[0]
        t = op.results[0].type
        if source.type == t:
            _replace_with(rewriter, op, source)
        else:
            rewriter.replace(op, _new_op("tfc.reshape", source, {"shape": list(t.get_shape())},
                                         t, op.location))


class BroadcastOfBroadcastOrSplat(RewritePattern):
    """broadcast_to(splat c) -> splat c of the result type; broadcast_to(broadcast_to(x)) -> broadcast_to(x)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter, /):
        (x,) = op.operands
        t = op.results[0].type
        if (scalar := _splat(x)) is not None and _may_create(t, x):
            rewriter.replace(op, _make_constant(scalar, t, op.location))
            return
        inner = x.owner
        if isinstance(inner, Operation) and inner.name == "tfc.broadcast_to":
            rewriter.replace(op, _new_op("tfc.broadcast_to", inner.operands[0],
                                         {"shape": list(t.get_shape())}, t, op.location))


# --- the table -------------------------------------------------------------------------

def _identity_patterns() -> dict[str, tuple[RewritePattern, ...]]:
    # BinaryIdentity tables: {is_float: (identity value, required sign of a zero or None)}
    add_zero = {False: (0, None), True: (0.0, True)}
    sub_zero = {False: (0, None), True: (0.0, False)}
    one = {False: (1, None), True: (1.0, None)}
    same = SameTypeIsIdentity()
    return {
        "tfc.add": (BinaryIdentity(add_zero, add_zero),),
        "tfc.sub": (BinaryIdentity(sub_zero),),
        "tfc.mul": (BinaryIdentity(one, one), MulByZero()),
        "tfc.div": (BinaryIdentity(one),),
        "tfc.neg": (DoubleNegation(),),
        "tfc.cast": (same,),
        "tfc.transpose": (TransposeOfTranspose(),),
        "tfc.reshape": (same, ReshapeOfView()),
        "tfc.expand_dims": (same,),
        "tfc.squeeze": (same,),
        "tfc.broadcast_to": (same, BroadcastOfBroadcastOrSplat()),
        "tfc.fill": (FillToConstant(),),
    }


@cache
def patterns_for(op_class) -> tuple[RewritePattern, ...]:
    """The canonicalization patterns rooted at `op_class` (identities first, then folding)."""
    name = getattr(op_class, "name", "")
    patterns = list(_identity_patterns().get(name, ()))
    if name != "tfc.constant":
        patterns.append(FoldConstantOperands())
    return tuple(patterns)


__all__ = ["patterns_for", "FOLD_MAX_ELEMENTS"]
