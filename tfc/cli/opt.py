"""`tfc-opt`: parse MLIR text, run tfc passes, print the IR (or C / Triton source).

    tfc-opt model.mlir -p 'tfc-decompose,tfc-to-linalg,canonicalize'
    tfc-opt model.mlir --emit=loops            # lower tfc-level input to a level
    tfc-opt kernels.mlir --from=kernels --emit=c
    tfc-opt bad.mlir --split-input-file --verify-diagnostics

Conventions follow mlir-opt: `-` (the default) reads stdin; errors print as
`file:line:col: error: message` with the source line and a caret, and exit 1;
`--split-input-file` processes the chunks between `// -----` lines
independently, keeping their line numbers; `--print-ir-after-all` writes each
pass's result to stderr.

`-p` passes run first, then the passes `--emit` needs. `--emit=LEVEL` assumes
the input is at the `tfc` level unless `--from=LEVEL` says otherwise, and runs
only the passes between the two (levels are cumulative lists in
`tfc.passes.registry.LEVELS`). `--emit=c` lowers to `loops` and prints
`tfc.codegen.c.emit_c`; `--emit=triton` lowers to `buffers` with `tfc-tile`'s
GPU schedules (target=gpu, unless a `tfc-tile{target=...}` in -p names another)
and prints `tfc.codegen.triton.emit_triton`.

Exit status: 0 success; 1 bad input, options or pipeline; 2 bad command line
(argparse); 70 internal error (a bug in tfc: the message asks for a report;
`--debug-traceback` shows the traceback).

The driver is written here rather than over `xDSLOptMain` because its error
reporting (located diagnostics, exit codes, MLIR's verify-diagnostics) is the
point of the tool; it reuses xDSL's parser, printer and pipeline syntax.
Imports are deferred so that `--help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field

EXIT_ERROR = 1
EXIT_INTERNAL = 70

# Non-IR outputs of --emit: (the level they start from, module, function).
SOURCE_TARGETS = {
    "c": ("loops", "tfc.codegen.c", "emit_c"),
    "triton": ("buffers", "tfc.codegen.triton", "emit_triton"),
}
# The `tfc-tile` target whose schedules a source emitter reads (the others keep the
# pass's default, cpu): `--emit=triton` tiles for the GPU unless -p says otherwise.
TILE_TARGETS = {"triton": "gpu"}
SPLIT_MARKER = "// -----"
FUSION_LOGGER = "tfc.fusion"


class UsageError(Exception):
    """A bad option value or unreadable file: `tfc-opt: error: ...`, exit 1."""


def build_arg_parser() -> argparse.ArgumentParser:
    from tfc.passes.registry import LEVELS

    levels = ", ".join(LEVELS)
    p = argparse.ArgumentParser(
        prog="tfc-opt",
        description="Parse MLIR text, run tfc passes, print the result.",
        epilog=f"Levels for --emit/--from: {levels} (and {', '.join(SOURCE_TARGETS)} for --emit). "
               "See --list-passes for passes, their options and named pipelines.")
    p.add_argument("input", nargs="?", default="-", help="input file ('-' for stdin, the default)")
    p.add_argument("-p", "--passes", default="", metavar="PIPELINE",
                   help="comma-separated passes, with options: 'tfc-tile{tile-sizes=32,64},cse'")
    p.add_argument("--emit", metavar="LEVEL",
                   help=f"lower to LEVEL and print it: {levels}, {', '.join(SOURCE_TARGETS)}")
    p.add_argument("--from", dest="from_level", metavar="LEVEL", default=None,
                   help="the level the input is at, for --emit (default: tfc)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the output to FILE")
    p.add_argument("--split-input-file", action="store_true",
                   help=f"process each chunk between '{SPLIT_MARKER}' lines independently")
    p.add_argument("--verify-diagnostics", action="store_true",
                   help="check reported errors against expected-error comments in the input")
    p.add_argument("--print-ir-after-all", "--mlir-print-ir-after-all", dest="print_ir_after_all",
                   action="store_true",
                   help="print the IR after every pass to stderr")
    p.add_argument("--print-op-generic", "--mlir-print-op-generic", dest="print_op_generic",
                   action="store_true", help="print ops in the generic form")
    p.add_argument("--print-debuginfo", "--mlir-print-debuginfo", dest="print_debuginfo",
                   action="store_true", help="print op locations")
    p.add_argument("--debug-fusion", action="store_true",
                   help="print the fusion pass's decisions and the reasons for refusals to stderr")
    p.add_argument("--time-passes", action="store_true", help="print each pass's time to stderr")
    p.add_argument("--list-passes", action="store_true",
                   help="list passes with their options, aliases, pipelines and levels")
    p.add_argument("--debug-traceback", action="store_true",
                   help="show Python tracebacks for internal errors")
    p.add_argument("--version", action="store_true", help="print versions and exit")
    return p


@dataclass
class Plan:
    """What to do with each chunk: the passes, then what to print."""

    passes: list = field(default_factory=list)
    source_emitter: object = None      # emit_c / emit_triton, or None to print IR
    source_name: str = ""


def main(argv: list[str] | None = None) -> int:
    args = build_arg_parser().parse_args(argv)
    if not args.debug_traceback:
        import warnings

        # Library deprecation notices are for tfc's developers, not its users.
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
    try:
        return _run(args)
    except UsageError as e:
        _err(f"tfc-opt: error: {e}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # noqa: BLE001 -- the last line of defence
        return _internal_error(args, e)


def _err(text: str) -> None:
    sys.stderr.write(text.rstrip("\n") + "\n")


def _internal_error(args, e: BaseException, context: str = "") -> int:
    if args.debug_traceback:
        import traceback

        traceback.print_exception(e, file=sys.stderr)
    first = (str(e).strip().splitlines() or [""])[0]
    _err(f"tfc-opt: internal error{context}: {type(e).__name__}: {first}")
    _err("tfc-opt: this is a bug in tfc; please report it with the input file and the "
         "command line" + ("" if args.debug_traceback else " (add --debug-traceback for details)"))
    return EXIT_INTERNAL


def _run(args) -> int:
    if args.version:
        from importlib.metadata import version

        print(f"tfc-opt (tfc {version('tfc')}, xdsl {version('xdsl')})")
        return 0
    if args.list_passes:
        sys.stdout.write(list_passes())
        return 0
    if args.debug_fusion:
        _enable_fusion_log()

    plan = make_plan(args)
    name, text = read_input(args.input)

    from tfc.cli.diagnostics import Sources

    sources = Sources()
    sources.add(name, text)
    chunks = split_chunks(text) if args.split_input_file else [text]
    outputs, failed, internal = [], False, None
    for chunk in chunks:
        out, ok, internal = process_chunk(args, plan, chunk, name, sources)
        failed |= not ok
        # Like mlir-opt, a failed chunk leaves an empty slot between the separators.
        outputs.append(out or "")
        if internal is not None:
            break
    write_output(args.output, f"{SPLIT_MARKER}\n".join(outputs))
    if internal is not None:
        return _internal_error(args, *internal)
    return EXIT_ERROR if failed else 0


# --- planning -------------------------------------------------------------------

def make_plan(args) -> Plan:
    from tfc.cli.pass_pipeline import PipelineError, parse

    plan = Plan()
    try:
        plan.passes = parse(args.passes) if args.passes.strip() else []
        if args.emit is not None:
            plan.passes += emit_passes(args.emit, args.from_level or "tfc", args.passes)
        elif args.from_level is not None:
            raise UsageError("--from only applies with --emit (it says which level the input is at)")
    except PipelineError as e:
        raise UsageError(str(e)) from None
    if args.emit in SOURCE_TARGETS:
        _, module, function = SOURCE_TARGETS[args.emit]
        plan.source_emitter = _load_emitter(args.emit, module, function)
        plan.source_name = args.emit
    return plan


def emit_passes(emit: str, from_level: str, user_pipeline: str = "") -> list:
    """The pass instances that take `from_level` input to what `--emit` asks for.
    `tfc-tile` gets the target the emitter reads (TILE_TARGETS), or the one the
    user's -p pipeline gives a `tfc-tile` explicitly."""
    from tfc.cli.pass_pipeline import parse
    from tfc.passes.registry import LEVELS

    levels = list(LEVELS)
    choices = ", ".join([*levels, *SOURCE_TARGETS])
    if emit not in LEVELS and emit not in SOURCE_TARGETS:
        raise UsageError(f"unknown --emit value '{emit}'; choose from {choices}")
    if from_level not in LEVELS:
        raise UsageError(f"unknown --from level '{from_level}'; choose from {', '.join(levels)}")
    to_level = SOURCE_TARGETS[emit][0] if emit in SOURCE_TARGETS else emit
    done = [] if from_level == "tfc" else LEVELS[from_level]
    todo = LEVELS[to_level]
    if todo[: len(done)] != done:
        raise UsageError(f"cannot --emit={emit} from --from={from_level}: the {to_level} level "
                         f"does not come after the {from_level} level")
    target = _user_tile_target(user_pipeline) or TILE_TARGETS.get(emit)
    names = [f"{n}{{target={target}}}" if n == "tfc-tile" and target else n for n in todo[len(done):]]
    return parse(",".join(names)) if names else []


