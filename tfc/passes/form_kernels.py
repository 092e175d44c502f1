"""Outline the linalg ops of the host function into isolated kernel functions.

`outline_kernel(ops, name)` is the building block: it moves any connected,
convex group of ops out of the host into a private `func.func` marked
`tfc.kernel`, and replaces the group with one `func.call`. The pass below calls
it with one op per kernel; a fusion pass calls it with larger groups.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, tensor
from xdsl.dialects.linalg import ops as linalg
from xdsl.dialects.builtin import (
    ArrayAttr,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    TensorType,
    UnitAttr,
    i64,
)
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineDimExpr, AffineMap
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from tfc.passes import fusion
from tfc.passes.fusion_policy import FusionPolicy

__all__ = [
    "FormKernelsPass",
    "KERNEL_ATTR",
    "describe_ops",
    "entry_function",
    "is_kernel",
    "outline_kernel",
    "KERNEL_OPS",
]

KERNEL_ATTR = "tfc.kernel"

# Ops that do work on data and therefore belong in a kernel; everything else in
# the host (constants, tensor.empty, reshapes) stays there.
KERNEL_OPS = (linalg.GenericOp, tensor.InsertSliceOp, tensor.ExtractSliceOp)


def entry_function(module: ModuleOp) -> func.FuncOp:
    """The host: `@main` if present, otherwise the first public non-kernel function."""
    funcs = [op for op in module.ops if isinstance(op, func.FuncOp)]
    for f in funcs:
        if f.sym_name.data == "main":
            return f
    for f in funcs:
        public = f.sym_visibility is None or f.sym_visibility.data == "public"
        if public and not is_kernel(f) and not f.is_declaration:
            return f
    raise PassFailedException("no entry function: expected @main or a public func.func")


def is_kernel(f: func.FuncOp) -> bool:
    return KERNEL_ATTR in f.attributes


# ----------------------------------------------------------------------------
# Naming: a short, readable description of what a group of ops computes.

_SHORT = {
    "arith.addf": "add", "arith.addi": "add", "arith.subf": "sub", "arith.subi": "sub",
    "arith.mulf": "mul", "arith.muli": "mul", "arith.divf": "div", "arith.divsi": "div",
    "arith.floordivsi": "floordiv", "arith.remf": "mod", "arith.remsi": "mod",
    "arith.maximumf": "max", "arith.maxnumf": "max", "arith.maxsi": "max",
    "arith.minimumf": "min", "arith.minnumf": "min", "arith.minsi": "min",
    "arith.negf": "neg", "arith.cmpf": "cmp", "arith.cmpi": "cmp", "arith.select": "select",
    "arith.andi": "and", "arith.ori": "or", "arith.xori": "xor",
    "arith.sitofp": "cast", "arith.uitofp": "cast", "arith.fptosi": "cast",
    "arith.extsi": "cast", "arith.extui": "cast", "arith.trunci": "cast",
}
# Ops that only move or convert data; they do not name a kernel.
_QUIET = {
    "linalg.yield", "linalg.index", "arith.constant", "arith.extf", "arith.truncf",
    "arith.index_cast", "arith.addi", "arith.muli",
}
_REDUCE_NAMES = {"add": "sum", "max": "max", "min": "min", "mul": "prod", "or": "any", "and": "all"}


def _op_short(op: Operation) -> str:
    if op.name in _SHORT:
        return _SHORT[op.name]
    return op.name.split(".", 1)[-1]


def _describe_generic(op: linalg.GenericOp) -> str:
    body = [o for o in op.body.block.ops]
    if any(isinstance(o, tensor.ExtractOp) for o in body):
        return "gather"
    compute = [o for o in body if o.name not in _QUIET]
    iterators = [it.data.value for it in op.iterator_types]
    has_reduction = "reduction" in iterators
    if not op.inputs and not compute:
        return "fill"
    if has_reduction:
        names = [o.name for o in compute]
        if "arith.mulf" in names and "arith.addf" in names and len(op.inputs) == 2:
            return "matmul" if _looks_like_matmul(op) else "conv"
        if "arith.select" in names and len(op.outputs) == 2:
            cmp = next((o for o in compute if isinstance(o, arith.CmpfOp | arith.CmpiOp)), None)
            pred = cmp.predicate.value.data if cmp is not None else 2
            # cmpf: 2 ogt, 3 oge, 9 ugt, 10 uge; cmpi: 4 sgt, 5 sge, 8 ugt, 9 uge
            greater = pred in ((2, 3, 9, 10) if isinstance(cmp, arith.CmpfOp) else (4, 5, 8, 9))
            return "argmax" if greater else "argmin"
        combiner = _op_short(compute[-1]) if compute else "copy"
        return "reduce_" + _REDUCE_NAMES.get(combiner, combiner)
    if compute:
        seen: list[str] = []
        for o in compute:
            s = _op_short(o)
            if s not in seen:
                seen.append(s)
        return "_".join(seen[:3])
    maps = [m.data for m in op.indexing_maps]
    out_map = maps[-1]
    for m in maps[: len(op.inputs)]:
        if m == out_map:
            continue
        if len(m.results) == len(out_map.results) and all(
            isinstance(e, AffineDimExpr) for e in m.results
        ):
            return "transpose"
        if all(isinstance(e, AffineDimExpr) for e in m.results):
            return "broadcast"
        return "slice"
    return "copy"


def reduction_name(op: linalg.GenericOp) -> str:
    """sum, max, min, prod, ... : what a reduction's combiner does to its accumulator."""
    body = op.body.block
    y = body.last_op
    if isinstance(y, linalg.YieldOp) and y.operands:
        v = y.operands[0]
        while isinstance(v.owner, arith.TruncFOp):
            v = v.owner.operands[0]
        if isinstance(v.owner, Operation):
            short = _op_short(v.owner)
            return _REDUCE_NAMES.get(short, short)
    return "reduce"


