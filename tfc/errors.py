"""Errors users see. Each message says what went wrong and, where it can, what to do."""


class TfcError(Exception):
    """Base of tfc's user-facing errors."""


class ShapeError(TfcError, ValueError):
    """An op was given operands of incompatible shapes or dtypes.

    The message names the op and the shapes; when the op was built from user
    code, it ends with the user's file and line.
    """


class CompileError(TfcError):
    """The compiler could not lower or build a program."""
