"""`--verify-diagnostics`: check the errors tfc-opt reports against comments in the input.

MLIR's conventions:

    // expected-error @+1 {{inner dimensions differ}}
    %r = tfc.matmul %a, %b : ...
    %s = tfc.add %x, %y : ...  // expected-error {{not broadcast-compatible}}
    // expected-error @-1 {{...}}     the line above
    // expected-error @below {{...}}  the next line that is not blank or a comment
    // expected-error @above {{...}}  the previous such line
    // expected-error @unknown {{...}} a diagnostic without a location
    // expected-error-re {{dimension {{[0-9]+}} is out of range}}   {{...}} inside is a regex

Every expected diagnostic must be produced at its line, with its text as a
substring of the message; every produced diagnostic must be expected.
Severities: error, warning, note, remark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tfc.cli.diagnostics import Diagnostic, Loc

_EXPECTED = re.compile(
    r"expected-(?P<sev>error|warning|note|remark)(?P<re>-re)?"
    r"[ \t]*(?:@(?P<where>[+-]\d+|above|below|unknown))?[ \t]*\{\{(?P<text>.*)\}\}")


@dataclass
class Expected:
    severity: str
    text: str
    pattern: re.Pattern | None
    line: int | None       # None: @unknown
    comment: Loc           # where the expected-* comment is, for reporting
    matched: bool = False

    def matches(self, diag: Diagnostic) -> bool:
        if diag.severity != self.severity:
            return False
        if self.line is None:
            if diag.loc is not None:
                return False
        elif diag.loc is None or diag.loc.line != self.line or diag.loc.file != self.comment.file:
            return False
        if self.pattern is not None:
            return self.pattern.search(diag.message) is not None
        return self.text in diag.message


def _regex(text: str) -> re.Pattern:
    """MLIR's -re form: literal text with regexes between {{ and }}."""
    parts, pos = [], 0
    for m in re.finditer(r"\{\{(.*?)\}\}", text):
        parts.append(re.escape(text[pos: m.start()]))
        parts.append(f"(?:{m.group(1)})")
        pos = m.end()
    parts.append(re.escape(text[pos:]))
    return re.compile("".join(parts))


def _add_expected(m, number, file, last_code_line, expected, below, problems) -> None:
    comment = Loc(file, number, m.start() + 1)
    body = m.group("text")
    pattern = None
    if m.group("re"):
        try:
            pattern = _regex(body)
        except re.error as err:
            problems.append(Diagnostic(f"invalid regex in expected diagnostic: {err}", comment))
            return
    where = m.group("where")
    e = Expected(m.group("sev"), body, pattern, number, comment)
    if where == "unknown":
        e.line = None
    elif where == "above":
        if last_code_line is None:
            problems.append(Diagnostic("expected diagnostic @above has no line above it", comment))
            return
        e.line = last_code_line
    elif where == "below":
        below.append(e)
    elif where is not None:
        e.line = number + int(where)
    expected.append(e)


def parse_expected(text: str, file: str) -> tuple[list[Expected], list[Diagnostic]]:
    """The expected diagnostics in `text`, and errors for malformed expected-* comments."""
    lines = text.splitlines()
    expected: list[Expected] = []
    problems: list[Diagnostic] = []
    below: list[Expected] = []   # waiting for the next code line
    last_code_line: int | None = None
    for number, line in enumerate(lines, start=1):
        # @above/@below skip blank lines and whole-line comments.
        is_code = bool(line.strip()) and not line.lstrip().startswith("//")
        if is_code:
            for e in below:
                e.line = number
            below.clear()
        m = _EXPECTED.search(line)
        if m is None and re.search(r"expected-(error|warning|note|remark)\b", line):
            problems.append(Diagnostic(
                "malformed expected diagnostic: write `expected-error @+1 {{message}}`",
                Loc(file, number, line.index("expected-") + 1)))
        if m is not None:
            _add_expected(m, number, file, last_code_line, expected, below, problems)
        if is_code:
            last_code_line = number
    for e in below:
        problems.append(Diagnostic("expected diagnostic @below has no line below it", e.comment))
        expected.remove(e)
    return expected, problems


def check(expected: list[Expected], produced: list[Diagnostic]) -> list[Diagnostic]:
    """Mismatches between expected and produced diagnostics, as errors to report."""
    out: list[Diagnostic] = []
    flat: list[Diagnostic] = []
    for d in produced:
        flat.append(d)
        flat.extend(d.notes)
    for d in flat:
        for e in expected:
            if not e.matched and e.matches(d):
                e.matched = True
                break
        else:
            out.append(Diagnostic(f"unexpected {d.severity}: {d.message}", d.loc))
    for e in expected:
        if not e.matched:
            where = "without a location" if e.line is None else f"at line {e.line}"
            out.append(Diagnostic(
                f"expected {e.severity} \"{e.text}\" was not produced {where}", e.comment))
    return out
