"""Compile programs through the blocked contraction lowering.

`blocked_pipeline()` makes `tfc.compile` run tfc-lower-contraction before
tfc-lower-to-loops and define the micro-kernels in the C source, if the
pipeline does not already do both (it does once tfc-lower-to-loops calls
`lower_contraction_kernel` and c.py emits `ukernel_source`). Executables built
this way carry the setting `contraction="blocked"`, so their cache entries
never mix with the default pipeline's.
"""

from __future__ import annotations

import contextlib

import tfc
from tfc.codegen import c as c_target
from tfc.codegen.c_ukernels import add_ukernel_sources
from tfc.passes import registry

PASS = "tfc-lower-contraction"


def _pass_in_pipeline() -> bool:
    import inspect

    from tfc.passes import lower_to_loops

    return PASS in registry.LEVELS["loops"] or "lower_contraction" in inspect.getsource(lower_to_loops)


def _c_emits_ukernels() -> bool:
    import inspect

    return "ukernel_source" in inspect.getsource(c_target)


@contextlib.contextmanager
def blocked_pipeline():
    loops = registry.LEVELS["loops"]
    saved_loops, saved_emit = list(loops), c_target.emit_c
    if not _pass_in_pipeline():
        loops.insert(loops.index("tfc-lower-to-loops"), PASS)
    if not _c_emits_ukernels():
        def emit_c(module, **kw):
            return add_ukernel_sources(saved_emit(module, **kw), module)

        c_target.emit_c = emit_c
    try:
        yield
    finally:
        loops[:] = saved_loops
        c_target.emit_c = saved_emit


def compile_blocked(fn, *args, **settings):
    with blocked_pipeline():
        return tfc.compile(fn, *args, contraction="blocked", **settings)


def compile_mlir_blocked(text: str, **settings):
    with blocked_pipeline():
        return tfc.compile_mlir(text, contraction="blocked", **settings)


class Scheduled:
    """A program lowered with explicit contraction block sizes (bypasses tfc-tile's choice)."""

    def __init__(self, fn, *args, **schedule):
        from tfc import runtime
        from tfc.api import TensorSpec, _specs
        from tfc.codegen.c import emit_c
        from tfc.passes.lower_contraction import LowerContractionPass
        from tfc.pipeline import context, lower, print_ir, run_passes
        from tfc.tracing import trace_function
        from tfc.backend import _arena_size

        specs = _specs(fn, args)
        module, single = trace_function(fn, specs)
        self.tfc_module = module.clone()
        self.single_output = single
        self.levels: dict[str, str] = {}
        lower(module, "buffers", snapshots=self.levels)
        LowerContractionPass(**schedule).apply(context(), module)
        module.verify()
        self.levels["contraction"] = print_ir(module)
        run_passes(module, ["tfc-lower-to-loops", "canonicalize"])
        self.source = add_ukernel_sources(emit_c(module), module)
        from tfc.reference import entry_function

        f = entry_function(self.tfc_module)
        self.output_specs = [TensorSpec(tuple(t.get_shape()), tfc.dtypes.from_ir(t.element_type))
                             for t in f.function_type.outputs.data]
        manifest = runtime.Manifest.for_program(
            inputs=[(f"in{i}", s.shape, s.dtype.name) for i, s in enumerate(specs)],
            outputs=[(f"out{i}", s.shape, s.dtype.name) for i, s in enumerate(self.output_specs)],
            arena_bytes=_arena_size(module), target="cpu")
        path = runtime.build_cpu_artifact(self.source, manifest, key_parts=("contraction-test",))
        self.program = runtime.load_cpu(path)

    def __call__(self, *args, out=None):
        return self.program(*args, out=out)

    def ir(self, level: str) -> str:
        return self.levels[level]

    def reference(self, *args, dtype=None):
        from tfc import reference

        out = reference.run(self.tfc_module, *args, dtype=dtype)
        return out[0] if self.single_output else out
