"""Place every intermediate buffer of the host at an offset in one arena.

Liveness is over the host's straight-line sequence of kernel calls: a buffer is
live from its first use to its last use, where the uses of a view (reshape,
subview) count as uses of the buffer it views. Buffers are placed largest
first, each into the smallest gap (64-byte aligned) left by the buffers already
placed whose lifetimes overlap its own (greedy best-fit). Two buffers live at
the same time never overlap, except in place:

An elementwise kernel writes its output over an input that dies at the call
(the input's buffer is read by nothing after it) when the kernel reads that
buffer only at the element it writes: one all-parallel generic, identity maps
for the input and the output, the same type, and no other argument bound to
the same buffer. Iteration i then reads element i before writing it, and no
iteration reads an element another one wrote. Such a kernel gets
`tfc.inplace = [[input_arg, output_arg], ...]`: the code generators must not
declare those arguments `restrict`. Reductions, contractions, transposed or
broadcast reads never write in place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import (
    AnyFloat,
    ArrayAttr,
    StringAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    i8,
    i64,
)
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.ir.affine import AffineMap
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter
from xdsl.utils.exceptions import PassFailedException

from tfc.passes.bufferize import ARENA_SIZE_ATTR
from tfc.passes.form_kernels import entry_function

__all__ = ["ALIGNMENT", "Buffer", "INPLACE_ATTR", "PlanMemoryPass", "describe_plan",
           "element_bytes", "in_place_candidates", "plan"]

ALIGNMENT = 64
PEAK_ATTR = "tfc.arena_peak_bytes"
NAIVE_ATTR = "tfc.naive_bytes"
INPLACE_ATTR = "tfc.inplace"

_VIEW_OPS = (memref.CollapseShapeOp, memref.ExpandShapeOp, memref.SubviewOp,
             memref.CastOp, memref.ReinterpretCastOp)


def element_bytes(t: Attribute) -> int:
    """Storage size of one element (i1 is stored as one byte)."""
    if isinstance(t, AnyFloat):
        return t.bitwidth // 8
    if isinstance(t, IntegerType):
        return max(1, t.width.data // 8)
    if isinstance(t, IndexType):
        return 8
    raise PassFailedException(f"tfc-plan-memory: unsupported element type {t}")


def _align(n: int) -> int:
    return (n + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


@dataclass
class Buffer:
    """One intermediate: its size and the host positions where it is live (inclusive)."""

    size: int
    start: int
    end: int
    offset: int = -1

    def overlaps_in_time(self, other: Buffer) -> bool:
        return self.start <= other.end and other.start <= self.end


def plan(buffers: list[Buffer]) -> int:
    """Assign `offset` to each buffer (greedy best-fit); return the arena size."""
    placed: list[Buffer] = []
    for buf in sorted(buffers, key=lambda b: (-b.size, b.start)):
        busy = sorted((b.offset, b.offset + b.size) for b in placed if b.overlaps_in_time(buf))
        best: tuple[int, int] | None = None  # (gap size, offset)
        cursor = 0
        for lo, hi in busy:
            gap = lo - cursor
            if gap >= buf.size and (best is None or gap < best[0]):
                best = (gap, cursor)
            cursor = max(cursor, _align(hi))
        buf.offset = best[1] if best is not None else cursor
        placed.append(buf)
    return _align(max((b.offset + b.size for b in buffers), default=0))


def peak_live_bytes(buffers: list[Buffer]) -> int:
    """The most bytes live at any one point: a lower bound for any plan."""
    points = {b.start for b in buffers}
    return max((sum(b.size for b in buffers if b.start <= p <= b.end) for p in points), default=0)


@dataclass(frozen=True)
class PlanMemoryPass(ModulePass):
    """Replace the host's `memref.alloc`s with views into one arena (completes the `buffers` level).

    Expects the output of `tfc-bufferize`: a host whose last argument is the
    arena `memref<Nxi8>` and whose intermediates are `memref.alloc`s with static
    shapes. Produces: each alloc becomes `memref.view %arena[%offset][]` at a
    64-byte aligned offset; the arena argument's type becomes `memref<Nxi8>`;
    the host gets `tfc.arena_size = N` (bytes to allocate),
    `tfc.arena_peak_bytes` (most bytes live at once) and `tfc.naive_bytes`
    (sum of all intermediates, what one buffer each would cost). With
    `in_place` (the default), elementwise kernels write over a dying input
    where that is safe (see the module docstring) and carry `tfc.inplace`.
    """

    name = "tfc-plan-memory"

    in_place: bool = True

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        host = entry_function(op)
        block = host.body.block
        if not block.args or not _is_arena_type(block.args[-1].type):
            raise PassFailedException(
                "tfc-plan-memory: the host's last argument must be the arena memref<Nxi8>; "
                "run tfc-bufferize first"
            )
        pos = {o: i for i, o in enumerate(block.ops)}
        allocs = [o for o in block.ops if isinstance(o, memref.AllocOp)]
        buffers: list[Buffer] = []
        for alloc in allocs:
            t = alloc.memref.type
            if any(d < 0 for d in t.get_shape()):
                raise PassFailedException("tfc-plan-memory: dynamic shapes are not supported")
            uses = [pos[u] for u in _alias_uses(alloc.memref, block)]
            start, end = (min(uses), max(uses)) if uses else (pos[alloc], pos[alloc])
            buffers.append(Buffer(_bytes(t), start, end))
        naive = sum(b.size for b in buffers)

        # In place: an output joins the slot of the input it overwrites.
        slot = list(range(len(allocs)))

        def find(i: int) -> int:
            while slot[i] != i:
                i = slot[i]
            return i

        index = {a.memref: i for i, a in enumerate(allocs)}
        if self.in_place:
            for call, kernel, pairs in _in_place_calls(op, block, index, buffers, find, pos):
                for i, o in pairs:
                    slot[index[call.arguments[o]]] = find(index[_root(call.arguments[i])])
                kernel.attributes[INPLACE_ATTR] = ArrayAttr(
                    [ArrayAttr([IntegerAttr(i, i64), IntegerAttr(o, i64)]) for i, o in pairs])
        merged: dict[int, Buffer] = {}
        for i, b in enumerate(buffers):
            r = find(i)
            if r not in merged:
                merged[r] = Buffer(b.size, b.start, b.end)
            else:
                m = merged[r]
                m.size, m.start, m.end = max(m.size, b.size), min(m.start, b.start), max(m.end, b.end)
        slots = list(merged.values())
        arena_size = plan(slots)

        arena = block.args[-1]
        if arena.type != MemRefType(i8, [arena_size]):
            arena = Rewriter.replace_value_with_new_type(arena, MemRefType(i8, [arena_size]))
            arena.name_hint = "arena"
        for i, alloc in enumerate(allocs):
            offset = arith.ConstantOp(IntegerAttr.from_index_int_value(merged[find(i)].offset))
            view = memref.ViewOp(arena, offset, [], alloc.memref.type)
            view.result.name_hint = alloc.memref.name_hint
            block.insert_ops_before([offset, view], alloc)
            alloc.memref.replace_all_uses_with(view.result)
            alloc.detach()
            alloc.erase()

        host.function_type = func.FunctionType.from_lists(
            [a.type for a in block.args], list(host.function_type.outputs.data))
        host.attributes[ARENA_SIZE_ATTR] = IntegerAttr(arena_size, i64)
        host.attributes[PEAK_ATTR] = IntegerAttr(peak_live_bytes(slots), i64)
        host.attributes[NAIVE_ATTR] = IntegerAttr(naive, i64)


def _bytes(t: MemRefType) -> int:
    return math.prod(t.get_shape()) * element_bytes(t.get_element_type())


def _root(v: SSAValue) -> SSAValue:
    """The buffer `v` is a reshape of (itself if it is not a reshape)."""
    while isinstance(v.owner, memref.CollapseShapeOp | memref.ExpandShapeOp):
        v = v.owner.src
    return v


def _identity(m: AffineMap) -> bool:
    return m == AffineMap.identity(m.num_dims) and m.num_symbols == 0


def in_place_candidates(kernel: func.FuncOp) -> tuple[list[tuple[int, int]], set[int]]:
    """(pairs (input arg, output arg) the kernel could compute in place, the arguments it
    only reads element-wise at the element it writes). Only an elementwise kernel of one
    all-parallel generic qualifies; each argument of a pair is used once by that generic,
    the input through the identity map, the output through the identity map and never read."""
    kind = kernel.attributes.get("tfc.kernel_kind")
    if not isinstance(kind, StringAttr) or kind.data != "elementwise" or kernel.is_declaration:
        return [], set()
    generics = [o for o in kernel.body.walk() if isinstance(o, linalg.GenericOp)]
    if len(generics) != 1:
        return [], set()
    g = generics[0]
    if any(it.data.value != "parallel" for it in g.iterator_types):
        return [], set()
    maps = [m.data for m in g.indexing_maps]
    n_in = len(g.inputs)
    args = list(kernel.body.block.args)

    def only_use(a: SSAValue):
        uses = list(a.uses)
        if not uses or any(u.operation is not g for u in uses):
            return None
        return [u.index for u in uses]

    pointwise: set[int] = set()
    for k, a in enumerate(args):
        idx = only_use(a)
        if idx is not None and all(i < n_in and _identity(maps[i]) for i in idx):
            pointwise.add(k)
    pairs: list[tuple[int, int]] = []
    used_in: set[int] = set()
    for o, a in enumerate(args):
        idx = only_use(a)
        if idx is None or len(idx) != 1 or idx[0] < n_in or not _identity(maps[idx[0]]):
            continue
        if g.body.block.args[idx[0]].uses:
            continue  # the output's old value is read
        for i in sorted(pointwise - used_in):
            if args[i].type == a.type:
                pairs.append((i, o))
                used_in.add(i)
                break
    return pairs, pointwise


def _in_place_calls(module: ModuleOp, block, index, buffers, find, pos):
    """(call, kernel, pairs) for each call that can write outputs over dying inputs."""
    kernels = {f.sym_name.data: f for f in module.ops if isinstance(f, func.FuncOp)}
    calls = [o for o in block.ops if isinstance(o, func.CallOp)]
    count: dict[str, int] = {}
    for c in calls:
        count[c.callee.root_reference.data] = count.get(c.callee.root_reference.data, 0) + 1
    def end_of(i: int) -> int:
        r = find(i)
        return max(buffers[j].end for j in range(len(buffers)) if find(j) == r)

    for call in calls:
        name = call.callee.root_reference.data
        kernel = kernels.get(name)
        if kernel is None or count[name] != 1:
            continue
        candidates, pointwise = in_place_candidates(kernel)
        chosen: list[tuple[int, int]] = []
        taken: set[int] = set()
        for i, o in candidates:
            out, src = call.arguments[o], _root(call.arguments[i])
            if out not in index or src not in index or index[out] == index[src]:
                continue
            s = find(index[src])
            if s in taken or end_of(index[src]) != pos[call] or buffers[index[out]].start != pos[call]:
                continue
            a, b = buffers[index[src]], buffers[index[out]]
            if a.size != b.size or src.type.get_element_type() != out.type.get_element_type():
                continue
            # Every argument bound to the same memory must be read only element-wise.
            same = [k for k, v in enumerate(call.arguments)
                    if _root(v) in index and find(index[_root(v)]) == s]
            if any(k not in pointwise for k in same):
                continue
            chosen.append((i, o))
            taken.add(s)
        if chosen:
            yield call, kernel, chosen


def _is_arena_type(t: Attribute) -> bool:
    return isinstance(t, MemRefType) and t.get_element_type() == i8 and len(t.get_shape()) == 1


def _alias_uses(value: SSAValue, block) -> list[Operation]:
    """Top-level ops of `block` that use `value` or any view of it."""
    found: list[Operation] = []
    work = [value]
    while work:
        v = work.pop()
        for use in v.uses:
            top = block.find_ancestor_op_in_block(use.operation)
            if top is None:
                continue
            found.append(top)
            if isinstance(top, _VIEW_OPS):
                work.extend(top.results)
    return found


def describe_plan(module: ModuleOp) -> dict:
    """The memory plan of a `buffers`-level module, for people: arena size, peak and naive
    bytes, each intermediate's offset, size and live range (first and last kernel that
    uses it), and the kernels that write in place."""
    host = entry_function(module)
    block = host.body.block

    def attr(name: str) -> int:
        a = host.attributes.get(name)
        return int(a.value.data) if isinstance(a, IntegerAttr) else 0

    calls = [o for o in block.ops if isinstance(o, func.CallOp)]
    order = {c: k for k, c in enumerate(calls)}
    buffers = []
    for view in [o for o in block.ops if isinstance(o, memref.ViewOp)]:
        shift = view.byte_shift.owner
        offset = shift.value.value.data if isinstance(shift, arith.ConstantOp) else None
        used = sorted({order[u] for u in _alias_uses(view.result, block) if u in order})
        buffers.append({
            "name": view.result.name_hint or "",
            "type": str(view.result.type),
            "offset": offset,
            "bytes": _bytes(view.result.type),
            "first": calls[used[0]].callee.root_reference.data if used else None,
            "last": calls[used[-1]].callee.root_reference.data if used else None,
            "live": (used[0], used[-1]) if used else None,
        })
    in_place = {}
    for f in module.ops:
        if isinstance(f, func.FuncOp) and isinstance(f.attributes.get(INPLACE_ATTR), ArrayAttr):
            in_place[f.sym_name.data] = [tuple(int(x.value.data) for x in pair.data)
                                         for pair in f.attributes[INPLACE_ATTR].data]
    return {
        "arena_bytes": attr(ARENA_SIZE_ATTR),
        "peak_bytes": attr(PEAK_ATTR),
        "naive_bytes": attr(NAIVE_ATTR),
        "buffers": buffers,
        "in_place": in_place,
    }
