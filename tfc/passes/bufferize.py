"""Turn the tensors of the `kernels` level into memrefs, in destination-passing style.

Kernels: `@kN(%in..., %init...) -> (results)` over tensors becomes
`@kN(%in..., %init..., %out..., %scratch...)` over memrefs returning nothing
(scratch: buffers a kernel needs internally, allocated by the host so that the
planner can place them). A result that a
kernel computes into one of its arguments (a reduction accumulating into the
buffer its fill wrote, an insert_slice into its destination) is written there in
place: that argument is *tied* to the result, and no new out argument is added.

Host: `@main(%in...) -> (results)` becomes `@main(%in..., %out..., %arena)`. Kernel
results become `memref.alloc`s (the planner maps them into the arena), except
those the host returns, which are written straight into the caller's output
buffers. Where the caller's buffer cannot simply be the result's buffer (the
result is an input, a constant, returned twice, or the same buffer as another
output), a copy kernel fills it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, tensor
from xdsl.dialects.linalg import attrs as linalg_attrs
from xdsl.dialects.linalg import ops as linalg
from xdsl.dialects.builtin import (
    AffineMapAttr,
    DenseIntOrFPElementsAttr,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StridedLayoutAttr,
    StringAttr,
    TensorType,
    UnitAttr,
    i8,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineMap
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from tfc.passes.form_kernels import KERNEL_ATTR, entry_function, is_kernel, next_kernel_index

__all__ = [
    "ARENA_SIZE_ATTR",
    "BufferizePass",
    "KernelSignature",
    "make_copy_generic",
    "memref_type_of",
]

ARENA_SIZE_ATTR = "tfc.arena_size"


def memref_type_of(t: Attribute) -> MemRefType:
    if not isinstance(t, TensorType):
        raise PassFailedException(f"tfc-bufferize: expected a tensor type, got {t}")
    return MemRefType(t.get_element_type(), t.get_shape())


def strides_of(t: MemRefType) -> tuple[list[int], int]:
    """Strides and offset of a statically shaped memref (identity or strided layout)."""
    if isinstance(t.layout, StridedLayoutAttr):
        strides = [s.data for s in t.layout.strides.data]
        off = t.layout.offset
        return strides, (off.data if hasattr(off, "data") and isinstance(off.data, int) else 0)
    shape = t.get_shape()
    strides = [1] * len(shape)
    for i in range(len(shape) - 2, -1, -1):
        strides[i] = strides[i + 1] * shape[i + 1]
    return strides, 0


def make_copy_generic(src: SSAValue, dst: SSAValue) -> linalg.GenericOp:
    """`dst[...] = src[...]` as a linalg.generic over memrefs of the same shape."""
    rank = len(dst.type.get_shape())
    identity = AffineMapAttr(AffineMap.identity(rank))
    body = Block(arg_types=[src.type.get_element_type(), dst.type.get_element_type()])
    body.add_op(linalg.YieldOp(body.args[0]))
    return linalg.GenericOp(
        [src], [dst], Region(body), [identity, identity],
        [linalg_attrs.IteratorTypeAttr.parallel()] * rank,
    )


def _subview(source: SSAValue, offsets: Sequence[int], sizes: Sequence[int],
             steps: Sequence[int], result_shape: Sequence[int]) -> memref.SubviewOp:
    """A static subview; drops unit dims of `sizes` when `result_shape` has lower rank."""
    src_t = source.type
    assert isinstance(src_t, MemRefType)
    src_strides, src_offset = strides_of(src_t)
    offset = src_offset + sum(o * s for o, s in zip(offsets, src_strides))
    strides = [s * k for s, k in zip(src_strides, steps)]
    kept = list(range(len(sizes)))
    if len(result_shape) < len(sizes):
        kept, r = [], 0
        for d, size in enumerate(sizes):
            if r < len(result_shape) and result_shape[r] == size:
                kept.append(d)
                r += 1
            elif size != 1:
                raise PassFailedException(f"tfc-bufferize: cannot rank-reduce {sizes} to {result_shape}")
    result_t = MemRefType(
        src_t.get_element_type(), [sizes[d] for d in kept],
        StridedLayoutAttr([strides[d] for d in kept], offset),
    )
    return memref.SubviewOp.get(source, list(offsets), list(sizes), list(steps), result_t)


@dataclass
class KernelSignature:
    """How a bufferized kernel takes and returns its buffers."""

    num_args: int                                          # original (tensor) arguments
    tied: dict[int, int] = field(default_factory=dict)     # result -> argument written in place
    outs: dict[int, int] = field(default_factory=dict)     # result -> index among the new out args
    scratch: list[MemRefType] = field(default_factory=list)  # buffers the kernel needs after its outs
    # Arguments the kernel overwrites: those tied to results, and inits it
    # updates in place for a result nobody uses (the host copies them first
    # when their old value is still needed).
    written_args: set[int] = field(default_factory=set)


class _Globals:
    """Dense constants as `memref.global`s, one per distinct value."""

    def __init__(self, module: ModuleOp, anchor: Operation):
        self.module = module
        self.anchor = anchor
        self.by_value: dict[Attribute, str] = {}
        self.names = {op.sym_name.data for op in module.ops if isinstance(op, memref.GlobalOp)}

    def get(self, const: arith.ConstantOp) -> memref.GetGlobalOp:
        value = const.value
        if not isinstance(value, DenseIntOrFPElementsAttr):
            raise PassFailedException(
                f"tfc-bufferize: unsupported tensor constant {type(value).__name__}; "
                "only dense<...> literals are supported"
            )
        mtype = memref_type_of(const.result.type)
        key = (value, mtype)
        if key not in self.by_value:
            n = len(self.names)
            while f"cst{n}" in self.names:
                n += 1
            name = f"cst{n}"
            self.names.add(name)
            glob = memref.GlobalOp.get(StringAttr(name), mtype, value,
                                       constant=UnitAttr(), alignment=64)
            self.module.body.block.insert_op_before(glob, self.anchor)
            self.by_value[key] = name
        get = memref.GetGlobalOp(self.by_value[key], mtype)
        get.memref.name_hint = const.result.name_hint
        return get


def _tied_operand(op: Operation, result: SSAValue) -> tuple[SSAValue, bool] | None:
    """The operand `op` writes `result` into, and whether its old content is read."""
    if isinstance(op, linalg.GenericOp):
        j = list(op.results).index(result)
        block_arg = op.body.block.args[len(op.inputs) + j]
        return op.outputs[j], bool(block_arg.uses)
    if isinstance(op, tensor.InsertSliceOp):
        return op.dest, True
    return None


class _KernelBufferizer:
    def __init__(self, kernel: func.FuncOp, globals_: _Globals):
        self.kernel = kernel
        self.globals = globals_
        self.block = kernel.body.block
        self.pos = {op: i for i, op in enumerate(self.block.ops)}
        self.ret = self.block.last_op
        if not isinstance(self.ret, func.ReturnOp):
            raise PassFailedException(f"tfc-bufferize: kernel @{kernel.sym_name.data} has no func.return")

        # Analysis on the tensor program, before conversion starts changing it.
        self.last_use: dict[SSAValue, int] = {}
        self.tied: dict[SSAValue, tuple[SSAValue, bool]] = {}
        for op in self.block.ops:
            for inner in op.walk():
                for v in inner.operands:
                    self.last_use[v] = max(self.last_use.get(v, -1), self.pos[op])
            for r in op.results:
                if (t := _tied_operand(op, r)) is not None:
                    self.tied[r] = t

    def used_after(self, value: SSAValue, op: Operation) -> bool:
        return self.last_use.get(value, -1) > self.pos[op]

    def root(self, v: SSAValue) -> tuple[str, object]:
        """Where `v`'s buffer comes from: ("arg", i), ("fresh", value) or ("other", value)."""
        owner = v.owner
        if isinstance(owner, Block):
            return "arg", owner.args.index(v)
        if isinstance(owner, tensor.EmptyOp | tensor.ExtractSliceOp):
            return "fresh", v
        if (tied := self.tied.get(v)) is not None:
            t = tied[0]
            if self.used_after(t, owner):
                return "fresh", v  # its init is still needed: it gets a buffer of its own
            return self.root(t)
        return "other", v

    def run(self) -> KernelSignature:
        kernel, block, ret = self.kernel, self.block, self.ret
        sig = self.sig = KernelSignature(num_args=len(block.args))
        self.fresh_out: dict[SSAValue, int] = {}
        copy_at_end: set[int] = set()
        for i, r in enumerate(ret.operands):
            kind, key = self.root(r)
            if kind == "arg" and key not in sig.tied.values():
                sig.tied[i] = key
            elif kind == "fresh" and key not in self.fresh_out:
                sig.outs[i] = self.fresh_out[key] = len(sig.outs)
            else:
                sig.outs[i] = len(sig.outs)
                copy_at_end.add(i)
        sig.written_args.update(sig.tied.values())

        out_results = sorted(sig.outs, key=sig.outs.__getitem__)
        new_block = Block(arg_types=[memref_type_of(a.type) for a in block.args]
                          + [memref_type_of(ret.operands[i].type) for i in out_results])
        for old, new in zip(block.args, new_block.args):
            new.name_hint = old.name_hint
        out_args = new_block.args[len(block.args):]
        for k, i in enumerate(out_results):
            out_args[k].name_hint = f"out{k}" if len(out_results) > 1 else "out"
        self.new_block = new_block
        self.buf: dict[SSAValue, SSAValue] = dict(zip(block.args, new_block.args))
        self.out_args = out_args

        for op in list(block.ops):
            if op is ret:
                break
            self.convert(op)

        for i, r in enumerate(ret.operands):
            if i in copy_at_end:
                new_block.add_op(make_copy_generic(self.buf[r], out_args[sig.outs[i]]))
        new_block.add_op(func.ReturnOp())

        # Swap the bodies.
        for op in reversed(list(block.ops)):
            op.detach()
            op.erase(safe_erase=False)
        kernel.body.detach_block(block)
        kernel.body.add_block(new_block)
        kernel.function_type = func.FunctionType.from_lists([a.type for a in new_block.args], [])
        return sig

    def fresh_buffer(self, v: SSAValue) -> SSAValue:
        """A buffer for `v` alone: its out argument, or else a scratch argument that
        the host allocates (kernels never allocate memory themselves)."""
        if v in self.fresh_out:
            return self.out_args[self.fresh_out[v]]
        t = memref_type_of(v.type)
        arg = self.new_block.insert_arg(t, len(self.new_block.args))
        arg.name_hint = f"scratch{len(self.sig.scratch)}"
        self.sig.scratch.append(t)
        return arg

    def writable(self, t: SSAValue, op: Operation) -> bool:
        if self.used_after(t, op):
            return False
        kind, key = self.root(t)
        if kind == "arg":
            self.sig.written_args.add(key)
        return kind in ("arg", "fresh")

    def destination(self, op: Operation, v: SSAValue) -> SSAValue:
        t, reads_init = self.tied[v]
        if self.writable(t, op):
            return self.buf[t]
        dst = self.fresh_buffer(v)
        if reads_init:
            self.new_block.add_op(make_copy_generic(self.buf[t], dst))
        return dst

    def convert(self, op: Operation) -> None:
        add = self.new_block.add_op
        if isinstance(op, arith.ConstantOp):
            if isinstance(op.result.type, TensorType):
                get = self.globals.get(op)
                add(get)
                self.buf[op.result] = get.memref
            else:
                op.detach()
                add(op)
        elif isinstance(op, tensor.EmptyOp):
            if op.tensor.uses:
                self.buf[op.tensor] = self.fresh_buffer(op.tensor)
        elif isinstance(op, linalg.GenericOp):
            outs = [self.destination(op, r) for r in op.results]
            ins = [self.buf.get(v, v) for v in op.inputs]
            body = op.detach_region(op.body)
            for inner in list(body.walk()):
                if isinstance(inner, tensor.ExtractOp):
                    load = memref.LoadOp.get(self.buf[inner.tensor], list(inner.indices))
                    load.res.name_hint = inner.result.name_hint
                    inner.parent_block().insert_op_before(load, inner)
                    inner.result.replace_all_uses_with(load.res)
                    inner.detach()
                    inner.erase()
            new = linalg.GenericOp(ins, outs, body, op.indexing_maps, op.iterator_types,
                                   (), op.doc, op.library_call)
            new.attributes.update(op.attributes)
            add(new)
            for r, b in zip(op.results, outs):
                self.buf[r] = b
        elif isinstance(op, tensor.InsertSliceOp):
            _static_only(op)
            dst = self.destination(op, op.result)
            view = _subview(dst, op.static_offsets.get_values(), op.static_sizes.get_values(),
                            op.static_strides.get_values(), op.source.type.get_shape())
            add(view)
            add(make_copy_generic(self.buf[op.source], view.result))
            self.buf[op.result] = dst
        elif isinstance(op, tensor.ExtractSliceOp):
            _static_only(op)
            view = _subview(self.buf[op.source], op.static_offsets.get_values(),
                            op.static_sizes.get_values(), op.static_strides.get_values(),
                            op.result.type.get_shape())
            add(view)
            dst = self.fresh_buffer(op.result)
            add(make_copy_generic(view.result, dst))
            self.buf[op.result] = dst
        elif isinstance(op, tensor.CollapseShapeOp | tensor.ExpandShapeOp):
            view = _view_op(op, self.buf[op.src])
            add(view)
            self.buf[op.result] = view.result
        else:
            raise PassFailedException(
                f"tfc-bufferize: unsupported op {op.name} in kernel @{self.kernel.sym_name.data}"
            )


