"""Lower a contraction kernel (matmul, conv2d) to a blocked, packed GEMM (`buffers` -> `loops`).

Contract. Input: a kernel `func.func` at the `buffers` level (memrefs, static
shapes) holding a contraction `linalg.generic` -- two inputs, reduction
iterators, body `acc + a * b` (inputs may be extended from f16/bf16/f32) --
optionally preceded by the fill of its accumulator and followed by one
elementwise epilogue generic that reads the accumulator with the identity map
(bias, activation, residual, scaling, the cast back to a half type). Output:
the same function with every `linalg.generic` replaced by loops (`scf.parallel`
/ `scf.for`, `arith` index math, `memref.load` / `memref.store`) and calls to
micro-kernels `func.call @tfc_uk_<name>(...)`, private declarations with
`tfc.ukernel = "<name>"` whose C source is `tfc.codegen.c_ukernels.ukernel_source`.
Generics this lowering does not handle (integer contractions, degenerate
shapes, non-linear maps) go through the plain loop lowering instead.

The schedule (GotoBLAS / BLIS). The contraction is viewed as a GEMM
C[b][m, n] = sum_k A[b](m, k) * B[b](k, n): k are the reduction dimensions,
m the parallel dimensions read by the lhs only (matmul rows; a convolution's
(n, oh, ow)), n the innermost output dimension read by the rhs only, b the rest
(batch). A(m, k) and B(k, n) are read through the operands' indexing maps as
linear functions, so transposes, batch broadcasting and the im2col view of a
convolution window (n, oh*sh + kh*dh, ow*sw + kw*dw, ic) are all the same
case: the packing routine gathers them (implicit GEMM, no im2col buffer).

    scf.parallel t < T                          one iteration per thread
      for w = t; w < W; w += T                  work items: (batch, m chunk, n chunk)
        for jc < n_chunk step nc
          pack B(0:K, jc:jc+nc) -> Bp[t]        NR-column panels, zero padded
          for ic < m_chunk step mc
            for pc < K step kc
              [pack A(ic:ic+mc, pc:pc+kc) -> Ap[t]]  MR-row panels, unless read in place
              for jr < nc step NR
                for ir < mc step MR
                  gemm(d)_MRxNR(A, Bp, Cb[t])  registers; k0 == 0 overwrites
            epilogue over Cb[t][0:mc, 0:nc]    still in L2: acc (+ init) -> body -> outputs

A is read in place by the `gemmd` micro-kernel when its innermost k run has
unit stride and needs no conversion (a row-major matmul lhs, a conv window's
channels): with B packed and A streaming row by row from L2, that is as fast
as packed panels for wide B and much faster for narrow B (a conv with 32-64
output channels reuses each A panel only once or twice, so packing it would
cost a full extra pass over the im2col matrix). Otherwise A is packed.

The accumulator block Cb (mc x nc, f32 or f64) never aliases a kernel
argument, so the epilogue may write its outputs in place of any of its inputs.
Scratch: Ap, Bp and Cb are module-level uninitialised `memref.global`s (static
.bss arrays in C), one slice per worker t, so OpenMP threads never share one;
they are allocated once and reused across calls, and shared by all the
module's contraction kernels (which run one after another), sized for the
largest. (Like the arena, they make an executable non-reentrant: one call at
a time.)

Half types: f16/bf16 inputs are converted to f32 by the packing routines.
f64 uses the same schedule with half-width panels.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import (
    DYNAMIC_INDEX,
    ArrayAttr,
    BFloat16Type,
    DictionaryAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
    UnitAttr,
)
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.ir.affine import (
    AffineBinaryOpExpr,
    AffineBinaryOpKind,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineMap,
)
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from tfc.codegen.c_ukernels import (
    UKERNEL_ARGS,
    gemm_direct_name,
    gemm_name,
    pack_a_name,
    pack_b_name,
)
from tfc.passes.tile import host_isa  # one reading of /proc/cpuinfo for both passes

__all__ = [
    "LowerContractionPass",
    "default_schedule",
    "host_isa",
    "lower_contraction_kernel",
    "analyze",
]

UKERNEL_ATTR = "tfc.ukernel"

# Default blocking per instruction set, for f32 (f64 halves nr). mr x nr is the
# register block (AVX-512: 6 rows x 4 zmm = 24 accumulators + 4 B vectors + 1
# broadcast; 14 x 32 packs A about as fast, but 6 x 64 reads A in place at ~240
# GFLOP/s per Zen 5 core); kc x nr of B streams from L1/L2, mc x kc of A and the
# mc x nc accumulator block stay in L2, the packed B panel (K x nc) in L3.
_DEFAULTS = {
    "avx512": dict(mr=6, nr=64, mc=120, kc=384, nc=512),
    "avx2": dict(mr=6, nr=16, mc=120, kc=256, nc=512),
    "scalar": dict(mr=4, nr=8, mc=64, kc=128, nc=256),
}
# Below this many multiply-adds (~4 us on one core) the kernel runs on one
# thread: waking the OpenMP team costs about as much.
PARALLEL_MIN_MACS = 1 << 20
# Packed B (K x nc) above this many bytes per worker gets a smaller nc (not below
# nr). The packed panel is touched memory the program keeps (module scratch): 8 MiB
# per worker made a 4096^3 matmul hold 16 MiB more than NumPy; nc = 64..512
# measured the same GFLOP/s at 1024^3 and 4096^3 and on the MLP (A is read in
# place, so a narrower panel costs only more passes over A, which stream from L3).
PACKED_B_BUDGET = 512 << 10


def default_schedule(isa: str | None = None) -> dict:
    """The contraction entries of `tfc.schedule` for an ISA (default: this host's)."""
    isa = isa or host_isa()
    return {"isa": isa, **_DEFAULTS[isa]}


def _threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# ----------------------------------------------------------------------------
# Analysis: is this generic a GEMM, and how does it read its operands?


def _linear(expr: AffineExpr) -> tuple[dict[int, int], int] | None:
    """`expr` as (coefficient per dim, constant), or None if it is not linear."""
    if isinstance(expr, AffineDimExpr):
        return {expr.position: 1}, 0
    if isinstance(expr, AffineConstantExpr):
        return {}, expr.value
    if isinstance(expr, AffineBinaryOpExpr):
        lhs, rhs = _linear(expr.lhs), _linear(expr.rhs)
        if lhs is None or rhs is None:
            return None
        if expr.kind == AffineBinaryOpKind.Add:
            coef = dict(lhs[0])
            for d, c in rhs[0].items():
                coef[d] = coef.get(d, 0) + c
            return coef, lhs[1] + rhs[1]
        if expr.kind == AffineBinaryOpKind.Mul:
            if not rhs[0]:
                return {d: c * rhs[1] for d, c in lhs[0].items()}, lhs[1] * rhs[1]
            if not lhs[0]:
                return {d: c * lhs[1] for d, c in rhs[0].items()}, lhs[1] * rhs[1]
    return None


def _access(m: AffineMap, t: MemRefType) -> tuple[dict[int, int], int] | None:
    """Element offset of `t[m(dims)]` as (coefficient per dim, constant)."""
    from tfc.passes.bufferize import strides_of

    strides, offset = strides_of(t)
    coef: dict[int, int] = {}
    const = offset
    for e, s in zip(m.results, strides):
        lin = _linear(e)
        if lin is None:
            return None
        for d, c in lin[0].items():
            coef[d] = coef.get(d, 0) + c * s
        const += lin[1] * s
    return {d: c for d, c in coef.items() if c != 0}, const


def _uses(m: AffineMap) -> set[int]:
    used: set[int] = set()
    for e in m.results:
        used |= e.used_dims()
    return used


_DTYPE = {Float32Type: "f32", Float64Type: "f64", Float16Type: "f16", BFloat16Type: "bf16"}


def _dtype(t: Attribute) -> str | None:
    return _DTYPE.get(type(t))


@dataclass
class Gemm:
    """A contraction generic seen as a (batched) GEMM; see the module docstring."""

    op: linalg.GenericOp
    bounds: list[int]
    batch: list[int]          # loop dims, outermost first
    m: list[int]              # up to three, outermost first
    n: int
    k: list[int]              # up to three, outermost first (A's unit-stride dim last)
    a: tuple[dict[int, int], int]   # lhs element offset: coefficients, constant
    b: tuple[dict[int, int], int]   # rhs
    a_type: str               # storage types of lhs / rhs (f32, f64, f16, bf16)
    b_type: str
    acc_type: str             # f32 or f64
    # k as at most three (size, lhs coefficient, rhs coefficient) digits: adjacent k dims
    # that are contiguous in both operands merged (a conv's (kw, ic) when dw = 1).
    k_digits: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def lhs(self) -> SSAValue:
        return self.op.inputs[0]

    @property
    def rhs(self) -> SSAValue:
        return self.op.inputs[1]

    @property
    def acc(self) -> SSAValue:
        return self.op.outputs[0]

    def size(self, dims: Sequence[int]) -> int:
        n = 1
        for d in dims:
            n *= self.bounds[d]
        return n

    @property
    def sizes(self) -> tuple[int, int, int, int]:
        """(batch, M, N, K)."""
        return self.size(self.batch), self.size(self.m), self.bounds[self.n], self.size(self.k)


def _strip_ext(v: SSAValue) -> SSAValue:
    owner = v.owner
    if isinstance(owner, arith.ExtFOp) and isinstance(owner.input, SSAValue):
        return owner.input
    return v


def _is_mul_add(op: linalg.GenericOp) -> bool:
    """Body `yield out + in0 * in1` (either order), the inputs possibly extended."""
    block = op.body.block
    if len(block.args) != 3:
        return False
    x, y, c = block.args
    ops = list(block.ops)
    y_op = ops[-1]
    if not isinstance(y_op, linalg.YieldOp) or len(y_op.operands) != 1:
        return False
    add = y_op.operands[0].owner
    if not isinstance(add, arith.AddfOp):
        return False
    if add.lhs is c:
        prod = add.rhs
    elif add.rhs is c:
        prod = add.lhs
    else:
        return False
    mul = prod.owner
    if not isinstance(mul, arith.MulfOp):
        return False
    factors = {_strip_ext(mul.lhs), _strip_ext(mul.rhs)}
    if factors != {x, y}:
        return False
    allowed = {add, mul, y_op} | {o.owner for o in (mul.lhs, mul.rhs) if isinstance(o.owner, arith.ExtFOp)}
    return all(o in allowed for o in ops)


def analyze(op: Operation) -> Gemm | str:
    """The GEMM view of `op`, or a reason why it is not one this lowering handles."""
    if not isinstance(op, linalg.GenericOp):
        return "not a linalg.generic"
    kinds = [it.data.value for it in op.iterator_types]
    if "reduction" not in kinds:
        return "no reduction iterator"
    if len(op.inputs) != 2 or len(op.outputs) != 1:
        return "a contraction has two inputs and one output"
    types = [v.type for v in op.operands]
    if not all(isinstance(t, MemRefType) for t in types):
        return "operands must be memrefs (run tfc-bufferize first)"
    if not _is_mul_add(op):
        return "the body is not acc + a * b"
    a_t, b_t, c_t = (_dtype(t.get_element_type()) for t in types)
    if c_t not in ("f32", "f64") or a_t is None or b_t is None:
        return "integer or unsupported element types"
    maps = [m.data for m in op.indexing_maps]
    ndims = maps[0].num_dims
    bounds: list[int | None] = [None] * ndims
    for t, m in zip(types, maps):
        for e, s in zip(m.results, t.get_shape()):
            if isinstance(e, AffineDimExpr) and bounds[e.position] is None:
                bounds[e.position] = s
    if any(b is None or b < 0 for b in bounds):
        return "every loop dimension must index some operand directly"
    if any(b == 0 for b in bounds):
        return "empty iteration space"
    out_map = maps[2]
    if not all(isinstance(e, AffineDimExpr) for e in out_map.results):
        return "the output map must be a projection of the loop dims"
    out_dims = [e.position for e in out_map.results]
    parallel = [d for d, k in enumerate(kinds) if k == "parallel"]
    reduction = [d for d, k in enumerate(kinds) if k != "parallel"]
    if sorted(out_dims) != parallel:
        return "the output must be indexed by every parallel dim once"
    a_acc, b_acc = _access(maps[0], types[0]), _access(maps[1], types[1])
    if a_acc is None or b_acc is None:
        return "an input map is not linear"
    used_a, used_b = _uses(maps[0]), _uses(maps[1])
    if any(d not in used_a or d not in used_b for d in reduction):
        return "a reduction dim that only one input reads"
    n_cands = [d for d in out_dims if d in used_b and d not in used_a]
    m_cands = [d for d in out_dims if d in used_a and d not in used_b]
    if not n_cands or not m_cands:
        return "no m or no n dimension (matrix-vector product)"
    # n: the innermost output dim the rhs reads (its column); m: up to three lhs-only dims.
    n = n_cands[-1]
    m = m_cands[-3:]
    batch = [d for d in out_dims if d != n and d not in m]
    k = sorted(reduction, key=lambda d: -abs(a_acc[0].get(d, 0)))
    digits: list[tuple[int, int, int]] = []
    for d in k:
        size, ca, cb = bounds[d], a_acc[0].get(d, 0), b_acc[0].get(d, 0)
        if digits and digits[-1][1] == ca * size and digits[-1][2] == cb * size:
            outer = digits.pop()
            digits.append((outer[0] * size, ca, cb))
        else:
            digits.append((size, ca, cb))  # type: ignore[arg-type]
    if len(digits) > 3:
        return "more than three reduction dims that do not merge"
    return Gemm(op, bounds, batch, m, n, k, a_acc, b_acc, a_t, b_t, c_t,  # type: ignore[arg-type]
                digits)


# ----------------------------------------------------------------------------
# The kernel's pieces: fill, contraction, epilogue


def _fill_value(op: Operation, acc: SSAValue) -> float | None:
    """The constant `op` fills `acc` with, if it is such a fill."""
    if not isinstance(op, linalg.GenericOp) or op.inputs or len(op.outputs) != 1:
        return None
    if op.outputs[0] is not acc:
        return None
    if any(it.data.value != "parallel" for it in op.iterator_types):
        return None
    if op.indexing_maps.data[0].data != AffineMap.identity(len(op.iterator_types)):
        return None
    y = op.body.block.last_op
    if not isinstance(y, linalg.YieldOp) or len(y.operands) != 1:
        return None
    c = y.operands[0].owner
    if isinstance(c, arith.ConstantOp) and isinstance(c.value, FloatAttr):
        return c.value.value.data
    return None


def _touches(op: Operation, v: SSAValue) -> bool:
    return any(operand is v for o in op.walk() for operand in o.operands)


_PURE = (arith.ConstantOp, memref.ViewOp, memref.SubviewOp, memref.GetGlobalOp,
         memref.CollapseShapeOp, memref.ExpandShapeOp, memref.CastOp)


def _epilogue(g: Gemm, ops: list[Operation]) -> linalg.GenericOp | None:
    """The elementwise generic right after the contraction that reads its accumulator."""
    start = ops.index(g.op) + 1
    for op in ops[start:]:
        if isinstance(op, _PURE):
            continue
        if not isinstance(op, linalg.GenericOp):
            return None
        rank = len(g.acc.type.get_shape())
        ident = AffineMap.identity(rank)
        maps = [m.data for m in op.indexing_maps]
        if any(it.data.value != "parallel" for it in op.iterator_types) or maps[0].num_dims != rank:
            return None
        reads = [i for i, v in enumerate(op.inputs) if v is g.acc]
        if not reads or any(maps[i] != ident for i in reads):
            return None
        if any(v is g.acc and maps[len(op.inputs) + j] != ident for j, v in enumerate(op.outputs)):
            return None
        if any(not isinstance(v.type, MemRefType) for v in op.operands):
            return None
        # Other reads must not see a half-written accumulator.
        body_ops = list(op.body.block.ops)
        if any(_touches(o, g.acc) for o in body_ops):
            return None
        return op
    return None


def _needs_acc_store(g: Gemm, kernel: func.FuncOp, fused: set[Operation]) -> bool:
    """Does anyone but the fused ops read the accumulator buffer afterwards?"""
    acc = g.acc
    if any(use.operation not in fused and not isinstance(use.operation, memref.DeallocOp)
           for use in acc.uses):
        return True
    arg_index = next((i for i, a in enumerate(kernel.body.block.args) if a is acc), None)
    if arg_index is None:
        return False
    return not _dead_after_calls(kernel, arg_index)


def _dead_after_calls(kernel: func.FuncOp, index: int) -> bool:
    """True if at every call site the buffer passed as argument `index` is used
    by nothing but that call (an arena slot nobody reads afterwards)."""
    module = kernel.parent_op()
    if not isinstance(module, ModuleOp):
        return False
    name = kernel.sym_name.data
    calls = [o for o in module.walk() if isinstance(o, func.CallOp)
             and o.callee.root_reference.data == name]
    if not calls:
        return False
    for call in calls:
        v = call.arguments[index]
        if not isinstance(v.owner, memref.ViewOp | memref.AllocOp):
            return False
        if any(use.operation is not call and not isinstance(use.operation, memref.DeallocOp)
               for use in v.uses):
            return False
    return True


# ----------------------------------------------------------------------------
# IR building


Val = int | SSAValue


class _Builder:
    """Inserts ops at a moving point; folds index arithmetic on Python ints."""

    def __init__(self, kernel: func.FuncOp, point: InsertPoint):
        self.kernel = kernel
        self.point = point
        self.consts: dict[tuple[int, str], SSAValue] = {}
        self.casts: dict[SSAValue, SSAValue] = {}
        self.entry = kernel.body.block
        self.prologue: Operation | None = None   # last op of the prologue at the function entry

    def at_entry(self, *ops: Operation) -> None:
        """Append `ops` to the prologue (constants, scratch buffers, pointer casts)."""
        point = (InsertPoint.after(self.prologue) if self.prologue is not None
                 else InsertPoint.at_start(self.entry))
        Rewriter.insert_op(list(ops), point)
        self.prologue = ops[-1]

    def insert(self, op: Operation) -> Operation:
        Rewriter.insert_op(op, self.point)
        return op

    def v(self, x: Val) -> SSAValue:
        if isinstance(x, SSAValue):
            return x
        key = (x, "index")
        if key not in self.consts:
            c = arith.ConstantOp(IntegerAttr.from_index_int_value(x))
            c.result.name_hint = f"c{x}" if x >= 0 else f"c_neg{-x}"
            self.at_entry(c)
            self.consts[key] = c.result
        return self.consts[key]

    def _bin(self, cls, a: Val, b: Val, hint: str | None = None) -> SSAValue:
        r = self.insert(cls(self.v(a), self.v(b))).results[0]
        if hint:
            r.name_hint = hint
        return r

    def add(self, a: Val, b: Val, hint: str | None = None) -> Val:
        if isinstance(a, int) and isinstance(b, int):
            return a + b
        if b == 0:
            return a
        if a == 0:
            return b
        return self._bin(arith.AddiOp, a, b, hint)

    def mul(self, a: Val, b: Val, hint: str | None = None) -> Val:
        if isinstance(a, int) and isinstance(b, int):
            return a * b
        if b == 1:
            return a
        if a == 1:
            return b
        if a == 0 or b == 0:
            return 0
        return self._bin(arith.MuliOp, a, b, hint)

    def sub(self, a: Val, b: Val, hint: str | None = None) -> Val:
        if isinstance(a, int) and isinstance(b, int):
            return a - b
        if b == 0:
            return a
        return self._bin(arith.SubiOp, a, b, hint)

    def min(self, a: Val, b: Val, hint: str | None = None) -> Val:
        if isinstance(a, int) and isinstance(b, int):
            return min(a, b)
        return self._bin(arith.MinSIOp, a, b, hint)

    def div(self, a: Val, b: int, hint: str | None = None) -> Val:
        if isinstance(a, int):
            return a // b
        if b == 1:
            return a
        return self._bin(arith.DivSIOp, a, b, hint)

    def rem(self, a: Val, b: int, hint: str | None = None) -> Val:
        if isinstance(a, int):
            return a % b
        if b == 1:
            return 0
        return self._bin(arith.RemSIOp, a, b, hint)

    def linear(self, coef: dict[int, int], const: int, dims: dict[int, Val]) -> Val:
        total: Val = const
        for d, c in sorted(coef.items()):
            if d in dims:
                total = self.add(total, self.mul(dims[d], c))
        return total

    def split(self, x: Val, sizes: Sequence[int], names: Sequence[str]) -> list[Val]:
        """Row-major digits of `x` (0 <= x < prod(sizes)) over `sizes`."""
        out: list[Val] = []
        bound = 1
        for s_ in sizes:
            bound *= s_
        for k in range(len(sizes) - 1, 0, -1):
            if bound <= sizes[k]:          # x < sizes[k]: x is this digit, the rest are 0
                out.append(x)
                x, bound = 0, 1
                continue
            out.append(self.rem(x, sizes[k], names[k]))
            x = self.div(x, sizes[k])
            bound = -(-bound // sizes[k])
        if isinstance(x, SSAValue) and not x.name_hint:
            x.name_hint = names[0]
        out.append(x)
        return out[::-1]

    def loop(self, lb: Val, ub: Val, step: Val, name: str) -> tuple[SSAValue, InsertPoint]:
        """Open `scf.for`; returns its induction variable and the point after the loop."""
        body = Block(arg_types=[IndexType()])
        body.args[0].name_hint = name
        body.add_op(scf.YieldOp())
        loop = self.insert(scf.ForOp(self.v(lb), self.v(ub), self.v(step), [], body))
        after = InsertPoint.after(loop)
        self.point = InsertPoint.before(body.last_op)
        return body.args[0], after

    def parallel(self, ub: int, name: str) -> tuple[SSAValue, InsertPoint]:
        body = Block(arg_types=[IndexType()])
        body.args[0].name_hint = name
        body.add_op(scf.ReduceOp())
        par = self.insert(scf.ParallelOp([self.v(0)], [self.v(ub)], [self.v(1)], Region(body)))
        after = InsertPoint.after(par)
        self.point = InsertPoint.before(body.last_op)
        return body.args[0], after

    def flat(self, ref: SSAValue) -> SSAValue:
        """`ref` as a 1-D `memref<?xT>` from its base pointer (what a micro-kernel takes)."""
        from tfc.passes.bufferize import strides_of

        if ref not in self.casts:
            t = ref.type
            assert isinstance(t, MemRefType)
            strides, offset = strides_of(t)
            span = offset + 1 + sum((d - 1) * s for d, s in zip(t.get_shape(), strides))
            elem = t.get_element_type()
            hint = ref.name_hint or "buf"
            ops: list[Operation] = []
            flat = ref
            if list(t.get_shape()) != [span] or strides != [1] or offset:
                rc = memref.ReinterpretCastOp(ref, [], [], [], [0], [span], [1], MemRefType(elem, [span]))
                rc.results[0].name_hint = hint + "_flat"
                ops.append(rc)
                flat = rc.results[0]
            cast = memref.CastOp.get(flat, MemRefType(elem, [DYNAMIC_INDEX]))
            cast.results[0].name_hint = hint + "_ptr"
            ops.append(cast)
            # In the prologue, or right after the definition of a value made in the body.
            owner = ref.owner
            if isinstance(owner, Operation) and owner.parent_block() is self.entry \
                    and not (self.prologue is not None and self._in_prologue(owner)):
                Rewriter.insert_op(ops, InsertPoint.after(owner))
            else:
                self.at_entry(*ops)
            self.casts[ref] = cast.results[0]
        return self.casts[ref]

    def _in_prologue(self, op: Operation) -> bool:
        o = self.entry.first_op
        while o is not None:
            if o is op:
                return True
            if o is self.prologue:
                return False
            o = o.next_op
        return False

    def call(self, name: str, kind: str, args: Sequence[Val | SSAValue]) -> None:
        operands: list[SSAValue] = []
        for a in args:
            if isinstance(a, SSAValue) and isinstance(a.type, MemRefType):
                operands.append(self.flat(a))
            else:
                operands.append(self.v(a))
        sym = f"tfc_uk_{name}"
        _declare(self.kernel, sym, name, kind, [o.type for o in operands])
        self.insert(func.CallOp(sym, operands, []))


def _declare(kernel: func.FuncOp, sym: str, name: str, kind: str, types: list[Attribute]) -> None:
    module = kernel.parent_op()
    assert isinstance(module, ModuleOp)
    for op in module.ops:
        if isinstance(op, func.FuncOp) and op.sym_name.data == sym:
            return
    decl = func.FuncOp.external(sym, types, [])
    decl.attributes[UKERNEL_ATTR] = StringAttr(name)
    decl.attributes["tfc.ukernel_args"] = ArrayAttr([StringAttr(a) for a in UKERNEL_ARGS[kind]])
    module.body.block.insert_op_before(decl, kernel)


def _scratch(kernel: func.FuncOp, role: str, elem: Attribute, size: int, b: _Builder,
             module_need: dict[str, int]) -> SSAValue:
    """The module's shared scratch buffer `@tfc_contraction_<role>_<type>` (1-D, at
    least `size` elements) and its get_global in the kernel.

    Kernels run one after another, so all contraction kernels of a module share
    one buffer per role, sized for the largest (`module_need`); a kernel that
    does not fit (lowered into a module whose other kernels were not seen
    first) gets its own."""
    module = kernel.parent_op()
    assert isinstance(module, ModuleOp)
    name = f"tfc_contraction_{role}_{_dtype(elem)}"
    globs = {op.sym_name.data: op for op in module.ops if isinstance(op, memref.GlobalOp)}
    glob = globs.get(name)
    if glob is not None and glob.type.get_shape()[0] < size:
        name = f"{kernel.sym_name.data}_{role}"
        glob = globs.get(name)
    if glob is None:
        total = max(size, module_need.get(f"{role}_{_dtype(elem)}", 0)) if name.startswith("tfc_") else size
        t = MemRefType(elem, [total])
        glob = memref.GlobalOp.get(StringAttr(name), t, UnitAttr(), StringAttr("private"),
                                   alignment=64)
        first = next((op for op in module.ops if isinstance(op, func.FuncOp)), None)
        if first is not None:
            module.body.block.insert_op_before(glob, first)
        else:
            module.body.block.add_op(glob)
    get = memref.GetGlobalOp(name, glob.type)
    b.at_entry(get)
    get.results[0].name_hint = role
    return get.results[0]


def _scratch_sizes(g: Gemm, p: "Plan") -> dict[str, int]:
    """Elements of each scratch buffer a contraction needs (all workers)."""
    _, _, _, K = g.sizes
    mcp, ncp = _round_up(p.mc, p.mr), _round_up(p.nc, p.nr)
    sizes = {"packed_b": p.threads * K * ncp, "acc_block": p.threads * mcp * ncp}
    if not p.direct:
        sizes["packed_a"] = p.threads * mcp * p.kc
    return sizes


def _module_scratch_need(kernel: func.FuncOp, overrides: dict) -> dict[str, int]:
    """The largest scratch each role needs over the module's contraction kernels
    not lowered yet (key: role_type)."""
    module = kernel.parent_op()
    need: dict[str, int] = {}
    if not isinstance(module, ModuleOp):
        return need
    for f in module.ops:
        if not isinstance(f, func.FuncOp) or f.is_declaration or "tfc.kernel" not in f.attributes:
            continue
        for op in f.body.block.ops:
            g = analyze(op)
            if isinstance(g, Gemm):
                plan = make_plan(g, {**_schedule_of(f), **overrides}, frozenset(overrides))
                for role, n in _scratch_sizes(g, plan).items():
                    key = f"{role}_{g.acc_type}"
                    need[key] = max(need.get(key, 0), n)
                break
    return need


# ----------------------------------------------------------------------------
# The lowering


@dataclass
class Plan:
    """Block sizes and the work split for one contraction."""

    mr: int
    nr: int
    mc: int
    nc: int
    kc: int
    threads: int
    m_chunk: int      # rows per work item
    n_chunk: int      # columns per work item
    isa: str = "avx512"
    direct: bool = False  # A read in place by the micro-kernel (no packed A)


def _round_up(x: int, m: int) -> int:
    return -(-x // m) * m


def make_plan(g: Gemm, schedule: dict, fixed: frozenset[str] = frozenset()) -> Plan:
    """Block sizes for `g` from `schedule`; keys in `fixed` (pass options) are used as given."""
    bt, M, N, K = g.sizes
    isa = str(schedule.get("isa") or host_isa())
    d = _DEFAULTS.get(isa, _DEFAULTS["scalar"])
    mr, nr = int(schedule.get("mr", d["mr"])), int(schedule.get("nr", d["nr"]))
    mc, kc, nc = (int(schedule.get(k, d[k])) for k in ("mc", "kc", "nc"))
    lanes = {"avx512": 16, "avx2": 8}.get(isa, 1)
    if g.acc_type == "f64" and nr % 2 == 0 and (nr // 2) % max(1, lanes // 2) == 0:
        nr //= 2   # same registers, half the lanes per vector
        lanes //= 2
    # Narrow problems get a narrower, taller register block instead of padding.
    while N <= nr // 2 and (nr // 2) % max(1, lanes) == 0:
        nr //= 2
        mr = min(2 * mr, 14)
    mr = max(1, min(mr, M))
    # A is read in place when its k run is contiguous and needs no conversion:
    # packing it would only copy it (see c_ukernels.gemmd_*).
    direct = (not int(schedule.get("pack_a", 0)) and g.a_type == g.acc_type
              and g.k_digits[-1][1] == 1)
    threads = int(schedule.get("threads", _threads()))
    if bt * M * N * K < int(schedule.get("min_parallel_macs", PARALLEL_MIN_MACS)):
        threads = 1
    # Work split: whole matrices when the batch divides evenly, else parts of n
    # (each thread packs its own columns of B; A is read, or packed, by all) or
    # of m (each thread packs all of B). With A read in place nothing is copied
    # twice when n is split, so n is split whenever it is wide enough; with A
    # packed, the larger side is split (the smaller copy is the repeated one).
    m_chunk, n_chunk = M, N
    if threads > 1 and not (bt % threads == 0 or bt >= 4 * threads):
        # (A split of n into NR-wide panels may be lopsided: N = 200 in 2 is 128 + 72.)
        n_even = _round_up(-(-N // threads), nr) * threads <= 1.15 * N
        split_m = M >= N if not direct else not (N >= threads * nr and n_even)
        if split_m and M >= 2 * mr:
            m_chunk = _round_up(-(-M // threads), mr)
        elif N >= 2 * nr:
            n_chunk = _round_up(-(-N // threads), nr)
        elif M >= 2 * mr:
            m_chunk = _round_up(-(-M // threads), mr)
    # A ragged last panel is padding the micro-kernel computes: N = 257 in 64-wide
    # panels is 25% waste, in 32-wide ones 12%.
    while (_round_up(n_chunk, nr) > 1.2 * n_chunk and (nr // 2) % max(1, lanes) == 0
           and nr // 2 >= lanes and "nr" not in fixed):
        nr //= 2
        mr = max(1, min(2 * mr, 14, M))
    acc_bytes = 4 if g.acc_type == "f32" else 8
    while nc > nr and K * nc * acc_bytes > PACKED_B_BUDGET:
        nc //= 2
    # Equal blocks rather than full ones and a sliver: K = 784 with kc = 384
    # runs 2 x 392, not 384 + 384 + 16.
    mc = _balanced(m_chunk, mc, mr)
    nc = _balanced(n_chunk, nc, nr)
    kc = _balanced(K, kc, 1)
    return Plan(mr, nr, mc, nc, kc, threads, m_chunk, n_chunk, isa, direct)


def _balanced(total: int, block: int, unit: int) -> int:
    """The block size (a multiple of `unit`) that covers `total` in as few
    blocks of at most about `block` as possible, all about equal."""
    block = max(unit, _round_up(block, unit) if block % unit else block)
    count = -(-total // block)
    return max(unit, _round_up(-(-total // count), unit))


def _geometry(dims: Sequence[int], coef: dict[int, int], bounds: Sequence[int]) -> list[int]:
    """(s1, s2, c0, c1, c2) for up to three dims, outermost first (see c_ukernels)."""
    dims = list(dims)
    sizes = [1] * (3 - len(dims)) + [bounds[d] for d in dims]
    coefs = [0] * (3 - len(dims)) + [coef.get(d, 0) for d in dims]
    return [sizes[1], sizes[2], *coefs]


def _digits_geometry(digits: Sequence[tuple[int, int]]) -> list[int]:
    """(s1, s2, c0, c1, c2) for up to three (size, coefficient) digits, outermost first."""
    digits = [(1, 0)] * (3 - len(digits)) + list(digits)
    return [digits[1][0], digits[2][0], digits[0][1], digits[1][1], digits[2][1]]


def _lower_gemm(kernel: func.FuncOp, g: Gemm, plan: Plan, fill: float | None,
                epi: linalg.GenericOp | None, store_acc: bool, point: Operation,
                module_need: dict[str, int]) -> None:
    bt, M, N, K = g.sizes
    p = plan
    acc_elem = g.acc.type.get_element_type()
    mcp, ncp = _round_up(p.mc, p.mr), _round_up(p.nc, p.nr)
    T = p.threads
    n_m, n_n = -(-M // p.m_chunk), -(-N // p.n_chunk)
    work = bt * n_m * n_n

    b = _Builder(kernel, InsertPoint.before(point))
    sizes = _scratch_sizes(g, p)
    ap = None if p.direct else _scratch(kernel, "packed_a", acc_elem, sizes["packed_a"], b, module_need)
    bp = _scratch(kernel, "packed_b", acc_elem, sizes["packed_b"], b, module_need)
    cb = _scratch(kernel, "acc_block", acc_elem, sizes["acc_block"], b, module_need)
    b.point = InsertPoint.before(point)

    bounds = g.bounds
    a_geom_m = _geometry(g.m, g.a[0], bounds)
    a_geom_k = _digits_geometry([(size, ca) for size, ca, _ in g.k_digits])
    b_geom_k = _digits_geometry([(size, cb) for size, _, cb in g.k_digits])
    b_geom_n = _geometry([g.n], g.b[0], bounds)
    pack_a = pack_a_name(g.a_type, g.acc_type, p.mr)
    pack_b = pack_b_name(g.b_type, g.acc_type, p.nr)
    gemm = (gemm_direct_name if p.direct else gemm_name)(g.acc_type, p.mr, p.nr)

    t = b.parallel(T, "t")[0] if T > 1 else None
    t_val: Val = t if t is not None else 0
    if work == T:      # one work item per worker
        w: Val = t_val
    else:
        w, _ = b.loop(t_val, work, T, "w")
    wb, wm, wn = b.split(w, [bt, n_m, n_n], ["wb", "wm", "wn"])
    m_lo = b.mul(wm, p.m_chunk, "m_lo")
    m_hi = b.min(b.add(m_lo, p.m_chunk), M, "m_hi") if n_m > 1 else M
    n_lo = b.mul(wn, p.n_chunk, "n_lo")
    n_hi = b.min(b.add(n_lo, p.n_chunk), N, "n_hi") if n_n > 1 else N
    dims: dict[int, Val] = {}
    if g.batch:
        for d, v in zip(g.batch, b.split(wb, [bounds[d] for d in g.batch],
                                         [f"b{i}" for i in range(len(g.batch))])):
            dims[d] = v
    a_off = b.linear(g.a[0], g.a[1], {d: dims[d] for d in g.batch})
    b_off = b.linear(g.b[0], g.b[1], {d: dims[d] for d in g.batch})
    ap_off = b.mul(t_val, mcp * p.kc, "ap_off") if not p.direct else 0
    bp_off = b.mul(t_val, K * ncp, "bp_off")
    cb_off = b.mul(t_val, mcp * ncp, "cb_off")

    # for jc: pack B(0:K, jc:jc+nc)
    jc, _ = b.loop(n_lo, n_hi, p.nc, "jc")
    nc_eff = b.min(b.sub(n_hi, jc), p.nc, "nc_eff")
    b.call(pack_b, "pack", [g.rhs, b_off, 0, K, jc, nc_eff, *b_geom_k, *b_geom_n, bp, bp_off, K * p.nr])
    ic, _ = b.loop(m_lo, m_hi, p.mc, "ic")
    mc_eff = b.min(b.sub(m_hi, ic), p.mc, "mc_eff")
    pc, after_pc = b.loop(0, K, p.kc, "pc")
    kc_eff = b.min(b.sub(K, pc), p.kc, "kc_eff") if K % p.kc else p.kc
    if not p.direct:
        b.call(pack_a, "pack", [g.lhs, a_off, ic, mc_eff, pc, kc_eff, *a_geom_m, *a_geom_k, ap, ap_off, 0])
    jr, _ = b.loop(0, nc_eff, p.nr, "jr")
    b_panel = b.add(b.add(bp_off, b.mul(jr, K)), b.mul(pc, p.nr), "b_panel")
    ir, _ = b.loop(0, mc_eff, p.mr, "ir")
    c_tile = b.add(b.add(cb_off, b.mul(ir, ncp)), jr, "c_tile")
    if p.direct:
        b.call(gemm, "gemmd", [kc_eff, g.lhs, a_off, b.add(ic, ir, "m_tile"),
                               b.sub(mc_eff, ir, "m_left"), pc,
                               *a_geom_m, *a_geom_k, bp, b_panel, cb, c_tile, ncp, 0])
    else:
        a_panel = b.add(ap_off, b.mul(ir, kc_eff), "a_panel")
        b.call(gemm, "gemm", [kc_eff, ap, a_panel, bp, b_panel, cb, c_tile, ncp, pc])
    b.point = after_pc

    # The epilogue, over the finished mc x nc block.
    i, _ = b.loop(0, mc_eff, 1, "i")
    m_val = b.add(ic, i, "m")
    for d, v in zip(g.m, b.split(m_val, [bounds[d] for d in g.m], [f"m{k}" for k in range(len(g.m))])):
        dims[d] = v
    j, _ = b.loop(0, nc_eff, 1, "j")
    dims[g.n] = b.add(jc, j, "n")
    acc_at = b.add(b.add(cb_off, b.mul(i, ncp)), j, "acc_at")
    _emit_epilogue(b, g, dims, acc_at, cb, fill, epi, store_acc)



def _emit_epilogue(b: _Builder, g: Gemm, dims: dict[int, Val], acc_at: Val, cb: SSAValue,
                   fill: float | None, epi: linalg.GenericOp | None, store_acc: bool) -> None:
    out_map = g.op.indexing_maps.data[2].data
    out_dims = [e.position for e in out_map.results]  # type: ignore[union-attr]
    acc_idx = [b.v(dims[d]) for d in out_dims]
    load = b.insert(memref.LoadOp.get(cb, [b.v(acc_at)]))
    acc_v: SSAValue = load.results[0]
    acc_v.name_hint = "acc"
    elem = g.acc.type.get_element_type()
    if fill is None:
        init = b.insert(memref.LoadOp.get(g.acc, acc_idx)).results[0]
        init.name_hint = "init"
        acc_v = b.insert(arith.AddfOp(init, acc_v)).results[0]
    elif fill != 0.0:
        c = b.insert(arith.ConstantOp(FloatAttr(fill, elem))).results[0]
        acc_v = b.insert(arith.AddfOp(c, acc_v)).results[0]
    if store_acc or epi is None:
        b.insert(memref.StoreOp.get(acc_v, g.acc, acc_idx))
    if epi is None:
        return
    # The epilogue's loop dim p is the contraction's dim out_dims[p].
    ev = [dims[d] for d in out_dims]
    maps = [m.data for m in epi.indexing_maps]
    body = epi.body.block
    n_in = len(epi.inputs)
    mapping: dict[SSAValue, SSAValue] = {}
    for k, (v, arg) in enumerate(zip(epi.operands, body.args)):
        if not arg.uses:
            continue
        if v is g.acc and k < n_in:
            mapping[arg] = acc_v
            continue
        idx = [b.v(_affine(b, e, ev)) for e in maps[k].results]
        ld = b.insert(memref.LoadOp.get(v, idx))
        ld.results[0].name_hint = arg.name_hint or (v.name_hint and v.name_hint + "_val")
        mapping[arg] = ld.results[0]
    for op in body.ops:
        if isinstance(op, linalg.YieldOp):
            for k, (val, out) in enumerate(zip(op.operands, epi.outputs)):
                idx = [b.v(_affine(b, e, ev)) for e in maps[n_in + k].results]
                b.insert(memref.StoreOp.get(mapping.get(val, val), out, idx))
        elif isinstance(op, linalg.IndexOp):
            mapping[op.result] = b.v(ev[op.dim.value.data])
        else:
            b.insert(op.clone(value_mapper=mapping))


def _affine(b: _Builder, e: AffineExpr, dims: Sequence[Val]) -> Val:
    if isinstance(e, AffineDimExpr):
        return dims[e.position]
    if isinstance(e, AffineConstantExpr):
        return e.value
    if isinstance(e, AffineBinaryOpExpr):
        lhs, rhs = _affine(b, e.lhs, dims), _affine(b, e.rhs, dims)
        if e.kind == AffineBinaryOpKind.Add:
            return b.add(lhs, rhs)
        if e.kind == AffineBinaryOpKind.Mul:
            return b.mul(lhs, rhs)
        if isinstance(rhs, int) and e.kind == AffineBinaryOpKind.Mod:
            return b.rem(lhs, rhs)
        if isinstance(rhs, int) and e.kind == AffineBinaryOpKind.FloorDiv:
            return b.div(lhs, rhs)
    raise NotImplementedError(f"tfc-lower-contraction: affine expression {e}")


def _schedule_of(kernel: func.FuncOp) -> dict:
    attr = kernel.attributes.get("tfc.schedule")
    out: dict = {}
    if isinstance(attr, DictionaryAttr):
        for k, v in attr.data.items():
            if isinstance(v, IntegerAttr):
                out[k] = v.value.data
            elif isinstance(v, StringAttr):
                out[k] = v.data
    return out


def lower_contraction_kernel(kernel: func.FuncOp, overrides: dict | None = None) -> None:
    """Lower every linalg.generic of `kernel` to loops: its contraction as a
    blocked, packed GEMM with the fill and the epilogue fused (see the module
    docstring), anything else with the plain loop lowering."""
    from tfc.passes.lower_to_loops import lower_generic

    schedule = {**_schedule_of(kernel), **(overrides or {})}
    generics = [op for op in kernel.body.block.ops if isinstance(op, linalg.GenericOp)]
    ops = list(kernel.body.block.ops)
    gemm: Gemm | None = None
    for op in generics:
        r = analyze(op)
        if isinstance(r, Gemm):
            gemm = r
            break
    if gemm is None:
        for op in generics:
            lower_generic(op)
        return
    g = gemm
    # The fill: the last generic before the contraction that overwrites its
    # accumulator with a constant, with nothing in between touching it.
    fill_op, fill = None, None
    pos = ops.index(g.op)
    for op in reversed(ops[:pos]):
        value = _fill_value(op, g.acc)
        if value is not None:
            fill_op, fill = op, value
            break
        if _touches(op, g.acc):
            break
    epi = _epilogue(g, ops)
    fused: set[Operation] = {g.op} | {o for o in (fill_op, epi) if o is not None}
    # An epilogue writing in place over the accumulator supersedes storing it.
    store_acc = _needs_acc_store(g, kernel, fused) and not (
        epi is not None and any(v is g.acc for v in epi.outputs))
    plan = make_plan(g, schedule, frozenset(overrides or {}))
    # Generics before the fused group run first, those after it run after.
    first = fill_op or g.op
    for op in ops[: ops.index(first)]:
        if isinstance(op, linalg.GenericOp):
            lower_generic(op)
    anchor = epi or g.op
    need = _module_scratch_need(kernel, overrides or {})
    _lower_gemm(kernel, g, plan, fill, epi, store_acc, anchor, need)
    for op in (fill_op, g.op, epi):
        if op is not None:
            op.detach()
            op.erase()
    for op in list(kernel.body.block.ops):
        if isinstance(op, linalg.GenericOp):
            lower_generic(op)
    _drop_dead_alloc(g.acc)


def _drop_dead_alloc(acc: SSAValue) -> None:
    owner = acc.owner
    if isinstance(owner, memref.AllocOp | memref.AllocaOp):
        if all(isinstance(u.operation, memref.DeallocOp) for u in acc.uses):
            for u in list(acc.uses):
                u.operation.detach()
                u.operation.erase()
            owner.detach()
            owner.erase()


def _is_contraction_kernel(f: func.FuncOp) -> bool:
    kind = f.attributes.get("tfc.kernel_kind")
    if isinstance(kind, StringAttr):
        return kind.data == "contraction"
    return any(isinstance(analyze(op), Gemm) for op in f.body.block.ops)


@dataclass(frozen=True)
class LowerContractionPass(ModulePass):
    """Lower contraction kernels to blocked GEMM loops + micro-kernel calls (`buffers` -> `loops` for those kernels).

    Expects the `buffers` level. Each kernel func whose `tfc.kernel_kind` is
    "contraction" (or, without that attribute, that holds a matmul/conv
    generic) is lowered by `lower_contraction_kernel`; other kernels are left
    for tfc-lower-to-loops. Options override the kernel's `tfc.schedule`
    (mr, nr, mc, nc, kc, isa, threads; pack_a=1 packs A even where the
    micro-kernel could read it in place); 0 / "" keep it. min_parallel_macs:
    below this many multiply-adds one thread does all (default 2^20).
    """

    name = "tfc-lower-contraction"

    mr: int = 0
    nr: int = 0
    mc: int = 0
    nc: int = 0
    kc: int = 0
    threads: int = 0
    isa: str = ""
    pack_a: int = 0
    min_parallel_macs: int = -1

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        overrides = {k: getattr(self, k) for k in ("mr", "nr", "mc", "nc", "kc", "threads", "isa",
                                                   "pack_a") if getattr(self, k)}
        if self.min_parallel_macs >= 0:
            overrides["min_parallel_macs"] = self.min_parallel_macs
        for f in [o for o in op.ops if isinstance(o, func.FuncOp)]:
            if "tfc.kernel" in f.attributes and not f.is_declaration and _is_contraction_kernel(f):
                lower_contraction_kernel(f, overrides)
