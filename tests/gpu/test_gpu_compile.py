"""The generated kernels compile with Triton's real compiler for sm_90, down to cubin,
without a GPU (tests/gpu/triton_offline.py, in a process outside interpreter mode).
The interpreter runs code the compiler would reject (loop-carried values that change
type, scalar-only forms, ...); this catches that before a GPU ever sees it.

By default: one program per op family and the benchmark workloads at their real
sizes, each kernel's default configuration, through Triton's IRs (front end and
layouts). `pytest -m slow tests/gpu` also runs the whole compile, down to cubin, of
every configuration the autotuner may try (minutes with a cold Triton cache).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import tfc
from tests.gpu import test_gpu_numerics as num
from tests.helpers import rand
from tfc.codegen.triton import GpuPolicy, emit_triton
from tfc.pipeline import lower
from tfc.tracing import trace_function

HERE = pathlib.Path(__file__).parent
TORCH_NAMES = {"f32": "float32", "f64": "float64", "f16": "float16", "bf16": "bfloat16", "i32": "int32",
               "i64": "int64", "i1": "bool"}


def _ids(shape):
    return np.zeros(shape, np.int32)


def _cases():
    S = tfc.TensorSpec
    cases = [
        ("float f32", num.float_program, [S((3, 1, 5)), S((4, 1)), S((3, 1, 5))], {}),
        ("float f16", num.float_program, [S((2, 7), "f16"), S((7,), "f16"), S((2, 7), "f16")], {}),
        ("float bf16 f64", num.float_program, [S((5, 3), "f64"), S((5, 1), "f64"), S((5, 3), "f64")], {}),
        ("int i32", num.int_program, [S((3, 1, 5), "i32"), S((4, 1), "i32"), S((4, 1), "i32")], {}),
        ("int i64", num.int_program, [S((3, 5), "i64"), S((5,), "i64"), S((5,), "i64")], {}),
        ("layout bf16", num.layout_program, [S((2, 3, 5), "bf16"), S((2, 5), "i32"), S((6, 4), "bf16")], {}),
        ("layout i1", lambda x: (tfc.transpose(x), ~x, tfc.concat([x, x], 0)), [S((2, 3), "i1")], {}),
        ("reductions", num.all_reductions(1, False), [S((3, 37))], {"gpu_max_block": 16}),
        ("reductions f16 all", num.all_reductions(None, True), [S((3, 5), "f16")], {}),
        ("reductions i32", num.all_reductions([0, 2], False), [S((2, 3, 4), "i32")], {}),
        ("argmax", lambda x: (tfc.argmax(x, 1), tfc.argmin(x, 0, output_type="i32")), [S((4, 6), "bf16")], {}),
        ("softmax looped", lambda x: (tfc.softmax(x), tfc.log_softmax(x, 0)), [S((4, 40))],
         {"gpu_max_block": 16}),
        ("layer norm", lambda x, g, b: tfc.layer_norm(x, g, b), [S((3, 7), "f16"), S((7,), "f16"), S((7,), "f16")],
         {}),
        ("cross entropy", lambda l, z, s: (tfc.softmax_cross_entropy_with_logits(l, z),
                                           tfc.sparse_softmax_cross_entropy_with_logits(s, z)),
         [S((4, 7)), S((4, 7)), S((4,), "i32")], {}),
        ("matmuls f32", num.all_transposes, [S((5, 7)), S((7, 3)), S((7, 5)), S((3, 7))], {}),
        ("matmuls bf16 batched", num.all_transposes,
         [S((3, 6, 9), "bf16"), S((3, 9, 5), "bf16"), S((3, 9, 6), "bf16"), S((3, 5, 9), "bf16")], {}),
        ("matmul f64", lambda a, b: tfc.matmul(a, b), [S((5, 7), "f64"), S((7, 3), "f64")], {}),
        ("conv", lambda x, f, b: tfc.relu(tfc.bias_add(tfc.conv2d(x, f, strides=2, padding="SAME"), b)),
         [S((1, 7, 7, 2)), S((3, 3, 2, 4)), S((4,))], {}),
        ("conv grads", lambda x, f, g: (tfc.conv2d_backprop_input(x.shape, f, g, padding="SAME"),
                                        tfc.conv2d_backprop_filter(x, f.shape, g, padding="SAME")),
         [S((1, 5, 5, 2)), S((3, 3, 2, 3)), S((1, 5, 5, 3))], {}),
        ("pools", lambda x: (tfc.max_pool2d(x, 2, 2, "SAME"), tfc.avg_pool2d(x, 3, 1, "VALID")),
         [S((1, 5, 6, 2))], {}),
        ("mlp f16", num.mlp, [S((9, 13), "f16"), S((13, 17), "f16"), S((17,), "f16"), S((17, 5), "f16"),
                              S((5,), "f16")], {}),
    ]
    return [(name, fn, specs, settings, False) for name, fn, specs, settings in cases]


def _bench_cases():
    spec = __import__("importlib.util").util.spec_from_file_location(
        "bench_gpu", HERE.parents[1] / "tools" / "bench_gpu.py")
    bench = __import__("importlib.util").util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    out = []
    for w in bench.all_workloads(False, ["f16", "bf16", "f32"]):
        if w.key.startswith("W4-4096") and w.dtype != "f16":
            continue  # the same kernel as W4-1024 at another size
        specs = [tfc.TensorSpec(w.shapes[n], w.dtype, n) for n in w.shapes]
        out.append((f"bench {w.key}", (lambda w: lambda *a: w.fn(bench.TfcOps(), *a))(w), specs, {}, True))
    return out


def _module_source(fn, specs, settings):
    module, _ = trace_function(fn, specs)
    lower(module, "buffers")
    return emit_triton(module, GpuPolicy.from_settings(settings))


def _outputs(fn, specs):
    module, _ = trace_function(fn, specs)
    from tfc.reference import entry_function

    f = entry_function(module)
    from tfc import dtypes

    return [[list(t.get_shape()), TORCH_NAMES[dtypes.from_ir(t.element_type).name]]
            for t in f.function_type.outputs.data]


def _compile_all(tmp_path, all_configs: bool, stop_after: str | None):
    jobs = []
    for i, (name, fn, specs, settings, bench) in enumerate(_cases() + _bench_cases()):
        path = tmp_path / f"m{i}.py"
        path.write_text(_module_source(fn, specs, settings))
        jobs.append({"name": name, "source": str(path), "all_configs": all_configs and bench,
                     "inputs": [[list(s.shape), TORCH_NAMES[s.dtype.name]] for s in specs],
                     "outputs": _outputs(fn, specs)})
    job_file = tmp_path / "jobs.json"
    job_file.write_text(json.dumps(jobs))
    env = dict(os.environ, TRITON_INTERPRET="0")
    cmd = [sys.executable, str(HERE / "triton_offline.py"), str(job_file)]
    if stop_after:
        cmd.append(f"--stop-after={stop_after}")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    if proc.returncode != 0 or not proc.stdout.strip():
        pytest.fail(f"offline compiler did not run:\n{proc.stdout}\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not result["failures"], "\n\n".join(result["failures"][:8])
    assert result["compiled"] >= len(jobs)


def test_kernels_compile_for_sm90(tmp_path):
    _compile_all(tmp_path, all_configs=False, stop_after="ttgir")


@pytest.mark.slow
def test_every_config_compiles_to_cubin_for_sm90(tmp_path):
    _compile_all(tmp_path, all_configs=True, stop_after=None)