def _static_only(op: tensor.InsertSliceOp | tensor.ExtractSliceOp) -> None:
    if op.offsets or op.sizes or op.strides:
        raise PassFailedException(f"tfc-bufferize: {op.name} with dynamic offsets is not supported")


def _view_op(op: tensor.CollapseShapeOp | tensor.ExpandShapeOp, src: SSAValue) -> Operation:
    result_t = memref_type_of(op.result.type)
    if isinstance(op, tensor.CollapseShapeOp):
        view = memref.CollapseShapeOp(operands=[src], result_types=[result_t],
                                      properties={"reassociation": op.reassociation})
    else:
        view = _expand(src, op.reassociation, result_t)
    view.results[0].name_hint = op.result.name_hint
    return view


def _expand(src: SSAValue, reassociation: Attribute, result_t: MemRefType) -> memref.ExpandShapeOp:
    from xdsl.dialects.builtin import DenseArrayBase

    return memref.ExpandShapeOp(
        operands=[src, []], result_types=[result_t],
        properties={"reassociation": reassociation,
                    "static_output_shape": DenseArrayBase.from_list(i64, result_t.get_shape())},
    )


def _collapse(src: SSAValue, reassociation: Attribute, result_t: MemRefType) -> memref.CollapseShapeOp:
    return memref.CollapseShapeOp(operands=[src], result_types=[result_t],
                                  properties={"reassociation": reassociation})


