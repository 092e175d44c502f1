"""Choose each kernel's schedule (`kernels` -> `tiled` level).

`tfc-tile` sets the dictionary attribute `tfc.schedule` on every kernel func
(`tfc.kernel`); the IR is otherwise unchanged. tfc-lower-to-loops (CPU) and the
Triton emitter (GPU) read it. Entries:

  kind        the kernel kind (`tfc.kernel_kind`, inferred when absent):
              elementwise | reduction | row | contraction | copy | fused
  target      "cpu" | "gpu"
  cpu, all but contraction:
    threads        OpenMP threads the kernel is meant for; 1 = single-threaded
                   (a kernel below `min_parallel_work` iterations stays on one
                   thread: waking the team costs more than the work)
    parallel_dims  how many outer loops (after collapsing) are split over threads
                   (0 when single-threaded)
    vector_width   elements per SIMD register for the kernel's element type
    tile           [strip]: the innermost parallel loop is strip-mined by this
                   many elements when longer; the strip loop joins the parallel
                   band, the inner strip is the `omp simd` loop
    interleave     independent vector streams in the vector loop (its range is
                   cut into that many parts walked side by side, so a long
                   dependent body keeps several vectors in flight); recorded
                   when > 1 or set by the option
    reduce         reduction / row kernels: "inner" (vector accumulators along a
                   contiguous reduced dim) or "outer" (the reduced dims are
                   outside; the output's contiguous dim is the vector loop)
    row_dims       row kernels: how many leading dims are the rows
  cpu contraction: isa, mr, nr, mc, nc, kc, threads (defaults from
                   `tfc.passes.lower_contraction.default_schedule`)
  gpu:  Triton launch parameters as tfc/codegen/triton/ names them:
        elementwise/copy BLOCK_SIZE, num_warps; reduction/row num_warps;
        contraction BLOCK_M, BLOCK_N, BLOCK_K, GROUP_M, num_warps, num_stages.
Entries the kernel's `tfc.schedule` already has (written by hand, or a nested
`gpu = {...}` dictionary) are kept.

The loop structure itself is decided by `plan_nest` here and built by
tfc-lower-to-loops, so the schedule and the loops it produces cannot disagree.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from xdsl.context import Context
from xdsl.dialects import func, tensor
from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    DictionaryAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    StringAttr,
    TensorType,
    i64,
)
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute
from xdsl.ir.affine import AffineConstantExpr, AffineDimExpr
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

__all__ = [
    "SCHEDULE_ATTR",
    "NestPlan",
    "TilePass",
    "cpu_threads",
    "host_isa",
    "kernel_kind",
    "plan_nest",
    "read_schedule",
]

SCHEDULE_ATTR = "tfc.schedule"
KIND_ATTR = "tfc.kernel_kind"
ROW_DIMS_ATTR = "tfc.row_dims"
KERNEL_ATTR = "tfc.kernel"

# Below this many iterations a kernel runs on one thread.
DEFAULT_MIN_PARALLEL_WORK = 1 << 15
# Strip length (bytes) of the innermost parallel loop of elementwise nests.
DEFAULT_STRIP_BYTES = 16 << 10
# Outer reductions keep a strip of the output this long (bytes) in L1.
OUTER_REDUCTION_STRIP_BYTES = 4 << 10
VECTOR_BYTES = {"avx512": 64, "avx2": 32, "scalar": 4}


@cache
def host_isa() -> str:
    """"avx512", "avx2" or "scalar": what `-march=native` gives on this machine."""
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
    except OSError:
        return "scalar"
    flags: set[str] = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    if "avx512f" in flags:
        return "avx512"
    if "avx2" in flags and "fma" in flags:
        return "avx2"
    return "scalar"


@cache
def cpu_threads() -> int:
    """The machine's CPU count: the threads a kernel is scheduled for. Not the
    OMP_NUM_THREADS of the compiling process: compiled kernels are cached and
    shared between processes, and OpenMP decides the team size at run time anyway
    (a parallel loop run by one thread costs next to nothing)."""
    return max(1, os.cpu_count() or 1)


# ----------------------------------------------------------------------------
# Kernel kinds


def _generics(f: func.FuncOp) -> list[linalg.GenericOp]:
    return [o for o in f.body.block.ops if isinstance(o, linalg.GenericOp)]


def _is_fill(op: linalg.GenericOp) -> bool:
    return (not op.inputs and all(it.data.value == "parallel" for it in op.iterator_types)
            and not any(a.uses for a in op.body.block.args))


def _is_contraction(op: linalg.GenericOp) -> bool:
    if len(op.inputs) != 2 or len(op.outputs) != 1:
        return False
    if all(it.data.value == "parallel" for it in op.iterator_types):
        return False
    names = {o.name for o in op.body.block.ops} - {"linalg.yield", "arith.extf", "arith.truncf",
                                                   "arith.extsi", "arith.sitofp"}
    if not names or not names <= {"arith.mulf", "arith.addf", "arith.muli", "arith.addi"}:
        return False
    a, b, out = (set().union(*(e.used_dims() for e in m.data.results)) for m in op.indexing_maps)
    return bool((out & a) - b) and bool((out & b) - a)


def kernel_kind(f: func.FuncOp) -> str:
    """`tfc.kernel_kind` if set, else inferred from the kernel's ops."""
    attr = f.attributes.get(KIND_ATTR)
    if isinstance(attr, StringAttr):
        return attr.data
    ops = [o for o in f.body.block.ops]
    if any(isinstance(o, tensor.InsertSliceOp | tensor.ExtractSliceOp) for o in ops):
        return "copy"
    generics = _generics(f)
    if any(_is_contraction(g) for g in generics):
        return "contraction"
    work = [g for g in generics if not _is_fill(g)] or generics
    if len(work) == 1:
        parallel = all(it.data.value == "parallel" for it in work[0].iterator_types)
        return "elementwise" if parallel else "reduction"
    return "fused"


