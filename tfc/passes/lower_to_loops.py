"""Lower `linalg.generic` on memrefs to explicit loop nests (`buffers` -> `loops` level).

A kernel with a CPU `tfc.schedule` (set by tfc-tile) is lowered as its
schedule says (the nest of each generic comes from `tile.plan_nest`):
  - dims that are contiguous in every operand are collapsed into one loop (an
    elementwise kernel over whole buffers becomes a single flat loop), through
    `memref.collapse_shape` views;
  - the outer parallel loops (the band; the innermost parallel loop is
    strip-mined into it when long) form one `scf.parallel` carrying
    `tfc.threads = N`; a single-threaded schedule uses `scf.for` instead;
  - the vector loop is an `scf.for` marked `tfc.simd`: the innermost parallel
    loop of an elementwise nest, cut into `interleave` contiguous parts walked
    side by side (the body's ops interleaved across the parts, so a long
    dependent body keeps several vectors in flight) plus a remainder loop;
    inputs it does not index are loaded once before it;
  - an "inner" reduction carries its outputs in `iter_args` (loaded once
    before, stored once after) with several running values per output over
    parts of the range, combined after the loop; the loop is `tfc.simd` when
    every running value is combined by one associative op (`simd_reductions`),
    and a reduction to a scalar also splits it over threads; an "outer"
    reduction puts the output's contiguous dim inside the reduced loops (the
    output strip is read and written in place and stays in L1);
  - row kernels (`kind = "row"`): one band over the `row_dims` leading dims; in
    it a prefetch of each input's next row, then every generic's remaining
    loops in program order, so a row read by several generics stays in cache
    (an elementwise generic and the reduction of its result share one loop);
  - contraction kernels go to `tfc.passes.lower_contraction.lower_contraction_kernel`.
Without a schedule (or with a GPU one) each generic gets the plain nest
(`lower_generic`): parallel dims outside, ordered like the first output's
dims, all but the innermost as one `scf.parallel`, the rest `scf.for`,
reductions innermost with `iter_args`.
Indexing maps become `arith` index arithmetic feeding `memref.load` /
`memref.store`; the body's ops are copied into the innermost loop;
`linalg.index` becomes the loop's induction variable. Dimensions of extent 1
get no loop. Everything else is unchanged.

This file decides what each kernel gets (kernels, row kernels, prefetches);
`loop_nests.py` builds the loops of one generic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, MemRefType, ModuleOp, StringAttr, i64
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, Region, SSAValue
from xdsl.ir.affine import AffineDimExpr, AffineMap
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import PassFailedException

from tfc.passes.loop_nests import (
    SIMD_ATTR,
    THREADS_ATTR,
    _Access,
    _body_combiners,
    _collapse_views,
    _emit_body,
    _iv_name,
    _NestBuilder,
    _stream_reduction,
    loop_bounds,
    loop_order,
    lower_planned,
    simd_reductions,
)
from tfc.passes.tile import KERNEL_ATTR, NestPlan, plan_nest, read_schedule

__all__ = ["INTRINSIC_ATTR", "LowerToLoopsPass", "SIMD_ATTR", "THREADS_ATTR", "loop_order",
           "lower_generic", "lower_kernel", "simd_reductions"]


# A private func declaration the C target implements itself (`"prefetch"`:
# `(memref, index offset, index count)` asks for elements [offset, offset+count)
# in cache ahead of use; it never changes a value).
INTRINSIC_ATTR = "tfc.intrinsic"


# Rows at least this long (bytes) get the next row prefetched while the current
# one is computed on: the row's later passes run from cache and leave the memory
# idle, so the next row's read overlaps them.
PREFETCH_MIN_ROW_BYTES = 512


def lower_generic(op: linalg.GenericOp) -> None:
    """Replace one generic on memrefs with its plain (unscheduled) loop nest."""
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

    access = [_Access(v, m) for v, m in zip(op.operands, maps)]
    _emit_body(op, b, ivs, access,
               reduction_loops=[(d, bounds[d], _iv_name(d, kinds[d])) for d in reduction],
               outer_loads=True)
    op.detach()
    op.erase()


def _schedule_plan(op: linalg.GenericOp, schedule: dict, fixed: Sequence[int] = (),
                   threads: int | None = None, main: bool = False) -> NestPlan:
    """The nest of `op` under its kernel's schedule; `main`: the kernel's biggest
    generic, which the schedule's `interleave` describes."""
    strip = schedule.get("tile") or []
    return plan_nest(op, threads=schedule.get("threads", 1) if threads is None else threads,
                     vector_width=schedule.get("vector_width", 1),
                     strip=strip[0] if strip else 0, fixed=fixed,
                     interleave=schedule.get("interleave", 0) if main else 0)


