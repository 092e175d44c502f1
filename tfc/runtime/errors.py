"""The exceptions the runtime raises: each one says what went wrong and what to do.

They extend tfc.errors: build failures are CompileErrors, bad arguments are
ValueErrors, and all of them are TfcErrors.
"""

from __future__ import annotations

from pathlib import Path

from tfc.errors import CompileError, TfcError


class TfcRuntimeError(TfcError):
    """Base class of the runtime's own failures (not the user's bad arguments)."""


class CompilerNotFoundError(TfcRuntimeError, CompileError):
    """No usable C compiler: the CPU backend cannot build anything."""


class CCompileError(TfcRuntimeError, CompileError):
    """The C compiler rejected a source file.

    The source is kept on disk (``source_path``) so it can be inspected or
    recompiled by hand; ``stderr`` is the compiler's own output.
    """

    def __init__(self, message: str, *, stderr: str, source_path: Path, command: list[str]):
        super().__init__(message)
        self.stderr = stderr
        self.source_path = Path(source_path)
        self.command = list(command)


class CacheError(TfcRuntimeError):
    """The disk cache cannot be used (unwritable directory, entry that cannot be removed)."""


class CorruptArtifactError(TfcRuntimeError):
    """An artifact directory is damaged: a missing file, a checksum mismatch, a bad manifest."""


class KernelError(TfcRuntimeError):
    """Compiled code reported a failure (a nonzero return code from ``tfc_entry``)."""


class InputError(TfcError, ValueError):
    """Arguments at a compiled program's boundary do not match its signature."""
