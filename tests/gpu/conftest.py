"""GPU-path tests: without CUDA they run through Triton's interpreter on the CPU.

Tests that need a real GPU (CUDA graphs, autotuning, timings) are marked
`@pytest.mark.gpu` and skipped when `torch.cuda.is_available()` is False. Tests
marked `slow` run only when asked for (`pytest -m slow tests/gpu`).
"""

from __future__ import annotations

import pathlib
import sys
import warnings

import pytest

# Before anything imports triton: without a GPU it must start in interpreter mode.
import tfc.runtime.gpu  # noqa: F401,E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))


def _cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def pytest_collection_modifyitems(config, items):
    here = pathlib.Path(__file__).parent
    cuda = _cuda()
    slow_wanted = "slow" in (config.getoption("-m") or "")
    no_gpu = pytest.mark.skip(reason="needs a CUDA GPU (torch.cuda.is_available() is False)")
    not_asked = pytest.mark.skip(reason="slow: run with -m slow")
    for item in items:
        if here not in pathlib.Path(str(item.fspath)).parents:
            continue
        if item.get_closest_marker("gpu") is not None and not cuda:
            item.add_marker(no_gpu)
        if item.get_closest_marker("slow") is not None and not slow_wanted:
            item.add_marker(not_asked)


@pytest.fixture(autouse=True)
def _quiet_interpreter():
    from tfc.runtime.gpu import GpuInterpreterWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GpuInterpreterWarning)
        yield
