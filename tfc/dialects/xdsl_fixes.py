"""Fixes to xDSL 0.74 behaviour that tfc's round trips depend on.

linalg.generic with several results prints `-> (T1, T2)` but xDSL's parser only
reads `-> T1, T2`, so printed IR with an argmax (two outputs) could not be read
back. We accept both spellings, as MLIR does.
"""

from __future__ import annotations

from xdsl.dialects.linalg import ops as linalg_ops
from xdsl.parser import Parser

_original_parse = linalg_ops.GenericOp.parse.__func__


class _ResultTypesProxy:
    """Delegates to the parser; after `->`, reads a parenthesised type list too."""

    def __init__(self, parser: Parser):
        self._parser = parser
        self._after_arrow = False

    def __getattr__(self, name):
        return getattr(self._parser, name)

    def parse_optional_punctuation(self, punctuation, *args, **kwargs):
        found = self._parser.parse_optional_punctuation(punctuation, *args, **kwargs)
        if punctuation == "->" and found:
            self._after_arrow = True
        return found

    def parse_comma_separated_list(self, delimiter, parse, *args, **kwargs):
        if self._after_arrow and delimiter == Parser.Delimiter.NONE:
            self._after_arrow = False
            if self._parser.parse_optional_punctuation("(") is not None:
                types = self._parser.parse_comma_separated_list(Parser.Delimiter.NONE, parse)
                self._parser.parse_punctuation(")")
                return types
        return self._parser.parse_comma_separated_list(delimiter, parse, *args, **kwargs)


def _parse_generic(cls, parser: Parser):
    return _original_parse(cls, _ResultTypesProxy(parser))


def apply() -> None:
    if getattr(linalg_ops.GenericOp, "_tfc_fixed", False):
        return
    linalg_ops.GenericOp.parse = classmethod(_parse_generic)
    linalg_ops.GenericOp._tfc_fixed = True
