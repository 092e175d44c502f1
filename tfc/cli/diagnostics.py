"""Located diagnostics: parse, verify and run passes so that every error names its place.

An error prints like MLIR's:

    model.mlir:3:8: error: tfc.matmul: inner dimensions differ: ...
      %r = tfc.matmul %a, %b : ...
           ^

xDSL's verifier does not say which op failed, and parsed ops carry no position
unless the text has `loc(...)`. So `LocatingParser` stamps each op without an
explicit location with `loc("file":line:col)` (the position of its name, as
MLIR does), and `verify_module` verifies op by op to know which one failed.
A pass that fails on a particular op says so by raising an exception with an
`op` attribute (e.g. `e = PassFailedException(msg); e.op = op; raise e`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from xdsl.context import Context
from xdsl.dialects.builtin import (
    CallSiteLoc,
    FileLineColLoc,
    FusedLoc,
    IntAttr,
    ModuleOp,
    NameLoc,
    StringAttr,
    UnknownLoc,
)
from xdsl.ir import Attribute, Operation
from xdsl.parser import Parser
from xdsl.traits import NoTerminator
from xdsl.utils.exceptions import (
    DiagnosticException,
    MultipleSpansParseError,
    ParseError,
    VerifyException,
)
from xdsl.utils.lexer import Span
from xdsl.utils.mlir_lexer import MLIRTokenKind

from tfc.errors import TfcError

# Exceptions that mean "the input is wrong" (or asks for what is not supported),
# as opposed to a bug in tfc. Anything else escaping a pass is an internal error.
USER_ERRORS = (DiagnosticException, TfcError, NotImplementedError)


@dataclass(frozen=True)
class Loc:
    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass
class Diagnostic:
    message: str
    loc: Loc | None = None
    severity: str = "error"
    notes: list[Diagnostic] = field(default_factory=list)


class DiagnosticError(Exception):
    """Diagnostics to report; the input (not tfc) is at fault unless `internal`."""

    def __init__(self, diagnostic: Diagnostic, *, internal: bool = False, context: str = ""):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic
        self.internal = internal
        self.context = context   # for internal errors: what tfc was doing


# --- locations ------------------------------------------------------------------

def loc_of_attr(loc: Attribute) -> Loc | None:
    """The file position a location attribute points at, if any."""
    if isinstance(loc, FileLineColLoc):
        return Loc(loc.filename.data, loc.line.data, loc.column.data)
    if isinstance(loc, NameLoc):
        return loc_of_attr(loc.location)
    if isinstance(loc, CallSiteLoc):
        return loc_of_attr(loc.callee)
    if isinstance(loc, FusedLoc):
        for inner in loc.locations.data:
            if (found := loc_of_attr(inner)) is not None:
                return found
    return None


def loc_of(op: Operation | None) -> Loc | None:
    """Where `op` is; ops made by passes without a location report their parent's."""
    while op is not None:
        if (found := loc_of_attr(op.location)) is not None:
            return found
        op = op.parent_op()
    return None


def error_at(op: Operation | None, message: str) -> Diagnostic:
    """An error about `op`, its message starting with the op name (as tfc messages do)."""
    if op is not None and not message.startswith(op.name) and f"'{op.name}'" not in message:
        message = f"{op.name}: {message}"
    return Diagnostic(message, loc_of(op))


# --- parsing --------------------------------------------------------------------

class LocatingParser(Parser):
    """xDSL's parser, stamping `loc("file":line:col)` on ops that have no explicit loc."""

    def __init__(self, ctx: Context, text: str, name: str):
        super().__init__(ctx, text, name)
        self._name_spans: list[Span] = []
        self._first_use: dict[str, Span] = {}

    def parse_module(self, allow_implicit_module: bool = True) -> ModuleOp:
        try:
            return super().parse_module(allow_implicit_module)
        except ParseError:
            # xDSL reports undefined values at the end of the input; point at the first use.
            for value in self.forward_ssa_references:
                if value in self._first_use:
                    raise ParseError(self._first_use[value],
                                     f"use of undefined value '%{value}'") from None
            raise

    def _get_op_by_name(self, name: str):
        try:
            return super()._get_op_by_name(name)
        except ParseError:
            import difflib

            known = [op.name for op in self.ctx.loaded_ops]
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            span = self._name_spans[-1] if self._name_spans else self._current_token.span
            raise ParseError(span, f"unknown operation '{name}'{hint}") from None

    def resolve_operand(self, operand, type):
        name = operand.operand_name
        if name not in self.ssa_values and name not in self._first_use:
            self._first_use[name] = operand.span
        return super().resolve_operand(operand, type)

    def _parse_op_result_list(self):
        results = super()._parse_op_result_list()
        # The op's position is its name, after any `%r =`, as in MLIR.
        self._name_spans.append(self._current_token.span)
        return results

    def parse_operation(self) -> Operation:
        depth = len(self._name_spans)
        start = self._current_token.span
        try:
            op = super().parse_operation()
        except ParseError:
            raise
        except (DiagnosticException, TfcError, ValueError) as e:
            # An op's own parser rejected its input (e.g. an attribute failed to verify).
            raise ParseError(self._name_span(depth, start), str(e)) from None
        finally:
            span = self._name_span(depth, start)
            del self._name_spans[depth:]
        if isinstance(op.location, UnknownLoc):
            where = span.get_location()
            op.location = FileLineColLoc(StringAttr(where.file), IntAttr(where.line),
                                         IntAttr(where.col))
        return op

    def _name_span(self, depth: int, default: Span) -> Span:
        return self._name_spans[depth] if len(self._name_spans) > depth else default


