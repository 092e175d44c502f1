"""The Triton target: a `buffers`-level module -> one Python module of `@triton.jit` kernels.

The sibling of `c.py`, starting one level earlier: it reads `linalg.generic`s on
memrefs (not loops), because Triton wants blocks, not scalars. Each kernel
function becomes one `@triton.jit` function and a launcher; the host function
becomes `program(...)`, which slices the arena into typed views and launches
the kernels in order. `CONFIGS` lists the tunable configurations of each
kernel (the first is the default); the runtime (`tfc/runtime/gpu.py`) picks
one, tunes, and caches the choice beside the artifact.

A kernel may hold several generics (after fusion). The emitter maps every
generic's loop dims onto one set of *kernel dims* and forwards values from a
generic to its consumers in registers when the consumer reads exactly the
addresses the producer wrote; buffers nobody reads after the kernel are then
never stored. Kernel kinds:

- pointwise: generics without reductions, one flattened block per program;
- row: reductions with an associative combiner (sum, max, ...), and the
  pointwise generics before and after them over the same rows (softmax, layer
  norm, cross-entropy): `BLOCK_M` rows per program; a row that fits in one
  block is held in registers (*persistent*), a longer one is walked in
  `BLOCK_N` chunks once per reduction (*looped*), recomputing cheap producers
  rather than storing them;
- sequential: reductions with any other body (argmax): the rows are a block, the
  reduction is a loop that runs the body one column at a time;
- contraction: a generic whose body is `acc + a * b` over float16/bfloat16/float32
  with float32 accumulation (matmul, batched matmul, and conv2d as implicit
  GEMM: the output pixels are the M dims and the filter window the K dims):
  `tl.dot` over `BLOCK_M x BLOCK_N` tiles in grouped order, plus the init fill
  before it and the pointwise epilogue after it (bias, activation, residual).

A kernel whose generics cannot share one launch (a consumer reads a producer's
output at other addresses, e.g. through a transpose) is split into one
`@triton.jit` function per generic, launched in sequence: always correct,
through memory.

Block sizes: `tfc-tile` (target=gpu) writes each kernel's first choice into
its `tfc.schedule` attribute; the policy below (`GpuPolicy`) lists the other
configurations the autotuner may try, and chooses alone when a kernel has no
GPU schedule.
"""

from __future__ import annotations

import base64
import itertools
import keyword
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO

import numpy as np
from xdsl.context import Context
from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    DictionaryAttr,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
)
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.ir.affine import AffineBinaryOpExpr, AffineBinaryOpKind, AffineConstantExpr, AffineDimExpr, AffineExpr
from xdsl.utils.target import Target

from tfc.codegen import triton_ops as ops
from tfc.codegen.triton_ops import UnsupportedOp
from tfc.passes.bufferize import strides_of
from tfc.passes.form_kernels import entry_function, is_kernel

__all__ = ["GpuPolicy", "TritonTarget", "UnsupportedOp", "emit_triton"]


# ----------------------------------------------------------------------------
# Policy: block sizes and the configurations the autotuner may try.

@dataclass(frozen=True)
class GpuPolicy:
    """How the emitter picks block sizes (until `tfc-tile` has a GPU policy)."""

    # No block dim exceeds this (tests lower it to reach the looped and
    # many-program forms at sizes the interpreter runs quickly). tl.dot blocks
    # never go below 16.
    max_block: int = 1 << 16
    # A reduction row of at most this many elements is kept in registers.
    persistent_row: int = 8192
    # float32 matmuls may use TF32 tensor cores (torch's allow_tf32); off by
    # default: results then match the float32 reference.
    allow_tf32: bool = False

    @staticmethod
    def from_settings(settings: dict) -> "GpuPolicy":
        kw = {}
        if "gpu_max_block" in settings:
            kw["max_block"] = int(settings["gpu_max_block"])
        if "gpu_persistent_row" in settings:
            kw["persistent_row"] = int(settings["gpu_persistent_row"])
        if "gpu_allow_tf32" in settings:
            kw["allow_tf32"] = bool(settings["gpu_allow_tf32"])
        return GpuPolicy(**kw)


def _pow2(n: int) -> int:
    return 1 << max(0, (int(n) - 1).bit_length())


def _cap(block: int, n: int, policy: GpuPolicy, floor: int = 1) -> int:
    return max(floor, min(block, _pow2(n), _pow2(policy.max_block) if policy.max_block >= 1 else 1))


def _dedupe(configs: Iterable[dict]) -> list[dict]:
    seen, out = set(), []
    for c in configs:
        key = tuple(sorted(c.items()))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def pointwise_configs(n: int, policy: GpuPolicy) -> list[dict]:
    return _dedupe(dict(BLOCK_SIZE=_cap(b, n, policy), num_warps=w)
                   for b, w in ((1024, 4), (2048, 8), (512, 4), (4096, 8)))


