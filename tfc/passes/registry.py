"""Every pass and named pipeline `tfc-opt` knows, by its command-line name.

Passes are imported lazily so that `tfc-opt --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass


def _upstream(module: str, cls: str) -> Callable[[], type[ModulePass]]:
    def load():
        import importlib

        return getattr(importlib.import_module(module), cls)

    return load


def _tfc(module: str, cls: str) -> Callable[[], type[ModulePass]]:
    return _upstream(f"tfc.passes.{module}", cls)


PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "canonicalize": _upstream("xdsl.transforms.canonicalize", "CanonicalizePass"),
    "cse": _upstream("xdsl.transforms.common_subexpression_elimination",
                     "CommonSubexpressionElimination"),
    "dce": _upstream("xdsl.transforms.dead_code_elimination", "DeadCodeElimination"),
    "tfc-decompose": _tfc("decompose", "TfcDecomposePass"),
    "convert-tfc-to-linalg": _tfc("tfc_to_linalg", "ConvertTfcToLinalgPass"),
    "tfc-form-kernels": _tfc("form_kernels", "FormKernelsPass"),
    "tfc-bufferize": _tfc("bufferize", "BufferizePass"),
    "tfc-plan-memory": _tfc("plan_memory", "PlanMemoryPass"),
    "tfc-lower-to-loops": _tfc("lower_to_loops", "LowerToLoopsPass"),
    "tfc-lower-contraction": _tfc("lower_contraction", "LowerContractionPass"),
    "tfc-tile": _tfc("tile", "TilePass"),
}

# Short aliases users type (mlir-opt style names stay canonical).
ALIASES: dict[str, str] = {"tfc-to-linalg": "convert-tfc-to-linalg"}

# Each level is the pipeline that produces it, starting from the tfc level.
LEVELS: dict[str, list[str]] = {
    "tfc": ["canonicalize"],
    "linalg": ["canonicalize", "tfc-decompose", "canonicalize", "convert-tfc-to-linalg", "canonicalize"],
}
LEVELS["kernels"] = LEVELS["linalg"] + ["tfc-form-kernels"]
LEVELS["tiled"] = LEVELS["kernels"] + ["tfc-tile"]
LEVELS["buffers"] = LEVELS["tiled"] + ["tfc-bufferize", "tfc-plan-memory"]
LEVELS["loops"] = LEVELS["buffers"] + ["tfc-lower-to-loops", "canonicalize"]

# Named pipelines usable in -p: the whole lowering for a target.
PIPELINES: dict[str, list[str]] = {
    "tfc-cpu": LEVELS["loops"],
    "tfc-to-buffers": LEVELS["buffers"],
}
PIPELINES["tfc-gpu"] = LEVELS["buffers"]  # then codegen/triton/ (tfc-opt --emit=triton)


def get_pass(name: str) -> type[ModulePass]:
    """The pass class for a command-line name; KeyError if unknown."""
    return PASSES[ALIASES.get(name, name)]()
