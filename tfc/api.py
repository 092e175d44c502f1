"""The Python compile API: `tfc.compile`, `tfc.compile_mlir`, `@tfc.function`.

A Python function written with tfc ops is traced once per input signature
into the tfc dialect, lowered level by level, turned into C (or Triton) and
loaded from the artifact cache. The resulting `Executable` shows its IR at
every level and its generated source.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import VerifyException

from tfc import dtypes
from tfc.errors import CompileError, ShapeError
from tfc.pipeline import LEVEL_ORDER, context
from tfc.reference import entry_function
from tfc.tracing import trace_function

TARGETS = ("cpu", "gpu")


@dataclass(frozen=True)
class TensorSpec:
    """The shape and dtype of an input, without data: `tfc.TensorSpec((4, 8), "f32")`."""

    shape: tuple[int, ...]
    dtype: Any = "f32"
    name: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "shape", tuple(int(d) for d in self.shape))
        object.__setattr__(self, "dtype", dtypes.from_any(self.dtype))

    @staticmethod
    def of(value, name: str | None = None) -> "TensorSpec":
        """The spec of an example argument (NumPy array, torch tensor, scalar, or spec)."""
        if isinstance(value, TensorSpec):
            return value
        if hasattr(value, "detach") and hasattr(value, "dtype"):  # torch tensor
            return TensorSpec(tuple(value.shape), dtypes.from_any(value.dtype), name)
        if hasattr(value, "__tfc_array__"):
            value = value.__tfc_array__()
        if isinstance(value, float):
            value = np.float32(value)
        elif isinstance(value, bool):
            value = np.bool_(value)
        elif isinstance(value, int):
            value = np.int32(value)
        arr = np.asarray(value)
        return TensorSpec(arr.shape, dtypes.from_numpy(arr.dtype), name)

    def __str__(self) -> str:
        dims = "x".join(map(str, self.shape))
        return f"tensor<{dims + 'x' if dims else ''}{self.dtype.name}>"


@dataclass
class CompileOptions:
    """What the compiler does; part of the artifact's cache key."""

    target: str = "cpu"
    # Extra passes or settings later issues add (fusion on/off, tile sizes, ...).
    settings: dict[str, Any] = field(default_factory=dict)

    def key(self) -> str:
        # repr: the setting 1, "1" and True must not share an artifact.
        return f"target={self.target};" + ";".join(f"{k}={v!r}" for k, v in sorted(self.settings.items()))


class Executable:
    """A compiled program: call it with arrays; inspect its IR and source."""

    def __init__(self, module: ModuleOp, *, options: CompileOptions, single_output: bool = False,
                 source_name: str = "<tfc>", check: Callable[[ModuleOp], None] | None = None):
        """Compile `module` (tfc level; it is not modified). `check(module)` verifies it
        before compiling, and is skipped when the artifact cache already holds this
        exact program (it passed the check when the entry was built)."""
        if options.target not in TARGETS:
            raise CompileError(f"unknown target {options.target!r}: use one of {', '.join(TARGETS)}")
        self.options = options
        self.single_output = single_output
        self._levels: dict[str, str] = {}
        self.timings: dict[str, float] = {}
        f = entry_function(module)
        self.input_specs = [
            TensorSpec(tuple(a.type.get_shape()), dtypes.from_ir(a.type.element_type),
                       a.name_hint or f"arg{i}")
            for i, a in enumerate(f.body.block.args)]
        self.output_specs = [
            TensorSpec(tuple(t.get_shape()), dtypes.from_ir(t.element_type), f"out{i}")
            for i, t in enumerate(f.function_type.outputs.data)]
        self.tfc_module = module  # build() lowers a copy: no clone needed here
        t0 = time.perf_counter()
        from tfc.backend import build

        self._program, self.source, self.artifact_dir = build(module, options, self._levels,
                                                               self.input_specs, self.output_specs,
                                                               check)
        self.timings["compile_s"] = time.perf_counter() - t0

    def ir(self, level: str = "tfc") -> str:
        """The program's IR at `level` (tfc, linalg, kernels, buffers, loops)."""
        if level not in self._levels:
            raise KeyError(f"no IR level {level!r}; available: {', '.join(self._levels)}")
        return self._levels[level]

    @property
    def levels(self) -> list[str]:
        return [lv for lv in LEVEL_ORDER if lv in self._levels]

    def _host_of(self, level: str):
        from xdsl.parser import Parser

        from tfc.passes.form_kernels import entry_function as host_function

        module = Parser(context(), self.ir(level), f"<{level}>").parse_module()
        return module, host_function(module)

    def explain_fusion(self) -> str:
        """Which ops went into which kernel (with its kind), and why each refused
        fusion was refused: the `tfc.fusion_report` of tfc-form-kernels."""
        from tfc.passes.form_kernels import REPORT_ATTR

        _, host = self._host_of("kernels")
        report = host.attributes.get(REPORT_ATTR)
        lines = [a.data for a in report.data] if report is not None else []
        kernels = [x for x in lines if x.startswith("kernel ")]
        refused = [x for x in lines if not x.startswith("kernel ")]
        fused = "on" if self.options.settings.get("fusion", True) else "off"
        out = [f"{len(kernels)} kernel(s), fusion {fused}:"] + [f"  {x[7:]}" for x in kernels]
        if refused:
            out += ["refused fusions:"] + [f"  {x.removeprefix('not fused: ')}" for x in refused]
        return "\n".join(out) + "\n"

    def memory_plan(self) -> "MemoryPlan":
        """The arena plan: `arena_bytes`, `peak_bytes` (most bytes live at once),
        `naive_bytes` (one buffer per intermediate), each intermediate's offset, size and
        live range in kernel calls, and the kernels that write in place. `str()` of it is
        a table."""
        from tfc.passes.plan_memory import describe_plan

        module, _ = self._host_of("buffers")
        return MemoryPlan(describe_plan(module))

    def reference(self, *args, dtype=None):
        """Run the tfc-level program on the NumPy reference interpreter."""
        from tfc import reference

        out = reference.run(self.tfc_module, *args, dtype=dtype)
        return out[0] if self.single_output else out

    def __call__(self, *args, out=None):
        result = self._program(*args, out=out)
        if isinstance(result, tuple) and self.single_output:
            return result[0]
        return result

    def __repr__(self) -> str:
        ins = ", ".join(str(s) for s in self.input_specs)
        outs = ", ".join(str(s) for s in self.output_specs)
        return f"<tfc.Executable ({ins}) -> ({outs}) target={self.options.target}>"


