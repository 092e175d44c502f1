"""The dialects tfc uses: its own `tfc` dialect plus the upstream ones each level is built from."""

from __future__ import annotations

from xdsl.context import Context


def upstream_dialects():
    from xdsl.dialects import arith, builtin, func, linalg, math, memref, scf, tensor

    return [builtin.Builtin, func.Func, arith.Arith, math.Math, linalg.Linalg,
            tensor.Tensor, memref.MemRef, scf.Scf]


def make_context() -> Context:
    """A context that can parse IR of every tfc level."""
    from tfc.dialects import xdsl_fixes
    from tfc.dialects.tfc import TFC

    xdsl_fixes.apply()
    ctx = Context()
    for dialect in upstream_dialects():
        ctx.load_dialect(dialect)
    ctx.load_dialect(TFC)
    return ctx
