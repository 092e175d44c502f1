"""tfc-decompose: rewrite composite tfc ops (softmax, layer_norm, gelu, ...) into primitive ones.

Expects: tfc-level IR. Produces: tfc-level IR in which every op has a
`lower` to linalg. Each composite's rule is its op class's `decompose`,
written with the same op functions users call, so eager, traced and compiled
code share one definition. Decomposed ops keep the original op's location.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from tfc.ops.base import TfcOp
from tfc.tracing import Symbolic, Trace


def decompose_op(op: TfcOp) -> None:
    """Replace one composite op by its decomposition, in place."""
    trace = Trace(InsertPoint.before(op), location=op.location)
    inputs = [Symbolic(v, trace) for v in op.operands]
    outs = type(op).decompose(op.py_attrs(), *inputs)
    outs = outs if isinstance(outs, tuple) else (outs,)
    Rewriter.replace_op(op, [], [o.value for o in outs])


@dataclass(frozen=True)
class TfcDecomposePass(ModulePass):
    """Rewrite every tfc op that has a `decompose` rule, until none is left."""

    name = "tfc-decompose"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        changed = True
        while changed:  # a decomposition may itself produce composite ops
            changed = False
            for inner in list(op.walk()):
                if isinstance(inner, TfcOp) and type(inner).decompose is not None:
                    decompose_op(inner)
                    changed = True
