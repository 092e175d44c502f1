"""Every compiled-numerics test of the CPU path (tests/ops/*), run again for target="gpu".

The tests are the CPU suite's own functions and parametrizations, collected
here a second time; while one runs, `tfc.compile` and `tfc.compile_mlir`
build for the GPU target (through Triton's interpreter without a GPU). A test
counts as a compiled-numerics test when its body calls `check_compiled`.
"""

from __future__ import annotations

import importlib
import inspect

import pytest

import tfc
from tfc import api

MODULES = ["tests.ops.test_elementwise", "tests.ops.test_shape", "tests.ops.test_reduction",
           "tests.ops.test_nn"]
# Fixtures these tests may take (anything else is CPU-specific).
_ALLOWED_FIXTURES = {"monkeypatch", "tmp_path"}


def _collect() -> dict:
    found = {}
    for modname in MODULES:
        try:
            mod = importlib.import_module(modname)
        except Exception as e:  # a suite being edited must not hide the others
            found[f"test_import_{modname.rsplit('.', 1)[-1]}"] = _failing_import(modname, e)
            continue
        short = modname.rsplit(".", 1)[-1].removeprefix("test_")
        for name, fn in vars(mod).items():
            if not (name.startswith("test_") and inspect.isfunction(fn)):
                continue
            try:
                source = inspect.getsource(fn)
            except OSError:
                continue
            if "check_compiled(" not in source:
                continue
            params = set(inspect.signature(fn).parameters)
            marked = {a for m in getattr(fn, "pytestmark", []) if m.name == "parametrize"
                      for a in (m.args[0].split(",") if isinstance(m.args[0], str) else m.args[0])}
            if params - {p.strip() for p in marked} - _ALLOWED_FIXTURES:
                continue
            found[f"test_{short}__{name[5:]}"] = fn
    return found


def _failing_import(modname, error):
    def test():
        pytest.fail(f"cannot import {modname}: {error}")
    return test


globals().update(_collect())


@pytest.fixture(autouse=True)
def _gpu_target(monkeypatch):
    real_compile, real_mlir = api.compile, api.compile_mlir

    def compile_gpu(fn, *args, target="cpu", **settings):
        return real_compile(fn, *args, target="gpu", **settings)

    def compile_mlir_gpu(text, *, target="cpu", **kw):
        return real_mlir(text, target="gpu", **kw)

    monkeypatch.setattr(tfc, "compile", compile_gpu)
    monkeypatch.setattr(tfc, "compile_mlir", compile_mlir_gpu)