def _looks_like_matmul(op: linalg.GenericOp) -> bool:
    maps = [m.data for m in op.indexing_maps]
    return all(all(isinstance(e, AffineDimExpr) for e in m.results) for m in maps)


def describe_ops(ops: Sequence[Operation]) -> str:
    """A short identifier for what `ops` compute, e.g. `add`, `reduce_sum`, `matmul`."""
    names: list[str] = []
    for op in ops:
        for n in fusion.op_names(op) or [_describe_one(op)]:
            if n not in names:
                names.append(n)
    text = "_".join(names[:3]) or "kernel"
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def _describe_one(op: Operation) -> str:
    if isinstance(op, linalg.GenericOp):
        return _describe_generic(op)
    if isinstance(op, tensor.InsertSliceOp):
        return "insert_slice"
    if isinstance(op, tensor.ExtractSliceOp):
        return "extract_slice"
    return op.name.split(".")[-1]


# ----------------------------------------------------------------------------
# Outlining


def _top_level(op: Operation, block: Block) -> Operation | None:
    """The ancestor of `op` that lives directly in `block`, if any."""
    return block.find_ancestor_op_in_block(op)


def _is_cloneable(value: SSAValue) -> bool:
    """Values a kernel rebuilds instead of taking as an argument: scalar
    constants and `tensor.empty` (which carries no data)."""
    owner = value.owner
    if isinstance(owner, tensor.EmptyOp):
        return not owner.operands
    if isinstance(owner, arith.ConstantOp):
        return not isinstance(value.type, TensorType)
    return False


def _order_group(ops: Iterable[Operation]) -> tuple[Block, list[Operation]]:
    ops = list(dict.fromkeys(ops))
    if not ops:
        raise ValueError("outline_kernel: empty group")
    block = ops[0].parent_block()
    if block is None or any(op.parent_block() is not block for op in ops):
        raise ValueError("outline_kernel: all ops must be in the same block")
    index = {op: i for i, op in enumerate(block.ops)}
    return block, sorted(ops, key=index.__getitem__)


def _make_convex(block: Block, group: list[Operation]) -> None:
    """Move ops between the group's first and last op that depend on the group
    to after its last op, so one call can replace the group. Raise if the
    group is not convex (some group op depends on such an op)."""
    members = set(group)
    first, last = group[0], group[-1]
    if first is last:
        return
    between: list[Operation] = []
    op = first.next_op
    while op is not None and op is not last:
        if op not in members:
            between.append(op)
        op = op.next_op
    if not between:
        return
    tainted: set[Operation] = set()
    produced = {r for g in group for r in g.results}
    for op in between:
        inner_operands = [v for o in op.walk() for v in o.operands]
        if any(v in produced or (v.owner in tainted if isinstance(v.owner, Operation) else False)
               for v in inner_operands):
            tainted.add(op)
    for g in group:
        for o in g.walk():
            for v in o.operands:
                owner = v.owner
                if isinstance(owner, Operation) and _top_level(owner, block) in tainted:
                    raise ValueError(
                        f"outline_kernel: group is not convex: {g.name} depends on "
                        f"{owner.name}, which depends on the group"
                    )
    anchor = last
    for op in between:
        if op in tainted:
            op.detach()
            block.insert_op_after(op, anchor)
            anchor = op


