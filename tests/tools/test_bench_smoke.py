"""The benchmark harness (tools/bench.py) runs end to end in its --quick mode, and its
report cannot make a wrong answer look good. Timings are never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from bench import report  # noqa: E402
from bench.worker import _check  # noqa: E402


def test_quick_run_writes_the_report(tmp_path):
    out, raw = tmp_path / "bench.md", tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "bench.py"), "--quick", "--workloads", "W1,W6",
         "--frameworks", "numpy,tfc", "--repeats", "2", "--out", str(out), "--json", str(raw)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = out.read_text()
    assert "| workload | size | numpy | torch | torch.compile | jax | tfc |" in text
    assert "W1 gelu_tanh(x*a + b)" in text and "W6 100 x" in text
    assert "Copy bandwidth" in text and "Load average" in text
    assert "None: every measured output matched" in text, text
    run = json.loads(raw.read_text())
    for row in run["rows"]:
        tfc = row["results"]["tfc"]
        assert "error" not in tfc, tfc
        assert tfc["check"]["ok"] is True, tfc["check"]
        assert set(tfc["variants"]) == {"alloc", "out="}
        assert row["cold"]["cold_s"] > 0 and row["cold"]["kernels"] >= 1
        assert row["results"]["numpy"]["check"]["ok"] is True
    # W1 is memory-bound: a copy of its bytes was timed in tfc's process, between its calls
    w1 = next(row for row in run["rows"] if row["workload"]["key"] == "W1")["results"]["tfc"]
    assert w1["copy_interleaved"]["n"] == w1["variants"]["out="]["n"]
    assert set(w1["copy_ratio"]) == {"alloc", "out="} and w1["copy_ratio"]["out="] > 0
    assert "**tfc / copy**" in text
    # the report can be written again from the raw results, measuring nothing
    again = tmp_path / "again.md"
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "bench.py"), "--render", str(raw),
                           "--out", str(again)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert again.read_text() == text
    bad = subprocess.run([sys.executable, str(ROOT / "tools" / "bench.py"), "--render",
                          str(tmp_path / "missing.json")], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "cannot read" in bad.stderr and "Traceback" not in bad.stderr


def test_wrong_or_unwritten_results_are_flagged(tmp_path):
    ref = np.linspace(-1, 1, 64)
    np.save(tmp_path / "ref.npy", ref)
    path = str(tmp_path / "ref.npy")
    assert _check({"call": ref.astype(np.float32)}, path, 1e-4)["ok"] is True
    wrong = ref.astype(np.float32).copy()
    wrong[5] += 0.01
    assert _check({"call": wrong}, path, 1e-4)["ok"] is False
    unwritten = ref.astype(np.float32).copy()
    unwritten[7] = np.nan
    assert _check({"out=": unwritten}, path, 1e-4)["ok"] is False


def test_a_mismatch_is_loud_and_never_the_best_peer():
    timing = {"median": 1e-3, "min": 1e-3, "max": 2e-3, "check": {"ok": True}}
    fast_wrong = {"median": 1e-6, "min": 1e-6, "max": 1e-6,
                  "check": {"ok": False, "detail": "max |err| / max |ref| = 0.5 > 0.0001"}}
    row = {"workload": {"key": "W2", "title": "row softmax", "size": "8x8", "metric": "GB/s",
                        "work": 512.0},
           "results": {"numpy": timing, "jax": fast_wrong, "tfc": fast_wrong}, "cold": {}}
    assert report.best_peer(row)[0] == "numpy"
    lines = "\n".join(report.main_table([row], ["numpy", "jax", "tfc"]))
    assert lines.count("**MISMATCH**") == 2
    assert "**MISMATCH** W2 jax" in "\n".join(report.problems([row]))


def test_quick_training_step_matches_across_frameworks(tmp_path):
    """W5-train in --quick mode: tfc compiled (cold + warm cache) and tfc eager train, their
    3-step losses match the float64 oracle and each other; numpy has no training step."""
    out, raw = tmp_path / "bench.md", tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "bench.py"), "--quick", "--workloads", "W5-train",
         "--frameworks", "numpy,tfc-eager,tfc", "--repeats", "2", "--out", str(out), "--json", str(raw)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = out.read_text()
    assert "| tfc | tfc eager |" in text and "W5-train MLP training step" in text
    assert "None: every measured output matched" in text, text
    (row,) = json.loads(raw.read_text())["rows"]
    assert "numpy" not in row["results"]
    assert row["cold"]["cold_s"] > 0 and row["cold"]["kernels"] >= 1
    tfc, eager = row["results"]["tfc"], row["results"]["tfc-eager"]
    for r in (tfc, eager):
        assert "error" not in r, r
        assert r["check"]["ok"] is True, r["check"]
        assert len(r["losses"]) == 3 and r["losses"][2] < r["losses"][0]  # it trains
    assert tfc["compile_s"] >= 0 and tfc["artifact"] == row["cold"]["artifact"]  # warm cache hit
    np.testing.assert_allclose(tfc["losses"], eager["losses"], rtol=1e-5)


def test_training_losses_that_disagree_are_loud():
    r = {"median": 1e-3, "min": 1e-3, "max": 1e-3, "check": {"ok": True}}
    row = {"workload": {"key": "W5-train", "title": "t", "size": "s", "metric": "GFLOP/s", "work": 1.0,
                        "train": True, "tol": 1e-4},
           "results": {"tfc": dict(r, losses=[2.3, 2.2, 2.1]), "tfc-eager": dict(r, losses=[2.3, 2.2, 2.1]),
                       "torch": dict(r, losses=[2.3, 2.2, 2.0])}, "cold": {}}
    probs = "\n".join(report.problems([row]))
    assert "**MISMATCH** W5-train tfc vs torch losses" in probs and "tfc-eager" not in probs
