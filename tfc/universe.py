"""The `xdsl.universe` entry point: makes `xdsl-opt` know the tfc dialect and passes.

    xdsl-opt model.mlir -p tfc-decompose,convert-tfc-to-linalg

Everything is loaded lazily, as xDSL asks. Passes that xDSL already defines
(canonicalize, cse, dce) are left out: xDSL rejects duplicate names. The named
pipelines of `tfc.passes.registry.PIPELINES` (e.g. `tfc-cpu`) are offered as
passes that run their whole pipeline, so `xdsl-opt -p tfc-cpu` works too.
`tfc-opt` (tfc/cli/opt.py) does not go through this file.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass
from xdsl.universe import Universe

from tfc.passes import registry

_XDSL_PASSES = {"canonicalize", "cse", "dce"}


def _tfc_dialect():
    from tfc.dialects.tfc import TFC

    return TFC


def _pipeline_pass(name: str) -> Callable[[], type[ModulePass]]:
    """A pass class (built on first use) that runs the named pipeline."""

    def load() -> type[ModulePass]:
        from dataclasses import dataclass

        @dataclass(frozen=True)
        class NamedPipelinePass(ModulePass):
            def apply(self, ctx, op) -> None:
                for pass_name in registry.PIPELINES[name]:
                    registry.get_pass(pass_name)().apply(ctx, op)

        NamedPipelinePass.name = name
        NamedPipelinePass.__doc__ = f"Runs the tfc pipeline: {','.join(registry.PIPELINES[name])}."
        NamedPipelinePass.__qualname__ = NamedPipelinePass.__name__ = (
            "".join(part.title() for part in name.split("-")) + "Pipeline")
        return NamedPipelinePass

    return load


def _passes() -> dict[str, Callable[[], type[ModulePass]]]:
    passes = {name: load for name, load in registry.PASSES.items() if name not in _XDSL_PASSES}
    for name in registry.PIPELINES:
        passes.setdefault(name, _pipeline_pass(name))
    return passes


TFC_UNIVERSE = Universe(all_dialects={"tfc": _tfc_dialect}, all_passes=_passes())
