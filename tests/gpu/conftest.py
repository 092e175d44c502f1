"""GPU-path tests: without CUDA they run through Triton's interpreter on the CPU.

Tests that need a real GPU (CUDA graphs, autotuning, timings) are marked
`@pytest.mark.gpu` and skipped when `torch.cuda.is_available()` is False.
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
    if _cuda():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU (torch.cuda.is_available() is False)")
    here = pathlib.Path(__file__).parent
    for item in items:
        if item.get_closest_marker("gpu") is not None and here in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _quiet_interpreter():
    from tfc.runtime.gpu import GpuInterpreterWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GpuInterpreterWarning)
        yield
