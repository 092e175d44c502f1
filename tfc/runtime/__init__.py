"""The runtime: builds C sources into cached artifacts and runs them on NumPy
arrays and torch tensors.

    path = build_cpu_artifact(c_source, Manifest(inputs=..., outputs=..., arena_bytes=N),
                              key_parts=(ir_text, options))
    prog = load_cpu(path)
    y = prog(x, w)
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Sequence

import tfc
from tfc.runtime.artifact import Manifest, TensorSpec, seal, verify
from tfc.runtime.cache import DiskCache, cache_key, default_cache_dir
from tfc.runtime.compiler import PREFERRED_FLAGS, Compiler, compile_shared, find_compiler, host_fingerprint
from tfc.runtime.cpu import CpuProgram, load_cpu
from tfc.runtime.errors import (
    CacheError,
    CCompileError,
    CompilerNotFoundError,
    CorruptArtifactError,
    InputError,
    KernelError,
    TfcRuntimeError,
)

__all__ = [
    "build_cpu_artifact", "load_cpu", "default_cache", "cache_key",
    "CpuProgram", "Manifest", "TensorSpec", "DiskCache", "Compiler", "find_compiler",
    "TfcRuntimeError", "CompilerNotFoundError", "CCompileError", "CacheError",
    "CorruptArtifactError", "KernelError", "InputError",
]


def default_cache() -> DiskCache:
    """The cache at ``$TFC_CACHE_DIR`` (default ``$XDG_CACHE_HOME/tfc`` or ``~/.cache/tfc``)."""
    return DiskCache(default_cache_dir())


def build_cpu_artifact(
    source: str | Callable[[], str],
    manifest: Manifest | Callable[[], Manifest],
    *,
    key_parts: Sequence[Any],
    cache: DiskCache | str | os.PathLike | None = None,
) -> Path:
    """The directory of the cached CPU artifact for this program, compiling it if needed.

    ``key_parts`` says what the program is (IR text, options); the target, the
    tfc version, the compiler identity, the host CPU and the flags are added
    here. ``source`` and ``manifest`` may be zero-argument callables, called
    only on a cache miss, so a warm run can skip code generation entirely; a
    source given as a string also joins the key (a changed generator then
    never reuses stale code). The manifest's compiler, flags, version and
    checksums are filled in here.
    """
    if cache is None:
        cache = default_cache()
    elif not isinstance(cache, DiskCache):
        cache = DiskCache(cache)
    if isinstance(key_parts, (str, bytes)):
        key_parts = (key_parts,)
    cc = find_compiler()  # cached per process: no subprocess on the warm path
    parts: list[Any] = ["cpu", tfc.__version__, cc.key_identity, host_fingerprint(),
                        list(PREFERRED_FLAGS), *key_parts]
    if isinstance(source, str):
        parts.append(source)
    key = cache_key(*parts)

    def build(tmp: Path) -> None:
        src = source() if callable(source) else source
        m = manifest() if callable(manifest) else manifest
        flags = compile_shared(src, tmp, cc)
        seal(tmp, replace(m, target="cpu", compiler=cc.identity, flags=list(flags),
                          tfc_version=tfc.__version__, host=host_fingerprint()))

    return cache.get_or_build(key, build)
