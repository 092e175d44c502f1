"""Place every intermediate buffer of the host at an offset in one arena.

Liveness is over the host's straight-line sequence of kernel calls: a buffer is
live from its first use to its last use, where the uses of a view (reshape,
subview) count as uses of the buffer it views. Buffers are placed largest
first, each into the smallest gap (64-byte aligned) left by the buffers already
placed whose lifetimes overlap its own (greedy best-fit). Two buffers live at
the same time never overlap; in-place reuse is not attempted yet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import (
    AnyFloat,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    i8,
    i64,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import Rewriter
from xdsl.utils.exceptions import PassFailedException

from tfc.passes.bufferize import ARENA_SIZE_ATTR
from tfc.passes.form_kernels import entry_function

__all__ = ["ALIGNMENT", "Buffer", "PlanMemoryPass", "element_bytes", "plan"]

ALIGNMENT = 64
PEAK_ATTR = "tfc.arena_peak_bytes"
NAIVE_ATTR = "tfc.naive_bytes"

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
    (sum of all intermediates, what one buffer each would cost).
    """

    name = "tfc-plan-memory"

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
            size = math.prod(t.get_shape()) * element_bytes(t.get_element_type())
            buffers.append(Buffer(size, start, end))
        arena_size = plan(buffers)

        arena = block.args[-1]
        if arena.type != MemRefType(i8, [arena_size]):
            arena = Rewriter.replace_value_with_new_type(arena, MemRefType(i8, [arena_size]))
            arena.name_hint = "arena"
        for alloc, buf in zip(allocs, buffers):
            offset = arith.ConstantOp(IntegerAttr.from_index_int_value(buf.offset))
            view = memref.ViewOp(arena, offset, [], alloc.memref.type)
            view.result.name_hint = alloc.memref.name_hint
            block.insert_ops_before([offset, view], alloc)
            alloc.memref.replace_all_uses_with(view.result)
            alloc.detach()
            alloc.erase()

        host.function_type = func.FunctionType.from_lists(
            [a.type for a in block.args], list(host.function_type.outputs.data))
        host.attributes[ARENA_SIZE_ATTR] = IntegerAttr(arena_size, i64)
        host.attributes[PEAK_ATTR] = IntegerAttr(peak_live_bytes(buffers), i64)
        host.attributes[NAIVE_ATTR] = IntegerAttr(sum(b.size for b in buffers), i64)


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