def lower_row_kernel(f: func.FuncOp, schedule: dict) -> bool:
    """One band over the rows, each generic's nest inside it in program order.
    False (nothing changed) when the kernel does not have the row structure."""
    n = schedule.get("row_dims", 0)
    ops = list(f.body.block.ops)
    generics = [o for o in ops if isinstance(o, linalg.GenericOp)]
    if not generics or n <= 0:
        return False
    first, last = ops.index(generics[0]), ops.index(generics[-1])
    if any(not isinstance(o, linalg.GenericOp | arith.ConstantOp) for o in ops[first:last + 1]):
        return False
    rows: list[int] | None = None
    for g in generics:
        kinds = [it.data.value for it in g.iterator_types]
        bounds = loop_bounds(g)
        if len(bounds) < n or any(k != "parallel" for k in kinds[:n]):
            return False
        if rows is None:
            rows = bounds[:n]
        elif bounds[:n] != rows:
            return False
        for m in [m.data for m in g.indexing_maps][len(g.inputs):]:
            head = m.results[:n]
            if len(head) < n or any(not (isinstance(e, AffineDimExpr) and e.position == d)
                                    for d, e in enumerate(head)):
                return False
    assert rows is not None
    threads = schedule.get("threads", 1)
    b = _NestBuilder(generics[0])
    index = IndexType()
    live = [d for d in range(n) if rows[d] != 1]
    fixed: dict[int, SSAValue] = {d: b.const(0) for d in range(n) if rows[d] == 1}
    name = (lambda d: f"row{d}") if len(live) > 1 else (lambda d: "row")
    if live and threads > 1:
        region = Region(Block(arg_types=[index] * len(live)))
        band = scf.ParallelOp([b.const(0)] * len(live), [b.const(rows[d]) for d in live],
                              [b.const(1)] * len(live), region)
        band.attributes[THREADS_ATTR] = IntegerAttr(threads, i64)
        region.block.add_op(scf.ReduceOp())
        for d, arg in zip(live, region.block.args):
            arg.name_hint = name(d)
            fixed[d] = arg
        b.insert(band)
        b.point = InsertPoint.before(region.block.last_op)
    else:
        for d in live:
            loop_block = Block(arg_types=[index])
            loop_block.args[0].name_hint = name(d)
            loop_block.add_op(scf.YieldOp())
            b.insert(scf.ForOp(b.const(0), b.const(rows[d]), b.const(1), [], loop_block))
            fixed[d] = loop_block.args[0]
            b.point = InsertPoint.before(loop_block.last_op)
    if live:  # move the generics into the band, in order
        if threads > 1 or math.prod(rows) > 1:
            _prefetch_next_row(f, generics, b, n, rows, fixed)
        for g in generics:
            g.detach()
            b.insert(g)
    i = 0
    while i < len(generics):
        g = generics[i]
        # A map followed (after fills of other buffers) by a reduction of its result:
        # one loop for both (the fills move before it).
        j = i + 1
        while j < len(generics) and _is_fill(generics[j]) and not _touches(generics[j], g):
            j += 1
        if j < len(generics) and _lower_map_reduce(g, generics[j], generics[i + 1:j], schedule,
                                                   n, fixed):
            i = j + 1
            continue
        lower_planned(g, _schedule_plan(g, schedule, fixed=range(n), threads=1), fixed=fixed)
        i += 1
    return True


def _is_fill(g: linalg.GenericOp) -> bool:
    return not g.inputs and not any(a.uses for a in g.body.block.args)


