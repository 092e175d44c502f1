"""Builders for the `linalg` level, used by each op's `lower`.

`LinalgBuilder` inserts `linalg.generic`, `tensor.empty` and constants in place
of one tfc op. Generic bodies are written with `ScalarBuilder`, which picks the
arith/math op for the element type (addf vs addi, cmpf vs cmpi, ...) and keeps
f16/bf16 arithmetic in f32 (read with extf, write with truncf).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.builder import Builder
from xdsl.dialects import arith, math, tensor
from xdsl.dialects.builtin import (
    AffineMapAttr,
    DenseIntOrFPElementsAttr,
    Float32Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    TensorType,
)
# The split modules: `xdsl.dialects.linalg.X` is deprecated in xDSL 0.74 (a warning per use).
from xdsl.dialects.linalg import attrs as linalg_attrs
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.rewriter import InsertPoint

from tfc import dtypes

Body = Callable[..., Sequence[SSAValue] | SSAValue]

PARALLEL = "parallel"
REDUCTION = "reduction"


def compute_type(t: Attribute) -> Attribute:
    """The type bodies compute in: f32 for half types, else the element type."""
    d = dtypes.from_ir(t)
    return Float32Type() if d.is_half else t


class ScalarBuilder:
    """Scalar ops for generic bodies, typed by their operands."""

    def __init__(self, builder: Builder):
        self.b = builder

    def _ins(self, op) -> SSAValue:
        self.b.insert(op)
        return op.results[0]

    @staticmethod
    def is_float(v: SSAValue) -> bool:
        return not isinstance(v.type, (IntegerType, IndexType))

    # constants and conversions
    def const(self, value, t: Attribute) -> SSAValue:
        t = compute_type(t)
        if isinstance(t, IntegerType):
            if t.width.data == 1:
                value = -1 if value else 0  # i1 true is the all-ones pattern
            return self._ins(arith.ConstantOp(IntegerAttr(int(value), t)))
        if isinstance(t, IndexType):
            return self._ins(arith.ConstantOp(IntegerAttr(int(value), t)))
        return self._ins(arith.ConstantOp(FloatAttr(float(value), t)))

    def cast(self, v: SSAValue, to: Attribute) -> SSAValue:
        """Value conversion between element types (like tfc.cast / numpy astype)."""
        src, dst = v.type, to
        if src == dst:
            return v
        sf, df = self.is_float(v), not isinstance(dst, (IntegerType, IndexType))
        if isinstance(src, IndexType):
            return self._ins(arith.IndexCastOp(v, dst)) if not df else self.cast(
                self._ins(arith.IndexCastOp(v, IntegerType(64))), dst)
        if isinstance(dst, IndexType):
            return self._ins(arith.IndexCastOp(self.cast(v, IntegerType(64)), dst))
        if sf and df:
            sw, dw = _fbits(src), _fbits(dst)
            if sw < dw:
                return self._ins(arith.ExtFOp(v, dst))
            return self._ins(arith.TruncFOp(v, dst))
        if sf and not df:
            if dst.width.data == 1:  # float -> bool is x != 0
                return self.cmp("ne", v, self.const(0.0, src))
            return self._ins(arith.FPToSIOp(v, dst))
        if not sf and df:
            if src.width.data == 1:  # bool -> float: true is 1.0 (not -1.0)
                return self.select(v, self.const(1.0, dst), self.const(0.0, dst))
            return self._ins(arith.SIToFPOp(v, dst))
        sw, dw = src.width.data, dst.width.data
        if dw == 1:
            return self.cmp("ne", v, self.const(0, src))
        if sw == 1:
            return self._ins(arith.ExtUIOp(v, dst))
        if sw < dw:
            return self._ins(arith.ExtSIOp(v, dst))
        return self._ins(arith.TruncIOp(v, dst))

    # arithmetic
    def add(self, a, b):
        return self._ins(arith.AddfOp(a, b) if self.is_float(a) else arith.AddiOp(a, b))

    def sub(self, a, b):
        return self._ins(arith.SubfOp(a, b) if self.is_float(a) else arith.SubiOp(a, b))

    def mul(self, a, b):
        return self._ins(arith.MulfOp(a, b) if self.is_float(a) else arith.MuliOp(a, b))

    def div(self, a, b):
        return self._ins(arith.DivfOp(a, b) if self.is_float(a) else arith.FloorDivSIOp(a, b))

    def max(self, a, b):
        return self._ins(arith.MaximumfOp(a, b) if self.is_float(a) else arith.MaxSIOp(a, b))

    def min(self, a, b):
        return self._ins(arith.MinimumfOp(a, b) if self.is_float(a) else arith.MinSIOp(a, b))

    def neg(self, a):
        if self.is_float(a):
            return self._ins(arith.NegfOp(a))
        return self.sub(self.const(0, a.type), a)

    def abs(self, a):
        return self._ins(math.AbsFOp(a) if self.is_float(a) else math.AbsIOp(a))

    def unary(self, op_cls, a):
        """A math dialect unary op (exp, log, tanh, ...)."""
        return self._ins(op_cls(a))

    def pow(self, a, b):
        if self.is_float(a):
            return self._ins(math.PowFOp(a, b))
        return self._ins(math.IPowIOp(a, b))

    def cmp(self, pred: str, a, b):
        """pred in eq, ne, lt, le, gt, ge; floats compare ordered (NaN -> false) except ne."""
        if self.is_float(a):
            fpred = {"eq": "oeq", "ne": "une", "lt": "olt", "le": "ole", "gt": "ogt", "ge": "oge"}
            return self._ins(arith.CmpfOp(a, b, fpred[pred]))
        ipred = {"eq": "eq", "ne": "ne", "lt": "slt", "le": "sle", "gt": "sgt", "ge": "sge"}
        return self._ins(arith.CmpiOp(a, b, ipred[pred]))

    def select(self, c, a, b):
        return self._ins(arith.SelectOp(c, a, b))

    def and_(self, a, b):
        return self._ins(arith.AndIOp(a, b))

    def or_(self, a, b):
        return self._ins(arith.OrIOp(a, b))

    def xor(self, a, b):
        return self._ins(arith.XOrIOp(a, b))

    def index(self, dim: int) -> SSAValue:
        """The loop index of iteration dimension `dim` (an `index` value)."""
        return self._ins(linalg.IndexOp(dim))


def _fbits(t: Attribute) -> int:
    return dtypes.from_ir(t).bits


class LinalgBuilder:
    """Inserts linalg-level IR before the op being lowered."""

    def __init__(self, insert_point: InsertPoint):
        self.b = Builder(insert_point)

    def insert(self, op):
        self.b.insert(op)
        return op

    def empty(self, t: TensorType) -> SSAValue:
        return self.insert(tensor.EmptyOp([], t)).results[0]

    def dense(self, attr: DenseIntOrFPElementsAttr) -> SSAValue:
        return self.insert(arith.ConstantOp(attr)).results[0]

    def generic(self, inputs: Sequence[SSAValue], inits: Sequence[SSAValue],
                maps: Sequence[AffineMap], iterators: Sequence[str], body: Body,
                doc: str | None = None) -> list[SSAValue]:
        """A linalg.generic; `body(s, *in_scalars, *out_scalars)` returns the yielded values.

        Scalars of half types arrive extended to f32 and yields are truncated back,
        so bodies are written once for every float type.
        """
        arg_types = [t.element_type for t in (*[v.type for v in inputs], *[v.type for v in inits])]
        block = Block(arg_types=arg_types)
        bb = Builder(InsertPoint.at_end(block))
        s = ScalarBuilder(bb)
        args = [s.cast(a, compute_type(a.type)) for a in block.args]
        results = body(s, *args)
        if isinstance(results, SSAValue):
            results = [results]
        yields = [s.cast(r, init.type.element_type) for r, init in zip(results, inits)]
        bb.insert(linalg.YieldOp(*yields))
        op = linalg.GenericOp(
            list(inputs), list(inits), Region(block),
            [AffineMapAttr(m) for m in maps],
            [linalg_attrs.IteratorTypeAttr(linalg_attrs.IteratorType(it)) for it in iterators],
            [v.type for v in inits],
        )
        return list(self.insert(op).results)

    def elementwise(self, inputs: Sequence[SSAValue], out_type: TensorType, body: Body) -> SSAValue:
        """An elementwise generic over `out_type`'s shape; inputs broadcast NumPy-style."""
        rank = len(out_type.get_shape())
        maps = [broadcast_map(v.type, out_type) for v in inputs] + [AffineMap.identity(rank)]
        n = len(inputs)
        return self.generic(inputs, [self.empty(out_type)], maps, [PARALLEL] * rank,
                            lambda s, *args: body(s, *args[:n]))[0]

    def fill(self, t: TensorType, value) -> SSAValue:
        """A tensor filled with `value` (a generic with no inputs, yielding a constant)."""
        rank = len(t.get_shape())
        return self.generic([], [self.empty(t)], [AffineMap.identity(rank)], [PARALLEL] * rank,
                            lambda s, _out: s.const(value, t.element_type))[0]

    def reduce(self, x: SSAValue, axes: Sequence[int], out_type: TensorType, init,
               combine: Callable[..., SSAValue],
               pre: Callable[..., SSAValue] | None = None) -> SSAValue:
        """Reduce `x` over `axes` into `out_type` (keepdims or not, given by its rank).

        `combine(s, acc, v)` folds one element in; `pre(s, v)` maps each element first.
        """
        in_shape = x.type.get_shape()
        rank = len(in_shape)
        keep = len(out_type.get_shape()) == rank
        out_exprs = []
        for d in range(rank):
            if d in axes:
                if keep:
                    out_exprs.append(AffineExpr.constant(0))
            else:
                out_exprs.append(AffineExpr.dimension(d))
        out_map = AffineMap(rank, 0, tuple(out_exprs))
        iters = [REDUCTION if d in axes else PARALLEL for d in range(rank)]
        acc = self.fill(out_type, init)

        def body(s, v, a):
            if pre is not None:
                v = pre(s, v)
            return combine(s, a, v)

        return self.generic([x], [acc], [AffineMap.identity(rank), out_map], iters, body)[0]


def broadcast_map(in_type: TensorType, out_type: TensorType) -> AffineMap:
    """The map reading a NumPy-broadcast input inside the output's iteration space."""
    in_shape, out_shape = in_type.get_shape(), out_type.get_shape()
    rank = len(out_shape)
    off = rank - len(in_shape)
    exprs = tuple(
        AffineExpr.constant(0) if (d == 1 and out_shape[off + i] != 1) else AffineExpr.dimension(off + i)
        for i, d in enumerate(in_shape))
    return AffineMap(rank, 0, exprs)
