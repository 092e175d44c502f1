"""The artifact cache key of a traced program (tfc/ir_hash.py) and the warm path
that uses it: equal for the same program in any process, different whenever
the program or its options differ, and a hit in a new process runs correctly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tfc
from tfc.api import Executable, CompileOptions, TensorSpec, _specs, _verify
from tfc.errors import ShapeError
from tfc.ir_hash import ir_digest
from tfc.pipeline import print_ir
from tfc.tracing import trace_function

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("TFC_CACHE_DIR", str(d))
    return d


def digest(fn, *specs):
    module, _ = trace_function(fn, _specs(fn, specs))
    return ir_digest(module)


def f32(*shape):
    return TensorSpec(shape, "f32")


# -- equal for the same program ----------------------------------------------------------

PROGRAM = textwrap.dedent("""
    import sys
    import tfc
    from tfc.api import TensorSpec, _specs
    from tfc.ir_hash import ir_digest
    from tfc.tracing import trace_function

    def f(x, w):
        h = tfc.matmul(x, w) * 0.5 + 0.25
        return tfc.reduce_sum(tfc.softmax(h), axis=1)

    specs = _specs(f, [TensorSpec((4, 8), "f32"), TensorSpec((8, 16), "f32")])
    print(ir_digest(trace_function(f, specs)[0]))
""")


def test_digest_is_equal_across_processes_and_hash_seeds():
    outs = set()
    for seed in ("1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        p = subprocess.run([sys.executable, "-c", PROGRAM], env=env, capture_output=True,
                           text=True, cwd=REPO, timeout=120)
        assert p.returncode == 0, p.stderr
        outs.add(p.stdout.strip())
    assert len(outs) == 1
    (d,) = outs
    assert len(d) == 64 and int(d, 16) >= 0


def test_digest_is_equal_for_two_traces_and_ignores_locations():
    def f(x):
        return tfc.exp(x) + 1.0

    # Same ops, defined on other lines (other locations): one artifact serves both.
    def g(x):

        return tfc.exp(x) + 1.0

    assert digest(f, f32(3, 5)) == digest(f, f32(3, 5)) == digest(g, f32(3, 5))


# -- different whenever the program differs ------------------------------------------------

def test_digest_sees_constants_exactly():
    # Neighbouring floats (one ulp apart), in f32, f64 and f16.
    for dt, one in (("f32", np.float32(1)), ("f64", np.float64(1)), ("f16", np.float16(1))):
        a, b = one, np.nextafter(one, one.dtype.type(2))
        assert digest(lambda x: x * a, TensorSpec((4,), dt)) != digest(lambda x: x * b, TensorSpec((4,), dt))
    # -0.0 and 0.0 compare equal but are different programs (x * -0.0 flips signs).
    assert digest(lambda x: x * np.float32(0.0), f32(4)) != digest(lambda x: x * np.float32(-0.0), f32(4))
    # A large constant: one element changed.
    c1 = np.arange(1000, dtype=np.float32)
    c2 = c1.copy()
    c2[777] = 0.5
    assert digest(lambda x: x + c1, f32(1000)) != digest(lambda x: x + c2, f32(1000))
    assert digest(lambda x: x + c1, f32(1000)) == digest(lambda x: x + c1.copy(), f32(1000))


def test_digest_sees_shapes_dtypes_and_names():
    f = lambda x: tfc.exp(x)  # noqa: E731
    base = digest(f, f32(4, 8))
    assert digest(f, f32(8, 4)) != base
    assert digest(f, f32(32)) != base
    assert digest(f, TensorSpec((4, 8), "f64")) != base
    # The argument name shows in the stored IR and in the runtime's messages.
    assert digest(f, TensorSpec((4, 8), "f32", "y")) != base


def test_digest_sees_attributes():
    t = lambda perm: (lambda x: tfc.transpose(x, perm))  # noqa: E731
    assert digest(t((0, 2, 1)), f32(2, 3, 4)) != digest(t((1, 0, 2)), f32(2, 3, 4))
    r = lambda **kw: (lambda x: tfc.reduce_sum(x, **kw))  # noqa: E731
    assert digest(r(axis=0), f32(4, 4)) != digest(r(axis=1), f32(4, 4))
    assert digest(r(axis=1), f32(4, 4)) != digest(r(axis=1, keepdims=True), f32(4, 4))
    # A float attribute, one ulp apart (layer_norm's epsilon is an f64 attribute).
    ln = lambda eps: (lambda x, g, b: tfc.layer_norm(x, g, b, epsilon=eps))  # noqa: E731
    specs = (f32(4, 8), f32(8), f32(8))
    assert digest(ln(1e-5), *specs) != digest(ln(float(np.nextafter(1e-5, 1.0))), *specs)
    assert digest(ln(1e-5), *specs) == digest(ln(1e-5), *specs)


def test_digest_sees_op_order_and_wiring():
    x, y = f32(4), f32(4)
    assert digest(lambda a, b: a - b, x, y) != digest(lambda a, b: b - a, x, y)
    assert digest(lambda a, b: a * b + a, x, y) != digest(lambda a, b: a * b + b, x, y)
    assert digest(lambda a, b: a * b + a, x, y) != digest(lambda a, b: a + b * a, x, y)
    # Same ops, other order: (exp then log) vs (log then exp) of independent inputs.

    def order1(a, b):
        e = tfc.exp(a)
        lg = tfc.log(b)
        return e, lg

    def order2(a, b):
        lg = tfc.log(b)
        e = tfc.exp(a)
        return e, lg

    assert digest(order1, x, y) != digest(order2, x, y)
    # Which result is returned first.
    assert digest(lambda a, b: (a + b, a * b), x, y) != digest(lambda a, b: (a * b, a + b), x, y)


# -- the warm path end to end ---------------------------------------------------------------

def _reference(x, w):
    h = x.astype(np.float64) @ w.astype(np.float64) * 0.5 + 0.25
    e = np.exp(h - h.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).sum(axis=1) + np.tanh(h).mean(axis=1)


WARM = textwrap.dedent("""
    import json, sys
    import numpy as np
    import tfc

    def f(x, w):
        h = tfc.matmul(x, w) * 0.5 + 0.25
        return tfc.reduce_sum(tfc.softmax(h), axis=1) + tfc.reduce_mean(tfc.tanh(h), axis=1)

    exe = tfc.compile(f, tfc.TensorSpec((16, 32), "f32"), tfc.TensorSpec((32, 24), "f32"))
    data = np.load(sys.argv[1])
    out = np.full((16,), np.nan, np.float32)
    exe(data["x"], data["w"], out=out)
    np.save(sys.argv[2], out)
    print(json.dumps({"dir": str(exe.artifact_dir), "codegen": "tfc.codegen.c" in sys.modules,
                      "levels": exe.levels, "has_loc": any("loc(" in exe.ir(lv) for lv in exe.levels)}))