def row_configs(n_rows: int, block_n: int | None, policy: GpuPolicy) -> list[dict]:
    """Persistent rows (`block_n` given: the whole row) or looped rows (`block_n` tuned)."""
    if block_n is not None:
        out = []
        for elems in (4096, 1024, 16384, 2048):
            bm = _cap(max(1, elems // block_n), n_rows, policy)
            warps = 4 if bm * block_n <= 4096 else (8 if bm * block_n <= 16384 else 16)
            out.append(dict(BLOCK_M=bm, num_warps=warps))
        return _dedupe(out)
    return _dedupe(dict(BLOCK_M=1, BLOCK_N=_cap(b, 1 << 30, policy), num_warps=w)
                   for b, w in ((1024, 4), (2048, 8), (4096, 8), (512, 4)))


def tile_configs(n_rows: int, n_cols: int, policy: GpuPolicy) -> list[dict]:
    return _dedupe(dict(BLOCK_M=_cap(bm, n_rows, policy), BLOCK_N=_cap(bn, n_cols, policy), num_warps=w)
                   for bm, bn, w in ((32, 32, 4), (64, 64, 4), (32, 128, 4), (128, 32, 4)))


def sequential_configs(n_rows: int, policy: GpuPolicy) -> list[dict]:
    return _dedupe(dict(BLOCK_M=_cap(b, n_rows, policy), num_warps=w) for b, w in ((128, 4), (256, 8), (64, 2)))


# Tutorial 03's CUDA configurations (BLOCK_M, BLOCK_N, BLOCK_K, num_stages, num_warps).
_MATMUL_CONFIGS = [
    (128, 128, 32, 4, 4), (128, 256, 64, 3, 8), (64, 256, 32, 4, 4), (128, 64, 32, 4, 4),
    (64, 128, 32, 4, 4), (128, 32, 32, 4, 4), (64, 32, 32, 5, 2), (32, 64, 32, 5, 2),
    (128, 128, 64, 3, 8), (256, 128, 64, 3, 8),
]


def matmul_configs(m: int, n: int, k: int, policy: GpuPolicy) -> list[dict]:
    out = []
    for bm, bn, bk, stages, warps in _MATMUL_CONFIGS:
        out.append(dict(BLOCK_M=_cap(bm, m, policy, 16), BLOCK_N=_cap(bn, n, policy, 16),
                        BLOCK_K=_cap(bk, k, policy, 16), GROUP_M=8, num_stages=stages, num_warps=warps))
    return _dedupe(out)


_SCHEDULE_KEYS = ("BLOCK_SIZE", "BLOCK_M", "BLOCK_N", "BLOCK_K", "GROUP_M", "num_warps", "num_stages")


def schedule_config(f: func.FuncOp) -> dict:
    """Block sizes a kernel's `tfc.schedule` attribute names (tfc-tile with target=gpu):
    its `gpu` entry, or the schedule itself unless it is for another target."""
    attr = f.attributes.get("tfc.schedule")
    if not isinstance(attr, DictionaryAttr):
        return {}
    entries = attr.data
    if isinstance(entries.get("gpu"), DictionaryAttr):
        entries = entries["gpu"].data
    elif isinstance(entries.get("target"), StringAttr) and entries["target"].data != "gpu":
        return {}
    out = {}
    for key in _SCHEDULE_KEYS:
        v = entries.get(key)
        if isinstance(v, IntegerAttr):
            out[key] = int(v.value.data)
    return out


def _with_schedule(configs: list[dict], schedule: dict) -> list[dict]:
    """Put the schedule's choice first (only the keys this kernel takes)."""
    if not schedule or not configs:
        return configs
    keys = set(configs[0])
    first = dict(configs[0])
    for k, v in schedule.items():
        if k in keys:
            if k.startswith("BLOCK"):
                # No bigger than the problem needs (the policy's largest), nor than its cap.
                v = min(_pow2(v), max(c[k] for c in configs))
            first[k] = v
    return _dedupe([first] + configs)


# ----------------------------------------------------------------------------
# Entry points


def emit_triton(module: ModuleOp, policy: GpuPolicy | None = None) -> str:
    """The Triton module for a `buffers`-level module (see the module docstring)."""
    return _ModuleWriter(module, policy or GpuPolicy()).write()


@dataclass(frozen=True)
class TritonTarget(Target):
    """`tfc-opt -t triton`: write the module as a Triton program."""

    name = "triton"

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        output.write(emit_triton(module))


class _NotFusable(Exception):
    """The generics of a kernel cannot share one launch; split it."""


_RESERVED = set(keyword.kwlist) | {
    "tl", "triton", "torch", "pid", "offs", "mask", "rows", "cols", "row_mask", "col_mask",
    "config", "grid", "launch", "consts", "arena", "min", "max", "range", "float", "int",
    "acc", "program", "len", "abs", "sum", "print", "k", "col", "col_start", "n_elements", "num_pid_n",
    "n_rows", "n_cols", "M", "N", "K",
    "BLOCK_SIZE", "BLOCK_M", "BLOCK_N", "BLOCK_K", "GROUP_M",
}
# Names only contraction kernels define.
_CONTRACTION_NAMES = {
    "a", "b", "offs_m", "offs_n", "offs_k", "m_mask", "n_mask", "k_mask", "pid_m", "pid_n", "pid_b",
    "num_pid_m", "num_pid_n", "num_pid_in_group", "group_id", "first_pid_m", "group_size_m",
    "a_ptrs", "b_ptrs", "offs_am", "offs_bn",
}


# Names a launcher or the host program defines beside the buffers it takes.
_LAUNCHER_NAMES = {"tl", "triton", "torch", "config", "grid", "launch", "consts", "arena", "M", "N",
                   "K", "n_elements", "n_rows", "n_cols", "program", "CONSTANTS", "CONFIGS", "KERNELS"}


def _ident(name: str | None, default: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", name or "") or default
    return name if not name[0].isdigit() else "v" + name


class _Names:
    def __init__(self, reserved: Iterable[str] = ()):
        self.used = set(_RESERVED) | set(reserved)

    @staticmethod
    def plain(reserved: Iterable[str]) -> "_Names":
        names = _Names()
        names.used = set(keyword.kwlist) | set(reserved)
        return names

    def fresh(self, hint: str | None, default: str = "v") -> str:
        base = _ident(hint, default)
        name, n = base, 0
        while name in self.used:
            n += 1
            name = f"{base}_{n}"
        self.used.add(name)
        return name


class _Code:
    def __init__(self, depth: int = 1):
        self.lines: list[str] = []
        self.depth = depth

    def __call__(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    def text(self) -> str:
        return "\n".join(self.lines)


def _dims_str(shape: Sequence[int]) -> str:
    return "x".join(map(str, shape)) or "scalar"


def _dtype_name(t: Attribute) -> str:
    try:
        from tfc import dtypes

        return dtypes.from_ir(t).name
    except Exception:
        return str(t)


_VIEW_OPS = (memref.SubviewOp, memref.CollapseShapeOp, memref.ExpandShapeOp,
             memref.CastOp, memref.ReinterpretCastOp)


# ----------------------------------------------------------------------------
# Kernel analysis: parameters, views and generics


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


# ----------------------------------------------------------------------------
# Bodies: reductions and contractions


@dataclass
class _Combine:
    """Output `j` of a reduction is `chain(acc_j, x_j)`: `x_j` does not read any accumulator."""

    op: Operation          # the combiner (arith.addf, arith.maximumf, ...)
    x: SSAValue            # the value folded in (computed from the inputs)
    acc_arg: SSAValue      # the output's block argument
    chain: list[Operation]  # acc_arg -> ... -> yielded value (extf, combiner, truncf)


def _reduction_combines(g: _Gen) -> list[_Combine] | None:
    """How each output of a reduction generic combines; None if some body is not associative."""
    body = g.body
    n_in = len(g.ins)
    out_args = body.args[n_in:]
    yield_op = body.last_op
    result = []
    for j, acc in enumerate(out_args):
        v = yield_op.operands[j]
        chain: list[Operation] = []
        if isinstance(v.owner, arith.TruncFOp):
            chain.insert(0, v.owner)
            v = v.owner.input
        comb = v.owner
        if not isinstance(comb, Operation) or ops.combiner(comb.name) is None or len(comb.operands) != 2:
            return None
        a, b = comb.operands
        acc_side = None
        for side, other in ((a, b), (b, a)):
            if side is acc or (isinstance(side.owner, arith.ExtFOp) and side.owner.input is acc):
                acc_side = (side, other)
        if acc_side is None:
            return None
        side, x = acc_side
        pre = [side.owner] if side is not acc else []
        chain = pre + [comb] + chain
        # x must not depend on any accumulator, and the accumulator feeds only the chain.
        if _depends_on(x, set(out_args)):
            return None
        uses = {u.operation for u in acc.uses}
        if not uses <= set(chain):
            return None
        result.append(_Combine(comb, x, acc, chain))
    return result


def _depends_on(v: SSAValue, args: set) -> bool:
    work, seen = [v], set()
    while work:
        x = work.pop()
        if x in args:
            return True
        if x in seen or not isinstance(x.owner, Operation):
            continue
        seen.add(x)
        work.extend(x.owner.operands)
    return False


@dataclass
class _Contraction:
    a: int                  # input index of the left operand (its map uses the M dims)
    b: int
    m: list[int]
    n: list[int]
    k: list[int]
    batch: list[int]
    combine: _Combine


_DOT_TYPES = ("f16", "bf16", "f32")


def _contraction(g: _Gen) -> _Contraction | None:
    """`out += a * b` over floats with a float32 accumulator, with M and N dims: a tl.dot."""
    if len(g.ins) != 2 or len(g.outs) != 1 or not g.reduction:
        return None
    combines = _reduction_combines(g)
    if not combines or combines[0].op.name != "arith.addf":
        return None
    c = combines[0]
    if str(c.op.results[0].type) != "f32":
        return None
    prod = c.x.owner
    if not isinstance(prod, arith.MulfOp):
        return None
    body = g.body
    sources = []
    for v in prod.operands:
        if isinstance(v.owner, arith.ExtFOp):
            v = v.owner.input
        if v not in body.args[:2]:
            return None
        sources.append(body.args.index(v))
    if sorted(sources) != [0, 1]:
        return None
    if any(_dtype_name(view.param.elem) not in _DOT_TYPES for view, _ in g.ins):
        return None
    uses = [set(), set()]
    for i, (_, m) in enumerate(g.ins):
        for e in m.results:
            uses[i] |= e.used_dims()
    out_map = g.outs[0][1]
    if not all(isinstance(e, AffineDimExpr) for e in out_map.results):
        return None
    out_dims = [e.position for e in out_map.results]
    par = set(g.parallel)
    a_only = [d for d in out_dims if d in uses[0] and d not in uses[1] and g.bounds[d] > 1]
    b_only = [d for d in out_dims if d in uses[1] and d not in uses[0] and g.bounds[d] > 1]
    if not a_only or not b_only:
        return None
    # The operand whose dims come first in the output is the left one (M).
    a, b = (0, 1) if out_dims.index(a_only[0]) < out_dims.index(b_only[0]) else (1, 0)
    m_dims, n_dims = (a_only, b_only) if a == 0 else (b_only, a_only)
    batch = [d for d in out_dims if d in par and d not in m_dims and d not in n_dims and g.bounds[d] > 1]
    if set(out_dims) != par:
        return None
    return _Contraction(a, b, m_dims, n_dims, [d for d in g.reduction if g.bounds[d] > 1], batch, c)


# ----------------------------------------------------------------------------
# Addresses: linear forms of indexing maps over kernel dims


def _linear(e: AffineExpr) -> dict | None:
    """{dim: coeff, None: const} for an affine expression without mod/div; None otherwise."""
    if isinstance(e, AffineDimExpr):
        return {e.position: 1}
    if isinstance(e, AffineConstantExpr):
        return {None: e.value}
    if isinstance(e, AffineBinaryOpExpr):
        lhs, rhs = _linear(e.lhs), _linear(e.rhs)
        if lhs is None or rhs is None:
            return None
        if e.kind == AffineBinaryOpKind.Add:
            out = dict(lhs)
            for k, v in rhs.items():
                out[k] = out.get(k, 0) + v
            return out
        if e.kind == AffineBinaryOpKind.Mul:
            for x, y in ((lhs, rhs), (rhs, lhs)):
                if set(y) <= {None}:
                    c = y.get(None, 0)
                    return {k: v * c for k, v in x.items()}
    return None


@dataclass
class _KDim:
    """One kernel dim: its extent, the block axis it varies along, and its index variable."""

    bound: int
    group: str          # "flat", "rows", "cols", "m", "n", "batch"
    var: str = ""       # index expression in generated code


@dataclass(frozen=True)
class _Val:
    expr: str
    groups: frozenset = frozenset()
    literal: bool = False


def _sigma_dims(g: _Gen, sigma: dict[int, int], expr: AffineExpr, unit: set[int]):
    """The kernel dims an expression of g's dims uses."""
    return {sigma[d] for d in expr.used_dims() if d not in unit and d in sigma}


# ----------------------------------------------------------------------------
# Emission of one kernel


@dataclass
class _Emitted:
    name: str
    source: str
    launcher: str
    configs: list[dict]
    args: list[int]                 # positions among the kernel's params (args, then globals)
    writes: tuple[int, ...]         # positions among `args` that the launch writes
    kind: str


class _KernelWriter:
    """Emits one @triton.jit function (plus launcher) for a list of generics of a kernel."""

    def __init__(self, info: _KernelInfo, gens: list[_Gen], name: str, policy: GpuPolicy,
                 schedule: dict, live_extra: Iterable[str] = ()):
        self.info, self.gens, self.name, self.policy, self.schedule = info, gens, name, policy, schedule
        self.live_extra = set(live_extra)   # parameters a later launch of the same kernel reads
        self.optional: set[str] = set()     # index variables: dropped when nothing reads them
        self.code = _Code()
        self.names = _Names([p.name + "_ptr" for p in info.params])
        self.kdims: list[_KDim] = []
        self.sigma: dict[int, dict[int, int]] = {}   # generic index -> its dim -> kernel dim
        self.unit: dict[int, set[int]] = {}          # generic index -> its dims of extent 1
        self.memo: list[dict] = [{}]
        self.strides: dict[str, int] = {}                # stride argument -> value
        self.extents: dict[str, int] = {}                # extent argument -> value
        self.used_params: list[_Param] = []
        self.writes: set[int] = set()
        self.group_masks: dict[frozenset, str] = {}
        self.mode = ""
        self.base = ("[BLOCK_SIZE]", frozenset({"flat"}))  # the block a lone scalar is spread over
        self.scalar_groups: frozenset = frozenset()          # index groups that are scalars, not blocks

    # -- small helpers -------------------------------------------------------

    def scope_lookup(self, key):
        for scope in reversed(self.memo):
            if key in scope:
                return scope[key]
        return None

    def remember(self, key, val: _Val) -> _Val:
        # A value defined inside a column loop exists only there (Triton scopes it so).
        self.memo[-1][key] = val
        return val

    def local(self, expr: str, groups: frozenset, hint: str) -> _Val:
        name = self.names.fresh(hint, "v")
        self.code(f"{name} = {expr}")
        return _Val(name, groups)

    def use_param(self, p: _Param) -> str:
        if p not in self.used_params:
            self.used_params.append(p)
        return p.name + "_ptr"

    def stride_arg(self, view: _View, axis: int) -> str:
        name = f"stride_{view.name}{axis}"
        value = view.strides[axis]
        while name in self.strides and self.strides[name] != value:
            name += "_"
        self.strides[name] = value
        return name

    # -- addresses -------------------------------------------------------------

    def addr_key(self, g: _Gen, view: _View, m) -> tuple:
        """Identifies the addresses an access touches, as a function of the kernel dims."""
        sigma, unit = self.sigma[g.index], self.unit[g.index]
        total: dict = {None: view.offset}
        for e, stride in zip(m.results, view.strides):
            lin = _linear(e)
            if lin is None:
                return (view.param.name, "expr", str(m), view.offset, tuple(view.strides),
                        tuple(sorted(sigma.items())))
            for d, c in lin.items():
                if d is None:
                    total[None] = total[None] + c * stride
                elif d in unit:
                    continue
                else:
                    kd = sigma[d]
                    total[kd] = total.get(kd, 0) + c * stride
        return (view.param.name, tuple(sorted((k, v) for k, v in total.items() if k is not None and v)),
                total[None])

    def render_expr(self, e: AffineExpr, dim_expr) -> str:
        if isinstance(e, AffineDimExpr):
            return dim_expr(e.position)
        if isinstance(e, AffineConstantExpr):
            return str(e.value)
        if isinstance(e, AffineBinaryOpExpr):
            lhs, rhs = self.render_expr(e.lhs, dim_expr), self.render_expr(e.rhs, dim_expr)
            if e.kind == AffineBinaryOpKind.Add:
                if rhs == "0":
                    return lhs
                if lhs == "0":
                    return rhs
                return f"{lhs} + {rhs}"
            if e.kind == AffineBinaryOpKind.Mul:
                if "0" in (lhs, rhs):
                    return "0"
                return f"{_paren(lhs)} * {_paren(rhs)}"
            wrap = _paren
            if e.kind == AffineBinaryOpKind.Mod:
                return f"{wrap(lhs)} % {wrap(rhs)}"
            if e.kind == AffineBinaryOpKind.FloorDiv:
                return f"{wrap(lhs)} // {wrap(rhs)}"
            return f"tl.cdiv({lhs}, {rhs})"
        raise UnsupportedOp(f"Triton target: unsupported affine expression {e}")

    def address(self, view: _View, exprs: Sequence[str], flat_ok: str | None = None) -> str:
        """`x_ptr + i * stride_x0 + ...` for index expressions of each axis of `view`."""
        ptr = self.use_param(view.param)
        if flat_ok is not None:
            return f"{ptr} + {flat_ok}" + (f" + {view.offset}" if view.offset else "")
        terms = []
        for axis, (idx, size) in enumerate(zip(exprs, view.shape)):
            if size == 1 or idx == "0":
                continue
            idx = _paren(idx)
            terms.append(f"{idx} * {self.stride_arg(view, axis)}")
        if view.offset:
            terms.append(str(view.offset))
        return " + ".join([ptr] + terms)

    def dim_var(self, g: _Gen, d: int) -> str:
        if d in self.unit[g.index]:
            return "0"
        return self.kdims[self.sigma[g.index][d]].var

    def groups_of(self, g: _Gen, m) -> frozenset:
        used = set()
        for e in m.results:
            used |= _sigma_dims(g, self.sigma[g.index], e, self.unit[g.index])
        return frozenset(self.kdims[k].group for k in used)

    def mask_for(self, groups: Iterable[str]) -> str | None:
        groups = frozenset(groups)
        return self.group_masks.get(groups)

    def flat_index(self, g: _Gen, view: _View, m) -> str | None:
        """`offs` when the access walks the flattened block contiguously (pointwise kernels)."""
        if self.mode != "flat" or not self.kdims:
            return None
        key = self.addr_key(g, view, m)
        if len(key) != 3 or key[1] == "expr":
            return None
        coeffs = dict(key[1])
        expected, stride = {}, 1
        for k in reversed(range(len(self.kdims))):
            expected[k] = stride
            stride *= self.kdims[k].bound
        return "offs" if coeffs == expected and key[2] == view.offset else None

    def access(self, g: _Gen, view: _View, m) -> tuple[str, frozenset]:
        groups = self.groups_of(g, m)
        flat = self.flat_index(g, view, m)
        exprs = [self.render_expr(e, lambda d: self.dim_var(g, d)) for e in m.results]
        return self.address(view, exprs, flat), groups

    # -- reads, loads, stores --------------------------------------------------

    def writers_before(self, g: _Gen, param: _Param) -> list[tuple[_Gen, int]]:
        return [(h, j) for h in self.gens if h.index < g.index
                for j, (v, _) in enumerate(h.outs) if v.param is param]

    def read(self, g: _Gen, view: _View, m) -> _Val:
        """The value of `view` at `m`(g's dims): forwarded from an earlier generic, or loaded."""
        writers = self.writers_before(g, view.param)
        if writers:
            key = self.addr_key(g, view, m)
            h, j = writers[-1]
            hv, hm = h.outs[j]
            if self.addr_key(h, hv, hm) != key:
                raise _NotFusable(f"{g.op.name} #{g.index} reads {view.param.name} at other addresses "
                                  f"than #{h.index} wrote")
            return self.value(h, j)
        if any(v.param is view.param for h in self.gens if h.index > g.index for v, _ in h.outs):
            raise _NotFusable(f"{view.param.name} is read, then overwritten by a later generic")
        return self.load(g, view, m)

    def load(self, g: _Gen, view: _View, m) -> _Val:
        key = ("load", self.addr_key(g, view, m))
        hit = self.scope_lookup(key)
        if hit is not None:
            return hit
        addr, groups = self.access(g, view, m)
        return self.remember(key, self.local(*self.load_expr(addr, groups, view), view.name))

    def load_expr(self, addr: str, groups: frozenset, view: _View) -> tuple[str, frozenset]:
        mask = self.mask_for(groups)
        other = "0.0" if ops.is_float(view.param.elem) else "0"
        expr = f"tl.load({addr}, mask={mask}, other={other})" if mask else f"tl.load({addr})"
        if groups <= self.scalar_groups:
            # One element for the whole block: make it a block (the interpreter
            # mistypes comparisons of scalars; on a GPU the broadcast is free).
            shape, base = self.base
            expr = f"tl.broadcast_to({expr}, {shape})"
            groups = groups | base
        return expr, groups

    def store(self, g: _Gen, j: int, val: _Val) -> None:
        view, m = g.outs[j]
        addr, groups = self.access(g, view, m)
        missing = [grp for grp in sorted(val.groups - groups)]
        for grp in missing:  # a rank-0 result of a block: every lane writes the one element
            addr += f" + {self.group_var(grp)} * 0"
        mask = self.mask_for(groups | val.groups)
        value = val.expr
        self.code(f"tl.store({addr}, {value}, mask={mask})" if mask else f"tl.store({addr}, {value})")
        self.writes.add(view.param.arg)

    def group_var(self, grp: str) -> str:
        return {"flat": "offs", "rows": "rows", "cols": "cols", "m": "offs_m[:, None]",
                "n": "offs_n[None, :]", "batch": "0"}[grp]

    def needs_store(self, g: _Gen, j: int) -> bool:
        view, m = g.outs[j]
        if view.param.live_out or view.param.name in self.live_extra:
            # Superseded by a later write of the same addresses in this kernel?
            key = self.addr_key(g, view, m)
            for h in self.gens:
                if h.index > g.index:
                    for hv, hm in h.outs:
                        if hv.param is view.param and self.addr_key(h, hv, hm) == key:
                            return False
            return True
        return False

    # -- bodies -----------------------------------------------------------------

    def body_value(self, g: _Gen, env: dict, v: SSAValue, skip: set) -> _Val:
        return self.body_values(g, env, [v], skip)[0]

    def body_values(self, g: _Gen, env: dict, roots: Sequence[SSAValue], skip: set) -> list[_Val]:
        """Emit the body ops `roots` depend on, in the body's order (memoized in `env`)."""
        needed: set[Operation] = set()
        work = list(roots)
        while work:
            x = work.pop()
            op = x.owner
            if x in env or not isinstance(op, Operation) or op in needed or op in skip:
                continue
            needed.add(op)
            work.extend(op.operands)
        for op in g.body.ops:
            if op in needed and op.results and op.results[0] not in env:
                self.body_value_one(g, env, op.results[0], skip)
        return [self.body_value_one(g, env, v, skip) for v in roots]

    def body_value_one(self, g: _Gen, env: dict, v: SSAValue, skip: set) -> _Val:
        if v in env:
            return env[v]
        op = v.owner
        if isinstance(op, Block):
            i = op.args.index(v)
            if i < len(g.ins):
                env[v] = self.read(g, *g.ins[i])
            else:
                env[v] = self.read(g, *g.outs[i - len(g.ins)])
            return env[v]
        assert isinstance(op, Operation) and op not in skip
        if isinstance(op, arith.ConstantOp):
            env[v] = _Val(ops.literal(op.value, v.type), frozenset(), True)
        elif isinstance(op, linalg.IndexOp):
            d = op.dim.value.data
            var = self.dim_var(g, d)
            grp = frozenset() if var == "0" else frozenset({self.kdims[self.sigma[g.index][d]].group})
            if var == "0" or (self.mode == "sequential" and grp == {"cols"}):
                # A loop counter (a plain int in the interpreter) or 0: a typed block.
                env[v] = self.local(f"tl.full({self.base[0]}, {var}, tl.int32)", self.base[1], "index")
            else:
                env[v] = _Val(var, grp)
        elif isinstance(op, memref.LoadOp):
            view = self.info.views[op.memref]
            idx = [self.body_value(g, env, x, skip) for x in op.indices]
            addr = self.address(view, [i.expr for i in idx])
            groups = frozenset().union(*(i.groups for i in idx)) if idx else frozenset()
            env[v] = self.local(*self.load_expr(addr, groups, view), view.name)
        else:
            args = [self.body_value(g, env, x, skip) for x in op.operands]
            env[v] = self.apply(op, args)
        return env[v]

    def apply(self, op: Operation, args: list[_Val]) -> _Val:
        """Emit `op` on operand values; literals stay literals through float conversions."""
        if len(op.results) != 1:
            raise UnsupportedOp(f"Triton target: {op.name} with {len(op.results)} results")
        res = op.results[0]
        if op.name in ("arith.extf", "arith.truncf") and args[0].literal:
            return args[0]
        exprs = [a.expr for a in args]
        if args and any(a.literal for a in args) and (
                all(a.literal for a in args) or op.name not in _LITERAL_FRIENDLY):
            # A Python number has no dtype of its own: give it the operand's.
            exprs = [f"tl.full({self.base[0]}, {a.expr}, {ops.tl_type(x.type)})" if a.literal else a.expr
                     for a, x in zip(args, op.operands)]
            args = [_Val(a.expr, self.base[1]) if a.literal else a for a in args]
        groups = frozenset().union(*(a.groups for a in args)) if args else frozenset()
        return self.local(ops.render(op, exprs), groups, op.name.split(".")[-1])

    def value(self, g: _Gen, j: int) -> _Val:
        """Output `j` of pointwise generic `g` (reductions are computed by their phase)."""
        key = ("gen", g.index, j)
        hit = self.scope_lookup(key)
        if hit is not None:
            return hit
        if g.reduction:
            raise _NotFusable(f"the reduction #{g.index} is read before it is complete")
        # The outputs of one generic share its body's values (within this scope).
        env = self.memo[-1].setdefault(("env", g.index), {})
        vals = self.body_values(g, env, g.body.last_op.operands, set())
        for k, val in enumerate(vals):
            self.remember(("gen", g.index, k), val)
        return vals[j]

    # -- kernel dims ---------------------------------------------------------------

    def assign(self, g: _Gen, fixed: dict[int, int] | None = None) -> None:
        """Map g's dims (of extent > 1) onto kernel dims with equal extents so that every
        value it reads from an earlier generic is forwardable."""
        unit = {d for d, b in enumerate(g.bounds) if b == 1}
        self.unit[g.index] = unit
        dims = [d for d in range(len(g.bounds)) if d not in unit]
        if fixed is not None:
            self.sigma[g.index] = fixed
            return
        choices = []
        for d in dims:
            if g.kinds[d] != "parallel":
                ok = [k for k, kd in enumerate(self.kdims) if kd.group == "cols"]
            elif g.reduction:
                ok = [k for k, kd in enumerate(self.kdims) if kd.group != "cols"]
            else:
                ok = list(range(len(self.kdims)))
            choices.append([k for k in ok if self.kdims[k].bound == g.bounds[d]])
        best = None
        for combo in itertools.product(*choices) if dims else [()]:
            if len(set(combo)) != len(combo):
                continue
            sigma = dict(zip(dims, combo))
            self.sigma[g.index] = sigma
            if self.forwardable(g):
                best = sigma
                break
        if best is None:
            raise _NotFusable(f"generic #{g.index} does not fit the kernel's dims")
        self.sigma[g.index] = best

    def forwardable(self, g: _Gen) -> bool:
        for view, m in g.ins + g.outs:
            writers = self.writers_before(g, view.param)
            if writers:
                h, j = writers[-1]
                hv, hm = h.outs[j]
                if self.addr_key(h, hv, hm) != self.addr_key(g, view, m):
                    return False
        return True

    def decompose(self, flat: str, dims: list[int], prefix: str) -> None:
        """Index variables of kernel dims `dims` (row-major) from the flat index `flat`."""
        if len(dims) == 1:
            self.kdims[dims[0]].var = flat
            return
        inner = 1
        lines = []
        for pos in reversed(range(len(dims))):
            kd = self.kdims[dims[pos]]
            name = self.names.fresh(f"{prefix}{pos}", prefix)
            lines.append(f"{name} = {_digit(flat, inner, kd.bound if pos > 0 else None)}")
            self.optional.add(name)
            kd.var = name
            inner *= kd.bound
        for line in reversed(lines):  # outermost first
            self.code(line)

    # -- the plans ----------------------------------------------------------------

    def emit(self) -> _Emitted:
        contractions = [(g, c) for g in self.gens if (c := _contraction(g)) is not None]
        if len(contractions) == 1 and all(not g.reduction for g in self.gens if g is not contractions[0][0]):
            return self.emit_contraction(*contractions[0])
        return self.emit_tiled()

    def anchor_dims(self, g: _Gen) -> list[int]:
        """g's parallel dims, outermost first, ordered so that its first output is contiguous."""
        par = [d for d in g.parallel if g.bounds[d] > 1]
        out = []
        if g.outs:
            _, m = g.outs[0]
            view = g.outs[0][0]
            pairs = []
            for e, s in zip(m.results, view.strides):
                if isinstance(e, AffineDimExpr) and e.position in par and e.position not in out:
                    out.append(e.position)
                    pairs.append((s, e.position))
            out = [d for _, d in sorted(pairs, key=lambda p: -p[0])]
        return [d for d in par if d not in out] + out

    def emit_tiled(self) -> _Emitted:
        gens = self.gens
        reductions = [g for g in gens if g.reduction]
        combines = {g.index: _reduction_combines(g) for g in reductions}
        sequential = any(c is None for c in combines.values())
        if reductions:
            anchor = reductions[0]
        else:
            anchor = max(gens, key=lambda g: (math.prod(g.bounds), g.index))
        rows = self.anchor_dims(anchor)
        cols = [d for d in anchor.reduction if anchor.bounds[d] > 1]
        n_rows = math.prod(anchor.bounds[d] for d in rows)
        n_cols = math.prod(anchor.bounds[d] for d in cols)
        if not reductions:
            self.mode = "flat"
        elif sequential:
            self.mode = "sequential"
        elif _pow2(n_cols) <= min(self.policy.persistent_row, _pow2(self.policy.max_block)):
            self.mode = "persistent"
        else:
            self.mode = "looped"
        row_group = "flat" if self.mode == "flat" else "rows"
        self.kdims = [_KDim(anchor.bounds[d], row_group) for d in rows] + \
                     [_KDim(anchor.bounds[d], "cols") for d in cols]
        fixed = {d: k for k, d in enumerate(rows + cols)}
        self.assign(anchor, fixed)
        for g in gens:
            if g is not anchor:
                self.assign(g)
        if self.mode == "flat" and (inner := self.transposed_read(anchor)) is not None:
            # An input walks memory along another dim than the output: 2-D tiles whose rows
            # run along the input's contiguous dim and columns along the output's.
            out_k, in_k = inner
            order = [k for k in range(len(rows)) if k not in inner] + [in_k]
            rows, cols = [rows[k] for k in order], [rows[out_k]]
            n_rows = math.prod(anchor.bounds[d] for d in rows)
            n_cols = anchor.bounds[cols[0]]
            self.mode, row_group = "tiles", "rows"
            self.kdims = [_KDim(anchor.bounds[d], "rows") for d in rows] + [_KDim(n_cols, "cols")]
            self.sigma, self.unit = {}, {}
            self.assign(anchor, {d: k for k, d in enumerate(rows + cols)})
            for g in gens:
                if g is not anchor:
                    self.assign(g)
        self.check_writes()
        row_k = [k for k, kd in enumerate(self.kdims) if kd.group == row_group]
        col_k = [k for k, kd in enumerate(self.kdims) if kd.group == "cols"]
        # Reductions other than the anchor must reduce over exactly the kernel's columns.
        for g in reductions:
            sig = self.sigma[g.index]
            if sorted(sig[d] for d in g.reduction if d in sig) != col_k:
                raise _NotFusable(f"reduction #{g.index} reduces over other dims than #{anchor.index}")

        c = self.code
        if self.mode == "flat":
            self.extents["n_elements"] = n_rows
            c("pid = tl.program_id(0)")
            c("offs = pid * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)")
            c("mask = offs < n_elements")
            self.group_masks = {frozenset({"flat"}): "mask"}
            self.decompose("offs", row_k, "i")
            self.emit_stores_all()
            configs = pointwise_configs(n_rows, self.policy)
            grid = "(triton.cdiv(n_elements, config[\"BLOCK_SIZE\"]),)"
            blocks = ["BLOCK_SIZE"]
            fixed_blocks: dict[str, int] = {}
            kind = "pointwise"
        elif self.mode == "tiles":
            self.extents["n_rows"] = n_rows
            self.extents["n_cols"] = n_cols
            self.base = ("[BLOCK_M, 1]", frozenset({"rows"}))
            c("pid = tl.program_id(0)")
            c("num_pid_n = tl.cdiv(n_cols, BLOCK_N)")
            c("rows = (pid // num_pid_n) * BLOCK_M + tl.arange(0, BLOCK_M)[:, None]")
            c("cols = (pid % num_pid_n) * BLOCK_N + tl.arange(0, BLOCK_N)[None, :]")
            c("row_mask = rows < n_rows")
            c("col_mask = cols < n_cols")
            c("mask = row_mask & col_mask")
            self.group_masks = {frozenset({"rows"}): "row_mask", frozenset({"cols"}): "col_mask",
                                frozenset({"rows", "cols"}): "mask"}
            self.decompose("rows", row_k, "r")
            self.decompose("cols", col_k, "c")
            self.emit_stores_all()
            configs = tile_configs(n_rows, n_cols, self.policy)
            grid = "(triton.cdiv(n_rows, config[\"BLOCK_M\"]) * triton.cdiv(n_cols, config[\"BLOCK_N\"]),)"
            blocks = ["BLOCK_M", "BLOCK_N"]
            fixed_blocks = {}
            kind = "pointwise, 2-D tiles"
        else:
            self.extents["n_rows"] = n_rows
            self.extents["n_cols"] = n_cols
            self.base = ("[BLOCK_M]" if self.mode == "sequential" else "[BLOCK_M, 1]", frozenset({"rows"}))
            if self.mode == "sequential":
                self.scalar_groups = frozenset({"cols"})
            c("pid = tl.program_id(0)")
            if self.mode == "sequential":
                c("rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)")
            else:
                c("rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)[:, None]")
            c("row_mask = rows < n_rows")
            self.group_masks = {frozenset({"rows"}): "row_mask", frozenset({"cols"}): "col_mask",
                                frozenset({"rows", "cols"}): "mask"}
            if self.mode == "sequential":
                self.group_masks[frozenset({"cols"})] = None
                self.group_masks[frozenset({"rows", "cols"})] = "row_mask"
            self.decompose("rows", row_k, "r")
            fixed_blocks = {}
            if self.mode == "persistent":
                fixed_blocks["BLOCK_N"] = _pow2(n_cols)
                c("cols = tl.arange(0, BLOCK_N)[None, :]")
                c("col_mask = cols < n_cols")
                c("mask = row_mask & col_mask")
                self.decompose("cols", col_k, "c")
            self.emit_row_program(reductions, combines, col_k)
            if self.mode == "sequential":
                configs = sequential_configs(n_rows, self.policy)
                blocks = ["BLOCK_M"]
                kind = "sequential reduction"
            elif self.mode == "persistent":
                configs = row_configs(n_rows, fixed_blocks["BLOCK_N"], self.policy)
                blocks = ["BLOCK_M", "BLOCK_N"]
                kind = "row reduction, persistent"
            else:
                configs = row_configs(n_rows, None, self.policy)
                blocks = ["BLOCK_M", "BLOCK_N"]
                kind = "row reduction, looped"
            grid = "(triton.cdiv(n_rows, config[\"BLOCK_M\"]),)"
        configs = _with_schedule(configs, self.schedule)
        return self.finish(kind, blocks, fixed_blocks, configs, grid)

    def check_writes(self) -> None:
        """Writes of one buffer at different addresses must not overlap: programs run in
        any order, so which of two overlapping stores lands last would be chance."""
        spans: dict[str, list[tuple]] = {}
        for g in self.gens:
            for view, m in g.outs:
                key = self.addr_key(g, view, m)
                lo = hi = None
                if len(key) == 3 and key[1] != "expr":
                    lo = hi = key[2]
                    for k, coeff in key[1]:
                        reach = coeff * (self.kdims[k].bound - 1)
                        lo, hi = lo + min(reach, 0), hi + max(reach, 0)
                for other, olo, ohi in spans.get(view.param.name, []):
                    if other == key or (lo is not None and olo is not None and (hi < olo or ohi < lo)):
                        continue
                    if lo is not None and olo is not None and self.translates_apart(key, other):
                        continue
                    raise _NotFusable(f"{view.param.name} is written at overlapping addresses twice")
                spans.setdefault(view.param.name, []).append((key, lo, hi))

    def translates_apart(self, a: tuple, b: tuple) -> bool:
        """Two writes with the same strides over the same dims, shifted by an offset (the
        parts of a concatenation): disjoint unless the shift is a reachable index step.
        Exact when the strides nest like an array's (each at least the next one's span)."""
        if a[1] != b[1]:
            return False
        dims = sorted(((abs(c), self.kdims[k].bound) for k, c in a[1]), reverse=True)
        if any(c < c2 * b2 for (c, _), (c2, b2) in zip(dims, dims[1:])):
            return False

        def reachable(delta: int, rest) -> bool:
            if not rest:
                return delta == 0
            (c, bound), tail = rest[0], rest[1:]
            return any(abs(t) < bound and reachable(delta - t * c, tail)
                       for t in {delta // c, -(-delta // c)})

        return not reachable(abs(a[2] - b[2]), dims)

    def transposed_read(self, anchor: _Gen) -> tuple[int, int] | None:
        """(kernel dim the anchor's output is contiguous along, another dim an input is
        contiguous along), when they differ; None when every access agrees."""
        def unit_dim(g: _Gen, view: _View, m) -> int | None:
            key = self.addr_key(g, view, m)
            if len(key) != 3 or key[1] == "expr":
                return None
            return next((k for k, coeff in key[1] if abs(coeff) == 1), None)

        if not anchor.outs or len(self.kdims) < 2:
            return None
        out_k = unit_dim(anchor, *anchor.outs[0])
        if out_k is None:
            return None
        for g in self.gens:
            for i, (view, m) in enumerate(g.ins):
                if not g.body.args[i].uses:
                    continue
                k = unit_dim(g, view, m)
                if k is not None and k != out_k and self.kdims[k].bound >= 8:
                    return out_k, k
        return None

    def emit_stores_all(self) -> None:
        for g in self.gens:
            for j in range(len(g.outs)):
                if self.needs_store(g, j):
                    self.store(g, j, self.value(g, j))

    def row_only(self, g: _Gen) -> bool:
        return not g.reduction and all(self.kdims[k].group != "cols" for k in self.sigma[g.index].values())

    def emit_row_program(self, reductions: list[_Gen], combines, col_k: list[int]) -> None:
        c = self.code
        done: set[int] = set()
        stored: set[tuple[int, int]] = set()

        def ready(g: _Gen) -> bool:
            deps = self.reduction_deps(g)
            return deps <= done

        def flush_row_only() -> None:
            # Values per row (mean, 1 / std, ...) once, outside the column loops.
            for g in self.gens:
                if self.row_only(g) and ready(g):
                    for j in range(len(g.outs)):
                        val = self.value(g, j)
                        if (g.index, j) not in stored and self.needs_store(g, j):
                            stored.add((g.index, j))
                            self.store(g, j, val)

        flush_row_only()
        for r in reductions:
            comb = combines[r.index]
            if self.mode == "sequential":
                self.emit_sequential_reduction(r)
            else:
                self.emit_tile_reduction(r, comb, col_k)
            done.add(r.index)
            for j in range(len(r.outs)):
                if self.needs_store(r, j):
                    stored.add((r.index, j))
                    self.store(r, j, self.values_of_reduction(r, j))
            flush_row_only()
        # The rest: values over whole rows.
        pending = [(g, j) for g in self.gens if not g.reduction for j in range(len(g.outs))
                   if (g.index, j) not in stored and self.needs_store(g, j)]
        if not pending:
            return
        if self.mode == "persistent":
            for g, j in pending:
                self.store(g, j, self.value(g, j))
            return
        self.open_col_loop(col_k)
        for g, j in pending:
            self.store(g, j, self.value(g, j))
        self.close_col_loop()

    def reduction_deps(self, g: _Gen, seen=None) -> set[int]:
        """The reductions g's value depends on (through forwarded buffers)."""
        seen = seen if seen is not None else set()
        out: set[int] = set()
        for view, m in g.ins + g.outs:
            ws = self.writers_before(g, view.param)
            if ws:
                h, _ = ws[-1]
                if h.index in seen:
                    continue
                seen.add(h.index)
                if h.reduction:
                    out.add(h.index)
                out |= self.reduction_deps(h, seen)
        return out

    def values_of_reduction(self, r: _Gen, j: int) -> _Val:
        return self.scope_lookup(("gen", r.index, j))

    def open_col_loop(self, col_k: list[int]) -> None:
        c = self.code
        if self.mode == "sequential":
            c("for col in range(0, n_cols):")
            c.depth += 1
            self.memo.append({})
            self.decompose("col", col_k, "c")
            return
        c("for col_start in range(0, n_cols, BLOCK_N):")
        c.depth += 1
        self.memo.append({})
        c("cols = col_start + tl.arange(0, BLOCK_N)[None, :]")
        c("col_mask = cols < n_cols")
        c("mask = row_mask & col_mask")
        self.decompose("cols", col_k, "c")

    def close_col_loop(self) -> None:
        self.memo.pop()
        self.code.depth -= 1

    def init_value(self, r: _Gen, j: int) -> _Val:
        """The value reduction r accumulates onto: forwarded (a fill) or loaded."""
        view, m = r.outs[j]
        return self.read_init(r, view, m)

    def read_init(self, r: _Gen, view: _View, m) -> _Val:
        writers = self.writers_before(r, view.param)
        if writers:
            h, jj = writers[-1]
            hv, hm = h.outs[jj]
            if self.addr_key(h, hv, hm) != self.addr_key(r, view, m):
                raise _NotFusable("a reduction's init is written at other addresses")
            return self.value(h, jj)
        return self.load(r, view, m)

    def emit_tile_reduction(self, r: _Gen, combs: list[_Combine], col_k: list[int]) -> None:
        c = self.code
        inits = [self.init_value(r, j) for j in range(len(r.outs))]
        skip = {op for cb in combs for op in cb.chain}
        accs = []
        if self.mode == "looped":
            for cb in combs:
                t = cb.op.results[0].type
                name = self.names.fresh("acc", "acc")
                c(f"{name} = tl.full([BLOCK_M, BLOCK_N], {ops.neutral_literal(cb.op.name, t)}, {ops.tl_type(t)})")
                accs.append(name)
            self.open_col_loop(col_k)
        env: dict = {}
        partial = []
        for k, cb in enumerate(combs):
            x = self.body_value(r, env, cb.x, skip)
            t = cb.op.results[0].type
            neutral = ops.neutral_literal(cb.op.name, t)
            xe = x.expr
            if x.literal or "cols" not in x.groups or "rows" not in x.groups:
                xe = f"tl.broadcast_to({xe}, [BLOCK_M, BLOCK_N])" if not x.literal else \
                    f"tl.full([BLOCK_M, BLOCK_N], {xe}, {ops.tl_type(t)})"
            masked = f"tl.where(col_mask, {xe}, {neutral})"
            if self.mode == "looped":
                operands = [masked, accs[k]] if cb.op.operands[0] is cb.x else [accs[k], masked]
                c(f"{accs[k]} = {ops.render(cb.op, operands)}")
            else:
                partial.append(masked)
        if self.mode == "looped":
            self.close_col_loop()
            partial = accs
        for j, cb in enumerate(combs):
            form = ops.combiner(cb.op.name)
            red = self.local(form.format(x=partial[j], axis=1) + "[:, None]", frozenset({"rows"}),
                             _reduce_hint(cb.op.name))
            # Fold the block's result onto the init: the body's own chain (ext, combine, trunc).
            env2 = {cb.acc_arg: inits[j], cb.x: red}
            out = self.chain_value(r, cb, env2, inits[j], red)
            self.remember(("gen", r.index, j), _Val(out.expr, frozenset({"rows"}) | out.groups, out.literal))

    def chain_value(self, r: _Gen, cb: _Combine, env: dict, init: _Val, red: _Val) -> _Val:
        for op in cb.chain:
            if op is cb.op and init.literal and init.expr in ("0.0", "0", "-0.0") and cb.op.name in ("arith.addf", "arith.addi"):
                env[op.results[0]] = red
                continue
            if op is cb.op and init.literal and cb.op.name.startswith("arith.m") and \
                    init.expr == ops.neutral_literal(cb.op.name, op.results[0].type):
                env[op.results[0]] = red
                continue
            env[op.results[0]] = self.apply(op, [env[v] for v in op.operands])
        return env[cb.chain[-1].results[0]]

    def emit_sequential_reduction(self, r: _Gen) -> None:
        """Any reduction body: the rows are a block, the columns a loop, one at a time."""
        c = self.code
        n_in = len(r.ins)
        accs = []
        for j in range(len(r.outs)):
            init = self.init_value(r, j)
            t = r.body.args[n_in + j].type
            name = self.names.fresh("acc", "acc")
            if init.literal:
                c(f"{name} = tl.full([BLOCK_M], {init.expr}, {ops.tl_type(t)})")
            else:
                c(f"{name} = tl.broadcast_to({init.expr}, [BLOCK_M])"
                  if "rows" not in init.groups else f"{name} = {init.expr}")
            accs.append(name)
        col_k = [k for k, kd in enumerate(self.kdims) if kd.group == "cols"]
        self.open_col_loop(col_k)
        env: dict = {r.body.args[n_in + j]: _Val(accs[j], frozenset({"rows"})) for j in range(len(r.outs))}
        yielded = self.body_values(r, env, r.body.last_op.operands, set())
        for name, v in zip(accs, yielded):
            c(f"{name} = {v.expr}")
        self.close_col_loop()
        for j, name in enumerate(accs):
            self.remember(("gen", r.index, j), _Val(name, frozenset({"rows"})))

    # -- contraction ------------------------------------------------------------------

    def emit_contraction(self, cg: _Gen, con: _Contraction) -> _Emitted:
        c = self.code
        gens = self.gens
        # Generics before the contraction may only initialise its output; after it,
        # pointwise epilogues over its output dims.
        for g in gens:
            if g.index < cg.index and any(v.param is not cg.outs[0][0].param for v, _ in g.outs):
                raise _NotFusable("a generic before the contraction writes other buffers")
        m_b = [cg.bounds[d] for d in con.m]
        n_b = [cg.bounds[d] for d in con.n]
        k_b = [cg.bounds[d] for d in con.k]
        b_b = [cg.bounds[d] for d in con.batch]
        M, N, K = math.prod(m_b), math.prod(n_b), math.prod(k_b)
        n_batch = math.prod(b_b)
        self.kdims = [_KDim(b, "batch") for b in b_b] + [_KDim(b, "m") for b in m_b] + \
                     [_KDim(b, "n") for b in n_b]
        nb, nm = len(b_b), len(m_b)
        sigma = {d: i for i, d in enumerate(con.batch)}
        sigma.update({d: nb + i for i, d in enumerate(con.m)})
        sigma.update({d: nb + nm + i for i, d in enumerate(con.n)})
        self.assign(cg, sigma)
        for g in gens:
            if g is not cg:
                self.assign(g)
        self.check_writes()
        self.mode = "contraction"
        self.names.used |= _CONTRACTION_NAMES
        self.base = ("[BLOCK_M, 1]", frozenset({"m"}))
        self.scalar_groups = frozenset({"batch"})
        self.extents.update(M=M, N=N, K=K)
        a_view, a_map = cg.ins[con.a]
        b_view, b_map = cg.ins[con.b]
        c("pid = tl.program_id(0)")
        c("num_pid_m = tl.cdiv(M, BLOCK_M)")
        c("num_pid_n = tl.cdiv(N, BLOCK_N)")
        c("# grouped ordering: GROUP_M row-blocks share the B tiles they load (L2 reuse)")
        c("num_pid_in_group = GROUP_M * num_pid_n")
        c("group_id = pid // num_pid_in_group")
        c("first_pid_m = group_id * GROUP_M")
        c("group_size_m = min(num_pid_m - first_pid_m, GROUP_M)")
        c("pid_m = first_pid_m + ((pid % num_pid_in_group) % group_size_m)")
        c("pid_n = (pid % num_pid_in_group) // group_size_m")
        if n_batch > 1:
            c("pid_b = tl.program_id(1)")
            self.decompose("pid_b", list(range(nb)), "b")
        c("offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)")
        c("offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)")
        c("m_mask = offs_m < M")
        c("n_mask = offs_n < N")
        c("# past the edges, tiles read row / column 0 again (results masked at the store),")
        c("# so the loads in the K loop need no M / N mask")
        c("offs_am = offs_m % M")
        c("offs_bn = offs_n % N")
        m_k = list(range(nb, nb + nm))
        n_k = list(range(nb + nm, len(self.kdims)))
        self.decompose("offs_am", m_k, "m")
        self.decompose("offs_bn", n_k, "n")
        var1d = {k: self.kdims[k].var for k in m_k + n_k}
        # 2-D views for the epilogue: M dims down the rows, N dims across.
        for k in m_k:
            self.kdims[k].var = f"{var1d[k]}[:, None]"
        for k in n_k:
            self.kdims[k].var = f"{var1d[k]}[None, :]"
        self.group_masks = {frozenset({"m"}): "m_mask[:, None]", frozenset({"n"}): "n_mask[None, :]",
                            frozenset({"m", "n"}): "mask", frozenset({"batch"}): None,
                            frozenset({"batch", "m"}): "m_mask[:, None]",
                            frozenset({"batch", "n"}): "n_mask[None, :]",
                            frozenset({"batch", "m", "n"}): "mask"}
        c("mask = m_mask[:, None] & n_mask[None, :]")
        c("acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)")
        c("for k in range(0, K, BLOCK_K):")
        c.depth += 1
        c("offs_k = k + tl.arange(0, BLOCK_K)")
        kvars: dict[int, str] = {}
        if len(con.k) == 1:
            kvars[con.k[0]] = "offs_k"
        else:
            inner = 1
            lines = []
            for pos in reversed(range(len(con.k))):
                name = self.names.fresh(f"k{pos}", "k")
                lines.append(f"{name} = {_digit('offs_k', inner, k_b[pos] if pos > 0 else None)}")
                kvars[con.k[pos]] = name
                inner *= k_b[pos]
            for line in reversed(lines):
                c(line)
        c("k_mask = offs_k < K")

        def operand_expr(d: int, row_side: bool, kdim_side: str) -> str:
            if cg.bounds[d] == 1:
                return "0"
            if d in kvars:
                return f"{kvars[d]}{kdim_side}"
            kd = sigma[d]
            grp = self.kdims[kd].group
            if grp == "batch":
                return self.kdims[kd].var
            return f"{var1d[kd]}{'[:, None]' if row_side else '[None, :]'}"

        a_idx = [self.render_expr(e, lambda d: operand_expr(d, True, "[None, :]")) for e in a_map.results]
        b_idx = [self.render_expr(e, lambda d: operand_expr(d, False, "[:, None]")) for e in b_map.results]
        a_t, b_t = _dtype_name(a_view.param.elem), _dtype_name(b_view.param.elem)
        c(f"a_ptrs = {self.address(a_view, a_idx)}")
        c(f"b_ptrs = {self.address(b_view, b_idx)}")
        c("a = tl.load(a_ptrs, mask=k_mask[None, :], other=0.0)")
        c("b = tl.load(b_ptrs, mask=k_mask[:, None], other=0.0)")
        a_e, b_e = "a", "b"
        if a_t != b_t:
            a_e, b_e = "a.to(tl.float32)", "b.to(tl.float32)"
        prec = ""
        if "f32" in (a_t, b_t):
            prec = ', input_precision="tf32"' if self.policy.allow_tf32 else ', input_precision="ieee"'
        c(f"acc = tl.dot({a_e}, {b_e}, acc{prec})")
        c.depth -= 1
        init = self.read_init(cg, *cg.outs[0])
        red = _Val("acc", frozenset({"m", "n"}))
        out = self.chain_value(cg, con.combine, {con.combine.acc_arg: init, con.combine.x: red}, init, red)
        self.remember(("gen", cg.index, 0), _Val(out.expr, frozenset({"m", "n"}) | out.groups))
        for g in gens:
            if g.index < cg.index:
                continue
            for j in range(len(g.outs)):
                if self.needs_store(g, j):
                    self.store(g, j, self.value(g, j) if g is not cg else self.scope_lookup(("gen", cg.index, 0)))
        configs = _with_schedule(matmul_configs(M, N, K, self.policy), self.schedule)
        grid = "(triton.cdiv(M, config[\"BLOCK_M\"]) * triton.cdiv(N, config[\"BLOCK_N\"]),"
        grid += f" {n_batch})" if n_batch > 1 else ")"
        kind = "contraction (tl.dot, implicit GEMM)" if len(con.k) > 1 or len(con.m) > 1 else "matmul (tl.dot)"
        if n_batch > 1:
            kind += f", batched over {n_batch}"
        return self.finish(kind, ["BLOCK_M", "BLOCK_N", "BLOCK_K", "GROUP_M"], {}, configs, grid)

    # -- the function text ---------------------------------------------------------

    def finish(self, kind: str, blocks: list[str], fixed_blocks: dict[str, int], configs: list[dict],
               grid: str) -> _Emitted:
        params = [p for p in self.info.params if p in self.used_params]
        ptrs = [p.name + "_ptr" for p in params]
        extents = list(self.extents)
        strides = list(self.strides)
        sig = ptrs + extents + strides + [f"{b}: tl.constexpr" for b in blocks]
        doc = [f'"""{self.name}: {kind}.', ""]
        if self.info.tfc_ops:
            doc.append(f"tfc ops: {', '.join(self.info.tfc_ops)}")
        doc += _wrap_words("generics: " + ", ".join(_describe(g) for g in self.gens), 92) + ['"""']
        head = "@triton.jit\ndef " + self.name + "(" + _wrap_args(sig, len(self.name) + 5) + "):"
        self.code.lines = _drop_unused(self.code.lines, self.optional)
        body = "\n".join("    " + d if d else "" for d in doc) + "\n" + self.code.text()
        source = head + "\n" + body
        # launcher
        args = [p.name for p in params]
        lines = [f"def launch_{self.name}({', '.join(args + ['config'])}):"]
        for name, v in self.extents.items():
            lines.append(f"    {name} = {v}")
        lines.append(f"    grid = {grid}")
        call_args = args + [f"{n}" for n in extents] + [f"{n}={v}" for n, v in self.strides.items()] + \
            [f"{n}={v}" for n, v in fixed_blocks.items()] + ["**config"]
        lines.append(f"    {self.name}[grid](" + _wrap_args(call_args, len(self.name) + 15) + ")")
        positions = [p.arg for p in params]
        writes = tuple(i for i, p in enumerate(params) if p.arg in self.writes)
        return _Emitted(self.name, source, "\n".join(lines), configs, positions, writes, kind)


# Ops whose Triton form accepts a Python number beside a tensor (it takes the tensor's type).
_LITERAL_FRIENDLY = {
    "arith.addf", "arith.subf", "arith.mulf", "arith.divf", "arith.addi", "arith.subi",
    "arith.muli", "arith.divsi", "arith.remsi", "arith.remf", "arith.cmpf", "arith.cmpi",
    "arith.andi", "arith.ori", "arith.xori", "arith.select", "arith.maximumf", "arith.minimumf",
    "arith.maxnumf", "arith.minnumf", "arith.maxsi", "arith.minsi", "arith.shli", "arith.shrsi",
}


def _reduce_hint(name: str) -> str:
    return {"arith.addf": "total", "arith.addi": "total", "arith.maximumf": "row_max",
            "arith.maxnumf": "row_max", "arith.maxsi": "row_max", "arith.minimumf": "row_min",
            "arith.minnumf": "row_min", "arith.minsi": "row_min"}.get(name, "reduced")


def _paren(expr: str) -> str:
    """`expr` parenthesized when it is a sum, product, ... (not for `x[:, None]`)."""
    return f"({expr})" if re.search(r" [-+*/%] ", expr) else expr


def _drop_unused(lines: list[str], names: set[str]) -> list[str]:
    """Remove `name = ...` lines for `names` that no other line mentions."""
    changed = True
    while changed:
        changed = False
        for i, line in enumerate(lines):
            m = re.match(r"\s*(\w+) = ", line)
            if not m or m.group(1) not in names:
                continue
            word = re.compile(r"\b" + m.group(1) + r"\b")
            if not any(word.search(other) for j, other in enumerate(lines) if j != i):
                del lines[i]
                changed = True
                break
    return lines


def _digit(flat: str, inner: int, bound: int | None) -> str:
    """One row-major digit of a flat index: `flat // inner % bound` (outermost: no `%`)."""
    q = flat if inner == 1 else f"{flat} // {inner}"
    if bound is None:
        return q
    return f"{q} % {bound}" if inner == 1 else f"({q}) % {bound}"


def _describe(g: _Gen) -> str:
    from tfc.passes.form_kernels import describe_ops

    dims = "x".join(str(b) for b in g.bounds)
    what = "gather" if any(isinstance(op, memref.LoadOp) for op in g.body.ops) else describe_ops([g.op])
    return f"{what}[{dims}]"


def _wrap_words(text: str, width: int) -> list[str]:
    lines, cur = [], ""
    for word in text.split(" "):
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = "    " + word
        else:
            cur = f"{cur} {word}" if cur else word
    return lines + [cur]


def _wrap_args(args: list[str], indent: int, width: int = 100) -> str:
    lines, cur = [], ""
    for a in args:
        piece = a if not cur else ", " + a
        if cur and len(cur) + len(piece) + indent > width:
            lines.append(cur + ",")
            cur = a
        else:
            cur += piece
    lines.append(cur)
    return ("\n" + " " * indent).join(lines)


# ----------------------------------------------------------------------------
# The module


class _ModuleWriter:
    def __init__(self, module: ModuleOp, policy: GpuPolicy):
        self.module = module
        self.policy = policy
        self.entry = entry_function(module)
        self.funcs = {op.sym_name.data: op for op in module.ops
                      if isinstance(op, func.FuncOp) and not op.is_declaration}
        self.globals = {op.sym_name.data: op for op in module.ops if isinstance(op, memref.GlobalOp)}
        self.parts: dict[str, list[_Emitted]] = {}
        self.infos: dict[str, _KernelInfo] = {}

    def write(self) -> str:
        live = self.liveness()
        for name, f in self.funcs.items():
            if f is self.entry:
                continue
            if not is_kernel(f):
                raise UnsupportedOp(f"Triton target: @{name} is neither the host nor a kernel")
            self.parts[name] = self.kernel(f, live.get(name, []))
        kernels = [p for parts in self.parts.values() for p in parts]
        program = self.program()
        body_text = "\n\n\n".join(p.source + "\n\n\n" + p.launcher for p in kernels)
        helpers = ops.helpers_used(body_text)
        arena = self.entry.attributes.get("tfc.arena_size")
        arena_bytes = arena.value.data if isinstance(arena, IntegerAttr) else 0
        head = [
            '"""Generated by tfc (Triton target). Do not edit.',
            "",
            f"`program(...)` runs the host function @{self.entry.sym_name.data}: it takes the "
            "inputs, the outputs and the",
            "arena (torch tensors on one device), the constants (`CONSTANTS`, as device tensors) "
            "and",
            "`launch(name, *buffers)`, which runs `KERNELS[name]` with a configuration from "
            "`CONFIGS[name]`.",
            '"""',
            "import torch",
            "import triton",
            "import triton.language as tl",
        ]
        parts = ["\n".join(head)]
        if helpers:
            parts.append("\n\n\n".join(helpers))
        parts.append(self.constants_text())
        if body_text:
            parts.append(body_text)
        parts.append(self.tables_text(kernels, arena_bytes))
        parts.append(program)
        return "\n\n\n".join(parts) + "\n"

    # -- liveness of kernel arguments after each call ---------------------------------------

    def liveness(self) -> dict[str, list[bool]]:
        """Per kernel, per argument: is its buffer read after some call (or is it an output)?"""
        block = self.entry.body.block
        ops_list = list(block.ops)
        pos = {op: i for i, op in enumerate(ops_list)}
        root: dict[SSAValue, SSAValue] = {}
        aliases: dict[SSAValue, list[SSAValue]] = {}
        for op in ops_list:
            if isinstance(op, _VIEW_OPS):
                r = root.get(op.operands[0], op.operands[0])
                root[op.results[0]] = r
                aliases.setdefault(r, [r]).append(op.results[0])
        out: dict[str, list[bool]] = {}
        for op in ops_list:
            if not isinstance(op, func.CallOp):
                continue
            callee = op.callee.root_reference.data
            flags = []
            for v in op.arguments:
                r = root.get(v, v)
                if isinstance(r.owner, Block) or isinstance(r.owner, memref.GetGlobalOp):
                    flags.append(True)
                    continue
                later = any(pos.get(block.find_ancestor_op_in_block(u.operation), -1) > pos[op]
                            for a in aliases.get(r, [r]) for u in a.uses)
                flags.append(later)
            prev = out.get(callee)
            out[callee] = flags if prev is None else [a or b for a, b in zip(prev, flags)]
        return out

    # -- kernels ----------------------------------------------------------------------------

    def kernel(self, f: func.FuncOp, live: list[bool]) -> list[_Emitted]:
        info = _KernelInfo(f, live, self.globals)
        self.infos[f.sym_name.data] = info
        schedule = schedule_config(f)
        if not info.generics:
            return []
        try:
            return [_KernelWriter(info, info.generics, info.name, self.policy, schedule).emit()]
        except _NotFusable:
            pass
        # Several launches, through memory: the longest runs of generics that fuse.
        gens = info.generics
        parts: list[_Emitted] = []
        start = 0
        while start < len(gens):
            best, end = None, start + 1
            while end <= len(gens):
                try:
                    best = (end, self.part(info, gens, start, end, len(parts), schedule))
                except _NotFusable:
                    if end > start + 1:
                        break
                    raise UnsupportedOp(f"Triton target: kernel @{f.sym_name.data}: generic #{start} "
                                        "cannot be emitted on its own") from None
                end += 1
            end, emitted = best
            parts.append(emitted)
            start = end
        return parts

    def part(self, info: _KernelInfo, gens: list[_Gen], start: int, end: int, n: int,
             schedule: dict) -> _Emitted:
        """Generics [start, end) of a kernel as one launch; what later parts read is stored."""
        group = [_Gen(g.op, i, g.ins, g.outs, g.bounds, g.kinds) for i, g in enumerate(gens[start:end])]
        read_later = {v.param.name for g in gens[end:] for v, _ in g.ins + g.outs}
        return _KernelWriter(info, group, f"{info.name}_{n}", self.policy, schedule,
                             live_extra=read_later).emit()

    # -- constants, tables and the host program ------------------------------------------

    def constants_text(self) -> str:
        lines = ["# Constants: (torch dtype, shape, values or base64 of the raw little-endian bytes)",
                 "CONSTANTS = {"]
        for name, g in self.globals.items():
            t = g.type
            elem = t.get_element_type()
            data = _constant_array(g.initial_value, t)
            shape = list(t.get_shape())
            dt = ops.torch_dtype(elem)
            if data.size <= 64 and _dtype_name(elem) not in ("bf16",):
                values = repr([x.item() if not isinstance(x.item(), float) or math.isfinite(x.item())
                               else float(x.item()) for x in data.reshape(-1)])
                values = values.replace("inf", 'float("inf")').replace("nan", 'float("nan")')
                lines.append(f"    {name!r}: ({dt}, {shape}, {values}),")
            else:
                raw = base64.b64encode(data.tobytes()).decode()
                chunks = [raw[i:i + 76] for i in range(0, len(raw), 76)] or [""]
                text = "\n        ".join(repr(ch) for ch in chunks)
                lines.append(f"    {name!r}: ({dt}, {shape},\n        {text}),")
        lines.append("}")
        return "\n".join(lines)

    def tables_text(self, kernels: list[_Emitted], arena_bytes: int) -> str:
        lines = ["# Tunable configurations per kernel; the first is the default.", "CONFIGS = {"]
        for k in kernels:
            items = ",\n        ".join("dict(" + ", ".join(f"{a}={b}" for a, b in cfg.items()) + ")"
                                       for cfg in k.configs)
            lines.append(f"    {k.name!r}: [\n        {items},\n    ],")
        lines.append("}")
        lines.append("# name -> (launcher, positions of the buffers it writes, what it is)")
        lines.append("KERNELS = {")
        for k in kernels:
            lines.append(f"    {k.name!r}: (launch_{k.name}, {k.writes!r}, {k.kind!r}),")
        lines.append("}")
        lines.append(f"ARENA_BYTES = {arena_bytes}")
        return "\n".join(lines)

    def program(self) -> str:
        f = self.entry
        block = f.body.block
        names = _Names.plain(_LAUNCHER_NAMES)
        expr: dict[SSAValue, str] = {}
        ints: dict[SSAValue, int] = {}
        params = []
        n_args = len(block.args)
        arena_attr = f.attributes.get("tfc.arena_size")
        for i, a in enumerate(block.args):
            is_arena = i == n_args - 1 and arena_attr is not None
            name = "arena" if is_arena else names.fresh(a.name_hint, f"arg{i}")
            expr[a] = name
            params.append(name)
        optional: set[str] = set()   # views: dropped when no launch uses them
        lines = [f"def program({', '.join(params + ['consts', 'launch'])}):"]
        doc = [f'    """The host function @{f.sym_name.data}. Buffers (flat torch tensors of their '
               "element type):"]
        for i, a in enumerate(block.args):
            t = a.type
            doc.append(f"    {params[i]}: {_dtype_name(t.get_element_type())}[{_dims_str(t.get_shape())}]")
        doc.append('    """')
        lines += doc
        for op in block.ops:
            if isinstance(op, arith.ConstantOp):
                if isinstance(op.value, IntegerAttr):
                    ints[op.result] = op.value.value.data
            elif isinstance(op, memref.ViewOp):
                t = op.result.type
                nbytes = math.prod(t.get_shape()) * _elem_bytes(t.get_element_type())
                off = ints.get(op.byte_shift)
                if off is None:
                    raise UnsupportedOp("Triton target: memref.view with a dynamic offset")
                name = names.fresh(op.result.name_hint, "buf")
                optional.add(name)
                lines.append(f"    {name} = {expr[op.source]}[{off}:{off + nbytes}]"
                             f".view({ops.torch_dtype(t.get_element_type())})"
                             f"  # {_dtype_name(t.get_element_type())}[{_dims_str(t.get_shape())}]")
                expr[op.result] = name
            elif isinstance(op, _VIEW_OPS):
                expr[op.results[0]] = expr[op.operands[0]]  # same memory; layouts are in the kernels
            elif isinstance(op, memref.GetGlobalOp):
                gname = op.name_.root_reference.data
                name = names.fresh(gname, "cst")
                optional.add(name)
                lines.append(f"    {name} = consts[{gname!r}]")
                expr[op.memref] = name
            elif isinstance(op, memref.AllocOp):
                t = op.memref.type
                nbytes = math.prod(t.get_shape()) * _elem_bytes(t.get_element_type())
                name = names.fresh(op.memref.name_hint, "buf")
                lines.append(f"    {name} = torch.empty({max(nbytes, 1)}, dtype=torch.uint8, "
                             f"device=arena.device).view({ops.torch_dtype(t.get_element_type())})")
                expr[op.memref] = name
            elif isinstance(op, memref.DeallocOp):
                pass
            elif isinstance(op, func.CallOp):
                callee = op.callee.root_reference.data
                if callee not in self.parts:
                    raise UnsupportedOp(f"Triton target: the host calls @{callee}, which is not a kernel")
                info = self.infos[callee]
                args = [expr[a] for a in op.arguments]
                for p in info.params[len(op.arguments):]:
                    args.append(f"consts[{p.global_name!r}]")
                for part in self.parts[callee]:
                    lines.append(f"    launch({part.name!r}, {', '.join(args[i] for i in part.args)})")
            elif isinstance(op, func.ReturnOp):
                if op.operands:
                    raise UnsupportedOp("Triton target: the host returns values; run tfc-bufferize first")
            else:
                raise UnsupportedOp(f"Triton target: unsupported op {op.name} in the host")
        lines = _drop_unused(lines, optional)
        if len(lines) == len(doc) + 1:
            lines.append("    pass")
        return "\n".join(lines)


def _elem_bytes(t: Attribute) -> int:
    from tfc.passes.plan_memory import element_bytes

    return element_bytes(t)


def _constant_array(value: Attribute, t: MemRefType) -> np.ndarray:
    """A global's elements as a NumPy array in their storage dtype."""
    from tfc import dtypes

    elem = t.get_element_type()
    n = math.prod(t.get_shape())
    npd = dtypes.from_ir(elem).numpy
    if not isinstance(value, DenseIntOrFPElementsAttr):
        return np.zeros(n, dtype=npd)
    values = value.get_values()
    if npd == np.bool_:
        arr = np.array([bool(x) for x in values], dtype=np.bool_)
    else:
        arr = np.array(values, dtype=np.float64 if npd.kind in "fV" else np.int64).astype(npd)
    if arr.size == 1 and n != 1:
        arr = np.full(n, arr.reshape(-1)[0], dtype=arr.dtype)
    return arr.reshape(-1)