def outline_kernel(ops: Sequence[Operation], name: str) -> func.FuncOp:
    """Move `ops` (a connected group in one block of the host) into a new private
    kernel function `@name`, and replace them with a `func.call`.

    Values the group reads from outside become arguments (scalar constants and
    `tensor.empty` are cloned into the kernel instead); values used outside the
    group become results. Arguments are ordered: values that are only used as
    `outs` / insert destinations (written in place after bufferization) come
    last. The new function is inserted into the module before the host.
    """
    block, group = _order_group(ops)
    _make_convex(block, group)
    members = set(group)

    def inside(op: Operation) -> bool:
        top = _top_level(op, block)
        return top is not None and top in members

    # Values read from outside the group, in order of first use.
    captured: list[SSAValue] = []
    for g in group:
        for o in g.walk():
            for v in o.operands:
                owner = v.owner
                defined_inside = (
                    inside(owner) if isinstance(owner, Operation)
                    else (owner.parent_op() is not None and inside(owner.parent_op()))
                )
                if not defined_inside and v not in captured:
                    captured.append(v)
    # Values the rest of the program still needs.
    escaping = [r for g in group for r in g.results if any(not inside(u.operation) for u in r.uses)]

    cloned = [v for v in captured if _is_cloneable(v)]
    args = [v for v in captured if not _is_cloneable(v)]

    def only_init(v: SSAValue) -> bool:
        for use in v.uses:
            op = use.operation
            if not inside(op):
                continue
            if isinstance(op, linalg.GenericOp) and use.index >= len(op.inputs):
                continue
            if isinstance(op, tensor.InsertSliceOp) and use.index == 1:
                continue
            return False
        return True

    args = [v for v in args if not only_init(v)] + [v for v in args if only_init(v)]

    # The call replaces the group, right after its last op.
    call = func.CallOp(name, args, [v.type for v in escaping])
    block.insert_op_after(call, group[-1])
    for v, r in zip(escaping, call.res):
        r.name_hint = v.name_hint
        v.replace_uses_with_if(r, lambda use: not inside(use.operation))

    body = Block(arg_types=[v.type for v in args])
    n_inputs = sum(1 for v in args if not only_init(v))
    for k, (v, a) in enumerate(zip(args, body.args)):
        a.name_hint = v.name_hint or (f"in{k}" if k < n_inputs else f"init{k - n_inputs}")
        v.replace_uses_with_if(a, lambda use: inside(use.operation))
    for v in cloned:
        assert isinstance(v.owner, Operation)
        copy = v.owner.clone()
        body.add_op(copy)
        v.replace_uses_with_if(copy.results[0], lambda use: inside(use.operation))
    for g in group:
        g.detach()
        body.add_op(g)
    body.add_op(func.ReturnOp(*escaping))

    kernel = func.FuncOp(
        name, ([v.type for v in args], [v.type for v in escaping]), Region(body), "private"
    )
    kernel.attributes[KERNEL_ATTR] = UnitAttr()
    tfc_names = [n for g in group for n in fusion.op_names(g)]
    if tfc_names:
        kernel.attributes["tfc.ops"] = ArrayAttr([StringAttr(n) for n in dict.fromkeys(tfc_names)])

    host = block.parent_op()
    while host is not None and not isinstance(host.parent_op(), ModuleOp):
        host = host.parent_op()
    if host is None or host.parent_block() is None:
        raise ValueError("outline_kernel: the group must live inside a function of a module")
    host.parent_block().insert_op_before(kernel, host)

    # Cloned host values may now be dead.
    for v in cloned:
        owner = v.owner
        if isinstance(owner, Operation) and not owner.results[0].uses and owner.parent is not None:
            owner.detach()
            owner.erase()
    return kernel


