"""Lower `linalg.generic` on memrefs to explicit loop nests (`buffers` -> `loops` level).

Each generic becomes one nest: the parallel dimensions outside, ordered like the
first output's dimensions so the innermost loop walks the output contiguously,
and the reduction dimensions innermost. The parallel dimensions but the
innermost one form an `scf.parallel` (all of them when there is only one), so
the C backend can spread it over threads; the rest are `scf.for`. A reduction
keeps its running values in loop-carried variables (`iter_args`): the outputs
are loaded once before the reduction loops and stored once after them.
Indexing maps become `arith` index arithmetic feeding `memref.load` /
`memref.store`; the body's ops are copied into the innermost loop. Dimensions
of extent 1 get no loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, memref, scf
from xdsl.dialects.linalg import ops as linalg
from xdsl.dialects.builtin import IndexType, IntegerAttr, MemRefType, ModuleOp, TensorType
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.ir.affine import (
    AffineBinaryOpExpr,
    AffineBinaryOpKind,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineMap,
)
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import PassFailedException

__all__ = ["LowerToLoopsPass", "loop_order", "lower_generic"]


def loop_order(op: linalg.GenericOp) -> tuple[list[int], list[int]]:
    """(parallel dims outermost first, reduction dims outermost first)."""
    maps = [m.data for m in op.indexing_maps]
    kinds = [it.data.value for it in op.iterator_types]
    parallel = [d for d, k in enumerate(kinds) if k == "parallel"]
    reduction = [d for d, k in enumerate(kinds) if k != "parallel"]
    out_map = maps[len(op.inputs)] if op.outputs else None
    in_out: list[int] = []
    if out_map is not None:
        for e in out_map.results:
            if isinstance(e, AffineDimExpr) and e.position in parallel and e.position not in in_out:
                in_out.append(e.position)
    rest = [d for d in parallel if d not in in_out]
    return rest + in_out, reduction


def loop_bounds(op: linalg.GenericOp) -> list[int]:
    """The static trip count of each loop dimension."""
    maps = [m.data for m in op.indexing_maps]
    num_dims = maps[0].num_dims if maps else 0
    bounds: list[int | None] = [None] * num_dims
    for operand, m in zip(op.operands, maps):
        t = operand.type
        if isinstance(t, TensorType):
            raise PassFailedException(
                "tfc-lower-to-loops: linalg.generic must be on memrefs; run tfc-bufferize first"
            )
        if not isinstance(t, MemRefType):
            continue  # a scalar input
        shape = t.get_shape()
        for k, e in enumerate(m.results):
            if isinstance(e, AffineDimExpr) and bounds[e.position] is None:
                if shape[k] < 0:
                    raise PassFailedException("tfc-lower-to-loops: dynamic shapes are not supported")
                bounds[e.position] = shape[k]
    if any(b is None for b in bounds):
        raise PassFailedException(
            "tfc-lower-to-loops: every loop dimension must index some operand directly"
        )
    return bounds  # type: ignore[return-value]


class _NestBuilder:
    """Emits ops at a moving insertion point, caching index constants."""

    def __init__(self, before: Operation):
        # Constants go right after the first one, so they precede the whole nest.
        zero = arith.ConstantOp(IntegerAttr.from_index_int_value(0))
        Rewriter.insert_op(zero, InsertPoint.before(before))
        self.consts: dict[int, SSAValue] = {0: zero.result}
        self.zero = zero
        self.point = InsertPoint.before(before)

    def const(self, value: int) -> SSAValue:
        if value not in self.consts:
            c = arith.ConstantOp(IntegerAttr.from_index_int_value(value))
            Rewriter.insert_op(c, InsertPoint.after(self.zero))
            self.consts[value] = c.result
        return self.consts[value]

    def insert(self, op: Operation) -> Operation:
        Rewriter.insert_op(op, self.point)
        return op

    def index(self, expr: AffineExpr, ivs: dict[int, SSAValue]) -> SSAValue:
        if isinstance(expr, AffineDimExpr):
            return ivs[expr.position]
        if isinstance(expr, AffineConstantExpr):
            return self.const(expr.value)
        if isinstance(expr, AffineBinaryOpExpr):
            lhs, rhs = self.index(expr.lhs, ivs), self.index(expr.rhs, ivs)
            cls = {
                AffineBinaryOpKind.Add: arith.AddiOp,
                AffineBinaryOpKind.Mul: arith.MuliOp,
                AffineBinaryOpKind.Mod: arith.RemSIOp,
                AffineBinaryOpKind.FloorDiv: arith.FloorDivSIOp,
                AffineBinaryOpKind.CeilDiv: arith.CeilDivSIOp,
            }[expr.kind]
            return self.insert(cls(lhs, rhs)).results[0]
        raise PassFailedException(f"tfc-lower-to-loops: unsupported affine expression {expr}")

    def indices(self, m: AffineMap, ivs: dict[int, SSAValue]) -> list[SSAValue]:
        return [self.index(e, ivs) for e in m.results]


def _iv_name(d: int, kind: str) -> str:
    return f"{'i' if kind == 'parallel' else 'r'}{d}"


def lower_generic(op: linalg.GenericOp) -> None:
    """Replace one generic on memrefs with its loop nest."""
    maps = [m.data for m in op.indexing_maps]
    n_in = len(op.inputs)
    kinds = [it.data.value for it in op.iterator_types]
    bounds = loop_bounds(op)
    parallel, reduction = loop_order(op)
    out_maps = maps[n_in:]
    if any(e.used_dims() & set(reduction) for m in out_maps for e in m.results):
        raise PassFailedException(
            "tfc-lower-to-loops: an output indexed by a reduction dimension is not supported"
        )
    body = op.body.block
    b = _NestBuilder(op)
    ivs: dict[int, SSAValue] = {}
    index = IndexType()
    # A dimension of extent 1 needs no loop: its index is 0.
    for d in [d for d in parallel + reduction if bounds[d] == 1]:
        ivs[d] = b.const(0)
    parallel = [d for d in parallel if bounds[d] != 1]
    reduction = [d for d in reduction if bounds[d] != 1]

    # Parallel loops: an scf.parallel for all but the innermost, then scf.for.
    n_outer = len(parallel) - 1 if len(parallel) >= 2 else len(parallel)
    if n_outer:
        outer = parallel[:n_outer]
        region = Region(Block(arg_types=[index] * n_outer))
        par = scf.ParallelOp([b.const(0)] * n_outer, [b.const(bounds[d]) for d in outer],
                             [b.const(1)] * n_outer, region)
        block = region.block
        block.add_op(scf.ReduceOp())
        for d, arg in zip(outer, block.args):
            arg.name_hint = _iv_name(d, "parallel")
            ivs[d] = arg
        b.insert(par)
        b.point = InsertPoint.before(block.last_op)
    for d in parallel[n_outer:]:
        loop_block = Block(arg_types=[index])
        loop_block.args[0].name_hint = _iv_name(d, "parallel")
        loop_block.add_op(scf.YieldOp())
        b.insert(scf.ForOp(b.const(0), b.const(bounds[d]), b.const(1), [], loop_block))
        ivs[d] = loop_block.args[0]
        b.point = InsertPoint.before(loop_block.last_op)

    out_args = body.args[n_in:]
    mapping: dict[SSAValue, SSAValue] = {}

    def load(i: int, suffix: str = "") -> SSAValue:
        if not isinstance(op.operands[i].type, MemRefType):
            return op.operands[i]  # a scalar input is used as is
        ld = b.insert(memref.LoadOp.get(op.operands[i], b.indices(maps[i], ivs)))
        hint = body.args[i].name_hint
        ld.results[0].name_hint = hint + suffix if hint else None
        return ld.results[0]

    if reduction:
        # Outputs stay in registers across the reduction loops.
        carried = [load(n_in + j, "_init") for j in range(len(out_args))]
        store_point = b.point
        loops: list[scf.ForOp] = []
        for d in reduction:
            loop_block = Block(arg_types=[index, *(v.type for v in carried)])
            loop_block.args[0].name_hint = _iv_name(d, kinds[d])
            for arg, out_arg in zip(loop_block.args[1:], out_args):
                arg.name_hint = out_arg.name_hint or "acc"
            loop = scf.ForOp(b.const(0), b.const(bounds[d]), b.const(1), carried, loop_block)
            b.insert(loop)
            if loops:
                Rewriter.insert_op(scf.YieldOp(*loop.results), InsertPoint.after(loop))
            loops.append(loop)
            ivs[d] = loop_block.args[0]
            carried = list(loop_block.args[1:])
            b.point = InsertPoint.at_end(loop_block)
        mapping.update(zip(out_args, carried))
    else:
        for j, arg in enumerate(out_args):
            if arg.uses:
                mapping[arg] = load(n_in + j)
    for i, arg in enumerate(body.args[:n_in]):
        if arg.uses:
            mapping[arg] = load(i)

    yielded: Sequence[SSAValue] = ()
    for inner in body.ops:
        if isinstance(inner, linalg.YieldOp):
            yielded = [mapping.get(v, v) for v in inner.operands]
        elif isinstance(inner, linalg.IndexOp):
            mapping[inner.result] = ivs[inner.dim.value.data]
        else:
            b.insert(inner.clone(value_mapper=mapping))

    if reduction:
        b.insert(scf.YieldOp(*yielded))
        b.point = store_point
        yielded = list(loops[0].results)
    for j, v in enumerate(yielded):
        b.insert(memref.StoreOp.get(v, op.outputs[j], b.indices(out_maps[j], ivs)))
    op.detach()
    op.erase()


@dataclass(frozen=True)
class LowerToLoopsPass(ModulePass):
    """`linalg.generic` on memrefs -> `scf.parallel` / `scf.for` nests (`buffers` -> `loops` level).

    Expects the `buffers` level (every generic on memrefs with static shapes;
    bodies of `arith` / `math` ops, `linalg.index`, `memref.load`). Produces
    the `loops` level: each generic is replaced, in place, by a loop nest of
    `memref.load`, the body's ops and `memref.store`; `linalg.index` becomes
    the loop's induction variable. Everything else is unchanged.
    """

    name = "tfc-lower-to-loops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for generic in [o for o in op.walk() if isinstance(o, linalg.GenericOp)]:
            lower_generic(generic)