class MemoryPlan(dict):
    """`Executable.memory_plan()`: a dict that prints as a table."""

    def __str__(self) -> str:
        lines = [f"arena {self['arena_bytes']} bytes (peak live {self['peak_bytes']}, "
                 f"naive {self['naive_bytes']})"]
        for b in self["buffers"]:
            live = f"{b['first']} .. {b['last']}" if b["live"] else "unused"
            lines.append(f"  @{b['offset']:>10}  {b['bytes']:>10} B  {b['type']:<28} "
                         f"{b['name'] or '-':<12} live {live}")
        for k, pairs in self["in_place"].items():
            lines.append(f"  in place: @{k} writes args {[o for _, o in pairs]} over "
                         f"args {[i for i, _ in pairs]}")
        return "\n".join(lines) + "\n"


def compile(fn: Callable, *specs_or_example_args, target: str = "cpu", **settings) -> Executable:
    """Trace `fn` for the given input specs (or example arguments) and compile it."""
    specs = _specs(fn, specs_or_example_args)
    t0 = time.perf_counter()
    module, single = trace_function(fn, specs)
    trace_s = time.perf_counter() - t0
    what = getattr(fn, "__name__", "function")
    exe = Executable(module, options=CompileOptions(target, settings), single_output=single,
                     check=lambda m: _verify(m, what))
    exe.timings["trace_s"] = trace_s
    return exe


def compile_mlir(text: str, *, target: str = "cpu", filename: str = "<string>", **settings) -> Executable:
    """Compile MLIR text at the tfc level (its entry: @main or the first public func).

    Malformed IR raises CompileError whose message is `file:line:col: error: ...`
    with the offending line, as tfc-opt prints it.
    """
    from tfc.cli.diagnostics import DiagnosticError, Sources, parse_module, verify_module

    try:
        module = parse_module(context(), text, filename)
        verify_module(module)
    except DiagnosticError as e:
        sources = Sources()
        sources.add(filename, text)
        raise CompileError(sources.format(e.diagnostic, fallback=filename).rstrip()) from None
    f = entry_function(module)
    return Executable(module, options=CompileOptions(target, settings),
                      single_output=len(f.function_type.outputs.data) == 1)


def _specs(fn, args: Sequence[Any]) -> list[TensorSpec]:
    import inspect

    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []
    specs = []
    for i, a in enumerate(args):
        name = names[i] if i < len(names) else f"arg{i}"
        spec = TensorSpec.of(a, name)
        if spec.name is None:
            spec = TensorSpec(spec.shape, spec.dtype, name)
        specs.append(spec)
    return specs


def _verify(module: ModuleOp, what: str) -> None:
    try:
        module.verify()
    except VerifyException as e:
        raise ShapeError(f"tracing {what} produced invalid IR: {e}") from None


class Function:
    """`@tfc.function`: trace and compile once per input signature, then call the executable."""

    def __init__(self, fn: Callable, target: str = "cpu", **settings):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.target = target
        self.settings = settings
        self._cache: dict[tuple, Executable] = {}
        self.trace_count = 0

    def signature(self, args) -> tuple:
        return tuple((s.shape, s.dtype.name) for s in (TensorSpec.of(a) for a in args))

    def get_executable(self, *args) -> Executable:
        key = self.signature(args)
        exe = self._cache.get(key)
        if exe is None:
            self.trace_count += 1
            exe = compile(self.fn, *args, target=self.target, **self.settings)
            self._cache[key] = exe
        return exe

    def __call__(self, *args, out=None):
        return self.get_executable(*args)(*args, out=out)


def function(fn: Callable | None = None, *, target: str = "cpu", **settings):
    """Decorator: `@tfc.function` or `@tfc.function(target="gpu")`."""
    if fn is None:
        return lambda f: Function(f, target, **settings)
    return Function(fn, target, **settings)