def _producer_name(v: SSAValue) -> str | None:
    """`add` for a result of `func.call @k3_add`: a readable name for a buffer."""
    if isinstance(v.owner, func.CallOp):
        name = v.owner.callee.root_reference.data
        return re.sub(r"^k\d+_", "", name) or None
    return None


class _CopyKernels:
    """One `@kN_copy(%src, %dst)` kernel per memref type, made on demand."""

    def __init__(self, module: ModuleOp, host: func.FuncOp):
        self.module, self.host = module, host
        self.kernels: dict[Attribute, str] = {}

    def call(self, src: SSAValue, dst: SSAValue) -> func.CallOp:
        t = dst.type
        if t not in self.kernels:
            name = f"k{next_kernel_index(self.module)}_copy"
            body = Block(arg_types=[t, t])
            body.args[0].name_hint, body.args[1].name_hint = "src", "out"
            body.add_ops([make_copy_generic(body.args[0], body.args[1]), func.ReturnOp()])
            kernel = func.FuncOp(name, ([t, t], []), Region(body), "private")
            kernel.attributes[KERNEL_ATTR] = UnitAttr()
            kernel.attributes["tfc.kernel_kind"] = StringAttr("copy")
            self.module.body.block.insert_op_before(kernel, self.host)
            self.kernels[t] = name
        return func.CallOp(self.kernels[t], [src, dst], [])


