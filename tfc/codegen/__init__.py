"""Code generators: turn the last IR level into source text for a target.

- `c`: the `loops` level -> one C file (`emit_c(module) -> str`, `CTarget`).

`TARGETS` maps a target name to the `xdsl.utils.target.Target` subclass that
writes it, for `tfc-opt` (imported lazily so that importing this package is cheap).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["TARGETS", "emit_c", "get_target"]


def _c_target() -> type:
    from tfc.codegen.c import CTarget

    return CTarget


TARGETS: dict[str, Callable[[], type]] = {"c": _c_target}


def get_target(name: str) -> type:
    """The Target class for a name (e.g. `"c"`); KeyError if unknown."""
    return TARGETS[name]()


def __getattr__(name: str) -> Any:
    if name == "emit_c":
        from tfc.codegen.c import emit_c

        return emit_c
    raise AttributeError(name)
