"""Outline the linalg ops of the host function into isolated kernel functions.

`outline_kernel(ops, name)` is the building block: it moves any connected,
convex group of ops out of the host into a private `func.func` marked
`tfc.kernel`, and replaces the group with one `func.call`. The pass below calls
it with one op per kernel; a fusion pass calls it with larger groups.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, tensor
from xdsl.dialects.linalg import ops as linalg
from xdsl.dialects.builtin import (
    ArrayAttr,
    ModuleOp,
    StringAttr,
    TensorType,
    UnitAttr,
)
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineDimExpr
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

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


def _tfc_names(op: Operation) -> list[str]:
    """Op names recorded by the front end (`tfc.op` / `tfc.ops`), if any."""
    names: list[str] = []
    for key in ("tfc.op", "tfc.ops"):
        attr = op.attributes.get(key)
        if isinstance(attr, StringAttr):
            names.append(attr.data)
        elif isinstance(attr, ArrayAttr):
            names.extend(a.data for a in attr.data if isinstance(a, StringAttr))
    return names


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
            return "matmul" if _looks_like_matmul(op) else "contract"
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


def _looks_like_matmul(op: linalg.GenericOp) -> bool:
    maps = [m.data for m in op.indexing_maps]
    return all(all(isinstance(e, AffineDimExpr) for e in m.results) for m in maps)


def describe_ops(ops: Sequence[Operation]) -> str:
    """A short identifier for what `ops` compute, e.g. `add`, `reduce_sum`, `matmul`."""
    names: list[str] = []
    for op in ops:
        for n in _tfc_names(op) or [_describe_one(op)]:
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
    tfc_names = [n for g in group for n in _tfc_names(g)]
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


@dataclass(frozen=True)
class FormKernelsPass(ModulePass):
    """Outline each linalg op of the host into its own kernel (`linalg` -> `kernels` level).

    Expects the `linalg` level: the entry function holds `linalg.generic`,
    `tensor.insert_slice` / `tensor.extract_slice`, constants, `tensor.empty`
    and reshapes. Produces the `kernels` level: each `linalg.generic`,
    `insert_slice` and `extract_slice` becomes a private `func.func
    @k<N>_<what>` with the unit attribute `tfc.kernel`, over tensors, called
    from the host with `func.call`. Constants, `tensor.empty` and
    `tensor.collapse_shape` / `expand_shape` stay in the host; scalar constants
    and `tensor.empty` that a kernel uses are cloned into it. Ops already inside
    kernels are left alone, so the pass can run after a fusion pass.
    """

    name = "tfc-form-kernels"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        host = entry_function(op)
        index = next_kernel_index(op)
        for target in list(host.body.walk()):
            if not isinstance(target, KERNEL_OPS):
                continue
            # Ops nested in a generic's body (none today) stay with their parent.
            if target.parent_op() is not host:
                continue
            if not any(r.uses for r in target.results):
                target.detach()  # dead: nothing would call the kernel's results
                target.erase()
                continue
            outline_kernel([target], f"k{index}_{describe_ops([target])}")
            index += 1
        _erase_dead_host_values(host)


def _erase_dead_host_values(host: func.FuncOp) -> None:
    """Drop `tensor.empty` and constants that only fed outlined ops."""
    for op in reversed(list(host.body.block.ops)):
        if isinstance(op, tensor.EmptyOp | arith.ConstantOp) and not any(r.uses for r in op.results):
            op.detach()
            op.erase()