def _touches(g: linalg.GenericOp, other: linalg.GenericOp) -> bool:
    """Does `g` write a buffer `other` reads or writes?"""
    return bool(set(g.outputs) & set(other.operands))


def _is_identity(m: AffineMap) -> bool:
    return m.num_symbols == 0 and len(m.results) == m.num_dims and all(
        isinstance(e, AffineDimExpr) and e.position == k for k, e in enumerate(m.results))


def _lower_map_reduce(a: linalg.GenericOp, r: linalg.GenericOp, fills: list[linalg.GenericOp],
                      schedule: dict, n: int, fixed: dict[int, SSAValue]) -> bool:
    """Lower elementwise `a` and reduction `r` of `a`'s result as one loop over a
    row (see `_stream_reduction`'s producer), `fills` first. False (nothing
    changed) unless: `a` is all-parallel with one output, read by `r` with the
    same identity map at the element it writes; both range over the same dims,
    of which one is left after the rows and extent-1 dims; `r` combines its
    running values with associative ops and does not write `a`'s operands."""
    if len(a.outputs) != 1 or any(it.data.value != "parallel" for it in a.iterator_types):
        return False
    x = a.outputs[0]
    r_kinds = [it.data.value for it in r.iterator_types]
    if "reduction" not in r_kinds or list(r.inputs).count(x) != 1 or x in r.outputs:
        return False
    if set(r.outputs) & set(a.operands):
        return False
    combiners = _body_combiners(r)
    a_maps = [m.data for m in a.indexing_maps]
    r_maps = [m.data for m in r.indexing_maps]
    k = list(r.inputs).index(x)
    if combiners is None or not _is_identity(a_maps[-1]) or r_maps[k] != a_maps[-1]:
        return False
    bounds = loop_bounds(a)
    if loop_bounds(r) != bounds:
        return False
    inner = [d for d in range(n, len(bounds)) if bounds[d] != 1]
    if len(inner) != 1 or r_kinds[inner[0]] != "reduction" or any(
            r_kinds[d] != "parallel" for d in range(n)):
        return False
    plan = _schedule_plan(r, schedule, fixed=range(n), threads=1)
    if plan.reduce != "inner" or not plan.loops or not plan.loops[-1].simd:
        return False
    for fill in fills:
        lower_planned(fill, _schedule_plan(fill, schedule, fixed=range(n), threads=1), fixed=fixed)
    d = inner[0]
    b = _NestBuilder(r)
    ivs: dict = dict(fixed)
    for dim, extent in enumerate(bounds):
        if extent == 1 and dim not in ivs:
            ivs[dim] = b.const(0)
    no_groups = NestPlan()
    _stream_reduction(r, b, ivs, _collapse_views(r, no_groups, b), d, bounds[d], f"r{d}",
                      max(1, plan.interleave), combiners,
                      producer=(a, _collapse_views(a, no_groups, b), k))
    for g in (a, r):
        g.detach()
        g.erase()
    return True


def _prefetch_next_row(f: func.FuncOp, generics: list[linalg.GenericOp], b: _NestBuilder, n: int,
                       rows: list[int], row_ivs: dict[int, SSAValue]) -> None:
    """At the top of a row iteration: prefetch the next row of each kernel input a
    generic reads row by row from a contiguous block (identity layout, the rows
    leading, the rest of the row in order)."""
    args = set(f.body.block.args)
    written = {v for g in generics for v in g.outputs}
    seen: set[SSAValue] = set()
    nxt: SSAValue | None = None
    for g in generics:
        for v, m_attr in zip(g.inputs, g.indexing_maps):
            m = m_attr.data
            t = v.type
            if v in seen or v not in args or v in written or not isinstance(t, MemRefType) \
                    or not _identity_layout(t):
                continue
            shape = t.get_shape()
            if len(m.results) != len(shape) or len(shape) < n or list(shape[:n]) != list(rows) \
                    or any(not (isinstance(e, AffineDimExpr) and e.position == k)
                           for k, e in enumerate(m.results)):
                continue
            row_elems = math.prod(shape[n:])
            if row_elems * _elem_bytes(t) < PREFETCH_MIN_ROW_BYTES:
                continue
            seen.add(v)
            if nxt is None:  # the next row's linear index, clamped to the last row
                linear = row_ivs[n - 1]
                for d in range(n - 1):
                    term = b.insert(arith.MuliOp(row_ivs[d], b.const(math.prod(rows[d + 1:]))))
                    linear = b.insert(arith.AddiOp(linear, term.results[0])).results[0]
                plus = b.insert(arith.AddiOp(linear, b.const(1))).results[0]
                plus.name_hint = "row_after"
                nxt = b.insert(arith.MinSIOp(plus, b.const(math.prod(rows) - 1))).results[0]
                nxt.name_hint = "next_row"
            offset = b.insert(arith.MuliOp(nxt, b.const(row_elems))).results[0]
            offset.name_hint = "next_" + (v.name_hint or "row")
            callee = _intrinsic(f, "prefetch", [t, IndexType(), IndexType()])
            b.insert(func.CallOp(callee, [v, offset, b.const(row_elems)], []))


