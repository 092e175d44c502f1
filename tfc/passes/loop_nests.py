"""Loop-nest builders of tfc-lower-to-loops: one `linalg.generic` on memrefs ->
the `scf` loops a `tile.NestPlan` describes.

`lower_planned(op, plan)` builds the whole nest: collapsed dims through
`memref.collapse_shape` views (`_collapse_views`), the parallel band as one
`scf.parallel` with `tfc.threads`, strip loops, and the vector loop
(`_vector_loop`: interleaved parts + remainder; `_stream_reduction`: several
running values per output, optionally fed by an elementwise producer). The
attributes it sets on loops (`tfc.simd`, `tfc.threads`) are read by the C target,
which also uses `simd_reductions` to write the `omp simd reduction` clauses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects import arith, memref, scf
from xdsl.dialects.builtin import (
    ArrayAttr,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    TensorType,
    UnitAttr,
    i64,
)
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.ir.affine import (
    AffineBinaryOpExpr,
    AffineBinaryOpKind,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineMap,
)
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import PassFailedException

from tfc.passes.tile import Loop, NestPlan, generic_bounds

__all__ = ["REDUCTION_COMBINERS", "SIMD_ATTR", "THREADS_ATTR", "loop_bounds", "loop_order",
           "lower_planned", "simd_reductions"]


# Loop attributes read by the C target.
SIMD_ATTR = "tfc.simd"          # scf.for: vectorize (`#pragma omp simd`)


# scf.parallel: split over this many threads (1: none); on an scf.for carrying
# reduction values: split its range over the threads and combine their values
THREADS_ATTR = "tfc.threads"


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
    if any(isinstance(v.type, TensorType) for v in op.operands):
        raise PassFailedException(
            "tfc-lower-to-loops: linalg.generic must be on memrefs; run tfc-bufferize first"
        )
    return generic_bounds(op, "tfc-lower-to-loops")


class _NestBuilder:
    """Emits ops at a moving insertion point, caching index constants."""

    def __init__(self, before: Operation, const_point: InsertPoint | None = None):
        # Constants go right after the first one, so they precede the whole nest.
        zero = arith.ConstantOp(IntegerAttr.from_index_int_value(0))
        Rewriter.insert_op(zero, const_point or InsertPoint.before(before))
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


@dataclass
class _Access:
    """How the nest reads / writes one operand: through `ref` with `indices` built
    from the loop ivs (`group_ivs[k]` replaces result k when it is a collapsed group)."""

    ref: SSAValue
    map: AffineMap
    group_at: dict[int, int] | None = None  # result position -> collapsed loop key
    skip: frozenset[int] = frozenset()      # result positions merged into a group

    def indices(self, b: _NestBuilder, ivs: dict[int, SSAValue]) -> list[SSAValue]:
        out = []
        for k, e in enumerate(self.map.results):
            if k in self.skip:
                continue
            if self.group_at and k in self.group_at:
                out.append(ivs[self.group_at[k]])
            else:
                out.append(b.index(e, ivs))
        return out


def _uses_keys(acc: _Access, keys: set) -> bool:
    """Does the access index with any of the loops `keys` (dims, or a collapsed
    group's first dim)? Such loads cannot move out of those loops."""
    for k, e in enumerate(acc.map.results):
        if k in acc.skip:
            continue
        if acc.group_at and k in acc.group_at:
            if acc.group_at[k] in keys:
                return True
        elif e.used_dims() & keys:
            return True
    return False


def _emit_body(op: linalg.GenericOp, b: _NestBuilder, ivs: dict[int, SSAValue],
               access: list[_Access], *, reduction_loops: list[tuple[int, int, str]],
               outer_loads: bool, simd_innermost: bool = False, team: int = 1) -> None:
    """The loads, the body and the stores at `b.point`, inside `reduction_loops`
    ((iv key, extent, iv name), outermost first) that carry the outputs in
    iter_args; with no reduction loops the outputs are loaded (when the body
    reads them) and stored at the point."""
    n_in = len(op.inputs)
    body = op.body.block
    out_args = body.args[n_in:]
    mapping: dict[SSAValue, SSAValue] = {}
    index = IndexType()

    def load(i: int, suffix: str = "") -> SSAValue:
        if not isinstance(op.operands[i].type, MemRefType):
            return op.operands[i]  # a scalar input is used as is
        ld = b.insert(memref.LoadOp.get(access[i].ref, access[i].indices(b, ivs)))
        hint = body.args[i].name_hint
        ld.results[0].name_hint = hint + suffix if hint else None
        return ld.results[0]

    loops: list[scf.ForOp] = []
    store_point = b.point
    if reduction_loops and outer_loads:
        # Outputs stay in registers across the reduction loops; so do inputs
        # the reduction loops do not index (a row's mean, read for every element).
        carried = [load(n_in + j, "_init") for j in range(len(out_args))]
        red_keys = {key for key, _, _ in reduction_loops}
        for i, arg in enumerate(body.args[:n_in]):
            if arg.uses and not _uses_keys(access[i], red_keys):
                mapping[arg] = load(i)
        store_point = b.point
        for key, extent, name in reduction_loops:
            loop_block = Block(arg_types=[index, *(v.type for v in carried)])
            loop_block.args[0].name_hint = name
            for arg, out_arg in zip(loop_block.args[1:], out_args):
                arg.name_hint = out_arg.name_hint or "acc"
            loop = scf.ForOp(b.const(0), b.const(extent), b.const(1), carried, loop_block)
            b.insert(loop)
            if loops:
                Rewriter.insert_op(scf.YieldOp(*loop.results), InsertPoint.after(loop))
            loops.append(loop)
            ivs[key] = loop_block.args[0]
            carried = list(loop_block.args[1:])
            b.point = InsertPoint.at_end(loop_block)
        mapping.update(zip(out_args, carried))
    else:
        for j, arg in enumerate(out_args):
            if arg.uses:
                mapping[arg] = load(n_in + j)
    for i, arg in enumerate(body.args[:n_in]):
        if arg.uses and arg not in mapping:
            mapping[arg] = load(i)

    yielded: Sequence[SSAValue] = ()
    for inner in body.ops:
        if isinstance(inner, linalg.YieldOp):
            yielded = [mapping.get(v, v) for v in inner.operands]
        elif isinstance(inner, linalg.IndexOp):
            mapping[inner.result] = ivs[inner.dim.value.data]
        else:
            b.insert(inner.clone(value_mapper=mapping))

    if loops:
        b.insert(scf.YieldOp(*yielded))
        if simd_innermost and simd_reductions(loops[-1]):
            loops[-1].attributes[SIMD_ATTR] = UnitAttr()
        if team > 1 and len(loops) == 1 and simd_reductions(loops[0]):
            loops[0].attributes[THREADS_ATTR] = IntegerAttr(team, i64)
        b.point = store_point
        yielded = list(loops[0].results)
    for j, v in enumerate(yielded):
        b.insert(memref.StoreOp.get(v, access[n_in + j].ref, access[n_in + j].indices(b, ivs)))


def _collapse_views(op: linalg.GenericOp, plan: NestPlan, b: _NestBuilder) -> list[_Access]:
    """One `_Access` per operand; operands that span a collapsed loop are read
    through a `memref.collapse_shape` view that merges the group's dims."""
    groups = {lp.dims[0]: lp for lp in plan.loops if len(lp.dims) > 1}
    member = {d: lp.dims[0] for lp in groups.values() for d in lp.dims}
    out: list[_Access] = []
    for v, m_attr in zip(op.operands, op.indexing_maps):
        m = m_attr.data
        t = v.type
        spans = [k for k, e in enumerate(m.results) if isinstance(e, AffineDimExpr) and e.position in member]
        if not isinstance(t, MemRefType) or not spans:
            out.append(_Access(v, m))
            continue
        shape = t.get_shape()
        reassoc: list[list[int]] = []
        group_at: dict[int, int] = {}
        skip: set[int] = set()
        k = 0
        while k < len(m.results):
            e = m.results[k]
            if isinstance(e, AffineDimExpr) and e.position in member and e.position == member[e.position]:
                n = len(groups[e.position].dims)
                reassoc.append(list(range(k, k + n)))
                group_at[k] = e.position
                skip.update(range(k + 1, k + n))
                k += n
            else:
                reassoc.append([k])
                k += 1
        new_shape = [1] * len(reassoc)
        for j, grp in enumerate(reassoc):
            for p in grp:
                new_shape[j] *= shape[p]
        view_t = MemRefType(t.get_element_type(), new_shape)
        attr = ArrayAttr([ArrayAttr([IntegerAttr(p, i64) for p in grp]) for grp in reassoc])
        view = b.insert(memref.CollapseShapeOp(operands=[v], result_types=[view_t],
                                               properties={"reassociation": attr}))
        if v.name_hint:
            view.results[0].name_hint = v.name_hint + "_flat"
        out.append(_Access(view.results[0], m, group_at, frozenset(skip)))
    return out


def _loop_name(lp: Loop, kinds: list[str], suffix: str = "") -> str:
    first = _iv_name(lp.dims[0], lp.kind)
    return first + "".join(f"_{first[0]}{d}" for d in lp.dims[1:]) + suffix


def lower_planned(op: linalg.GenericOp, plan: NestPlan, *,
                  fixed: dict[int, SSAValue] | None = None) -> None:
    """Replace `op` with the nest `plan` describes (see `tile.plan_nest`);
    `fixed` dims (a row kernel's rows) use the given ivs and get no loop."""
    kinds = [it.data.value for it in op.iterator_types]
    bounds = loop_bounds(op)
    out_maps = [m.data for m in op.indexing_maps][len(op.inputs):]
    reduction_dims = {d for d, k in enumerate(kinds) if k != "parallel"}
    if any(e.used_dims() & reduction_dims for m in out_maps for e in m.results):
        raise PassFailedException(
            "tfc-lower-to-loops: an output indexed by a reduction dimension is not supported"
        )
    b = _NestBuilder(op)
    index = IndexType()
    ivs: dict = dict(fixed or {})
    for d, n in enumerate(bounds):
        if n == 1 and d not in ivs:
            ivs[d] = b.const(0)
    access = _collapse_views(op, plan, b)

    def key(lp: Loop):
        return lp.dims[0]

    # The band (threads) first: band loops, and the strip loops of strip-mined ones.
    # (A full reduction's loop in the band is split over threads by OpenMP's
    # `parallel for reduction` instead: it stays a loop carrying its values.)
    split_reduction = [lp for lp in plan.loops if lp.band and lp.kind != "parallel"]
    outer = [lp for lp in plan.loops if (lp.band or lp.strip) and lp not in split_reduction]
    band = [lp for lp in outer if lp.band]
    seq_outer = [lp for lp in outer if not lp.band]
    strip_iv: dict[int, SSAValue] = {}

    def bounds_of(lp: Loop) -> tuple[int, int]:
        return lp.extent, lp.strip or 1

    if band:
        n = len(band)
        region = Region(Block(arg_types=[index] * n))
        par = scf.ParallelOp([b.const(0)] * n, [b.const(bounds_of(lp)[0]) for lp in band],
                             [b.const(bounds_of(lp)[1]) for lp in band], region)
        par.attributes[THREADS_ATTR] = IntegerAttr(plan.threads, i64)
        block = region.block
        block.add_op(scf.ReduceOp())
        for lp, arg in zip(band, block.args):
            arg.name_hint = _loop_name(lp, kinds, "_tile" if lp.strip else "")
            (strip_iv if lp.strip else ivs)[key(lp)] = arg
        b.insert(par)
        b.point = InsertPoint.before(block.last_op)
    for lp in seq_outer:  # strip loops that are not split over threads
        loop_block = Block(arg_types=[index])
        loop_block.args[0].name_hint = _loop_name(lp, kinds, "_tile")
        loop_block.add_op(scf.YieldOp())
        b.insert(scf.ForOp(b.const(0), b.const(lp.extent), b.const(lp.strip), [], loop_block))
        strip_iv[key(lp)] = loop_block.args[0]
        b.point = InsertPoint.before(loop_block.last_op)

    inner = [lp for lp in plan.loops if not lp.band or lp.strip or lp in split_reduction]
    team = plan.threads if split_reduction else 1
    if plan.reduce == "inner":
        # Parallel loops left over (none when all are in the band), then the
        # reduction loops carrying the outputs; the innermost one vectorizes.
        for lp in inner:
            if lp.kind == "parallel":
                _for(b, lp, kinds, ivs, strip_iv)
        reductions = [lp for lp in inner if lp.kind != "parallel"]
        combiners = _body_combiners(op)
        if len(reductions) == 1 and reductions[0].simd and plan.interleave > 1 and combiners:
            lp = reductions[0]
            _stream_reduction(op, b, ivs, access, key(lp), lp.extent, _loop_name(lp, kinds),
                              plan.interleave, combiners, team)
        else:
            _emit_body(op, b, ivs, access,
                       reduction_loops=[(key(lp), lp.extent, _loop_name(lp, kinds))
                                        for lp in reductions],
                       outer_loads=True, simd_innermost=any(lp.simd for lp in reductions),
                       team=team)
    elif inner and inner[-1].simd:
        # Elementwise, or an outer reduction: the vector loop is the output's
        # contiguous dim, innermost; outputs are read and written in it.
        bounds = _vector_bounds(b, inner[-1], kinds, strip_iv, plan.interleave)
        for lp in inner[:-1]:
            _for(b, lp, kinds, ivs, strip_iv)
        _vector_loop(op, b, inner[-1], kinds, ivs, bounds, access)
    else:
        for lp in inner:
            _for(b, lp, kinds, ivs, strip_iv)
        _emit_body(op, b, ivs, access, reduction_loops=[], outer_loads=False)
    op.detach()
    op.erase()


# Reduction ranges up to this many elements fold their streams inside the loop
# (see _stream_reduction).
FOLD_MAX_EXTENT = 16384


def _other_operand(c: Operation, arg: SSAValue) -> SSAValue:
    """The operand of combiner `c` that is not the running value `arg`."""
    return c.operands[1] if c.operands[0] is arg else c.operands[0]


def _combine(b: _NestBuilder, c: Operation, arg: SSAValue, x: SSAValue, y: SSAValue) -> SSAValue:
    """`c` (a body's combiner of running value `arg`) applied to x and y."""
    return b.insert(c.clone(value_mapper={arg: x, _other_operand(c, arg): y})).results[0]


def _combine_tree(b: _NestBuilder, c: Operation, arg: SSAValue, vals: list[SSAValue]) -> SSAValue:
    """vals combined pairwise, ((v0 c v1) c (v2 c v3)) ..."""
    while len(vals) > 1:
        nxt = [_combine(b, c, arg, x, y) for x, y in zip(vals[::2], vals[1::2])]
        if len(vals) % 2:
            nxt.append(vals[-1])
        vals = nxt
    return vals[0]


def _body_combiners(op: linalg.GenericOp) -> list[Operation] | None:
    """For a reduction body where each output's running value is combined exactly
    once by an associative op whose result is yielded (`acc + x`), those ops."""
    body = op.body.block
    n_in = len(op.inputs)
    yield_op = body.last_op
    found = []
    for j, out_arg in enumerate(body.args[n_in:]):
        uses = list(out_arg.uses)
        if len(uses) != 1:
            return None
        c = uses[0].operation
        if (c.name not in REDUCTION_COMBINERS or len(c.operands) != 2 or len(c.results) != 1
                or yield_op.operands[j] is not c.results[0] or len(list(c.results[0].uses)) != 1
                or not _vector_type(out_arg.type)):
            return None
        found.append(c)
    return found


def _identity(combiner: Operation, t) -> arith.ConstantOp:
    """The neutral element of a combiner (`-0.0` for a float sum: it keeps -0)."""
    name = combiner.name
    if isinstance(t, Float32Type | Float64Type):
        value = {"arith.addf": -0.0, "arith.mulf": 1.0, "arith.maximumf": float("-inf"),
                 "arith.minimumf": float("inf")}[name]
        return arith.ConstantOp(FloatAttr(value, t))
    width = t.width.data
    value = {"arith.addi": 0, "arith.ori": 0, "arith.xori": 0, "arith.muli": 1, "arith.andi": -1,
             "arith.maxsi": -(1 << (width - 1)), "arith.minsi": (1 << (width - 1)) - 1}[name]
    return arith.ConstantOp(IntegerAttr(value, t))


def _stream_reduction(op: linalg.GenericOp, b: _NestBuilder, ivs: dict, access: list[_Access],
                      key: int, extent: int, name: str, streams: int,
                      combiners: list[Operation], team: int = 1,
                      producer: tuple[linalg.GenericOp, list[_Access], int] | None = None) -> None:
    """An inner reduction over one loop with `streams` accumulators per output:
    the loop's range is cut into that many parts walked side by side (each part
    its own running value, all vectorized by `omp simd reduction`); the parts'
    values are then combined, and a remainder loop finishes the range.

    `producer` (generic, its accesses, the reduction's input it writes): an
    elementwise generic over the same loop whose one output the reduction reads
    at the element it writes; it is computed in the same loop and its value
    feeds the reduction directly (softmax's exp(x - max) and its sum: the row is
    not read back)."""
    n_in = len(op.inputs)
    body = op.body.block
    out_args = list(body.args[n_in:])
    index = IndexType()
    part = extent // streams
    rest = extent - streams * part
    fed = body.args[producer[2]] if producer else None
    # Short ranges fold the streams into ONE running value per output inside the loop
    # (acc + ((x0 + x1) + (x2 + x3))): `omp simd reduction` ends with a sequential sum
    # over the vector lanes of every running value (gcc: 16 dependent scalar adds per
    # value), which for a 1024-element row with 4 values was about 10% of softmax. A
    # long range keeps one value per stream: its loop-carried latency is what costs.
    fold = streams > 1 and extent <= FOLD_MAX_EXTENT
    combiner_of = {c: j for j, c in enumerate(combiners)}

    def hoist(g: linalg.GenericOp, acc: list[_Access]) -> dict[SSAValue, SSAValue]:
        """Inputs of `g` the loop does not index, loaded once before it."""
        out: dict[SSAValue, SSAValue] = {}
        for i, arg in enumerate(g.body.block.args[:len(g.inputs)]):
            if not arg.uses or arg is fed:
                continue
            if not isinstance(g.operands[i].type, MemRefType):
                out[arg] = g.operands[i]
            elif not _uses_keys(acc[i], {key}):
                ld = b.insert(memref.LoadOp.get(acc[i].ref, acc[i].indices(b, ivs)))
                ld.results[0].name_hint = arg.name_hint
                out[arg] = ld.results[0]
        return out

    inits = []
    for j, arg in enumerate(out_args):
        ld = b.insert(memref.LoadOp.get(access[n_in + j].ref, access[n_in + j].indices(b, ivs)))
        ld.results[0].name_hint = (arg.name_hint or "acc") + "_init"
        inits.append(ld.results[0])
    invariant = hoist(op, access)
    p_invariant = hoist(producer[0], producer[1]) if producer else {}
    neutral = [b.insert(_identity(c, a.type)).results[0] for c, a in zip(combiners, out_args)]

    def iteration(stream_ivs: list[dict], accs: list[list[SSAValue]]) -> list[list[SSAValue]]:
        """One loop iteration for each stream (ivs, running values): the producer
        (stored, and fed on), the loads, the body op by op across the streams;
        returns each stream's new running values."""

        def load(args, acc: list[_Access], skip, maps: list[dict]) -> None:
            """Each stream's element of every used block argument not in `skip`."""
            for i, arg in enumerate(args):
                if arg.uses and arg not in skip:
                    for s_ivs, mapping in zip(stream_ivs, maps):
                        ld = b.insert(memref.LoadOp.get(acc[i].ref, acc[i].indices(b, s_ivs)))
                        ld.results[0].name_hint = arg.name_hint
                        mapping[arg] = ld.results[0]

        def clone(block: Block, maps: list[dict], intercept=None) -> list[list[SSAValue]]:
            """The block's ops for each stream in turn, op by op; each stream's yielded
            values. `intercept(op, mapping)` true: the op is handled there, not cloned."""
            yielded: list[list[SSAValue]] = [[] for _ in stream_ivs]
            for inner in block.ops:
                for u, (s_ivs, mapping) in enumerate(zip(stream_ivs, maps)):
                    if isinstance(inner, linalg.YieldOp):
                        yielded[u] = [mapping.get(v, v) for v in inner.operands]
                    elif isinstance(inner, linalg.IndexOp):
                        mapping[inner.result] = s_ivs[inner.dim.value.data]
                    elif not (intercept and intercept(inner, mapping)):
                        b.insert(inner.clone(value_mapper=mapping))
            return yielded

        maps = [dict(invariant) for _ in stream_ivs]
        for mapping, acc in zip(maps, accs):
            mapping.update(zip(out_args, acc))
        if producer:
            g, g_access, _ = producer
            g_maps = [dict(p_invariant) for _ in stream_ivs]
            load(g.body.block.args, g_access, p_invariant, g_maps)
            values = clone(g.body.block, g_maps)
            n_g = len(g.inputs)
            for u, s_ivs in enumerate(stream_ivs):
                for j, v in enumerate(values[u]):
                    a = g_access[n_g + j]
                    b.insert(memref.StoreOp.get(v, a.ref, a.indices(b, s_ivs)))
                maps[u][fed] = values[u][0]
        load(body.args[:n_in], access, {*invariant, fed}, maps)
        contributions: list[list[SSAValue]] = [[] for _ in out_args]

        def contribute(inner: Operation, mapping: dict) -> bool:
            """Folded: a combiner's other operand is this stream's contribution."""
            if not (fold and inner in combiner_of):
                return False
            j = combiner_of[inner]
            other = _other_operand(inner, out_args[j])
            contributions[j].append(mapping.get(other, other))
            return True

        new = clone(body, maps, contribute)
        if not fold:
            return new
        folded = []
        for j, (c, arg) in enumerate(zip(combiners, out_args)):
            tree = _combine_tree(b, c, arg, contributions[j])
            folded.append(_combine(b, c, arg, accs[0][j], tree))
        return [folded]

    def loop(lb: int, ub: int, init: list[SSAValue], parts: int, width: int) -> scf.ForOp:
        """scf.for over [lb, ub) carrying `parts` x outputs values (one per output when
        folded); element lb + i + u*width of every part u in iteration i."""
        loop_block = Block(arg_types=[index, *(v.type for v in init)])
        iv = loop_block.args[0]
        iv.name_hint = name
        carried = list(loop_block.args[1:])
        n = len(out_args)
        values = len(carried) // n
        for u in range(values):
            for j, arg in enumerate(out_args):
                carried[u * n + j].name_hint = (arg.name_hint or "acc") + (f"_p{u}" if u else "")
        f = scf.ForOp(b.const(lb), b.const(ub), b.const(1), init, loop_block)
        b.insert(f)
        b.point = InsertPoint.at_end(loop_block)
        stream_ivs = []
        for u in range(parts):
            s_ivs = dict(ivs)
            if u:
                idx = b.insert(arith.AddiOp(iv, b.const(u * width))).results[0]
                idx.name_hint = f"{name}_p{u}"
                s_ivs[key] = idx
            else:
                s_ivs[key] = iv
            stream_ivs.append(s_ivs)
        new = iteration(stream_ivs, [carried[u * n:(u + 1) * n] for u in range(values)])
        b.insert(scf.YieldOp(*[v for vals in new for v in vals]))
        f.attributes[SIMD_ATTR] = UnitAttr()
        b.point = InsertPoint.after(f)
        return f

    # The main loop: iteration i does element u*part + i of every part u.
    carried = 1 if fold else streams
    main = loop(0, part, [inits[j] if u == 0 else neutral[j] for u in range(carried)
                          for j in range(len(out_args))], streams, part)
    if team > 1:  # a full reduction: the threads split the main loop
        main.attributes[THREADS_ATTR] = IntegerAttr(team, i64)
    # Combine the parts' running values (unless folded in the loop), then the remainder.
    results = list(main.results)
    totals = []
    for j, (c, arg) in enumerate(zip(combiners, out_args)):
        vals = [results[u * len(out_args) + j] for u in range(carried)]
        total = _combine_tree(b, c, arg, vals)
        total.name_hint = arg.name_hint or "acc"
        totals.append(total)
    if rest:
        totals = list(loop(streams * part, extent, totals, 1, 0).results)
    for j, v in enumerate(totals):
        b.insert(memref.StoreOp.get(v, access[n_in + j].ref, access[n_in + j].indices(b, ivs)))


def _vector_bounds(b: _NestBuilder, lp: Loop, kinds: list[str], strip_iv: dict, streams: int):
    """(start, end of the main loop, the parts' offsets, remainder (start, end) or
    None) of the vector loop over `lp`, computed at `b.point` (for a strip: right
    where its strip index is defined, so nothing is recomputed in inner loops)."""
    key = lp.dims[0]
    name = _loop_name(lp, kinds)
    if lp.strip:
        start = strip_iv[key]
        length = lp.strip if lp.extent % lp.strip == 0 else None
    else:
        start, length = b.const(0), lp.extent
    if length is not None:
        part = length // streams
        offsets: list[SSAValue] = [b.const(u * part) for u in range(streams)]
        if lp.strip == 0:
            main_end = b.const(part)
        else:
            main_end = b.insert(arith.AddiOp(start, b.const(part))).results[0]
            main_end.name_hint = name + "_end"
        rest = length - streams * part
        rem = None
        if rest:
            rem_start = b.const(streams * part) if lp.strip == 0 else \
                b.insert(arith.AddiOp(start, b.const(streams * part))).results[0]
            rem_end = b.const(length) if lp.strip == 0 else \
                b.insert(arith.AddiOp(start, b.const(length))).results[0]
            rem = (rem_start, rem_end)
    else:  # the last, partial strip: the parts are sized at run time
        end = b.insert(arith.AddiOp(start, b.const(lp.strip))).results[0]
        end = b.insert(arith.MinSIOp(end, b.const(lp.extent))).results[0]
        end.name_hint = name + "_end"
        if streams == 1:
            offsets, main_end, rem = [b.const(0)], end, None
        else:
            n = b.insert(arith.SubiOp(end, start)).results[0]
            part_v = b.insert(arith.DivSIOp(n, b.const(streams))).results[0]
            part_v.name_hint = name + "_part"
            offsets = [b.const(0)] + [b.insert(arith.MuliOp(part_v, b.const(u))).results[0]
                                      for u in range(1, streams)]
            main_end = b.insert(arith.AddiOp(start, part_v)).results[0]
            used = b.insert(arith.MuliOp(part_v, b.const(streams))).results[0]
            rem = (b.insert(arith.AddiOp(start, used)).results[0], end)
    if streams == 1 and rem is None:
        offsets = [b.const(0)]
    return start, main_end, offsets, rem


def _vector_loop(op: linalg.GenericOp, b: _NestBuilder, lp: Loop, kinds: list[str], ivs: dict,
                 bounds, access: list[_Access]) -> None:
    """The `omp simd` loop over `lp` (its inner strip when strip-mined), within
    `bounds` (from `_vector_bounds`). With several streams its range is cut into
    that many contiguous parts walked side by side: iteration i computes element
    start + u*S + i of every part u, with the body's ops interleaved, so a long
    dependent body has independent vectors in flight. A remainder loop takes
    what the parts leave over."""
    key = lp.dims[0]
    name = _loop_name(lp, kinds)
    index = IndexType()
    saved = b.point
    start, main_end, offsets, rem = bounds

    def loop(lb: SSAValue, ub: SSAValue, parts: list[SSAValue]) -> None:
        loop_block = Block(arg_types=[index])
        loop_block.args[0].name_hint = name
        loop_block.add_op(scf.YieldOp())
        f = scf.ForOp(lb, ub, b.const(1), [], loop_block)
        f.attributes[SIMD_ATTR] = UnitAttr()
        b.insert(f)
        b.point = InsertPoint.before(loop_block.last_op)
        iv = loop_block.args[0]
        per_stream = []
        for u, off in enumerate(parts):
            s_ivs = dict(ivs)
            if u:
                idx = b.insert(arith.AddiOp(iv, off)).results[0]
                idx.name_hint = f"{name}_p{u}"
                s_ivs[key] = idx
            else:
                s_ivs[key] = iv
            per_stream.append(s_ivs)
        _emit_streams(op, b, per_stream, access, invariant)
        b.point = InsertPoint.after(f)

    # Inputs the vector loop does not index (a row's max, a scalar) are loaded
    # once before it: a load it repeats every iteration can keep gcc from
    # vectorizing (in OpenMP-outlined code the pointers lose `restrict`).
    invariant: dict[SSAValue, SSAValue] = {}
    for i, arg in enumerate(op.body.block.args[:len(op.inputs)]):
        if arg.uses and isinstance(op.operands[i].type, MemRefType) \
                and not _uses_keys(access[i], set(lp.dims)):
            ld = b.insert(memref.LoadOp.get(access[i].ref, access[i].indices(b, ivs)))
            ld.results[0].name_hint = arg.name_hint
            invariant[arg] = ld.results[0]
    lb = start
    loop(lb, main_end, offsets)
    if rem is not None:
        loop(rem[0], rem[1], [b.const(0)])
    b.point = saved


def _emit_streams(op: linalg.GenericOp, b: _NestBuilder, streams: list[dict],
                  access: list[_Access], loaded: dict[SSAValue, SSAValue]) -> None:
    """The loads, body and stores of an all-in-place nest (no carried values) for
    each stream's ivs, op by op across the streams; `loaded` block args are
    already loaded."""
    n_in = len(op.inputs)
    body = op.body.block
    maps: list[dict[SSAValue, SSAValue]] = [dict(loaded) for _ in streams]
    for i, arg in enumerate(body.args):
        if not arg.uses or arg in loaded:
            continue
        for u, s_ivs in enumerate(streams):
            if not isinstance(op.operands[i].type, MemRefType):
                maps[u][arg] = op.operands[i]
                continue
            ld = b.insert(memref.LoadOp.get(access[i].ref, access[i].indices(b, s_ivs)))
            if arg.name_hint:
                ld.results[0].name_hint = arg.name_hint
            maps[u][arg] = ld.results[0]
    yielded: list[list[SSAValue]] = [[] for _ in streams]
    for inner in body.ops:
        for u, s_ivs in enumerate(streams):
            mapping = maps[u]
            if isinstance(inner, linalg.YieldOp):
                yielded[u] = [mapping.get(v, v) for v in inner.operands]
            elif isinstance(inner, linalg.IndexOp):
                mapping[inner.result] = s_ivs[inner.dim.value.data]
            else:
                b.insert(inner.clone(value_mapper=mapping))
    for u, s_ivs in enumerate(streams):
        for j, v in enumerate(yielded[u]):
            b.insert(memref.StoreOp.get(v, access[n_in + j].ref, access[n_in + j].indices(b, s_ivs)))


def _for(b: _NestBuilder, lp: Loop, kinds: list[str], ivs: dict, strip_iv: dict) -> scf.ForOp:
    """An scf.for over `lp` (its inner strip when strip-mined); b moves inside."""
    index = IndexType()
    loop_block = Block(arg_types=[index])
    loop_block.args[0].name_hint = _loop_name(lp, kinds)
    loop_block.add_op(scf.YieldOp())
    if lp.strip:
        start = strip_iv[lp.dims[0]]
        end = b.insert(arith.AddiOp(start, b.const(lp.strip))).results[0]
        if lp.extent % lp.strip:
            end = b.insert(arith.MinSIOp(end, b.const(lp.extent))).results[0]
        end.name_hint = _loop_name(lp, kinds, "_end")
        loop = scf.ForOp(start, end, b.const(1), [], loop_block)
    else:
        loop = scf.ForOp(b.const(0), b.const(lp.extent), b.const(1), [], loop_block)
    b.insert(loop)
    ivs[lp.dims[0]] = loop_block.args[0]
    b.point = InsertPoint.before(loop_block.last_op)
    return loop


# Associative combiners the C target can vectorize (`omp simd reduction`):
# op name -> C reduction identifier (tfc_max / tfc_min are declared by the C
# target: max / min that propagate NaN like NumPy).
REDUCTION_COMBINERS = {
    "arith.addf": "+", "arith.mulf": "*", "arith.addi": "+", "arith.muli": "*",
    "arith.andi": "&", "arith.ori": "|", "arith.xori": "^",
    "arith.maxsi": "max", "arith.minsi": "min",
    "arith.maximumf": "tfc_max", "arith.minimumf": "tfc_min",
}


def _vector_type(t) -> bool:
    return isinstance(t, Float32Type | Float64Type) or (
        isinstance(t, IntegerType) and t.width.data in (32, 64))


def simd_reductions(loop: scf.ForOp) -> list[tuple[SSAValue, str]]:
    """For an innermost loop whose every carried value is only combined with an
    associative op (`acc = acc + x`, `acc = maximumf(acc, x)`), the (carried
    value, reduction identifier) pairs that let the compiler vectorize it with
    `#pragma omp simd reduction`: the values are then accumulated in several
    lanes, reordering the operations (NumPy's pairwise summation reorders sums
    too; max / min give the same result in any order). Empty when the loop does
    not qualify."""
    body = loop.body.block
    if not loop.iter_args or any(isinstance(o, scf.ForOp | scf.ParallelOp) for o in body.ops):
        return []
    yield_op = body.last_op
    found = []
    for arg, value in zip(body.args[1:], yield_op.operands):
        combine = value.owner
        sym = REDUCTION_COMBINERS.get(getattr(combine, "name", ""))
        uses = list(arg.uses)
        if sym is None or len(uses) != 1 or uses[0].operation is not combine \
                or len(list(value.uses)) != 1 or not _vector_type(arg.type):
            return []
        found.append((arg, sym))
    return found