class _HostBufferizer:
    def __init__(self, module: ModuleOp, host: func.FuncOp, sigs: dict[str, KernelSignature],
                 globals_: _Globals):
        self.module, self.host, self.sigs, self.globals = module, host, sigs, globals_
        self.block = host.body.block
        self.pos = {op: i for i, op in enumerate(self.block.ops)}
        self.copies = _CopyKernels(module, host)
        # Values connected by reshapes share storage.
        self.parent: dict[SSAValue, SSAValue] = {}
        for op in self.block.ops:
            if isinstance(op, tensor.CollapseShapeOp | tensor.ExpandShapeOp):
                self._union(op.src, op.result)

    def _find(self, v: SSAValue) -> SSAValue:
        while self.parent.get(v, v) is not v:
            v = self.parent[v]
        return v

    def _union(self, a: SSAValue, b: SSAValue) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra is not rb:
            self.parent[rb] = ra

    def _component(self, v: SSAValue) -> list[SSAValue]:
        root = self._find(v)
        members = [x for x in self.parent if self._find(x) is root]
        return members or [v]

    def may_overwrite(self, v: SSAValue, call: Operation, operand_index: int) -> bool:
        """Whether `call` may write into `v`'s buffer: it is not an input or a
        constant, and nothing reads it (or a reshape of it) afterwards."""
        for x in self._component(v):
            owner = x.owner
            if isinstance(owner, Block) or isinstance(owner, arith.ConstantOp):
                return False
            for use in x.uses:
                if use.operation is call and use.index == operand_index:
                    continue
                if self.pos[use.operation] >= self.pos[call]:
                    return False
        return True

    def run(self) -> None:
        host, block = self.host, self.block
        ret = block.last_op
        assert isinstance(ret, func.ReturnOp)
        in_types = [memref_type_of(a.type) for a in block.args]
        out_types = [memref_type_of(t) for t in ret.operand_types]
        arena_t = MemRefType(i8, [0])
        new_block = Block(arg_types=in_types + out_types + [arena_t])
        for old, new in zip(block.args, new_block.args):
            new.name_hint = old.name_hint
        n_in, n_out = len(in_types), len(out_types)
        outs = new_block.args[n_in:n_in + n_out]
        for k, o in enumerate(outs):
            o.name_hint = f"out{k}"
        new_block.args[-1].name_hint = "arena"
        self.new_block = new_block
        buf: dict[SSAValue, SSAValue] = dict(zip(block.args, new_block.args))
        add = new_block.add_op

        for op in list(block.ops):
            if op is ret:
                break
            if isinstance(op, arith.ConstantOp):
                if not op.result.uses:
                    continue
                if not isinstance(op.result.type, TensorType):
                    raise PassFailedException(
                        "tfc-bufferize: the host may not compute on scalars; "
                        "run tfc-form-kernels first"
                    )
                get = self.globals.get(op)
                add(get)
                buf[op.result] = get.memref
            elif isinstance(op, tensor.EmptyOp):
                if op.tensor.uses:
                    buf[op.tensor] = self._alloc(op.tensor)
            elif isinstance(op, tensor.CollapseShapeOp | tensor.ExpandShapeOp):
                view = _view_op(op, buf[op.src])
                add(view)
                buf[op.result] = view.results[0]
            elif isinstance(op, func.CallOp):
                self._call(op, buf)
            else:
                raise PassFailedException(
                    f"tfc-bufferize: unsupported op {op.name} in the host; "
                    "expected the kernels level (run tfc-form-kernels first)"
                )

        self._write_outputs([buf[v] for v in ret.operands], outs)
        add(func.ReturnOp())
        for op in reversed(list(new_block.ops)):  # views left unused by the outputs
            if isinstance(op, memref.CollapseShapeOp | memref.ExpandShapeOp | memref.GetGlobalOp) \
                    and not op.results[0].uses:
                op.detach()
                op.erase()

        for op in reversed(list(block.ops)):
            op.detach()
            op.erase(safe_erase=False)
        host.body.detach_block(block)
        host.body.add_block(new_block)
        host.function_type = func.FunctionType.from_lists([a.type for a in new_block.args], [])
        host.attributes[ARENA_SIZE_ATTR] = IntegerAttr(0, i64)
        for key in ("arg_attrs", "res_attrs"):
            if key in host.properties:
                del host.properties[key]

    def _alloc(self, v: SSAValue) -> SSAValue:
        t = memref_type_of(v.type)
        alloc = memref.AllocOp.get(t.get_element_type(), 64, t.get_shape())
        alloc.memref.name_hint = v.name_hint or _producer_name(v)
        self.new_block.add_op(alloc)
        return alloc.memref

    def _call(self, call: func.CallOp, buf: dict[SSAValue, SSAValue]) -> None:
        callee = call.callee.root_reference.data
        sig = self.sigs.get(callee)
        if sig is None:
            raise PassFailedException(
                f"tfc-bufferize: the host calls @{callee}, which is not a kernel; "
                "only calls to tfc.kernel functions are supported"
            )
        operands: list[SSAValue] = []
        for j, v in enumerate(call.arguments):
            b = buf[v]
            if j in sig.written_args and not self.may_overwrite(v, call, j):
                copy = self._alloc(v)
                self.new_block.add_op(self.copies.call(b, copy))
                b = copy
            operands.append(b)
        out_bufs: list[SSAValue] = [None] * len(sig.outs)  # type: ignore[list-item]
        for i, k in sig.outs.items():
            out_bufs[k] = self._alloc(call.res[i])
        scratch = []
        for t in sig.scratch:
            alloc = memref.AllocOp.get(t.get_element_type(), 64, t.get_shape())
            alloc.memref.name_hint = "scratch"
            self.new_block.add_op(alloc)
            scratch.append(alloc.memref)
        self.new_block.add_op(func.CallOp(call.callee, operands + out_bufs + scratch, []))
        for i, r in enumerate(call.res):
            buf[r] = operands[sig.tied[i]] if i in sig.tied else out_bufs[sig.outs[i]]

    def _write_outputs(self, results: list[SSAValue], outs: Sequence[SSAValue]) -> None:
        """Make each result's buffer the caller's output buffer where possible; copy otherwise."""
        replaced: dict[SSAValue, SSAValue] = {}
        for b, out in zip(results, outs):
            b = replaced.get(b, b)
            chain: list[Operation] = []
            cur = b
            while isinstance(cur.owner, memref.CollapseShapeOp | memref.ExpandShapeOp):
                chain.append(cur.owner)
                cur = cur.owner.src
            alloc = cur.owner
            if isinstance(alloc, memref.AllocOp) and alloc.parent is not None:
                # Reach the alloc's shape from the output buffer by undoing the reshapes.
                x: SSAValue = out
                anchor: Operation | None = None
                for view in chain:
                    src_t = view.src.type
                    inv = (_expand(x, view.reassociation, src_t)
                           if isinstance(view, memref.CollapseShapeOp)
                           else _collapse(x, view.reassociation, src_t))
                    if anchor is not None:
                        self.new_block.insert_op_after(inv, anchor)
                    elif self.new_block.first_op is not None:
                        self.new_block.insert_op_before(inv, self.new_block.first_op)
                    else:
                        self.new_block.add_op(inv)
                    anchor = inv
                    x = inv.results[0]
                alloc.memref.replace_all_uses_with(x)
                replaced[alloc.memref] = x
                alloc.detach()
                alloc.erase()
            else:
                self.new_block.add_op(self.copies.call(b, out))


