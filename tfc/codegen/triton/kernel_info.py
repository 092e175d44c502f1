"""What a kernel function at the `buffers` level holds: its parameters (arguments
and the globals it reads), the strided views of them, and its `linalg.generic`s
with their loop bounds. Every kernel kind starts from a `_KernelInfo`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import ArrayAttr, MemRefType, StringAttr
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute, Block, SSAValue
from xdsl.ir.affine import AffineDimExpr

from tfc.codegen.triton.scalar_ops import UnsupportedOp
from tfc.codegen.triton.source_text import _LAUNCHER_NAMES, _ident, _Names
from tfc.passes.bufferize import strides_of


class _NotFusable(Exception):
    """The generics of a kernel cannot share one launch; split it."""


_VIEW_OPS = (memref.SubviewOp, memref.CollapseShapeOp, memref.ExpandShapeOp,
             memref.CastOp, memref.ReinterpretCastOp)


@dataclass
class _Param:
    name: str              # identifier: `x` -> `x_ptr` in the kernel
    elem: Attribute
    arg: int               # position among the kernel's arguments (globals follow them)
    live_out: bool = True  # someone reads its content after the kernel
    global_name: str | None = None


@dataclass
class _View:
    param: _Param
    shape: list[int]
    strides: list[int]
    offset: int
    name: str


@dataclass
class _Gen:
    op: linalg.GenericOp
    index: int
    ins: list[tuple[_View, object]]    # (view, AffineMap)
    outs: list[tuple[_View, object]]
    bounds: list[int]
    kinds: list[str]

    @property
    def body(self) -> Block:
        return self.op.body.block

    @property
    def parallel(self) -> list[int]:
        return [d for d, k in enumerate(self.kinds) if k == "parallel"]

    @property
    def reduction(self) -> list[int]:
        return [d for d, k in enumerate(self.kinds) if k != "parallel"]


def _loop_bounds(op: linalg.GenericOp) -> list[int]:
    maps = [m.data for m in op.indexing_maps]
    bounds: list[int | None] = [None] * (maps[0].num_dims if maps else 0)
    for operand, m in zip(op.operands, maps):
        shape = operand.type.get_shape()
        for k, e in enumerate(m.results):
            if isinstance(e, AffineDimExpr) and bounds[e.position] is None:
                bounds[e.position] = shape[k]
    if any(b is None or b < 0 for b in bounds):
        raise UnsupportedOp("Triton target: every loop dim must index some operand directly (static shapes)")
    return bounds  # type: ignore[return-value]


class _KernelInfo:
    """A kernel function at the buffers level: what it reads, writes and computes."""

    def __init__(self, f: func.FuncOp, live_out: list[bool], globals_: dict[str, memref.GlobalOp]):
        self.f = f
        self.name = _ident(f.sym_name.data, "kernel")
        # Parameter names: `x` is `x_ptr` in the kernel and `x` in its launcher.
        names = _Names.plain(_LAUNCHER_NAMES)
        self.params: list[_Param] = []
        self.views: dict[SSAValue, _View] = {}
        block = f.body.block
        for i, a in enumerate(block.args):
            t = a.type
            if not isinstance(t, MemRefType):
                raise UnsupportedOp(f"Triton target: kernel @{f.sym_name.data} takes a non-memref argument")
            p = _Param(names.fresh(a.name_hint, f"arg{i}"), t.get_element_type(), i,
                       live_out[i] if i < len(live_out) else True)
            self.params.append(p)
            strides, offset = strides_of(t)
            self.views[a] = _View(p, list(t.get_shape()), strides, offset, p.name)
        self.generics: list[_Gen] = []
        for op in block.ops:
            if isinstance(op, _VIEW_OPS):
                src = self.views[op.operands[0]]
                t = op.results[0].type
                strides, offset = strides_of(t)
                self.views[op.results[0]] = _View(src.param, list(t.get_shape()), strides, offset,
                                                  names.fresh(op.results[0].name_hint, src.name + "_view"))
            elif isinstance(op, memref.GetGlobalOp):
                gname = op.name_.root_reference.data
                p = next((q for q in self.params if q.global_name == gname), None)
                if p is None:
                    t = op.memref.type
                    p = _Param(names.fresh(gname, "cst"), t.get_element_type(), len(self.params),
                               False, gname)
                    self.params.append(p)
                t = op.memref.type
                strides, offset = strides_of(t)
                self.views[op.memref] = _View(p, list(t.get_shape()), strides, offset, p.name)
            elif isinstance(op, linalg.GenericOp):
                maps = [m.data for m in op.indexing_maps]
                n_in = len(op.inputs)
                self.generics.append(_Gen(
                    op, len(self.generics),
                    [(self.views[v], maps[i]) for i, v in enumerate(op.inputs)],
                    [(self.views[v], maps[n_in + j]) for j, v in enumerate(op.outputs)],
                    _loop_bounds(op), [it.data.value for it in op.iterator_types]))
            elif isinstance(op, arith.ConstantOp | func.ReturnOp):
                pass
            else:
                raise UnsupportedOp(f"Triton target: unsupported op {op.name} in kernel @{f.sym_name.data}")
        # A generic over an empty domain does nothing (a zero-size slice).
        self.generics = [g for g in self.generics if 0 not in g.bounds]
        for i, g in enumerate(self.generics):
            g.index = i
        # Buffers loaded inside bodies (gather) must be parameters too.
        for g in self.generics:
            for inner in g.body.ops:
                if isinstance(inner, memref.LoadOp) and inner.memref not in self.views:
                    raise UnsupportedOp("Triton target: memref.load of a buffer defined in the body")

    @property
    def tfc_ops(self) -> list[str]:
        """The tfc ops the front end recorded for this kernel (`tfc.ops`), if any."""
        ops_attr = self.f.attributes.get("tfc.ops")
        if isinstance(ops_attr, ArrayAttr):
            return [a.data for a in ops_attr.data if isinstance(a, StringAttr)]
        return []


def _describe(g: _Gen) -> str:
    from tfc.passes.form_kernels import describe_ops

    dims = "x".join(str(b) for b in g.bounds)
    what = "gather" if any(isinstance(op, memref.LoadOp) for op in g.body.ops) else describe_ops([g.op])
    return f"{what}[{dims}]"
