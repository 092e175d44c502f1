"""What a generic's body computes, for the kernel kinds that need to know: how each
output of a reduction combines (an associative combiner makes a row reduction;
anything else a sequential one), and whether it is a `tl.dot` contraction
(`acc + a * b` over floats: matmul, batched matmul, conv2d as implicit GEMM).
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import arith
from xdsl.ir import Operation, SSAValue
from xdsl.ir.affine import AffineDimExpr

from tfc.codegen.triton import scalar_ops as ops
from tfc.codegen.triton.kernel_info import _Gen
from tfc.codegen.triton.source_text import _dtype_name


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