def next_kernel_index(module: ModuleOp) -> int:
    """The first unused N in kernel names `@kN_...`."""
    used = [-1]
    for op in module.ops:
        if isinstance(op, func.FuncOp) and (m := re.match(r"k(\d+)_", op.sym_name.data)):
            used.append(int(m.group(1)))
    return max(used) + 1


# ----------------------------------------------------------------------------
# Grouping: which ops go into which kernel

KIND_ATTR = "tfc.kernel_kind"
ROW_DIMS_ATTR = "tfc.row_dims"
REPORT_ATTR = "tfc.fusion_report"
ELEMENTWISE, REDUCTION, ROW, CONTRACTION, COPY = "elementwise", "reduction", "row", "contraction", "copy"

log = logging.getLogger("tfc.fusion")


@dataclass
class Group:
    """The ops of one future kernel, and its kind (contract 1 of docs/architecture.md)."""

    kind: str
    ops: list[Operation]
    row_dims: int = 0


class _Planner:
    """Decides the kernels of the host: fuses generics (legality in fusion.py, worth in
    fusion_policy.py), then groups what is left. Refusals are kept per (producer,
    consumer) pair; those still separate at the end are reported."""

    def __init__(self, host: func.FuncOp, policy: FusionPolicy, fuse: bool):
        self.block = host.body.block
        self.policy = policy
        self.fuse = fuse
        self.labels: dict[Operation, list[str]] = {}
        # (producer, consumer, what was tried) -> why not
        self.refusals: dict[tuple[Operation, Operation, str], str] = {}
        self.anchor: dict[Operation, Operation] = {}  # epilogue generic -> its contraction

    # -- bookkeeping
    def kernel_ops(self) -> list[Operation]:
        return [op for op in self.block.ops if isinstance(op, KERNEL_OPS)]

    def label(self, op: Operation) -> str:
        return "+".join(self.labels.get(op, [op.name]))

    def short_label(self, op: Operation) -> str:
        parts = self.labels.get(op, [op.name])
        if len(parts) > 8:
            return "+".join(parts[:4]) + f"+...({len(parts) - 6} more)+" + "+".join(parts[-2:])
        return "+".join(parts)

    def refuse(self, producer: Operation, consumer: Operation, reason: str,
               what: str = "inline") -> None:
        key = (producer, consumer, what)
        if self.refusals.get(key) != reason:
            log.debug("not fused: %s -> %s: %s", self.label(producer), self.label(consumer), reason)
        self.refusals[key] = reason

    def replaced(self, old: Sequence[Operation], new: Operation) -> None:
        labels: list[str] = []
        for o in old:
            labels += [x for x in self.labels.get(o, []) if x not in labels]
        self.labels[new] = labels
        for o in old:
            if o in self.anchor:
                self.anchor[new] = self.anchor.pop(o)

    def top_users(self, op: Operation) -> tuple[list[Operation], bool]:
        """(generics reading `op`'s results through inputs, whether anything else uses them)."""
        users: list[Operation] = []
        other = False
        for r in op.results:
            for use in r.uses:
                user = use.operation
                if isinstance(user, linalg.GenericOp) and user.parent_block() is self.block \
                        and use.index < len(user.inputs):
                    if user not in users:
                        users.append(user)
                else:
                    other = True
        return users, other

    # -- the steps
    def run(self) -> list[Group]:
        self.drop_dead()
        for k, op in enumerate(self.kernel_ops()):
            self.labels[op] = [f"{describe_ops([op])}#{k}"]
        for op in self.kernel_ops():
            if isinstance(op, linalg.GenericOp):
                new = fusion.fold_splat_inputs(op)
                if new is not op:
                    self.replaced([op], new)
        if not self.fuse:
            return [Group(_single_kind(op), [op]) for op in self.kernel_ops()]
        self.split_shared_fills()
        self.find_anchors()
        while True:
            while self.inline_all():
                pass
            if not self.merge_all():
                break
        self.drop_dead()
        return self.group()

    def drop_dead(self) -> None:
        changed = True
        while changed:
            changed = False
            for op in reversed(self.kernel_ops()):
                if not any(r.uses for r in op.results):
                    op.detach()
                    op.erase()
                    changed = True

    def split_shared_fills(self) -> None:
        """A fill used more than once becomes one fill per use (each joins its user's kernel)."""
        for op in self.kernel_ops():
            if fusion.generic_kind(op) != fusion.FILL:
                continue
            uses = [u for r in op.results for u in r.uses]
            for use in uses[1:]:
                clone = op.clone()
                at = self.block.find_ancestor_op_in_block(use.operation)
                for k, init in enumerate(op.outputs):  # its own init: its own buffer
                    if isinstance(init.owner, tensor.EmptyOp):
                        empty = init.owner.clone()
                        self.block.insert_op_before(empty, at)
                        clone.operands[len(op.inputs) + k] = empty.results[0]
                self.block.insert_op_before(clone, at)
                self.labels[clone] = list(self.labels.get(op, []))
                use.operation.operands[use.index] = clone.results[list(op.results).index(use.operation.operands[use.index])]

    def find_anchors(self) -> None:
        """An elementwise generic that is the only reader of a contraction's result, through
        the identity map over the same space, is that contraction's epilogue."""
        for c in self.kernel_ops():
            if fusion.generic_kind(c) != fusion.CONTRACTION:
                continue
            e = self.epilogue_candidate(c, c)
            if e is not None:
                self.anchor[e] = c

    def epilogue_candidate(self, value_owner: Operation, contraction: Operation) -> Operation | None:
        users, other = self.top_users(value_owner)
        if other or len(users) != 1:
            return None
        e = users[0]
        if fusion.generic_kind(e) != fusion.ELEMENTWISE:
            return None
        reads = [j for j, v in enumerate(e.inputs) if v.owner is value_owner]
        shape = list(contraction.results[0].type.get_shape())
        ok = all(fusion.maps(e)[j] == AffineMap.identity(len(shape)) for j in reads)
        ok = ok and fusion.domain(e) == shape and len(value_owner.results) == 1
        ok = ok and all(m == AffineMap.identity(len(shape)) for m in fusion.maps(e)[len(e.inputs):])
        return e if ok else None

    def anchor_rule(self, p: Operation, c: Operation) -> str | None:
        if fusion.generic_kind(c) == fusion.CONTRACTION:
            # A transpose folds into the operand's strides (the packing, or the
            # micro-kernel reading A in place, walks any linear map), as XLA folds
            # transposes into dot dimension numbers: no copy kernel, no buffer.
            if fusion.is_permuted_copy(p) and p not in self.anchor:
                return None
            return (f"{self.label(c)} is a contraction: it reads its operands from memory "
                    "(packed into cache blocks), so producers other than transposes stay in "
                    "their own kernels")
        if p in self.anchor:
            if self.epilogue_candidate(p, self.anchor[p]) is not c:
                return (f"it is the epilogue of {self.label(self.anchor[p])}; it would only move "
                        "into a single elementwise consumer over the same space")
        return None

    def inline_all(self) -> bool:
        changed = False
        for p in self.kernel_ops():
            if p.parent is None or fusion.generic_kind(p) not in (fusion.ELEMENTWISE, fusion.FILL):
                continue
            changed |= self.try_inline(p)
        return changed

    def try_inline(self, p: linalg.GenericOp) -> bool:
        users, stays = self.top_users(p)
        for r in p.results:
            for use in r.uses:
                top = self.block.find_ancestor_op_in_block(use.operation)
                if isinstance(top, tensor.InsertSliceOp | tensor.ExtractSliceOp):
                    self.refuse(p, top, "copies (slices, concatenation, padding) are kernels "
                                        "of their own")
        legal = []
        for c in users:
            reason = fusion.why_not_inline(p, c) or self.anchor_rule(p, c)
            if reason:
                self.refuse(p, c, reason)
            else:
                legal.append(c)
        if not legal:
            return False
        stays = stays or len(legal) < len(users)
        verdicts = {c: self.policy.inline(p, c, n_consumers=len(legal), stays=stays) for c in legal}
        chosen = [c for c in legal if verdicts[c] is None]
        if len(chosen) < len(legal) and chosen:  # the refused ones keep reading it from memory
            chosen = [c for c in chosen
                      if self.policy.inline(p, c, n_consumers=len(chosen), stays=True) is None]
        for c in legal:
            if c not in chosen:
                self.refuse(p, c, verdicts[c] or "its result is stored anyway for other users")
        for c in chosen:
            labels = self.labels.get(p, []) + [x for x in self.labels.get(c, [])
                                                if x not in self.labels.get(p, [])]
            anchor = self.anchor.pop(c, None) or self.anchor.pop(p, None)
            new = fusion.inline_producer(p, c)
            log.debug("fused: %s into %s", self.label(p), "+".join(self.labels.get(c, [])))
            self.labels.pop(c, None)
            self.labels[new] = labels
            if anchor is not None:
                self.anchor[new] = anchor
            for e, k in list(self.anchor.items()):  # c may be a contraction with an epilogue
                if k is c:
                    self.anchor[e] = new
        if chosen and not any(r.uses for r in p.results):
            self.labels.pop(p, None)
            p.detach()
            p.erase()
        return bool(chosen)

    def merge_all(self) -> bool:
        """Several outputs from one kernel: elementwise generics over the same space that
        read one another or a common input become one multi-output generic."""
        merged_any = False
        changed = True
        while changed:
            changed = False
            ops = self.kernel_ops()
            for second in ops:
                if not self.mergeable(second):
                    continue
                for first in self.merge_candidates(second):
                    vertical = any(v.owner is first for v in second.inputs)
                    reason = fusion.why_not_merge(first, second) or self.policy.merge(first, second)
                    if reason:
                        if vertical:
                            self.refuse(first, second, f"not one multi-output kernel: {reason}", "merge")
                        continue
                    new = fusion.merge_generics(first, second)
                    log.debug("fused: %s and %s into one multi-output generic",
                              self.label(first), self.label(second))
                    self.replaced([first, second], new)
                    fusion.restore_order(self.block)
                    new2 = fusion.prune_results(new)
                    if new2 is not new:
                        self.replaced([new], new2)
                    changed = merged_any = True
                    break
                if changed:
                    break
        return merged_any

    def mergeable(self, op: Operation) -> bool:
        return (fusion.generic_kind(op) == fusion.ELEMENTWISE and op not in self.anchor
                and op not in self.anchor.values())

    def merge_candidates(self, second: linalg.GenericOp) -> list[Operation]:
        pos = {op: i for i, op in enumerate(self.block.ops)}
        found: list[Operation] = []
        for v in second.inputs:
            owner = v.owner
            cands = [owner] if isinstance(owner, Operation) else []
            cands += [u.operation for u in v.uses]
            for c in cands:
                if (c is not second and c not in found and c.parent_block() is self.block
                        and self.mergeable(c) and pos[c] < pos[second]):
                    found.append(c)
        return found

    # -- grouping
    def group(self) -> list[Group]:
        groups: list[Group] = []
        grouped: dict[Operation, Group] = {}

        def add(g: Group) -> None:
            groups.append(g)
            for o in g.ops:
                grouped[o] = g

        ops = self.kernel_ops()
        for op in ops:
            kind = fusion.generic_kind(op)
            if kind == fusion.CONTRACTION:
                members = self.fills_of(op) + [op]
                epilogue = next((e for e, c in self.anchor.items() if c is op and e.parent), None)
                if epilogue is not None:
                    members.append(epilogue)
                add(Group(CONTRACTION, members))
            elif kind == fusion.REDUCTION:
                add(Group(REDUCTION, self.fills_of(op) + [op]))
        for op in ops:
            if op in grouped:
                continue
            if isinstance(op, tensor.InsertSliceOp):
                add(Group(COPY, self.insert_chain(op, grouped)))
            elif isinstance(op, tensor.ExtractSliceOp):
                add(Group(COPY, [op]))
        for op in ops:
            if op not in grouped:
                add(Group(ELEMENTWISE, [op]))
        for g in list(groups):
            if g.kind == REDUCTION and g in groups:
                self.grow_rows(g, groups, grouped)
        pos = {op: i for i, op in enumerate(self.block.ops)}
        for g in groups:
            g.ops.sort(key=pos.__getitem__)
        groups.sort(key=lambda g: pos[g.ops[0]])
        return groups

    def fills_of(self, op: linalg.GenericOp) -> list[Operation]:
        fills = []
        for v in op.outputs:
            owner = v.owner
            if fusion.generic_kind(owner) == fusion.FILL and len(owner.results) == 1 \
                    and len(list(v.uses)) == 1:
                fills.append(owner)
        return fills

    def insert_chain(self, first: tensor.InsertSliceOp, grouped) -> list[Operation]:
        chain: list[Operation] = [first]
        dest = first.dest.owner
        if fusion.generic_kind(dest) == fusion.FILL and dest not in grouped \
                and len(list(first.dest.uses)) == 1:
            chain.insert(0, dest)
        cur = first
        while len(list(cur.result.uses)) == 1:
            use = next(iter(cur.result.uses))
            if not (isinstance(use.operation, tensor.InsertSliceOp) and use.index == 1):
                break
            cur = use.operation
            chain.append(cur)
        return chain

    def grow_rows(self, g: Group, groups: list[Group], grouped: dict[Operation, Group]) -> None:
        """Grow a reduction into a row kernel: add the ops that read its result (or each
        other's) row by row, and producers only it reads, while the group stays convex."""
        r = next(o for o in g.ops if fusion.generic_kind(o) == fusion.REDUCTION)
        n = fusion.row_dims_of(r)
        if n == 0:
            for c in self.top_users(r)[0]:
                self.refuse(r, c, "no row kernel: the reduction is not over trailing dims "
                                  "of rows that index its result", "row")
            return
        rows = fusion.domain(r)[:n]
        changed = True
        while changed:
            changed = False
            internal = {v for o in g.ops for v in o.results}
            candidates: list[tuple[Operation, Operation]] = []  # (op in g, op to add)
            for o in g.ops:
                for c in self.top_users(o)[0]:
                    if c not in g.ops:
                        candidates.append((o, c))
                for v in o.operands:
                    p = v.owner
                    if isinstance(p, linalg.GenericOp) and p not in g.ops and p.parent_block() is self.block:
                        users, other = self.top_users(p)
                        if not other and all(u in g.ops for u in users):
                            candidates.append((p, o))
            for a, b in candidates:
                new_op = b if a in g.ops else a
                h = grouped[new_op]
                if h is g:
                    continue
                if h.kind not in (ELEMENTWISE, REDUCTION, ROW) or (h.kind == ROW and h.row_dims != n):
                    self.refuse(a, b, f"not in one row kernel: {self.label(new_op)} is a "
                                      f"{h.kind} kernel", "row")
                    continue
                inner = internal | {v for o in h.ops for v in o.results}
                reason = None
                # Every member, not only the new ones: adding h makes h's results the
                # kernel's own, and an op already in g may read them across rows (a
                # reversed slice of a layer norm read its row statistics at 1 - row,
                # before that row had computed them: tools/fuzz seed 20261121 #2106).
                culprit = new_op
                for o in g.ops + h.ops:
                    if not isinstance(o, linalg.GenericOp):
                        reason = f"{self.label(o)} is a copy"
                    else:
                        reason = fusion.why_not_row(o, n, rows, inner)
                    if reason:
                        culprit = o
                        break
                if reason is None and not fusion.is_convex(g.ops + h.ops):
                    reason = "an op outside the kernel depends on it and feeds it"
                if reason:
                    self.refuse(a, b, f"not in one row kernel: {self.label(culprit)}: {reason}", "row")
                    continue
                g.ops += h.ops
                for o in h.ops:
                    grouped[o] = g
                groups.remove(h)
                g.kind, g.row_dims = ROW, n
                log.debug("row kernel of %s (rows %s): added %s", self.label(r), rows,
                          ", ".join(self.label(o) for o in h.ops))
                changed = True
                break

    # -- in place inside kernels
    def write_in_place(self, g: Group) -> None:
        """An elementwise generic of a multi-op kernel writes over a value of the kernel that
        dies at it, read at the same element (identity map, same type): the contraction's
        accumulator for its epilogue, a row's big intermediate for its last reader. At the
        buffers level they then share one buffer instead of needing scratch."""
        if len(g.ops) < 2:
            return
        members = set(g.ops)
        pos = {op: i for i, op in enumerate(self.block.ops)}
        taken: set[SSAValue] = set()
        for op in g.ops:
            if fusion.generic_kind(op) != fusion.ELEMENTWISE:
                continue
            ms = fusion.maps(op)
            for k, out in enumerate(list(op.outputs)):
                if not isinstance(out.owner, tensor.EmptyOp):
                    continue
                rank = len(out.type.get_shape())
                if ms[len(op.inputs) + k] != AffineMap.identity(rank):
                    continue
                for j, v in enumerate(op.inputs):
                    producer = v.owner
                    if (v in taken or v.type != op.results[k].type
                            or not isinstance(producer, linalg.GenericOp) or producer not in members):
                        continue
                    reads = [i for i, w in enumerate(op.inputs) if w is v]
                    if any(ms[i] != AffineMap.identity(rank) for i in reads):
                        continue
                    tops = [self.block.find_ancestor_op_in_block(u.operation) for u in v.uses]
                    if all(t in members and pos[t] <= pos[op] for t in tops):
                        op.operands[len(op.inputs) + k] = v
                        taken.add(v)
                        break


