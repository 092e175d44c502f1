"""The disk cache: keys, hits, damaged entries, concurrent builders, bad cache dirs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from tfc.runtime import (
    CacheError,
    CorruptArtifactError,
    DiskCache,
    Manifest,
    build_cpu_artifact,
    cache_key,
    default_cache,
    load_cpu,
)
from tfc.runtime import compiler as cc_mod
from tfc.runtime.artifact import seal, verify
from tfc.runtime.cache import default_cache_dir

SRC = r"""
int tfc_entry(void **buffers) {
    const float *a = buffers[0], *b = buffers[1];
    float *y = buffers[2];
    for (int i = 0; i < 32; i++) y[i] = a[i] * b[i] + 1.0f;
    return 0;
}
"""


def manifest():
    spec = lambda n: {"name": n, "shape": (4, 8), "dtype": "f32"}  # noqa: E731
    return Manifest(inputs=[spec("a"), spec("b")], outputs=[spec("y")])


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("TFC_CACHE_DIR", str(d))
    return d


def build(**kw):
    return build_cpu_artifact(SRC, manifest(), key_parts=["ir-text", {"opt": 1}], **kw)


def check_runs(path):
    rng = np.random.default_rng()
    a, b = (rng.standard_normal((4, 8)).astype(np.float32) for _ in range(2))
    y = load_cpu(path)(a, b)
    np.testing.assert_allclose(y, a.astype(np.float64) * b + 1, rtol=1e-6, atol=1e-6)


# -- keys and locations ------------------------------------------------------

def test_cache_key_is_a_content_hash():
    k = cache_key("ir", "cpu", {"b": 1, "a": 2})
    assert len(k) == 64 and k == cache_key("ir", "cpu", {"a": 2, "b": 1})
    assert k != cache_key("ir", "gpu", {"a": 2, "b": 1})
    assert cache_key("ab", "c") != cache_key("a", "bc")
    assert cache_key("x") != cache_key(b"x")
    with pytest.raises(TypeError):
        cache_key(object())


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("TFC_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"
    assert default_cache().root == tmp_path / "explicit"
    monkeypatch.delenv("TFC_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "tfc"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "tfc"


# -- hits --------------------------------------------------------------------

def test_second_build_is_a_hit(cache_dir):
    before = cc_mod.stats["compiles"]
    path = build()
    assert path.parent == cache_dir and cc_mod.stats["compiles"] == before + 1
    mtime = (path / "kernel.so").stat().st_mtime_ns
    cache = DiskCache()
    assert build(cache=cache) == path
    assert cache.hits == 1 and cache.builds == 0
    assert cc_mod.stats["compiles"] == before + 1 and (path / "kernel.so").stat().st_mtime_ns == mtime
    assert sorted(p.name for p in path.iterdir()) == ["kernel.so", "manifest.json", "source.c"]
    m = verify(path)
    assert m.target == "cpu" and m.compiler and m.flags and set(m.checksums) == {"kernel.so", "source.c"}
    check_runs(path)


def test_lazy_source_not_generated_on_hit():
    calls = []

    def gen():
        calls.append(1)
        return SRC

    p1 = build_cpu_artifact(gen, manifest, key_parts=["lazy"])
    p2 = build_cpu_artifact(gen, manifest, key_parts=["lazy"])
    assert p1 == p2 and calls == [1]
    check_runs(p1)


def test_key_parts_and_source_select_entries():
    p1 = build()
    p2 = build_cpu_artifact(SRC, manifest(), key_parts=["other ir"])
    p3 = build_cpu_artifact(SRC.replace("1.0f", "2.0f"), manifest(), key_parts=["ir-text", {"opt": 1}])
    assert len({p1, p2, p3}) == 3


# -- damaged entries: detected, removed, rebuilt, never loaded ---------------

def _truncate_so(p):
    so = p / "kernel.so"
    so.write_bytes(so.read_bytes()[: so.stat().st_size // 2])


def _flip_source_byte(p):
    src = bytearray((p / "source.c").read_bytes())
    src[10] ^= 0x01
    (p / "source.c").write_bytes(bytes(src))


def _delete_manifest(p):
    (p / "manifest.json").unlink()


def _garble_manifest(p):
    (p / "manifest.json").write_text("{not json")


def _delete_so(p):
    (p / "kernel.so").unlink()


def _drop_so_checksum(p):
    m = json.loads((p / "manifest.json").read_text())
    del m["checksums"]["kernel.so"]
    (p / "manifest.json").write_text(json.dumps(m))


@pytest.mark.parametrize("damage", [_truncate_so, _flip_source_byte, _delete_manifest,
                                    _garble_manifest, _delete_so, _drop_so_checksum])
def test_damaged_entry_is_rebuilt_not_loaded(damage):
    path = build()
    damage(path)
    with pytest.raises(CorruptArtifactError):
        load_cpu(path)  # the loader verifies before dlopen
    before = cc_mod.stats["compiles"]
    cache = DiskCache()
    assert build(cache=cache) == path
    assert cache.builds == 1 and cache.discarded == 1 and cc_mod.stats["compiles"] == before + 1
    verify(path)
    check_runs(path)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no trash left


def test_failed_build_leaves_nothing(cache_dir):
    def boom(tmp: Path):
        (tmp / "kernel.so").write_bytes(b"half")
        raise RuntimeError("builder failed")

    with pytest.raises(RuntimeError, match="builder failed"):
        DiskCache().get_or_build(cache_key("k"), boom)
    assert list(cache_dir.iterdir()) == []


def test_unsealed_build_is_not_published(cache_dir):
    with pytest.raises(CorruptArtifactError):
        DiskCache().get_or_build(cache_key("k"), lambda tmp: (tmp / "kernel.so").write_bytes(b"x"))
    assert list(cache_dir.iterdir()) == []


# -- concurrency -------------------------------------------------------------

def _sealed_builder(tag: str):
    def fn(tmp: Path):
        (tmp / "kernel.so").write_bytes(tag.encode())
        seal(tmp, Manifest(inputs=[], outputs=[], extra={"by": tag}))
    return fn


def test_losing_the_rename_race_uses_the_winner(cache_dir):
    cache = DiskCache()
    key = cache_key("race")

    def slow_builder(tmp: Path):
        # While this build runs, another builder publishes the same key first.
        cache.get_or_build(key, _sealed_builder("winner"))
        _sealed_builder("loser")(tmp)

    path = cache.get_or_build(key, slow_builder)
    assert verify(path).extra == {"by": "winner"}
    assert [p.name for p in cache_dir.iterdir()] == [key]  # the loser's temp dir is gone


_CHILD = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    import numpy as np
    from tfc.runtime import Manifest, build_cpu_artifact, load_cpu
    from tfc.runtime import compiler
    src, go = sys.argv[1], Path(sys.argv[2])
    spec = lambda n: {"name": n, "shape": (4, 8), "dtype": "f32"}
    m = Manifest(inputs=[spec("a"), spec("b")], outputs=[spec("y")])
    while not go.exists():  # start together, to make the builds overlap
        time.sleep(0.001)
    path = build_cpu_artifact(src, m, key_parts=["concurrent"])
    a = np.full((4, 8), 3, np.float32)
    y = load_cpu(path)(a, a)
    print(json.dumps({"path": str(path), "ok": bool((y == 10).all()), "compiles": compiler.stats["compiles"]}))
""")


