"""The lowering driver: one ordered list of stages with named stop points.

`lower(module, "loops")` runs the passes that produce that level (see
tfc/passes/registry.py LEVELS), verifying after every pass, and records the
IR text of each level on the way for `Executable.ir(level)`.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from typing import Any

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.printer import Printer

from tfc.dialects import make_context
from tfc.passes.registry import LEVELS, get_pass

LEVEL_ORDER = ["tfc", "linalg", "kernels", "tiled", "buffers", "loops"]

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


# Compile-API settings that are a pass option: setting -> (pass, option field).
SETTING_OPTIONS = {"fusion": ("tfc-form-kernels", "fuse")}

PassOptions = Mapping[str, Mapping[str, Any]]


def pass_options(settings: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The pass options `CompileOptions.settings` ask for: a name of SETTING_OPTIONS
    (`fusion=False`), or "PASS.OPTION" (`**{"tfc-tile.isa": "avx2"}`). Other settings
    are not pass options."""
    opts: dict[str, dict[str, Any]] = {}
    for key, value in settings.items():
        if key in SETTING_OPTIONS:
            name, option = SETTING_OPTIONS[key]
        elif "." in key:
            name, option = key.split(".", 1)
        else:
            continue
        opts.setdefault(name, {})[option.replace("-", "_")] = value
    return opts


def make_pass(name: str, options: PassOptions | None = None):
    """An instance of pass `name` with `options[name]` as its option fields."""
    cls = get_pass(name)
    fields = dict((options or {}).get(name, {}))
    try:
        return cls(**fields)
    except TypeError:
        known = sorted(getattr(cls, "__dataclass_fields__", {}))
        raise ValueError(f"pass '{name}' has no option(s) {sorted(fields)}; "
                         f"its options are: {', '.join(known) or 'none'}") from None


# Verify after every pass (slow: ~40% of compile time) instead of once per level.
# Tests and debugging turn it on: TFC_VERIFY_EACH=1, or verify_each=True.
VERIFY_EACH = os.environ.get("TFC_VERIFY_EACH", "") not in ("", "0")


def run_passes(module: ModuleOp, names: list[str], *, after_each=None,
               options: PassOptions | None = None, verify_each: bool | None = None) -> None:
    """Run `names` on `module`; verify after each pass (`verify_each`, default
    VERIFY_EACH) or once at the end."""
    ctx = context()
    each = VERIFY_EACH if verify_each is None else verify_each
    for name in names:
        make_pass(name, options).apply(ctx, module)
        if each:
            module.verify()
        if after_each is not None:
            after_each(name, module)
    if not each and names:
        module.verify()


def lower(module: ModuleOp, to_level: str, *, from_level: str = "tfc",
          snapshots: dict[str, str] | None = None, options: PassOptions | None = None) -> ModuleOp:
    """Lower `module` (at `from_level`) in place to `to_level`; record each level's IR.
    `options` maps a pass name to its option fields (see `pass_options`)."""
    start = LEVEL_ORDER.index(from_level)
    stop = LEVEL_ORDER.index(to_level)
    done: list[str] = LEVELS[from_level] if from_level != "tfc" else []
    if snapshots is not None and from_level == "tfc":
        snapshots["tfc"] = print_ir(module)
    for level in LEVEL_ORDER[start + 1: stop + 1]:
        passes = LEVELS[level]
        assert passes[: len(done)] == done, f"level {level} does not extend the previous one"
        run_passes(module, passes[len(done):], options=options)
        done = passes
        if snapshots is not None:
            snapshots[level] = print_ir(module)
    return module
