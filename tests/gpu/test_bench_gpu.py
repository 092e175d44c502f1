"""tools/bench_gpu.py: its options parse anywhere, it refuses clearly without CUDA, and
every workload it times compiles for target="gpu" and matches torch eager (at --quick
sizes, in Triton's interpreter when there is no GPU)."""

from __future__ import annotations

import importlib.util
import pathlib
import subprocess
import sys

import pytest
import torch

import tfc

TOOL = pathlib.Path(__file__).resolve().parents[2] / "tools" / "bench_gpu.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_gpu", TOOL)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


bench = _load()


def test_help():
    out = subprocess.run([sys.executable, str(TOOL), "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "--workloads" in out.stdout and "--matmul-dtypes" in out.stdout


def test_refuses_without_cuda(capsys):
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    assert bench.main(["--quick"]) == 2
    assert "no CUDA device" in capsys.readouterr().err


@pytest.mark.parametrize("w", bench.all_workloads(True, ["f16", "bf16", "f32"]), ids=lambda w: w.key)
def test_workload_compiles_and_matches_torch(w):
    device = "cuda" if torch.cuda.is_available() else "cpu"
    ins = w.make_inputs(torch, device, 0)
    want = w.fn(bench.TorchOps(), *[x.float() for x in ins]).to(ins[0].dtype)
    specs = [tfc.TensorSpec(w.shapes[n], w.dtype, n) for n in w.shapes]
    exe = tfc.compile(lambda *a: w.fn(bench.TfcOps(), *a), *specs, target="gpu")
    ok, err = bench.close(exe(*ins), want, w.dtype)
    assert ok, f"{w.key}: relative error {err:.1e}"
