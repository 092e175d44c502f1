"""The lit + FileCheck suite (tests/filecheck) as pytest items: one per .mlir file.

`pytest` alone runs every tier. lit runs once per session for the selected
files (in parallel), and each item reports its file's result with lit's output;
`pytest tests/test_lit.py -k canonicalize` runs just the matching files.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent / "filecheck"
MLIR_FILES = sorted(
    p for p in ROOT.rglob("*.mlir") if "Inputs" not in p.relative_to(ROOT).parts)


def _lit_command() -> list[str]:
    lit = shutil.which("lit", path=os.path.dirname(sys.executable)) or shutil.which("lit")
    return [lit] if lit else [sys.executable, "-m", "lit"]


@pytest.fixture(scope="session")
def lit_results(request) -> dict[str, dict]:
    """lit's result for each selected file, keyed by path relative to tests/filecheck."""
    selected = sorted({
        item.callspec.params["mlir_file"] for item in request.session.items
        if hasattr(item, "callspec") and "mlir_file" in item.callspec.params})
    if not selected:
        return {}
    with tempfile.TemporaryDirectory(prefix="tfc-lit-") as tmp:
        out = Path(tmp) / "results.json"
        jobs = os.environ.get("TFC_LIT_JOBS", str(min(os.cpu_count() or 1, 4)))
        cmd = [*_lit_command(), "-q", f"-j{jobs}", f"--output={out}",
               *(str(ROOT / f) for f in selected)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if not out.exists():
            pytest.fail(f"lit did not run ({' '.join(cmd)}):\n{proc.stdout}\n{proc.stderr}")
        data = json.loads(out.read_text())
    results = {}
    for test in data.get("tests", []):
        # lit names tests "tfc :: dir/file.mlir"
        results[test["name"].split(" :: ", 1)[-1]] = test
    return results


@pytest.mark.parametrize("mlir_file", [str(p.relative_to(ROOT)) for p in MLIR_FILES])
def test_filecheck(mlir_file: str, lit_results):
    result = lit_results.get(mlir_file)
    assert result is not None, f"lit reported nothing for {mlir_file}"
    code = result["code"]
    if code == "UNSUPPORTED":
        pytest.skip(f"{mlir_file}: unsupported here (missing an optional dependency)")
    if code in ("PASS", "XFAIL"):
        return
    pytest.fail(f"lit: {code}: {mlir_file}\n{result.get('output', '')}", pytrace=False)