def _identity_layout(t: MemRefType) -> bool:
    from xdsl.dialects.builtin import NoneAttr

    return isinstance(t.layout, NoneAttr)


def _elem_bytes(t: MemRefType) -> int:
    from tfc.passes.plan_memory import element_bytes

    return element_bytes(t.get_element_type())


def _intrinsic(f: func.FuncOp, what: str, arg_types: list) -> str:
    """The name of a private declaration `@tfc_<what>_N` of these argument types
    (added to the module when missing) that the C target implements."""
    module = f.parent_op()
    assert isinstance(module, ModuleOp)
    ftype = func.FunctionType.from_lists(arg_types, [])
    n = 0
    for op in module.ops:
        if isinstance(op, func.FuncOp) and op.attributes.get(INTRINSIC_ATTR) == StringAttr(what):
            if op.function_type == ftype:
                return op.sym_name.data
            n += 1
    name = f"tfc_{what}_{n}"
    decl = func.FuncOp(name, ftype, Region(), visibility="private")
    decl.attributes[INTRINSIC_ATTR] = StringAttr(what)
    module.body.block.insert_op_before(decl, f)
    return name


def lower_kernel(f: func.FuncOp) -> None:
    """Lower every generic of one function as its `tfc.schedule` says (the plain
    nest for functions without a CPU schedule)."""
    schedule = read_schedule(f) if KERNEL_ATTR in f.attributes else None
    generics = [o for o in f.walk() if isinstance(o, linalg.GenericOp)]
    if schedule is None or schedule.get("target", "cpu") != "cpu":
        for g in generics:
            lower_generic(g)
        return
    kind = schedule.get("kind")
    if kind == "contraction":
        try:
            from tfc.passes.lower_contraction import lower_contraction_kernel
        except ImportError:  # the generic lowering below still works
            lower_contraction_kernel = None
        if lower_contraction_kernel is not None:
            lower_contraction_kernel(f)
            return
    if kind == "row" and lower_row_kernel(f, schedule):
        return
    main = max(generics, key=lambda g: math.prod(loop_bounds(g)), default=None)
    for g in generics:
        lower_planned(g, _schedule_plan(g, schedule, main=g is main))


@dataclass(frozen=True)
class LowerToLoopsPass(ModulePass):
    """`linalg.generic` on memrefs -> `scf.parallel` / `scf.for` nests (`buffers` -> `loops` level).

    Expects the `buffers` level (every generic on memrefs with static shapes;
    bodies of `arith` / `math` ops, `linalg.index`, `memref.load`). Produces
    the `loops` level: each generic is replaced, in place, by a loop nest of
    `memref.load`, the body's ops and `memref.store`, shaped by its kernel's
    `tfc.schedule` (see the module docstring). Everything else is unchanged.
    """

    name = "tfc-lower-to-loops"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for f in [o for o in op.ops if isinstance(o, func.FuncOp)]:
            lower_kernel(f)
        for generic in [o for o in op.walk() if isinstance(o, linalg.GenericOp)]:
            lower_generic(generic)
