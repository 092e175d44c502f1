"""target="gpu" behaviour: inputs and outputs (NumPy and torch), checks at the
boundary, the interpreter fallback, the artifact cache and autotuning records,
readable source. Tests marked `gpu` need a CUDA device and are skipped without one.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import torch

import tfc
from tests.helpers import rand
from tfc.runtime import gpu as rt
from tfc.runtime.errors import InputError


def program(x, b):
    return tfc.softmax(x * 2.0 + b), tfc.reduce_sum(x, 1)


def _ref(x, b):
    z = x.astype(np.float64) * 2.0 + b
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True), x.astype(np.float64).sum(1)


@pytest.fixture(scope="module")
def exe(tmp_path_factory):
    return tfc.compile(program, tfc.TensorSpec((3, 5)), tfc.TensorSpec((5,)), target="gpu")


def test_numpy_in_numpy_out(exe):
    x, b = rand((3, 5)), rand((5,))
    y, s = exe(x, b)
    assert isinstance(y, np.ndarray) and y.dtype == np.float32 and y.shape == (3, 5)
    want = _ref(x, b)
    np.testing.assert_allclose(y, want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s, want[1], rtol=1e-5, atol=1e-5)


def test_torch_in_torch_out_and_out_buffers(exe):
    dev = exe._program.device
    x, b = torch.from_numpy(rand((3, 5))).to(dev), torch.from_numpy(rand((5,))).to(dev)
    y, s = exe(x, b)
    assert isinstance(y, torch.Tensor) and y.device.type == dev.type
    want = _ref(x.cpu().numpy(), b.cpu().numpy())
    np.testing.assert_allclose(y.cpu().numpy(), want[0], rtol=1e-5, atol=1e-6)
    # out= torch tensors are written in place and returned
    oy, os_ = torch.full((3, 5), float("nan"), device=dev), torch.full((3,), float("nan"), device=dev)
    got = exe(x, b, out=(oy, os_))
    assert got[0] is oy and got[1] is os_
    np.testing.assert_allclose(os_.cpu().numpy(), want[1], rtol=1e-5, atol=1e-5)
    # out= NumPy arrays too
    ny, ns = np.full((3, 5), np.nan, np.float32), np.full((3,), np.nan, np.float32)
    exe(x.cpu().numpy(), b.cpu().numpy(), out=[ny, ns])
    np.testing.assert_allclose(ny, want[0], rtol=1e-5, atol=1e-6)


def test_out_aliasing_an_input_is_still_correct():
    exe = tfc.compile(lambda x: tfc.exp(x) + tfc.reverse(x, [0]), tfc.TensorSpec((6,)), target="gpu")
    x = torch.from_numpy(rand((6,))).to(exe._program.device)
    want = np.exp(x.cpu().numpy()) + x.cpu().numpy()[::-1]
    exe(x, out=x)  # the result overwrites its own input
    np.testing.assert_allclose(x.cpu().numpy(), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("args,match", [
    (lambda d: (rand((3, 5)),), "expected 2 arguments"),
    (lambda d: (rand((3, 5)).astype(np.float64), rand((5,))), "argument 1 .* dtype f32.*does not cast"),
    (lambda d: (rand((3, 4)), rand((5,))), r"argument 1 .*shape \(3, 5\)"),
    (lambda d: (torch.zeros(3, 5, dtype=torch.float64, device=d), rand((5,))), "float32"),
    (lambda d: (torch.zeros(5, 3, device=d).t(), rand((5,))), "contiguous"),
    (lambda d: (torch.zeros(3, 5, device="meta"), rand((5,))), "move it with"),
])
def test_input_errors_name_the_argument(exe, args, match):
    with pytest.raises(InputError, match=match):
        exe(*args(exe._program.device))


def test_out_errors(exe):
    x, b = rand((3, 5)), rand((5,))
    with pytest.raises(InputError, match="out= has 1 buffer"):
        exe(x, b, out=np.empty((3, 5), np.float32))
    with pytest.raises(InputError, match="output 2"):
        exe(x, b, out=(np.empty((3, 5), np.float32), np.empty((4,), np.float32)))


def test_source_reads_like_the_tutorials(exe):
    src = exe.source
    assert src == exe.ir("triton")
    for piece in ("@triton.jit", "x_ptr", "stride_", "BLOCK_M: tl.constexpr", "mask=", "tl.program_id(0)",
                  "generics:", "CONFIGS = {", "def program("):
        assert piece in src, piece
    compile(src, "kernel.py", "exec")  # it is valid Python


def test_warm_start_runs_no_pass(monkeypatch):
    fn = lambda x: tfc.tanh(x) * 3.0  # noqa: E731
    first = tfc.compile(fn, tfc.TensorSpec((7,)), target="gpu")
    from tfc import pipeline

    calls = []
    monkeypatch.setattr(pipeline, "run_passes", lambda *a, **k: calls.append(a))
    second = tfc.compile(fn, tfc.TensorSpec((7,)), target="gpu")
    assert calls == []
    assert second.artifact_dir == first.artifact_dir
    assert second.ir("buffers") == first.ir("buffers") and second.source == first.source
    x = rand((7,))
    np.testing.assert_allclose(second(x), np.tanh(x) * 3.0, rtol=1e-5, atol=1e-6)


def test_settings_change_the_code_but_runtime_settings_do_not():
    spec = tfc.TensorSpec((40,))
    a = tfc.compile(tfc.exp, spec, target="gpu")
    b = tfc.compile(tfc.exp, spec, target="gpu", gpu_max_block=16)
    c = tfc.compile(tfc.exp, spec, target="gpu", gpu_autotune=False, gpu_cuda_graphs=False)
    assert a.artifact_dir != b.artifact_dir and a.artifact_dir == c.artifact_dir
    assert "BLOCK_SIZE=16" in b.source and "BLOCK_SIZE=64" in a.source
    assert c._program.autotune is False


def test_interpreter_mode_warns_once_and_never_tunes(monkeypatch):
    if not rt.interpreter_mode():
        pytest.skip("a CUDA device is present")
    monkeypatch.setattr(rt, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a = tfc.compile(tfc.abs, tfc.TensorSpec((3,)), target="gpu")
        tfc.compile(tfc.abs, tfc.TensorSpec((4,)), target="gpu")
    notes = [w for w in caught if issubclass(w.category, rt.GpuInterpreterWarning)]
    assert len(notes) == 1 and "interpreter" in str(notes[0].message)
    p = a._program
    assert p.interpret and not p.autotune and not p.cuda_graphs
    # The interpreter runs the configuration with the fewest programs.
    name = next(iter(p.module.CONFIGS))
    assert p.config(name) == max(p.module.CONFIGS[name], key=rt._blocks)


def test_tuning_cache_round_trip(tmp_path):
    configs = {"k0": [dict(BLOCK_SIZE=1024, num_warps=4), dict(BLOCK_SIZE=2048, num_warps=8)]}
    cache = rt.TuningCache(tmp_path, "nvidia-h100")
    assert cache.load(configs) == {}
    cache.save({"k0": configs["k0"][1]})
    assert json.loads(cache.file.read_text())["device"] == "nvidia-h100"
    assert rt.TuningCache(tmp_path, "nvidia-h100").load(configs) == {"k0": configs["k0"][1]}
    assert rt.TuningCache(tmp_path, "other-gpu").load(configs) == {}
    # A choice the kernel no longer offers, or a damaged file, means tuning again.
    assert cache.load({"k0": configs["k0"][:1]}) == {}
    cache.file.write_text("{not json")
    assert cache.load(configs) == {}


def test_function_decorator_and_compile_mlir():
    @tfc.function(target="gpu")
    def f(x, y):
        return tfc.maximum(x, y) - 1.0

    x, y = rand((2, 3)), rand((3,))
    np.testing.assert_allclose(f(x, y), np.maximum(x, y) - 1.0, rtol=1e-6)
    exe = tfc.compile_mlir("""
      func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
        %0 = tfc.neg %x : (tensor<4xf32>) -> tensor<4xf32>
        func.return %0 : tensor<4xf32>
      }""", target="gpu")
    np.testing.assert_array_equal(exe(np.arange(4, dtype=np.float32)), -np.arange(4, dtype=np.float32))


# --- on a real GPU ---------------------------------------------------------------------


@pytest.mark.gpu
def test_cuda_graph_replay_matches_eager():
    exe = tfc.compile(program, tfc.TensorSpec((64, 100)), tfc.TensorSpec((100,)), target="gpu")
    p = exe._program
    x = torch.randn(64, 100, device="cuda")
    b = torch.randn(100, device="cuda")
    outs = (torch.empty(64, 100, device="cuda"), torch.empty(64, device="cuda"))
    for _ in range(3):  # eager, capture, replay: same buffers each time
        x.normal_()
        exe(x, b, out=outs)
        torch.cuda.synchronize()
        want = _ref(x.cpu().numpy(), b.cpu().numpy())
        np.testing.assert_allclose(outs[0].cpu().numpy(), want[0], rtol=1e-5, atol=1e-6)
    assert len(p._graphs) == 1


@pytest.mark.gpu
def test_autotuning_is_recorded_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("TFC_CACHE_DIR", str(tmp_path))
    spec = tfc.TensorSpec((1 << 20,))
    exe = tfc.compile(tfc.exp, spec, target="gpu")
    x = torch.randn(1 << 20, device="cuda")
    exe(x)
    files = list(exe.artifact_dir.glob("tuning-*.json"))
    assert len(files) == 1 and "k0_exp" in json.loads(files[0].read_text())["choices"]
    again = tfc.compile(tfc.exp, spec, target="gpu")
    assert again._program.choices == exe._program.choices
    monkeypatch.setattr(rt.GpuProgram, "_tune", lambda *a: pytest.fail("tuned again"))
    again(x)


@pytest.mark.gpu
def test_numpy_inputs_on_cuda():
    exe = tfc.compile(program, tfc.TensorSpec((3, 5)), tfc.TensorSpec((5,)), target="gpu")
    x, b = rand((3, 5)), rand((5,))
    y, _ = exe(x, b)
    assert isinstance(y, np.ndarray)
    np.testing.assert_allclose(y, _ref(x, b)[0], rtol=1e-5, atol=1e-6)
    with pytest.raises(InputError, match="cuda"):
        exe(torch.from_numpy(x), b)
