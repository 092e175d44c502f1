"""The C compiler at run time: discovery, identity caching, flags, compile errors."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import numpy as np
import pytest

from tfc.runtime import (
    CCompileError,
    CompilerNotFoundError,
    Manifest,
    build_cpu_artifact,
    find_compiler,
    load_cpu,
)
from tfc.runtime import compiler as cc_mod

ACTIONABLE = "install gcc (apt-get install gcc) or set CC=/path/to/compiler"

FMA_SRC = r"""
int tfc_entry(void **buffers) {
    const float *a = buffers[0], *b = buffers[1], *c = buffers[2];
    float *y = buffers[3];
    for (int i = 0; i < 4096; i++) y[i] = a[i] * b[i] + c[i];
    return 0;
}
"""

OMP_SRC = r"""
int tfc_entry(void **buffers) {
    const double *x = buffers[0];
    double *y = buffers[1];
    #pragma omp parallel for
    for (int i = 0; i < 1000; i++) y[i] = x[i] * x[i];
    return 0;
}
"""


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("TFC_CACHE_DIR", str(d))
    return d


def _spec(name, shape, dtype):
    return {"name": name, "shape": shape, "dtype": dtype}


def test_compiler_found_and_identity_cached():
    first = find_compiler()
    assert first.version and os.path.isabs(first.command[0])
    queries = cc_mod.stats["version_queries"]
    for _ in range(5):
        assert find_compiler() is first
    assert cc_mod.stats["version_queries"] == queries  # no subprocess per lookup
    assert first.command[0] in first.identity and first.version in first.identity


def _wrapper_compiler(directory: Path) -> Path:
    """A compiler of our own: a script that runs the real one."""
    exe = directory / "mycc"
    exe.write_text(f"#!/bin/sh\nexec {find_compiler().command[0]} \"$@\"\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


def test_cache_key_names_the_compiler_file_not_its_version(tmp_path, monkeypatch):
    """Looking up an artifact runs no `cc --version` (2-8 ms in every new process);
    replacing the compiler file (an upgrade) still gives a new key, so a new build."""
    exe = _wrapper_compiler(tmp_path)
    monkeypatch.setenv("CC", str(exe))
    cc = find_compiler()
    q = cc_mod.stats["version_queries"]
    key = cc.key_identity
    assert str(exe) in key and cc_mod.stats["version_queries"] == q
    spec = [_spec("x", [4096], "f32")] * 3
    src = FMA_SRC
    m = Manifest.for_program(inputs=spec, outputs=[_spec("y", [4096], "f32")])
    first = build_cpu_artifact(src, m, key_parts=("fma",))
    assert build_cpu_artifact(src, m, key_parts=("fma",)) == first
    exe.write_text(exe.read_text() + "# upgraded\n")
    os.utime(exe, ns=(exe.stat().st_atime_ns, exe.stat().st_mtime_ns + 10**9))
    cc_mod._find.cache_clear()
    second = build_cpu_artifact(src, m, key_parts=("fma",))
    assert second != first
    x = [np.random.default_rng().standard_normal(4096).astype(np.float32) for _ in range(3)]
    y = np.full(4096, np.nan, np.float32)
    load_cpu(second)(*x, out=y)
    np.testing.assert_allclose(y, x[0].astype(np.float64) * x[1] + x[2], rtol=1e-6, atol=1e-6)
    cc_mod._find.cache_clear()


def test_flags_match_numpy_semantics():
    flags = find_compiler().flags
    assert "-ffast-math" not in flags and "-ffp-contract=off" in flags
    assert {"-O3", "-shared", "-fPIC", "-std=gnu11"} <= set(flags)


def test_no_fma_contraction_results_equal_numpy_bitwise():
    # GCC's default (-ffp-contract=fast) would fuse a*b+c on FMA hardware and
    # round differently from NumPy: the flags must prevent that.
    m = Manifest(inputs=[_spec(n, (4096,), "f32") for n in "abc"], outputs=[_spec("y", (4096,), "f32")])
    prog = load_cpu(build_cpu_artifact(FMA_SRC, m, key_parts=["fma"]))
    rng = np.random.default_rng()
    a, b, c = (rng.standard_normal(4096).astype(np.float32) for _ in range(3))
    np.testing.assert_array_equal(prog(a, b, c), a * b + c)


def test_missing_compiler_everywhere(monkeypatch, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(CompilerNotFoundError) as e:
        find_compiler()
    assert ACTIONABLE in str(e.value)
    with pytest.raises(CompilerNotFoundError):
        build_cpu_artifact(FMA_SRC, Manifest(inputs=[], outputs=[]), key_parts=["x"])


def test_cc_pointing_nowhere(monkeypatch, tmp_path):
    monkeypatch.setenv("CC", "/nonexistent/cc")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CompilerNotFoundError) as e:
        find_compiler()
    assert "/nonexistent/cc" in str(e.value) and ACTIONABLE in str(e.value)


def test_compiler_without_openmp_falls_back(monkeypatch, tmp_path):
    real = find_compiler().command[0]
    wrapper = tmp_path / "no-omp-cc"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do [ "$a" = -fopenmp ] && { echo "error: -fopenmp unsupported" >&2; exit 1; }; done\n'
        f'exec {real} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("CC", str(wrapper))
    cc = find_compiler()
    assert not cc.openmp and "-fopenmp" not in cc.flags and "-O3" in cc.flags
    m = Manifest(inputs=[_spec("x", (1000,), "f64")], outputs=[_spec("y", (1000,), "f64")])
    path = build_cpu_artifact(OMP_SRC, m, key_parts=["omp"])
    assert "-fopenmp" not in load_cpu(path).manifest.flags  # recorded in the manifest
    x = np.random.default_rng().standard_normal(1000)
    np.testing.assert_array_equal(load_cpu(path)(x), x * x)


def test_compile_error_keeps_source_and_reports_stderr(cache_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the failed source is kept
    bad = "int tfc_entry(void **buffers) { return undefined_thing; }\n"
    with pytest.raises(CCompileError) as e:
        build_cpu_artifact(bad, Manifest(inputs=[], outputs=[]), key_parts=["bad"])
    err = e.value
    assert "undefined_thing" in err.stderr and "undefined_thing" in str(err)
    assert str(err.source_path) in str(err)
    assert Path(err.source_path).read_text() == bad
    assert Path(err.source_path).is_relative_to(tmp_path)
    # Nothing half-built is left in the cache.
    assert not cache_dir.exists() or list(cache_dir.iterdir()) == []