def test_concurrent_processes_same_key(cache_dir, tmp_path):
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", _CHILD, SRC, str(go)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=os.environ.copy())
             for _ in range(4)]
    time.sleep(0.5)  # let them import
    go.touch()
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert all(r["ok"] for r in results)
    assert len({r["path"] for r in results}) == 1
    assert sum(r["compiles"] for r in results) >= 1  # > 1 when the builds overlapped
    assert [p.name for p in cache_dir.iterdir()] == [Path(results[0]["path"]).name]
    verify(Path(results[0]["path"]))


# -- unusable cache directories ----------------------------------------------

def test_cache_dir_under_a_file(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("TFC_CACHE_DIR", str(blocker / "cache"))
    with pytest.raises(CacheError) as e:
        build()
    assert str(blocker / "cache") in str(e.value) and "TFC_CACHE_DIR" in str(e.value)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_cache_dir(cache_dir):
    path = build()
    cache_dir.chmod(0o555)
    try:
        assert build() == path  # hits need no write access
        with pytest.raises(CacheError) as e:
            build_cpu_artifact(SRC, manifest(), key_parts=["new"])
        assert str(cache_dir) in str(e.value) and "TFC_CACHE_DIR" in str(e.value)
    finally:
        cache_dir.chmod(0o755)


def test_unwritable_cache_hits_still_work(cache_dir, monkeypatch):
    # Simulates a directory without write permission (also when tests run as root).
    path = build()

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tfc.runtime.cache.tempfile.mkdtemp", denied)
    assert build() == path
    with pytest.raises(CacheError) as e:
        build_cpu_artifact(SRC, manifest(), key_parts=["new"])
    assert str(cache_dir) in str(e.value) and "Permission denied" in str(e.value)
    assert "set TFC_CACHE_DIR" in str(e.value)


def test_stale_temp_dirs_are_swept(cache_dir):
    stale = cache_dir / ".tmp-0123456789abcdef-dead"
    stale.mkdir(parents=True)
    old = time.time() - 7 * 3600
    os.utime(stale, (old, old))
    fresh = cache_dir / ".tmp-fedcba9876543210-live"
    fresh.mkdir()
    build()
    assert not stale.exists() and fresh.exists()
