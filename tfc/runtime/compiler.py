"""Finds the C compiler at run time, settles the flags it accepts, and turns C
source into a shared library.

Everything that costs a subprocess (``--version``, probing ``-fopenmp``) runs at
most once per process and compiler: warm cache loads need the compiler's
identity for the cache key, and must stay cheap.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from tfc.runtime.errors import CCompileError, CompilerNotFoundError

HOWTO = "install gcc (apt-get install gcc) or set CC=/path/to/compiler"

# Optimisation without changing results: no -ffast-math (NumPy semantics for
# NaN, inf, signed zeros and rounding), and -ffp-contract=off because GCC's GNU
# modes default to fusing a*b+c into an FMA, which rounds differently from
# NumPy. -fno-math-errno only stops libm calls from setting errno (values are
# unchanged), which lets sqrt and friends vectorise.
PREFERRED_FLAGS: tuple[str, ...] = (
    "-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", "-std=gnu11",
    "-ffp-contract=off", "-fno-math-errno",
)
_OPTIONAL = ("-fopenmp", "-march=native")  # dropped (in this order) if the compiler refuses them

# Exercises what the optional flags need: <omp.h>, a parallel loop, linking libgomp.
_PROBE = r"""
#include <omp.h>
int tfc_probe(float *x, int n) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++) x[i] = x[i] * 2.0f;
    return omp_get_max_threads();
}
"""

# Process-wide counters; tests use them to tell a cache hit from a rebuild.
stats = {"compiles": 0, "probes": 0, "version_queries": 0}


@dataclass(frozen=True)
class Compiler:
    """A C compiler found on this machine: its command line and ``--version``."""

    command: tuple[str, ...]  # e.g. ("/usr/bin/gcc",) or ("/usr/bin/ccache", "gcc")

    @cached_property
    def version(self) -> str:
        """The first line of `--version` (a subprocess: asked when first needed)."""
        return _version(self.command)

    @property
    def identity(self) -> str:
        """What manifests and error messages name: the path and the version line."""
        return f"{shlex.join(self.command)} ({self.version})"

    @cached_property
    def key_identity(self) -> str:
        """What cache keys hold: the compiler file itself (resolved path, inode, size,
        modification time), which changes whenever the compiler is upgraded or
        replaced, so a warm start runs no `--version` subprocess (2-8 ms in every new
        process). A wrapper command (`ccache gcc`) does not name the compiler file:
        its version line is used."""
        if len(self.command) == 1:
            try:
                real = os.path.realpath(self.command[0])
                st = os.stat(real)
                return f"{self.command[0]} -> {real} ino {st.st_ino} size {st.st_size} mtime {st.st_mtime_ns}"
            except OSError:
                pass
        return self.identity

    @cached_property
    def flags(self) -> tuple[str, ...]:
        """The preferred flags minus the optional ones this compiler refuses."""
        return _settle_flags(self.command)

    @property
    def openmp(self) -> bool:
        return "-fopenmp" in self.flags


def find_compiler() -> Compiler:
    """The C compiler to use: ``$CC`` if set, else ``cc``, ``gcc``, ``clang`` on PATH."""
    # Keyed on the environment so a changed $CC or PATH (tests, notebooks) is seen.
    return _find(os.environ.get("CC", ""), os.environ.get("PATH", ""))


@functools.lru_cache(maxsize=16)
def _find(cc_env: str, path_env: str) -> Compiler:
    if cc_env.strip():
        # $CC may carry a wrapper ("ccache gcc"). An explicit $CC that does not
        # resolve is an error rather than a silent fallback: the user asked for it.
        argv = shlex.split(cc_env)
        exe = shutil.which(argv[0], path=path_env)
        if exe is None:
            raise CompilerNotFoundError(
                f"the C compiler named by $CC ({cc_env!r}) does not exist or is not executable; "
                f"{HOWTO}")
        command = (exe, *argv[1:])
    else:
        for name in ("cc", "gcc", "clang"):
            exe = shutil.which(name, path=path_env)
            if exe is not None:
                command = (exe,)
                break
        else:
            raise CompilerNotFoundError(
                "no C compiler found (looked for $CC, then cc, gcc, clang on PATH); "
                f"the CPU backend needs one: {HOWTO}")
    return Compiler(command)


def _version(command: tuple[str, ...]) -> str:
    stats["version_queries"] += 1
    try:
        proc = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise CompilerNotFoundError(f"{shlex.join(command)} does not run ({e}); {HOWTO}") from None
    lines = [ln.strip() for ln in (proc.stdout or proc.stderr).splitlines() if ln.strip()]
    if proc.returncode != 0 or not lines:
        raise CompilerNotFoundError(
            f"{shlex.join(command)} --version failed (exit {proc.returncode}); it does not look "
            f"like a C compiler; {HOWTO}")
    return lines[0]


def _settle_flags(command: tuple[str, ...]) -> tuple[str, ...]:
    """Try the preferred flags on a probe, dropping optional ones until it builds.

    A compiler without OpenMP (clang without libomp) still builds correct,
    single-threaded code: the pragmas are ignored.
    """
    candidates = [PREFERRED_FLAGS]
    dropped: tuple[str, ...] = ()
    for flag in _OPTIONAL:
        dropped += (flag,)
        candidates.append(tuple(f for f in PREFERRED_FLAGS if f not in dropped))
    with tempfile.TemporaryDirectory(prefix="tfc-probe-") as tmp:
        src = Path(tmp) / "probe.c"
        src.write_text(_PROBE)
        for flags in candidates:
            stats["probes"] += 1
            cmd = [*command, *flags, "-o", str(Path(tmp) / "probe.so"), str(src), "-lm"]
            try:
                ok = subprocess.run(cmd, capture_output=True, timeout=120).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
            if ok:
                return flags
    # Nothing optional helps: keep the mandatory flags and let the real compile
    # report the compiler's own error.
    return candidates[-1]


@functools.lru_cache(maxsize=1)
def host_fingerprint() -> str:
    """The CPU this process runs on; -march=native code is only valid on a matching one.

    It joins the compiler identity in cache keys, so a cache directory shared
    between different machines never hands out code using missing instructions.
    """
    # (platform.processor() would run `uname -p` in a subprocess, and returns only
    # the architecture on Linux; the model name comes from /proc/cpuinfo.)
    model, features = "", ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key in ("model name", "CPU part", "cpu model") and not model:
                    model = value.strip()
                elif key in ("flags", "Features") and not features:
                    features = value.strip()
                elif not line.strip() and features:
                    break  # first processor block is enough
    except OSError:
        pass
    digest = hashlib.sha256(" ".join(sorted(features.split())).encode()).hexdigest()[:16]
    return f"{platform.machine()} {model} features:{digest}".strip()


def compile_shared(source: str, out_dir: Path, compiler: Compiler | None = None) -> tuple[str, ...]:
    """Write ``out_dir/source.c`` and compile it to ``out_dir/kernel.so``; return the flags used.

    Raises CCompileError with the compiler's stderr; the failing source is
    copied outside ``out_dir`` (which the cache discards) so it can be inspected.
    """
    compiler = compiler or find_compiler()
    out_dir = Path(out_dir)
    src, so = out_dir / "source.c", out_dir / "kernel.so"
    src.write_text(source, encoding="utf-8")
    flags = compiler.flags
    cmd = [*compiler.command, *flags, "-o", str(so), str(src), "-lm"]
    stats["compiles"] += 1
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise CompilerNotFoundError(f"cannot run {shlex.join(compiler.command)}: {e}; {HOWTO}") from None
    if proc.returncode != 0 or not so.exists():
        kept_dir = Path(tempfile.mkdtemp(prefix="tfc-cc-error-"))
        kept = kept_dir / "source.c"
        shutil.copyfile(src, kept)
        (kept_dir / "stderr.txt").write_text(proc.stderr, encoding="utf-8")
        (kept_dir / "command.txt").write_text(
            shlex.join([*compiler.command, *flags, "-o", "kernel.so", "source.c", "-lm"]) + "\n")
        stderr = proc.stderr.strip()
        if len(stderr) > 8000:  # the full text is in stderr.txt
            stderr = stderr[:8000] + f"\n... (truncated; full output in {kept_dir / 'stderr.txt'})"
        raise CCompileError(
            f"C compilation failed ({compiler.identity}, exit {proc.returncode}); "
            f"the source is kept at {kept}\n{stderr}",
            stderr=proc.stderr, source_path=kept, command=cmd)
    return flags