def _single_kind(op: Operation) -> str:
    kind = fusion.generic_kind(op)
    if kind is None:
        return COPY
    return {fusion.FILL: ELEMENTWISE}.get(kind, kind)


def _group_name(g: Group, labels: dict[Operation, list[str]]) -> str:
    work = [o for o in g.ops if fusion.generic_kind(o) != fusion.FILL] or g.ops
    if g.kind == ROW:
        reds = [reduction_name(o) for o in work if fusion.generic_kind(o) == fusion.REDUCTION]
        return "row_" + "_".join(reds[:3])
    if g.kind == COPY:
        return describe_ops([o for o in work if not isinstance(o, linalg.GenericOp)] or work)
    return describe_ops(work)


@dataclass(frozen=True)
class FormKernelsPass(ModulePass):
    """Group the linalg ops of the host into kernels and outline each (`linalg` -> `kernels` level).

    Expects the `linalg` level: the entry function holds `linalg.generic`,
    `tensor.insert_slice` / `tensor.extract_slice`, constants, `tensor.empty`
    and reshapes. Produces the `kernels` level: each group becomes a private
    `func.func @k<N>_<what>` with the unit attribute `tfc.kernel` and its
    `tfc.kernel_kind` (elementwise | reduction | row | contraction | copy; row
    kernels also carry `tfc.row_dims`), over tensors, called from the host with
    `func.call`. Constants, `tensor.empty` and `tensor.collapse_shape` /
    `expand_shape` stay in the host; scalar constants and `tensor.empty` that a
    kernel uses are cloned into it; splat dense constants read by a generic
    become scalar constants in its body.

    With `fuse` (the default) elementwise producers are computed inside their
    consumers, elementwise generics over one space share one multi-output
    generic, a reduction takes its fill and grows into a row kernel with the
    ops that read it row by row, and a contraction takes its fill and its
    elementwise epilogue (see fusion.py for what may fuse, fusion_policy.py for
    what should). Without it, each op is its own kernel. The host gets
    `tfc.fusion_report`: each kernel's ops, and each refused fusion with its
    reason (also logged to the `tfc.fusion` logger: `tfc-opt --debug-fusion`).
    Ops already inside kernels are left alone, so the pass can run twice.
    """

    name = "tfc-form-kernels"

    fuse: bool = True

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        host = entry_function(op)
        index = next_kernel_index(op)
        planner = _Planner(host, FusionPolicy(), self.fuse)
        groups = planner.run()
        report: list[str] = []
        for g in groups:
            planner.write_in_place(g)
        for g in groups:
            name = f"k{index}_{_group_name(g, planner.labels)}"
            index += 1
            kernel = outline_kernel(g.ops, name)
            kernel.attributes[KIND_ATTR] = StringAttr(g.kind)
            kind = g.kind
            if g.kind == ROW:
                kernel.attributes[ROW_DIMS_ATTR] = IntegerAttr(g.row_dims, i64)
                kind += f", row_dims={g.row_dims}"
            line = f"kernel @{name} ({kind}): " + ", ".join(planner.short_label(o) for o in g.ops)
            log.debug("%s", line)
            report.append(line)
        seen: set[tuple[Operation, Operation]] = set()
        for (p, c, _), reason in planner.refusals.items():
            if p.parent is None or c.parent is None or p.parent_op() is c.parent_op() is not host:
                continue  # fused after all, or both ended up in one kernel
            if (p, c) in seen:
                continue  # the first reason; --debug-fusion shows every attempt
            seen.add((p, c))
            report.append(f"not fused: {planner.short_label(p)} -> {planner.short_label(c)}: {reason}")
        if report:
            host.attributes[REPORT_ATTR] = ArrayAttr([StringAttr(x) for x in report])
        _erase_dead_host_values(host)


def _erase_dead_host_values(host: func.FuncOp) -> None:
    """Drop `tensor.empty` and constants that only fed outlined ops."""
    for op in reversed(list(host.body.block.ops)):
        if isinstance(op, tensor.EmptyOp | arith.ConstantOp) and not any(r.uses for r in op.results):
            op.detach()
            op.erase()