# ----------------------------------------------------------------------------
# Loop nests: what tfc-lower-to-loops builds for one generic


def _shape(t: Attribute) -> list[int] | None:
    if isinstance(t, TensorType | MemRefType):
        return list(t.get_shape())
    return None


def _strides(t: Attribute) -> list[int] | None:
    """Element strides, or None for layouts a collapse must not look through."""
    shape = _shape(t)
    if shape is None:
        return None
    if isinstance(t, MemRefType):
        from xdsl.dialects.builtin import NoneAttr

        if not isinstance(t.layout, NoneAttr):
            return None
    strides = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        strides[i] = strides[i + 1] * shape[i + 1]
    return strides


def generic_bounds(op: linalg.GenericOp, who: str = "tfc") -> list[int]:
    """The static extent of each loop dim of `op` (tensors or memrefs); errors name `who`."""
    maps = [m.data for m in op.indexing_maps]
    bounds: list[int | None] = [None] * (maps[0].num_dims if maps else 0)
    for operand, m in zip(op.operands, maps):
        shape = _shape(operand.type)
        if shape is None:
            continue
        for k, e in enumerate(m.results):
            if isinstance(e, AffineDimExpr) and bounds[e.position] is None:
                if shape[k] < 0:
                    raise PassFailedException(f"{who}: dynamic shapes are not supported")
                bounds[e.position] = shape[k]
    if any(b is None for b in bounds):
        raise PassFailedException(f"{who}: every loop dimension must index some operand directly")
    return bounds  # type: ignore[return-value]


def _output_order(op: linalg.GenericOp, dims: Sequence[int]) -> list[int]:
    """`dims` ordered like the first output's dims (outermost first), the rest first."""
    out_map = op.indexing_maps.data[len(op.inputs)].data if op.outputs else None
    in_out: list[int] = []
    if out_map is not None:
        for e in out_map.results:
            if isinstance(e, AffineDimExpr) and e.position in dims and e.position not in in_out:
                in_out.append(e.position)
    return [d for d in dims if d not in in_out] + in_out


def _main_input(op: linalg.GenericOp) -> int | None:
    """The input with the most elements (the one whose reads dominate)."""
    best, size = None, -1
    for i, v in enumerate(op.inputs):
        shape = _shape(v.type)
        if shape is not None and math.prod(shape) > size:
            best, size = i, math.prod(shape)
    return best


