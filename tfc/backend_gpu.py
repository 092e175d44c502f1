"""The GPU target: lower to `buffers`, emit one Triton module, cache it as an artifact, load it.

`build_gpu` is what `tfc.backend.build` calls for `target="gpu"`. The artifact
is a directory in the shared disk cache holding `kernel.py` (the generated
module, which is also the source users read) and `manifest.json` (signature,
arena size, Triton version, the IR of every level). Its key is the tfc-level
IR, the compile settings that change the code, the Triton version and the
compiler's own code, so a warm start runs no pass at all. Autotuning choices
are written beside it by the runtime (`tuning-<device>.json`).

The pipeline is the shared one up to `buffers`, with `tfc-tile` choosing GPU
schedules (target=gpu): each kernel's first configuration.

Settings (`tfc.compile(..., target="gpu", **settings)`; pass options such as
`fusion=False` or `**{"tfc-tile.num_warps": 8}` work as for the CPU):
  gpu_autotune=False     use each kernel's default configuration (the runtime never tunes
                         in the interpreter anyway)
  gpu_cuda_graphs=False  launch kernel by kernel instead of replaying a captured CUDA graph
  gpu_max_block=N        cap every block dim at N (see `GpuPolicy`)
  gpu_persistent_row=N   the longest reduction row kept in registers
  gpu_allow_tf32=True    float32 matmuls may use TF32 tensor cores
"""

from __future__ import annotations

from pathlib import Path

from xdsl.dialects.builtin import ModuleOp

# Settings read by the runtime only: they do not change the generated code.
RUNTIME_SETTINGS = ("gpu_autotune", "gpu_cuda_graphs")
KERNEL_FILE = "kernel.py"


def _triton_version() -> str:
    try:
        import triton
    except ImportError as e:
        from tfc.errors import CompileError

        raise CompileError(f"target='gpu' needs Triton (pip install triton): {e}") from None
    return triton.__version__


def build_gpu(module: ModuleOp, options, levels: dict[str, str], input_specs, output_specs):
    """Returns (callable program, generated source text, artifact directory)."""
    import tfc
    from tfc.backend import _arena_size, code_fingerprint
    from tfc.codegen.triton import GpuPolicy, emit_triton
    from tfc.ir_hash import ir_digest
    from tfc.pipeline import lower, pass_options
    from tfc.runtime import default_cache
    from tfc.runtime.artifact import Manifest, seal
    from tfc.runtime.cache import cache_key
    from tfc.runtime.gpu import load_gpu  # first: it decides whether Triton interprets

    triton_version = _triton_version()
    settings = dict(options.settings)
    code_settings = {k: v for k, v in settings.items() if k not in RUNTIME_SETTINGS}
    policy = GpuPolicy.from_settings(code_settings)
    tfc_ir = ir_digest(module)  # the structural key, as the CPU backend's (tfc/ir_hash.py)
    produced: dict[str, str] = {}

    # tfc-tile chooses GPU schedules; the settings' pass options (`fusion=False`,
    # `**{"tfc-tile.tile": 256}`) are merged over that default, so a user's own
    # `tfc-tile.target` wins (a CPU schedule is then ignored by the emitter).
    options: dict[str, dict] = {"tfc-tile": {"target": "gpu"}}
    for name, fields in pass_options(code_settings).items():
        options.setdefault(name, {}).update(fields)

    def generate() -> str:
        if "triton" not in produced:
            lower(module, "buffers", snapshots=produced, options=options)
            produced["triton"] = emit_triton(module, policy)
        return produced["triton"]

    def build(tmp: Path) -> None:
        source = generate()
        (tmp / KERNEL_FILE).write_text(source, encoding="utf-8")
        manifest = Manifest.for_program(
            inputs=[(s.name, s.shape, s.dtype.name) for s in input_specs],
            outputs=[(s.name, s.shape, s.dtype.name) for s in output_specs],
            arena_bytes=_arena_size(module), target="gpu",
            extra={"ir": {k: v for k, v in produced.items() if k != "triton"},
                   "settings": {k: repr(v) for k, v in code_settings.items()}})
        manifest.compiler = f"triton {triton_version}"
        manifest.tfc_version = tfc.__version__
        seal(tmp, manifest)

    key = cache_key("gpu", tfc.__version__, triton_version, tfc_ir,
                    sorted((k, repr(v)) for k, v in code_settings.items()), code_fingerprint())
    path = default_cache().get_or_build(key, build)
    program = load_gpu(path, autotune=bool(settings.get("gpu_autotune", True)),
                       cuda_graphs=bool(settings.get("gpu_cuda_graphs", True)))
    if produced:
        levels.update(produced)
    else:  # warm: the levels come from the artifact
        levels.update(program.manifest.extra.get("ir", {}))
        levels["triton"] = (Path(path) / KERNEL_FILE).read_text(encoding="utf-8")
    return program, levels["triton"], path