def _user_tile_target(pipeline: str) -> str | None:
    """The target a `tfc-tile{target=...}` in the user's pipeline names (the last one)."""
    from xdsl.utils.arg_spec import parse_pipeline

    target = None
    for spec in parse_pipeline(pipeline) if pipeline.strip() else ():
        values = spec.parameters.get("target")
        if spec.name == "tfc-tile" and values:
            target = str(values[0])
    return target


def _load_emitter(emit: str, module: str, function: str):
    import importlib

    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError) as e:
        backend = {"c": "C", "triton": "Triton"}[emit]
        raise UsageError(f"--emit={emit}: the {backend} backend is not available "
                         f"({module}.{function}: {e})") from None


def _enable_fusion_log() -> None:
    """--debug-fusion: the fusion pass logs each decision (and why it refused) to the
    `tfc.fusion` logger; this shows them on stderr."""
    import logging

    class ToStderr(logging.Handler):
        tfc_opt = True

        def emit(self, record):  # looks up sys.stderr at each call (tests swap it)
            sys.stderr.write(self.format(record) + "\n")

    log = logging.getLogger(FUSION_LOGGER)
    for h in [h for h in log.handlers if getattr(h, "tfc_opt", False)]:
        log.removeHandler(h)
    handler = ToStderr()
    handler.setFormatter(logging.Formatter("[fusion] %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False


# --- input and output -----------------------------------------------------------

def read_input(path: str) -> tuple[str, str]:
    """(the name diagnostics use, the text)."""
    if path == "-":
        try:
            return "<stdin>", sys.stdin.read()
        except UnicodeDecodeError as e:
            raise UsageError(f"cannot read stdin: not UTF-8 text ({e.reason})") from None
    try:
        with open(path, encoding="utf-8") as f:
            return path, f.read()
    except UnicodeDecodeError as e:
        raise UsageError(f"cannot read '{path}': not UTF-8 text ({e.reason})") from None
    except OSError as e:
        raise UsageError(f"cannot read '{path}': {e.strerror or e}") from None


def write_output(path: str | None, text: str) -> None:
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise UsageError(f"cannot write '{path}': {e.strerror or e}") from None


def split_chunks(text: str) -> list[str]:
    """Chunks between `// -----` lines, each padded with empty lines to keep line numbers."""
    chunks, current, start = [], [], 0
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip().startswith(SPLIT_MARKER):
            chunks.append("\n" * start + "".join(current))
            current, start = [], i + 1
        else:
            current.append(line)
    chunks.append("\n" * start + "".join(current))
    return chunks


def print_module(args, module) -> str:
    import io

    from xdsl.printer import Printer

    out = io.StringIO()
    Printer(stream=out, print_generic_format=args.print_op_generic,
            print_debuginfo=args.print_debuginfo).print_op(module)
    return out.getvalue() + "\n"


# --- one chunk ------------------------------------------------------------------

def process_chunk(args, plan: Plan, text: str, name: str, sources):
    """Parse, verify, run the passes, print. Returns (output or None, ok, internal error)."""
    from tfc.cli.diagnostics import DiagnosticError, format_all

    produced = []
    output = None
    try:
        output = _compile_chunk(args, plan, text, name)
    except DiagnosticError as e:
        produced.append(e.diagnostic)
        if e.internal:
            _err(format_all(sources, [e.diagnostic], fallback=name))
            return None, False, (e, f" ({e.context})" if e.context else "")
    except _PassCrash as crash:
        return None, False, (crash.error, f" in pass '{crash.pass_name}'")

    if args.verify_diagnostics:
        from tfc.cli.verify_diagnostics import check, parse_expected

        expected, problems = parse_expected(text, name)
        mismatches = problems + check(expected, produced)
        if mismatches:
            _err(format_all(sources, mismatches, fallback=name))
        return output, not mismatches, None
    if produced:
        _err(format_all(sources, produced, fallback=name))
    return output, not produced, None


class _PassCrash(Exception):
    def __init__(self, pass_name: str, error: BaseException):
        super().__init__(pass_name)
        self.pass_name, self.error = pass_name, error


def _compile_chunk(args, plan: Plan, text: str, name: str) -> str:
    from tfc.cli.diagnostics import (
        USER_ERRORS,
        Diagnostic,
        DiagnosticError,
        error_at,
        parse_module,
        verify_module,
    )
    from tfc.cli.pass_pipeline import pass_label
    from tfc.pipeline import context

    ctx = context()
    module = parse_module(ctx, text, name)
    verify_module(module)
    for p in plan.passes:
        label = pass_label(p)
        start = time.perf_counter()
        try:
            p.apply(ctx, module)
        except DiagnosticError:
            raise
        except USER_ERRORS as e:
            op = getattr(e, "op", None)
            message = str(e).strip() or type(e).__name__
            if op is not None:
                diag = error_at(op, message)
            else:
                diag = Diagnostic(message if message.startswith(p.name) else f"{p.name}: {message}")
            raise DiagnosticError(diag) from None
        except Exception as e:  # noqa: BLE001
            raise _PassCrash(label, e) from e
        if args.time_passes:
            _err(f"// pass {label}: {1000 * (time.perf_counter() - start):.1f} ms")
        try:
            verify_module(module)
        except DiagnosticError as e:
            e.internal = True
            e.context = f"pass '{label}' produced invalid IR"
            raise
        if args.print_ir_after_all:
            _err(f"// -----// IR Dump After {label} //----- //\n" + print_module(args, module))
    if plan.source_emitter is not None:
        try:
            source = plan.source_emitter(module)
        except USER_ERRORS as e:
            op = getattr(e, "op", None)
            raise DiagnosticError(error_at(op, str(e)) if op is not None
                                  else Diagnostic(f"--emit={plan.source_name}: {e}")) from None
        except Exception as e:  # noqa: BLE001
            raise _PassCrash(f"emit-{plan.source_name}", e) from e
        source = source if isinstance(source, str) else str(source)
        return source if source.endswith("\n") else source + "\n"
    return print_module(args, module)


# --- --list-passes --------------------------------------------------------------

# For upstream passes whose classes have no docstring.
_SUMMARIES = {"cse": "Eliminate common subexpressions.", "dce": "Remove dead code."}


def list_passes() -> str:
    from tfc.cli.pass_pipeline import PipelineError, describe_options, load_pass
    from tfc.passes.registry import ALIASES, LEVELS, PASSES, PIPELINES

    lines = ["Passes (options in -p as name{option=value other=v1,v2}):"]
    for name in PASSES:
        try:
            cls = load_pass(name)
            doc = (cls.__doc__ or "").strip().splitlines()
            summary = doc[0] if doc else _SUMMARIES.get(name, "")
            lines.append(f"  {name:<24} {summary}")
            options = describe_options(cls)
            if options != "none":
                lines.append(f"  {'':<24}   options: {options}")
        except PipelineError as e:
            lines.append(f"  {name:<24} (unavailable: {e})")
    lines.append("Aliases:")
    lines += [f"  {alias:<24} = {target}" for alias, target in ALIASES.items()]
    lines.append("Named pipelines (-p NAME):")
    lines += [f"  {name:<24} {','.join(passes)}" for name, passes in PIPELINES.items()]
    lines.append("Levels (--emit / --from; each runs the passes after the previous one):")
    lines += [f"  {name:<24} {','.join(passes)}" for name, passes in LEVELS.items()]
    lines += [f"  {name:<24} {level} level, then {module}.{fn}"
              for name, (level, module, fn) in SOURCE_TARGETS.items()]
    return "\n".join(lines) + "\n"


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