""")


def _run_warm(tmp_path, name, env=None):
    rng = np.random.default_rng()
    x = rng.standard_normal((16, 32)).astype(np.float32)
    w = (rng.standard_normal((32, 24)) / 6).astype(np.float32)
    inp, out = tmp_path / f"{name}-in.npz", tmp_path / f"{name}-out.npy"
    np.savez(inp, x=x, w=w)
    p = subprocess.run([sys.executable, "-c", WARM, str(inp), str(out)], capture_output=True, text=True,
                       cwd=REPO, env=dict(os.environ, **(env or {})), timeout=300)
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(np.load(out), _reference(x, w), rtol=2e-5, atol=1e-5)
    return info


def test_warm_hit_in_a_new_process_is_correct(tmp_path):
    cold = _run_warm(tmp_path, "cold", {"PYTHONHASHSEED": "3"})
    assert cold["codegen"]  # built: the code generator ran
    warm = _run_warm(tmp_path, "warm", {"PYTHONHASHSEED": "4"})
    assert warm["dir"] == cold["dir"]
    assert not warm["codegen"]  # a hit: no pass, no code generator
    assert warm["levels"] == cold["levels"]
    # Locations are not in the key; that is only right while no stored level shows them.
    assert not warm["has_loc"]


def test_damaged_entry_is_rebuilt_in_a_new_process(tmp_path):
    cold = _run_warm(tmp_path, "cold")
    so = Path(cold["dir"]) / "kernel.so"
    data = bytearray(so.read_bytes())
    data[len(data) // 2] ^= 0xFF
    so.write_bytes(bytes(data))
    again = _run_warm(tmp_path, "again")
    assert again["dir"] == cold["dir"] and again["codegen"]  # rebuilt, then correct


def test_compile_options_select_the_entry():
    def f(x):
        return tfc.exp(x) * 2.0 + 1.0

    s = f32(64)
    fused = tfc.compile(f, s)
    assert tfc.compile(f, s).artifact_dir == fused.artifact_dir
    assert tfc.compile(f, s, fusion=False).artifact_dir != fused.artifact_dir
    assert tfc.compile(f, s, **{"tfc-tile.threads": 1}).artifact_dir != fused.artifact_dir
    # 1 and "1" are different settings: never one artifact for both.
    assert CompileOptions("cpu", {"k": 1}).key() != CompileOptions("cpu", {"k": "1"}).key()


def test_check_runs_on_a_miss_only():
    def f(x):
        return tfc.tanh(x) - 0.5

    calls = []
    spec = _specs(f, [f32(8, 3)])

    def check(m):
        calls.append(m)
        _verify(m, "f")

    for _ in range(2):
        module, _ = trace_function(f, spec)
        exe = Executable(module, options=CompileOptions("cpu"), single_output=True, check=check)
    assert len(calls) == 1  # the second compile was a hit
    x = np.random.default_rng().standard_normal((8, 3)).astype(np.float32)
    out = np.full((8, 3), np.nan, np.float32)
    exe(x, out=out)
    np.testing.assert_allclose(out, np.tanh(x.astype(np.float64)) - 0.5, rtol=2e-5, atol=1e-5)
    # Compiling leaves the traced module as it was (the passes lower a copy).
    assert "tfc.tanh" in print_ir(module)


def test_invalid_ir_is_reported_and_not_cached(cache_dir):
    def f(x):
        return tfc.exp(x)

    module, _ = trace_function(f, _specs(f, [f32(4)]))
    # Break it: the result type no longer matches what tfc.exp infers.
    from xdsl.dialects.builtin import TensorType, f64

    from xdsl.rewriter import Rewriter

    op = next(o for o in module.walk() if o.name == "tfc.exp")
    Rewriter.replace_op(op, type(op).create(operands=list(op.operands),
                                            result_types=[TensorType(f64, [4])]))
    with pytest.raises(ShapeError, match="produced invalid IR"):
        Executable(module, options=CompileOptions("cpu"), single_output=True,
                   check=lambda m: _verify(m, "f"))
    assert not [p for p in cache_dir.glob("*") if not p.name.startswith(".")]
