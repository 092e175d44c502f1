"""Tier 3, differential: a bounded fuzz run on a fresh seed, and the saved reproducers.

`test_random_programs` compiles a few random programs (tools/fuzz.py) and
compares them with the float64 reference; the seed is fresh every run and
printed on failure (set TFC_FUZZ_SEED to replay a run). A failure that matches
an open reproducer (same kind and message) is reported as an xfail, not a new
failure. Every file in
tests/fuzz_repros/ is replayed: `// EXPECT: pass` files must pass, files marked
`// EXPECT: xfail (<diagnosis>)` are open bugs (non-strict xfail).
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from fuzz.cli import normalized  # noqa: E402
from fuzz.generate import generate  # noqa: E402
from fuzz.oracle import run_and_judge  # noqa: E402
from fuzz.program import Node, Program  # noqa: E402
from fuzz.shrink import shrink  # noqa: E402
from fuzz.worker import Worker  # noqa: E402

REPROS = sorted((ROOT / "tests" / "fuzz_repros").glob("*.mlir"))
PROGRAMS = 15
BUDGET_S = 30.0


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    w = Worker({"TFC_CACHE_DIR": str(tmp_path_factory.mktemp("fuzz-cache"))})
    yield w
    w.close()


def known_open_bugs() -> set[tuple[str, str]]:
    """(kind, normalized message) of the xfail reproducers: failures already reported."""
    known = set()
    for path in REPROS:
        text = path.read_text()
        kind = re.search(r"^// tfc fuzz reproducer: (\S+)", text, re.M)
        message = re.search(r"^// failure: (.*)$", text, re.M)
        if kind and message and re.search(r"^//\s*EXPECT:\s*xfail", text, re.M):
            known.add((kind.group(1), normalized(message.group(1))))
    return known


def test_random_programs(worker):
    seed = int(os.environ.get("TFC_FUZZ_SEED") or int.from_bytes(os.urandom(3), "little"))
    known = known_open_bugs()
    t0 = time.monotonic()
    failures, known_hits = [], []
    for index in range(PROGRAMS):
        if time.monotonic() - t0 > BUDGET_S:
            break
        program = generate(seed, index)
        r = worker.call({"op": "check", "program": program.to_json(), "seed": seed * 1_000_003 + index},
                        timeout=120)
        if r["status"] != "fail":
            continue
        what = f"program {index}: {r['kind']}: {r['message']}"
        if r["kind"] != "mismatch" and (r["kind"], normalized(r["message"])) in known:
            known_hits.append(what)
            continue
        failures.append(f"{what}\n{program.describe()}\n"
                        f"  regenerate and shrink: python tools/fuzz.py --seed {seed} --index {index}")
    assert not failures, f"fuzz seed {seed} (TFC_FUZZ_SEED={seed} replays this run):\n" + "\n".join(failures)
    if known_hits:
        pytest.xfail(f"seed {seed}: only open bugs with reproducers in tests/fuzz_repros: " + "; ".join(known_hits))


def _expectation(path: Path):
    m = re.search(r"^//\s*EXPECT:\s*(pass|xfail)\s*(?:\((.*)\))?\s*$", path.read_text(), re.M)
    if m is None:
        return pytest.param(path, marks=pytest.mark.skip(reason="no // EXPECT: line"), id=path.name)
    if m.group(1) == "xfail":
        return pytest.param(path, marks=pytest.mark.xfail(strict=False, reason=m.group(2) or "open bug"),
                            id=path.name)
    return pytest.param(path, id=path.name)


@pytest.mark.parametrize("repro", [_expectation(p) for p in REPROS])
def test_reproducer(worker, repro):
    seed = int.from_bytes(os.urandom(3), "little")
    r = worker.call({"op": "replay", "mlir": repro.read_text(), "seed": seed, "trials": 2,
                     "filename": str(repro)}, timeout=120)
    assert r["status"] == "pass", f"{repro.name} (input seed {seed}): {r.get('kind')}: {r.get('message')}"


# --- the fuzzer's own machinery, without compiling -------------------------------------

def test_shrinker_finds_the_culprit():
    program = Program((((7, 9), "f32"), ((3, 9), "f32")),
                      (Node("abs", (0,), 1), Node("add", (2, 1), 2), Node("tanh", (3,), 3),
                       Node("relu", (4,), 4), Node("exp", (5,), 5)), (6,))
    small, tested = shrink(program, lambda p: any(n.kind == "tanh" for n in p.nodes), budget_s=30)
    assert [n.kind for n in small.nodes] == ["tanh"]
    assert len(small.inputs) == 1 and small.inputs[0][0] in ((), (1,)), small.describe()
    assert tested > 0


def test_shrinker_cuts_a_program_into_an_input():
    """A failure in the last op alone: everything before it becomes a new input."""
    program = Program((((4, 6), "f32"),),
                      (Node("concat_fresh", (0,), 7), Node("exp", (1,), 1), Node("reduce_mean", (2,), 5)),
                      (3,))
    small, _ = shrink(program, lambda p: bool(p.nodes) and p.nodes[-1].kind == "reduce_mean", budget_s=30)
    assert [n.kind for n in small.nodes] == ["reduce_mean"], small.describe()
    assert len(small.inputs) == 1


class _FakeExe:
    """An executable that computes the reference and then damages it (or skips writing out=)."""

    single_output = True

    def __init__(self, damage):
        import tfc

        self.damage = damage
        self.inner = tfc.compile_mlir(_ADD)
        self.input_specs, self.output_specs = self.inner.input_specs, self.inner.output_specs

    def reference(self, *args, dtype=None):
        return self.inner.reference(*args, dtype=dtype)

    def __call__(self, *args, out=None):
        y = np.asarray(self.inner.reference(*args), np.float32)
        y = self.damage(y)
        if out is not None:
            if y is not None:
                out[...] = y
            return out
        return y


_ADD = """
func.func @main(%a: tensor<4x5xf32>, %b: tensor<5xf32>) -> tensor<4x5xf32> {
  %0 = tfc.add %a, %b : (tensor<4x5xf32>, tensor<5xf32>) -> tensor<4x5xf32>
  func.return %0 : tensor<4x5xf32>
}
"""


def test_oracle_catches_wrong_and_unwritten_results():
    rng = np.random.default_rng(0)

    def off_by_a_bit(y):
        y = y.copy()
        y[3, 4] += 1e-2
        return y

    assert run_and_judge(_FakeExe(lambda y: y), _ADD, rng)["status"] == "pass"
    bad = run_and_judge(_FakeExe(off_by_a_bit), _ADD, rng)
    assert bad["kind"] == "mismatch" and "(3, 4)" in bad["message"]
    unwritten = run_and_judge(_FakeExe(lambda y: None), _ADD, rng)
    assert unwritten["kind"] == "mismatch" and "NaN" in unwritten["message"]
