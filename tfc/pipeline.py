"""The lowering driver: one ordered list of stages with named stop points.

`lower(module, "loops")` runs the passes that produce that level (see
tfc/passes/registry.py LEVELS), verifying after every pass, and records the
IR text of each level on the way for `Executable.ir(level)`.
"""

from __future__ import annotations

import io

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.printer import Printer

from tfc.dialects import make_context
from tfc.passes.registry import LEVELS, get_pass

LEVEL_ORDER = ["tfc", "linalg", "kernels", "buffers", "loops"]

_CTX: Context | None = None


def context() -> Context:
    global _CTX
    if _CTX is None:
        _CTX = make_context()
    return _CTX


def print_ir(module: ModuleOp, *, debuginfo: bool = False) -> str:
    out = io.StringIO()
    Printer(stream=out, print_debuginfo=debuginfo).print_op(module)
    return out.getvalue() + "\n"


def run_passes(module: ModuleOp, names: list[str], *, after_each=None) -> None:
    ctx = context()
    for name in names:
        get_pass(name)().apply(ctx, module)
        module.verify()
        if after_each is not None:
            after_each(name, module)


def lower(module: ModuleOp, to_level: str, *, from_level: str = "tfc",
          snapshots: dict[str, str] | None = None) -> ModuleOp:
    """Lower `module` (at `from_level`) in place to `to_level`; record each level's IR."""
    start = LEVEL_ORDER.index(from_level)
    stop = LEVEL_ORDER.index(to_level)
    done: list[str] = LEVELS[from_level] if from_level != "tfc" else []
    if snapshots is not None and from_level == "tfc":
        snapshots["tfc"] = print_ir(module)
    for level in LEVEL_ORDER[start + 1: stop + 1]:
        passes = LEVELS[level]
        assert passes[: len(done)] == done, f"level {level} does not extend the previous one"
        run_passes(module, passes[len(done):])
        done = passes
        if snapshots is not None:
            snapshots[level] = print_ir(module)
    return module