def _contiguous_dim(op: linalg.GenericOp, operand: int) -> int | None:
    """The loop dim that walks operand `operand` with stride 1, if any."""
    m = op.indexing_maps.data[operand].data
    shape = _shape(op.operands[operand].type) or []
    for k in range(len(m.results) - 1, -1, -1):
        if shape[k] == 1:
            continue
        e = m.results[k]
        return e.position if isinstance(e, AffineDimExpr) else None
    return None


def _collapsible(op: linalg.GenericOp, a: int, b: int, bounds: Sequence[int]) -> bool:
    """Can loop dims a (outer) and b (inner) become one loop over a*b iterations?
    Every operand must index both as adjacent contiguous dims, or neither."""
    for operand, m in zip(op.operands, (m.data for m in op.indexing_maps)):
        shape = _shape(operand.type)
        if shape is None:
            continue
        pos: dict[int, int] = {}
        for k, e in enumerate(m.results):
            if isinstance(e, AffineDimExpr):
                if e.position in (a, b):
                    if e.position in pos:
                        return False
                    pos[e.position] = k
            elif not isinstance(e, AffineConstantExpr) and e.used_dims() & {a, b}:
                return False
        if not pos:
            continue
        if len(pos) == 1:
            return False
        strides = _strides(operand.type)
        if strides is None or pos[b] != pos[a] + 1:
            return False
        if strides[pos[a]] != strides[pos[b]] * shape[pos[b]]:
            return False
    return True


@dataclass
class Loop:
    """One loop of a planned nest: `dims` (outer to inner) collapsed into one index."""

    dims: list[int]
    extent: int
    kind: str                    # "parallel" | "reduction"
    strip: int = 0               # > 0: strip-mined by this many iterations
    band: bool = False           # split over threads (the strip loop when strip-mined)
    simd: bool = False           # the vector loop (the inner strip when strip-mined)


@dataclass
class NestPlan:
    """The loops tfc-lower-to-loops builds for one generic, outermost first.
    Dims of extent 1 and `fixed` dims (a row kernel's rows) get no loop."""

    loops: list[Loop] = field(default_factory=list)
    reduce: str = ""             # "inner" | "outer" | "" (no reduction dims)
    threads: int = 1
    interleave: int = 1          # independent vector streams in the vector loop

    @property
    def parallel_dims(self) -> int:
        return sum(1 for lp in self.loops if lp.band)


# Latency of one op in a body, in units of a vector add; math functions are the
# inlined polynomials of tfc/codegen/c_math.py.
_LATENCY = {"arith.divf": 4, "math.sqrt": 5, "math.rsqrt": 6, "math.exp": 20, "math.log": 22,
            "math.tanh": 32, "math.erf": 28, "arith.constant": 0, "linalg.yield": 0,
            "linalg.index": 0, "arith.index_cast": 0}


def chain_latency(op: linalg.GenericOp) -> int:
    """The longest chain of dependent ops in `op`'s body, weighted by latency."""
    depth: dict = {}
    longest = 0
    for inner in op.body.block.ops:
        d = max((depth.get(v, 0) for v in inner.operands), default=0) + _LATENCY.get(inner.name, 1)
        for r in inner.results:
            depth[r] = d
        longest = max(longest, d)
    return longest


def default_interleave(op: linalg.GenericOp) -> int:
    """Independent vectors to keep in flight: a long dependent body (W6's 200
    chained ops, gelu's tanh) is latency-bound with one vector per iteration."""
    n = chain_latency(op)
    return 1 if n < 8 else 2 if n < 16 else 4 if n < 48 else 8


