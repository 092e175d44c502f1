"""Target dispatch: lower a tfc-level module for a target, generate code, build and load it.

The artifact cache is keyed by the IR handed to code generation plus the
target and options, so a warm start skips the C compiler (the passes still run).
"""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp

from tfc.pipeline import lower, print_ir


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
    from tfc.codegen.c import emit_c

    lower(module, "loops", snapshots=levels)
    source = emit_c(module)
    levels["c"] = source
    arena = _arena_size(module)
    manifest = runtime.Manifest.for_program(
        inputs=[(s.name, s.shape, s.dtype.name) for s in input_specs],
        outputs=[(s.name, s.shape, s.dtype.name) for s in output_specs],
        arena_bytes=arena, target="cpu")
    path = runtime.build_cpu_artifact(source, manifest, key_parts=(source, options.key()))
    return runtime.load_cpu(path), source, path


def _arena_size(module: ModuleOp) -> int:
    from tfc.reference import entry_function

    f = entry_function(module)
    attr = f.attributes.get("tfc.arena_size")
    return int(attr.value.data) if attr is not None else 0
