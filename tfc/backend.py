"""Target dispatch: lower a tfc-level module for a target, generate code, build and load it.

The artifact cache is keyed by a structural digest of the tfc-level IR
(tfc/ir_hash.py), the options and a fingerprint of the compiler's own code, so
a warm start skips every pass and the C compiler: the IR of each level is
stored in the artifact's manifest and read back from there. A warm start also
skips verifying the traced IR (see `build`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import xdsl
from xdsl.dialects.builtin import ModuleOp

from tfc.ir_hash import ir_digest
from tfc.pipeline import lower, pass_options

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
    for name in ("pipeline.py", "backend.py", "backend_gpu.py", "ir_hash.py"):
        if (root / name).exists():
            h.update((root / name).read_bytes())
    # xDSL's verifiers and printer also decide what an entry holds (pinned, but
    # an upgrade must not reuse old entries). Its installed files' identity, not
    # `xdsl.__version__`: resolving that reads package metadata (~10-30 ms).
    st = os.stat(xdsl.__file__)
    h.update(f"xdsl {xdsl.__file__} {st.st_size} {st.st_mtime_ns}".encode())
    return h.hexdigest()


def build(module: ModuleOp, options, levels: dict[str, str], input_specs, output_specs,
          check: Callable[[ModuleOp], None] | None = None):
    """Returns (callable program, generated source text, artifact directory).

    `module` is left as it is (the passes lower a copy). `check(module)` (the
    verifier, raising the user-facing error) runs before anything is compiled,
    and on the CPU only on a cache miss: a hit means this exact IR (the key is
    its full structure) already passed it under the same compiler code (the key
    holds its fingerprint, tfc/ops included), and verifying is a pure function
    of those two. Verifying W6's 400 ops took ~12 ms of its ~75 ms warm start.
    """
    if options.target == "cpu":
        return _build_cpu(module, options, levels, input_specs, output_specs, check)
    if options.target == "gpu":
        from tfc.backend_gpu import build_gpu

        if check is not None:
            check(module)
        return build_gpu(module.clone(), options, levels, input_specs, output_specs)
    raise ValueError(f"unknown target {options.target!r}")


def _build_cpu(module, options, levels, input_specs, output_specs, check=None):
    from tfc import runtime

    produced: dict[str, str] = {}
    lowered: list[ModuleOp] = []

    def generate() -> str:
        # Imported on a cache miss only: the code generator pulls in every backend
        # pass (~70 ms), which a warm start never runs.
        from tfc.codegen.c import emit_c

        if check is not None:
            check(module)
        work = module.clone()
        lower(work, "loops", snapshots=produced, options=pass_options(options.settings))
        produced["c"] = emit_c(work)
        lowered.append(work)
        return produced["c"]

    def manifest():
        if "c" not in produced:
            generate()
        return runtime.Manifest.for_program(
            inputs=[(s.name, s.shape, s.dtype.name) for s in input_specs],
            outputs=[(s.name, s.shape, s.dtype.name) for s in output_specs],
            arena_bytes=_arena_size(lowered[0]), target="cpu",
            extra={"ir": {k: v for k, v in produced.items() if k != "c"},
                   "settings": dict(options.settings)})

    path = runtime.build_cpu_artifact(
        lambda: produced["c"] if "c" in produced else generate(), manifest,
        key_parts=(("tfc-ir", ir_digest(module)), options.key(), code_fingerprint()))
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