def plan_nest(op: linalg.GenericOp, *, threads: int, vector_width: int, strip: int = 0,
              min_parallel_work: int = DEFAULT_MIN_PARALLEL_WORK, fixed: Sequence[int] = (),
              parallel_dims: int | None = None, collapse: bool = True,
              interleave: int = 0) -> NestPlan:
    """The loop nest for `op`: collapse contiguous dims, pick the vector loop,
    split the outer parallel loops over threads. `strip` / `interleave` 0 pick
    the defaults."""
    bounds = generic_bounds(op)
    kinds = [it.data.value for it in op.iterator_types]
    live = [d for d in range(len(bounds)) if bounds[d] != 1 and d not in fixed]
    par = _output_order(op, [d for d in live if kinds[d] == "parallel"])
    red = [d for d in live if kinds[d] != "parallel"]
    uses_index = {o.dim.value.data for o in op.body.block.ops if isinstance(o, linalg.IndexOp)}

    reduce = ""
    if red:
        main = _main_input(op)
        inner = _contiguous_dim(op, main) if main is not None else None
        reduce = "outer" if (inner is not None and par and inner == par[-1]
                             and _outputs_loadable(op)) else "inner"

    def groups(dims: list[int]) -> list[list[int]]:
        out: list[list[int]] = []
        for d in dims:
            if (collapse and out and d not in uses_index and out[-1][-1] not in uses_index
                    and _collapsible(op, out[-1][-1], d, bounds)):
                out[-1].append(d)
            else:
                out.append([d])
        return out

    def loop(g: list[int], kind: str) -> Loop:
        return Loop(g, math.prod(bounds[d] for d in g), kind)

    pgroups = [loop(g, "parallel") for g in groups(par)]
    rgroups = [loop(g, "reduction") for g in groups(red)]
    work = math.prod(bounds[d] for d in live) if live else 1
    team = threads if threads > 1 and work >= min_parallel_work else 1
    plan = NestPlan(reduce=reduce, threads=team)
    vw = max(1, vector_width)
    # Interleaved streams for the elementwise / outer-reduction vector loop.
    streams = interleave or (default_interleave(op) if reduce != "inner" else 1)

    if reduce == "inner":
        plan.loops = pgroups + rgroups
        for lp in pgroups:
            lp.band = True
        vec = rgroups[-1]
        vec.simd = vec.extent >= vw
        if team > 1 and not pgroups and len(rgroups) == 1 and _combinable(op):
            # A full reduction: the threads split the reduced range, each with its
            # own running values, combined by OpenMP (`parallel for reduction`).
            vec.band = True
        if vec.simd and len(rgroups) == 1:
            # Several accumulators per output (one vector each) hide the
            # combine's latency when the data is in cache (a row kernel's second pass).
            wanted = interleave or (4 if vec.extent >= 8 * vw else 2)
            plan.interleave = _streams(vec, wanted, vw)
    elif reduce == "outer":
        vec = pgroups[-1]
        plan.loops = pgroups[:-1] + rgroups + [vec]
        for lp in pgroups[:-1]:
            lp.band = True
        limit = max(vw, OUTER_REDUCTION_STRIP_BYTES // 4)
        if team > 1 and math.prod(lp.extent for lp in pgroups[:-1]) < 4 * team:
            limit = min(limit, _round_up(-(-vec.extent // team), vw))
        if vec.extent > limit:
            vec.strip, vec.band = _round_up(limit, vw), True
        vec.simd = vec.extent >= vw
        plan.interleave = _streams(vec, streams, vw)
    else:
        plan.loops = pgroups
        for lp in pgroups[:-1]:
            lp.band = True
        if pgroups:
            vec = pgroups[-1]
            length = strip or max(vw, DEFAULT_STRIP_BYTES // 4)
            if team > 1 and math.prod(lp.extent for lp in pgroups[:-1]) < 4 * team:
                length = min(length, _round_up(-(-vec.extent // (4 * team)), vw))
            if team > 1 and vec.extent > length:
                vec.strip, vec.band = _round_up(length, vw * streams), True
            vec.simd = vec.extent >= vw
            plan.interleave = _streams(vec, streams, vw)
    if team == 1:
        for lp in plan.loops:
            lp.band = False
    elif parallel_dims is not None:
        seen = 0
        for lp in plan.loops:
            if lp.band:
                seen += 1
                lp.band = seen <= parallel_dims
    if not any(lp.band for lp in plan.loops):
        plan.threads = 1
    return plan


def _combinable(op: linalg.GenericOp) -> bool:
    """Is every output's running value combined once by an associative op (so
    partial results of parts of the range can be combined)?"""
    from tfc.passes.loop_nests import REDUCTION_COMBINERS

    body = op.body.block
    n_in = len(op.inputs)
    for j, arg in enumerate(body.args[n_in:]):
        uses = list(arg.uses)
        if len(uses) != 1 or uses[0].operation.name not in REDUCTION_COMBINERS \
                or body.last_op.operands[j] is not uses[0].operation.results[0]:
            return False
    return True


def _streams(vec: Loop, wanted: int, vw: int) -> int:
    """Streams for the vector loop `vec`: each needs two vectors of work at least."""
    length = vec.strip or vec.extent
    return max(1, min(wanted, length // (2 * vw)))


def _outputs_loadable(op: linalg.GenericOp) -> bool:
    """Outer reductions re-read their outputs in the vector loop: every output
    must be indexed by plain dims."""
    return all(isinstance(e, AffineDimExpr | AffineConstantExpr)
               for m in op.indexing_maps.data[len(op.inputs):] for e in m.data.results)


def _round_up(n: int, k: int) -> int:
    return -(-n // k) * k


# ----------------------------------------------------------------------------
# The schedule attribute


def _element_bytes(f: func.FuncOp) -> int:
    """Bytes of the widest element type the kernel computes on."""
    widest = 4
    for g in _generics(f):
        for v in g.outputs:
            t = v.type
            elem = t.get_element_type() if isinstance(t, TensorType | MemRefType) else t
            if isinstance(elem, AnyFloat):
                widest = max(widest, elem.bitwidth // 8)
            elif isinstance(elem, IntegerType):
                widest = max(widest, max(1, elem.width.data // 8))
            elif isinstance(elem, IndexType):
                widest = max(widest, 8)
    return widest


def read_schedule(f: func.FuncOp) -> dict | None:
    """`tfc.schedule` as a Python dict (ints, strings, lists of ints)."""
    attr = f.attributes.get(SCHEDULE_ATTR)
    if not isinstance(attr, DictionaryAttr):
        return None
    out: dict = {}
    for k, v in attr.data.items():
        if isinstance(v, IntegerAttr):
            out[k] = v.value.data
        elif isinstance(v, StringAttr):
            out[k] = v.data
        elif isinstance(v, ArrayAttr):
            out[k] = [x.value.data for x in v.data if isinstance(x, IntegerAttr)]
    return out


def _to_attr(v) -> Attribute:
    if isinstance(v, bool):
        return IntegerAttr(int(v), i64)
    if isinstance(v, int):
        return IntegerAttr(v, i64)
    if isinstance(v, str):
        return StringAttr(v)
    if isinstance(v, list | tuple):
        return ArrayAttr([IntegerAttr(int(x), i64) for x in v])
    raise TypeError(v)


def _next_pow2(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


@dataclass(frozen=True)
class TilePass(ModulePass):
    """Attach a `tfc.schedule` to every kernel (`kernels` -> `tiled` level).

    Options override the target's default policy: target (cpu|gpu), isa
    (avx512|avx2|scalar; default: this host's), threads (default: the machine's
    CPU count), vector_width (elements; default: the ISA's register
    over the element size), tile (the strip length of elementwise nests),
    parallel_dims, interleave (vector streams walked side by side in the vector
    loop; default from the body's dependency chain), min_parallel_work
    (iterations below which a kernel stays on one thread), and the
    contraction blocking mc, nc, kc, mr, nr.
    """

    name = "tfc-tile"

    target: str = "cpu"
    isa: str | None = None
    threads: int | None = None
    vector_width: int | None = None
    tile: tuple[int, ...] = ()
    parallel_dims: int | None = None
    interleave: int | None = None
    min_parallel_work: int = DEFAULT_MIN_PARALLEL_WORK
    mc: int | None = None
    nc: int | None = None
    kc: int | None = None
    mr: int | None = None
    nr: int | None = None

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.target not in ("cpu", "gpu"):
            raise PassFailedException(f"tfc-tile: unknown target '{self.target}' (cpu or gpu)")
        if self.isa is not None and self.isa not in VECTOR_BYTES:
            raise PassFailedException(f"tfc-tile: unknown isa '{self.isa}' (avx512, avx2 or scalar)")
        for f in op.ops:
            if isinstance(f, func.FuncOp) and KERNEL_ATTR in f.attributes and not f.is_declaration:
                entries = {k: _to_attr(v) for k, v in self.schedule(f).items()}
                old = f.attributes.get(SCHEDULE_ATTR)
                if isinstance(old, DictionaryAttr):  # entries already there win
                    entries.update(old.data)
                f.attributes[SCHEDULE_ATTR] = DictionaryAttr(entries)

    # -- policy ------------------------------------------------------------------

    def schedule(self, f: func.FuncOp) -> dict:
        kind = kernel_kind(f)
        if self.target == "gpu":
            return {"kind": kind, "target": "gpu", **self.gpu_policy(f, kind)}
        isa = self.isa or host_isa()
        threads = self.threads or cpu_threads()
        s: dict = {"kind": kind, "target": "cpu"}
        if kind == "contraction":
            return {**s, **self.contraction_policy(isa, threads)}
        vw = self.vector_width or max(1, VECTOR_BYTES[isa] // _element_bytes(f))
        s.update(isa=isa, vector_width=vw)
        generics = [g for g in _generics(f) if not _is_fill(g)] or _generics(f)
        row_dims = 0
        if kind == "row":
            attr = f.attributes.get(ROW_DIMS_ATTR)
            row_dims = attr.value.data if isinstance(attr, IntegerAttr) else 1
        strip = self._tile()[0] if self._tile() else 0
        plans = []
        for g in generics:
            plans.append(plan_nest(g, threads=threads, vector_width=vw, strip=strip,
                                   min_parallel_work=self.min_parallel_work,
                                   fixed=range(row_dims), parallel_dims=self.parallel_dims,
                                   interleave=self.interleave or 0))
        if kind == "row":
            rows = math.prod(generic_bounds(generics[0])[:row_dims]) if generics else 1
            work = sum(math.prod(generic_bounds(g)) for g in generics)
            team = threads if threads > 1 and work >= self.min_parallel_work and rows > 1 else 1
            s.update(threads=team, parallel_dims=row_dims if team > 1 else 0, row_dims=row_dims,
                     tile=[strip] if strip else [])
            reduces = [p.reduce for p in plans if p.reduce]
            if reduces:
                s["reduce"] = reduces[0] if len(set(reduces)) == 1 else "mixed"
            return s
        main = max(plans, key=lambda p: math.prod(lp.extent for lp in p.loops) if p.loops else 0) \
            if plans else NestPlan()
        strips = [lp.strip for lp in main.loops if lp.strip]
        s.update(threads=main.threads, parallel_dims=main.parallel_dims,
                 tile=strips or ([strip] if strip else []))
        if main.interleave > 1 or self.interleave is not None:
            s["interleave"] = main.interleave
        if main.reduce:
            s["reduce"] = main.reduce
        return s

    def _tile(self) -> tuple[int, ...]:
        """The tile option (an int from the compile API's settings is one size)."""
        return (self.tile,) if isinstance(self.tile, int) else tuple(self.tile)

    def contraction_policy(self, isa: str, threads: int) -> dict:
        try:
            from tfc.passes.lower_contraction import default_schedule

            base = dict(default_schedule(isa))
        except ImportError:
            base = {"isa": isa, "mr": 4, "nr": 8, "mc": 64, "kc": 128, "nc": 256}
        for key in ("mc", "nc", "kc", "mr", "nr"):
            value = getattr(self, key)
            if value is not None:
                base[key] = value
        base["isa"] = isa
        base["threads"] = threads
        return base

    def gpu_policy(self, f: func.FuncOp, kind: str) -> dict:
        """Triton launch parameters, named as tfc/codegen/triton/ reads them
        (the first configuration its autotuner tries)."""
        if kind == "contraction":
            return {"BLOCK_M": 64, "BLOCK_N": 64, "BLOCK_K": 32, "GROUP_M": 8, "num_warps": 4,
                    "num_stages": 3}
        if kind in ("reduction", "row"):
            generics = [g for g in _generics(f) if not _is_fill(g)] or _generics(f)
            widest = max((math.prod(b for b, k in zip(generic_bounds(g), g.iterator_types)
                                    if k.data.value != "parallel") for g in generics), default=1)
            return {"num_warps": 4 if widest <= 4096 else 8}
        block = self._tile()[0] if self._tile() else 1024
        return {"BLOCK_SIZE": _next_pow2(block), "num_warps": 4 if block <= 2048 else 8}
