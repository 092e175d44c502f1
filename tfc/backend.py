"""Target dispatch: lower a tfc-level module for a target, generate code, build and load it.

The artifact cache is keyed by the tfc-level IR, the options and a
fingerprint of the compiler's own code, so a warm start skips every pass and
the C compiler: the IR of each level is stored in the artifact's manifest and
read back from there.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

from tfc.pipeline import lower, pass_options, print_ir

# Folders whose code decides what an artifact contains: a change to any of
# them must not reuse an artifact built by the old code.
_CODE_DIRS = ("ops", "passes", "codegen", "dialects")


@cache
def code_fingerprint() -> str:
    root = Path(__file__).parent
    h = hashlib.sha256()
    for sub in _CODE_DIRS:
        for path in sorted((root / sub).rglob("*.py")):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    for name in ("pipeline.py", "backend.py", "backend_gpu.py"):
        if (root / name).exists():
            h.update((root / name).read_bytes())
    return h.hexdigest()


def build(module: ModuleOp, options, levels: dict[str, str], input_specs, output_specs):
    """Returns (callable program, generated source text, artifact directory)."""
    if options.target == "cpu":
        return _build_cpu(module, options, levels, input_specs, output_specs)
    if options.target == "gpu":
        from tfc.backend_gpu import build_gpu

        return build_gpu(module, options, levels, input_specs, output_specs)
    raise ValueError(f"unknown target {options.target!r}")


def _build_cpu(module, options, levels, input_specs, output_specs):
    from tfc import runtime

    tfc_ir = print_ir(module)
    produced: dict[str, str] = {}

    def generate() -> str:
        # Imported on a cache miss only: the code generator pulls in every backend
        # pass (~70 ms), which a warm start never runs.
        from tfc.codegen.c import emit_c

        lower(module, "loops", snapshots=produced, options=pass_options(options.settings))
        produced["c"] = emit_c(module)
        return produced["c"]

    def manifest():
        source = produced["c"] if "c" in produced else generate()
        return runtime.Manifest.for_program(
            inputs=[(s.name, s.shape, s.dtype.name) for s in input_specs],
            outputs=[(s.name, s.shape, s.dtype.name) for s in output_specs],
            arena_bytes=_arena_size(module), target="cpu",
            extra={"ir": {k: v for k, v in produced.items() if k != "c"},
                   "settings": dict(options.settings)})

    path = runtime.build_cpu_artifact(
        lambda: produced["c"] if "c" in produced else generate(), manifest,
        key_parts=(tfc_ir, options.key(), code_fingerprint()))
    program = runtime.load_cpu(path)
    if produced:
        levels.update(produced)
    else:  # warm: the levels come from the artifact
        levels.update(program.manifest.extra.get("ir", {}))
        levels["c"] = (Path(path) / "source.c").read_text()
    return program, levels["c"], path


def _arena_size(module: ModuleOp) -> int:
    from tfc.reference import entry_function

    f = entry_function(module)
    attr = f.attributes.get("tfc.arena_size")
    return int(attr.value.data) if attr is not None else 0