@dataclass(frozen=True)
class BufferizePass(ModulePass):
    """Tensors -> memrefs in destination-passing style (`kernels` -> `buffers` level, before planning).

    Expects the `kernels` level: a host function that only holds constants,
    `tensor.empty`, reshapes and `func.call`s of `tfc.kernel` functions, and
    kernels over tensors holding `linalg.generic`, `tensor.insert_slice` /
    `extract_slice`, reshapes, constants and `tensor.empty`.

    Produces: kernels `(%in..., %out...)` over memrefs that return nothing (an
    argument a result was computed into in place is both); the host
    `(%in..., %out..., %arena: memref<0xi8>)` with `tfc.arena_size = 0`,
    intermediates as `memref.alloc`, dense constants as `memref.global` +
    `memref.get_global`, reshapes as `memref.collapse_shape` / `expand_shape`,
    and `insert_slice` / `extract_slice` as a copy generic through a
    `memref.subview`. `tensor.extract` in generic bodies becomes `memref.load`.
    """

    name = "tfc-bufferize"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        host = entry_function(op)
        globals_ = _Globals(op, next(iter(op.ops)))
        sigs: dict[str, KernelSignature] = {}
        for f in list(op.ops):
            if isinstance(f, func.FuncOp) and is_kernel(f) and f is not host:
                sigs[f.sym_name.data] = _KernelBufferizer(f, globals_).run()
        _HostBufferizer(op, host, sigs, globals_).run()

