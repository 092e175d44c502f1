"""What the numbers were measured on: CPU, memory, compiler and flags, library
versions, the tree's git state, and the STREAM-style copy bandwidth (built from
tools/stream_copy.c with tfc's own compiler and flags)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
STREAM_C = ROOT / "tools" / "stream_copy.c"


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8", errors="replace"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _lscpu() -> dict[str, str]:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in out.splitlines()) if v}


def mem_total_gib() -> float | None:
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("numpy", "torch", "jax", "jaxlib", "xdsl", "tfc"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def git_state() -> str:
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", "tfc")
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return f"{head}" + (" + uncommitted changes under tfc/" if dirty else "")


def describe() -> dict:
    from tfc.runtime.compiler import find_compiler

    cc = find_compiler()
    ls = _lscpu()
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "threads_per_core": ls.get("Thread(s) per core"),
            "l3": ls.get("L3 cache"), "mem_gib": mem_total_gib(), "compiler": cc.identity,
            "flags": " ".join(cc.flags), "versions": versions(), "git": git_state(),
            "kernel": platform.release()}


def copy_library(directory: Path) -> Path:
    """tools/stream_copy.c built as a shared library (its `stream_copy_once(a, b, n)`)
    with tfc's compiler and flags, in `directory`."""
    from tfc.runtime.compiler import find_compiler

    cc = find_compiler()
    lib = Path(directory) / "stream_copy.so"
    cmd = [*cc.command, *cc.flags, "-DSTREAM_COPY_LIB", "-o", str(lib), str(STREAM_C)]
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)
    return lib


def stream_copy(n: int = 1 << 24, reps: int = 30, threads: int = 2) -> dict:
    """Build tools/stream_copy.c with tfc's compiler and flags (as an executable) and run it."""
    from tfc.runtime.compiler import find_compiler

    cc = find_compiler()
    flags = [f for f in cc.flags if f not in ("-shared", "-fPIC")]
    with tempfile.TemporaryDirectory(prefix="tfc-stream-") as tmp:
        exe = Path(tmp) / "stream_copy"
        cmd = [*cc.command, *flags, "-o", str(exe), str(STREAM_C)]
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        out = subprocess.run([str(exe), str(n), str(reps)], check=True, capture_output=True, text=True,
                             timeout=300, env=env).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["command"] = " ".join([*cc.command, *flags])
    return result
