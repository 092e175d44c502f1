"""convert-tfc-to-linalg: lower every tfc op to linalg.generic (and tensor ops) on tensors.

Expects: tfc-level IR after tfc-decompose (only ops with a `lower`).
Produces: the `linalg` level of docs/architecture.md. Each op's lowering is
its op class's `lower`; this pass only walks the module and swaps results.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import DiagnosticException

from tfc.ops.base import TfcOp
from tfc.ops.lowering import LinalgBuilder


@dataclass(frozen=True)
class ConvertTfcToLinalgPass(ModulePass):
    """Replace each tfc op by the linalg IR its `lower` builds."""

    name = "convert-tfc-to-linalg"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for inner in list(op.walk()):
            if not isinstance(inner, TfcOp):
                continue
            if type(inner).decompose is not None:
                raise DiagnosticException(
                    f"{inner.name} is a composite op: run tfc-decompose before convert-tfc-to-linalg")
            b = LinalgBuilder(InsertPoint.before(inner))
            results = inner.lower(b)
            Rewriter.replace_op(inner, [], list(results))