def parse_module(ctx: Context, text: str, name: str) -> ModuleOp:
    """Parse MLIR text; a syntax error becomes a located DiagnosticError."""
    try:
        parser = LocatingParser(ctx, text, name)
        if parser._current_token.kind == MLIRTokenKind.EOF:
            return ModuleOp([])  # only comments and blanks: an empty module, as in mlir-opt
        return parser.parse_module()
    except ParseError as e:
        raise DiagnosticError(_from_parse_error(e)) from None


def _span_loc(span: Span) -> Loc:
    where = span.get_location()
    return Loc(where.file, where.line, where.col)


def _from_parse_error(e: ParseError) -> Diagnostic:
    message = e.msg
    if e.span.start >= len(e.span.input.content.rstrip()):
        message = "unexpected end of input" + (message if message.startswith(" ") else f": {message}")
    diag = Diagnostic(message.strip(), _span_loc(e.span))
    if isinstance(e, MultipleSpansParseError):
        for span, msg in e.refs:
            diag.notes.append(Diagnostic(msg or e.ref_text or "see here", _span_loc(span), "note"))
    return diag


# --- verification ---------------------------------------------------------------

def verify_module(module: Operation) -> None:
    """Verify like `module.verify()`, but raise a DiagnosticError located at the failing op."""
    _verify(module)


def _verify(op: Operation) -> None:
    for region in op.regions:
        for block in region.blocks:
            if not block.ops and len(region.blocks) == 1 and not op.has_trait(NoTerminator):
                raise DiagnosticError(error_at(
                    op, "contains an empty block in a single-block region that expects "
                        "a terminator"))
            for child in block.ops:
                _verify(child)
    try:
        op.verify(verify_nested_ops=False)
    except DiagnosticException as e:
        message = str(e)
        culprit = _redefined_symbol(op, message) or op
        raise DiagnosticError(error_at(culprit, message)) from None


def _redefined_symbol(table: Operation, message: str) -> Operation | None:
    """For 'Redefinition of symbol "f"' on a symbol table: the second definition of f."""
    import re

    m = re.search(r'Redefinition of symbol "([^"]+)"', message)
    if m is None:
        return None
    seen = 0
    for region in table.regions:
        for block in region.blocks:
            for child in block.ops:
                name = child.attributes.get("sym_name") or child.properties.get("sym_name")
                if getattr(name, "data", None) == m.group(1):
                    seen += 1
                    if seen == 2:
                        return child
    return None


# --- printing -------------------------------------------------------------------

class Sources:
    """The text of the input (and of other files locations point into) for context lines."""

    def __init__(self):
        self._files: dict[str, list[str] | None] = {}

    def add(self, name: str, text: str) -> None:
        self._files[name] = text.splitlines()

    def line(self, file: str, line: int) -> str | None:
        if file not in self._files:
            try:
                self._files[file] = Path(file).read_text(errors="replace").splitlines()
            except (OSError, ValueError):
                self._files[file] = None
        lines = self._files[file]
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]

    def format(self, diag: Diagnostic, *, fallback: str = "tfc-opt") -> str:
        """`file:line:col: error: message`, the source line, a caret; then the notes."""
        out = []
        for d in [diag, *diag.notes]:
            where = str(d.loc) if d.loc is not None else fallback
            out.append(f"{where}: {d.severity}: {d.message}")
            if d.loc is not None and (text := self.line(d.loc.file, d.loc.line)) is not None:
                out.append(text)
                # Keep tabs so the caret lines up under the column.
                prefix = "".join(c if c == "\t" else " " for c in text[: d.loc.col - 1])
                out.append(prefix + "^")
        return "\n".join(out) + "\n"


def format_all(sources: Sources, diags: Iterable[Diagnostic], fallback: str = "tfc-opt") -> str:
    return "".join(sources.format(d, fallback=fallback) for d in diags)


__all__ = [
    "Diagnostic",
    "DiagnosticError",
    "Loc",
    "LocatingParser",
    "Sources",
    "USER_ERRORS",
    "error_at",
    "format_all",
    "loc_of",
    "parse_module",
    "verify_module",
]
