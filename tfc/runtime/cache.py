"""The disk cache: content-addressed artifact directories that are safe to share
between concurrent processes and that are never loaded when damaged.

An entry is built in a temp directory inside the cache root and renamed into
place with one ``os.rename``, so readers see either nothing or a complete,
sealed entry. When several processes build the same key, the first rename
wins; the others find the name taken, throw their copy away and use the
winner's. Every lookup verifies the entry's checksums (cheap: the files are
small); a damaged entry is removed and rebuilt.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from tfc.runtime.artifact import verify
from tfc.runtime.errors import CacheError, CorruptArtifactError

_KEY_RE = re.compile(r"[0-9A-Za-z_-]{1,128}")
_TMP, _TRASH = ".tmp-", ".trash-"
_STALE_TMP_S = 6 * 3600  # a build older than this is from a dead process
_ATTEMPTS = 5


def default_cache_dir() -> Path:
    """``$TFC_CACHE_DIR``, else ``$XDG_CACHE_HOME/tfc``, else ``~/.cache/tfc``."""
    env = os.environ.get("TFC_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says to ignore relative paths
        return Path(xdg) / "tfc"
    try:
        return Path.home() / ".cache" / "tfc"
    except RuntimeError:
        raise CacheError("cannot find a home directory for the tfc cache; "
                         "set TFC_CACHE_DIR to a writable directory") from None


def cache_key(*parts: Any) -> str:
    """sha256 over the parts: str, bytes, or JSON-serialisable values (dicts in key order).

    Each part is tagged with its kind and length, so ("ab", "c") and ("a", "bc")
    or "x" and b"x" never collide.
    """
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, bytes):
            tag, data = b"b", p
        elif isinstance(p, str):
            tag, data = b"s", p.encode("utf-8")
        else:
            try:
                data = json.dumps(p, sort_keys=True, separators=(",", ":")).encode("utf-8")
            except TypeError as e:
                raise TypeError(f"cache_key parts must be str, bytes or JSON values: {e}") from None
            tag = b"j"
        h.update(tag + len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


class DiskCache:
    """A cache root directory holding one artifact directory per key."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root).expanduser() if root is not None else default_cache_dir()
        # Counters for this instance: tests and tools tell hits from rebuilds with them.
        self.hits = 0
        self.builds = 0
        self.discarded = 0

    def __repr__(self) -> str:
        return f"DiskCache({str(self.root)!r})"

    def path_for(self, key: str) -> Path:
        if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
            raise ValueError(f"bad cache key {key!r}: use cache_key(...) to make one")
        return self.root / key

    def lookup(self, key: str) -> Path | None:
        """The entry's directory if it is present and intact; a damaged one is removed."""
        path = self.path_for(key)
        if self._intact(path):
            self.hits += 1
            return path
        return None

    def get_or_build(self, key: str, build_fn: Callable[[Path], Any]) -> Path:
        """The entry for ``key``, building it with ``build_fn(tmp_dir)`` if needed.

        ``build_fn`` must leave a sealed artifact (files + manifest with
        checksums, see ``artifact.seal``) in the directory it is given. Its
        exceptions propagate, and nothing is left behind in the cache.
        """
        final = self.path_for(key)
        for _ in range(_ATTEMPTS):
            if self._intact(final):
                self.hits += 1
                return final
            tmp = self._make_tmp(key)
            try:
                build_fn(tmp)
                verify(tmp)  # a builder that leaves a broken entry is a bug: never publish it
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            try:
                os.rename(tmp, final)
            except OSError as e:
                shutil.rmtree(tmp, ignore_errors=True)
                if e.errno in (errno.EEXIST, errno.ENOTEMPTY):
                    continue  # another process won the race: check and use its entry
                raise CacheError(f"cannot write to the tfc cache directory {self.root}: "
                                 f"{e.strerror or e}; set TFC_CACHE_DIR to a writable directory") from None
            self.builds += 1
            return final
        raise CacheError(f"cache entry {final} kept turning up damaged after {_ATTEMPTS} rebuilds; "
                         f"is something else writing into {self.root}?")

    # -- internals ---------------------------------------------------------

    def _intact(self, path: Path) -> bool:
        if not os.path.lexists(path):
            return False
        try:
            verify(path)
            return True
        except CorruptArtifactError:
            self._discard(path)
            return False

    def _discard(self, path: Path) -> None:
        """Remove a damaged entry: first rename it away (atomic), then delete it."""
        trash = self.root / f"{_TRASH}{path.name}-{os.getpid()}-{time.monotonic_ns()}"
        try:
            os.rename(path, trash)
        except FileNotFoundError:
            return  # another process removed it first
        except OSError as e:
            raise CacheError(f"cannot remove the damaged cache entry {path}: {e.strerror or e}; "
                             f"delete it by hand or set TFC_CACHE_DIR to a writable directory") from None
        self.discarded += 1
        # Between our check and our rename another process may have replaced the
        # damaged entry with a good one; if what we moved is intact, put it back.
        try:
            verify(trash)
            os.rename(trash, path)
            return
        except (CorruptArtifactError, OSError):
            pass
        shutil.rmtree(trash, ignore_errors=True)

    def _make_tmp(self, key: str) -> Path:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP}{key[:16]}-", dir=self.root))
        except OSError as e:
            raise CacheError(f"cannot write to the tfc cache directory {self.root}: "
                             f"{e.strerror or e}; set TFC_CACHE_DIR to a writable directory") from None
        self._sweep()
        return tmp

    def _sweep(self) -> None:
        """Delete leftovers of crashed processes (only on the build path, never on hits)."""
        now = time.time()
        try:
            entries = list(os.scandir(self.root))
        except OSError:
            return
        for e in entries:
            if not (e.name.startswith(_TMP) or e.name.startswith(_TRASH)):
                continue
            try:
                age = now - e.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue
            if age > _STALE_TMP_S or (e.name.startswith(_TRASH) and age > 60):
                shutil.rmtree(e.path, ignore_errors=True)
