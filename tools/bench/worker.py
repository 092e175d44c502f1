"""One measurement, in its own process: a framework's timings and peak memory for
one workload, tfc's cold compile, or the float64 reference.

Run by tools/bench.py as `python tools/bench.py --_worker JOB.json`; the job
names the workload, the framework and where to write the result (JSON).

Peak memory: the process's resident set right after imports and input setup
is the baseline; the high-water mark is then reset (/proc/self/clear_refs) and
read after compile, warm-up and the timed calls. Peak MB = high-water mark -
baseline: what the framework needed beyond its inputs (outputs,
intermediates, workspaces, compiled code and the compiler's own memory).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from .workloads import Workload, adapter, select

SEED = 20240601


def _status() -> dict[str, int]:
    out = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0]) * 1024
    except OSError:
        pass
    return out


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_bytes(baseline: int, reset: bool) -> float | None:
    st = _status()
    if reset and "VmHWM" in st:
        return max(0, st["VmHWM"] - baseline)
    import resource

    return max(0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - baseline)


def _stats(samples: list[float]) -> dict:
    s = sorted(samples)
    q = statistics.quantiles(s, n=4) if len(s) >= 2 else [s[0]] * 3
    return {"median": statistics.median(s), "min": s[0], "max": s[-1], "q1": q[0], "q3": q[2],
            "n": len(s)}


def _measure(variants: dict, w: Workload, repeats: int) -> tuple[dict, dict, dict, int]:
    """Warm up each variant (keeping its first output for the check), then time them in turn."""
    first, first_call_s = {}, {}
    for name, call in variants.items():
        t0 = time.perf_counter()
        first[name] = call(0)
        first_call_s[name] = time.perf_counter() - t0
    inner = 1
    if w.inner_target_s:
        name = next(iter(variants))
        t0 = time.perf_counter()
        variants[name](1 % w.rotate)
        one = max(time.perf_counter() - t0, 1e-7)
        inner = max(1, int(w.inner_target_s / one))
    samples = {name: [] for name in variants}
    start = time.perf_counter()
    for rep in range(repeats):
        for name, call in variants.items():
            k = (rep + 1) % w.rotate
            t0 = time.perf_counter()
            for _ in range(inner):
                call(k)
            samples[name].append((time.perf_counter() - t0) / inner)
        if time.perf_counter() - start > w.budget_s:
            break
    return samples, first, first_call_s, inner


COPY = "copy"


def _interleaved_copy(w: Workload, job: dict):
    """A copy of the workload's bytes (w.work = bytes read + written) with
    tools/stream_copy.c's loop, built with tfc's flags: a variant timed in turn with
    tfc's, so the copy ceiling sees the same load as tfc does."""
    import ctypes
    import tempfile

    from .machine import copy_library

    tmp = tempfile.mkdtemp(prefix="tfc-bench-copy-")
    lib = ctypes.CDLL(str(copy_library(Path(tmp))))
    n = int(w.work // 8)          # floats: each is read once and written once
    a, b = np.ones(n, np.float32), np.zeros(n, np.float32)  # touched: no page faults in the loop
    fn = lib.stream_copy_once
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long]
    pa, pb = a.ctypes.data, b.ctypes.data
    _keep.extend([lib, a, b])
    return (lambda k: fn(pa, pb, n)), a.nbytes + b.nbytes


_keep: list = []


def _to_numpy(y) -> np.ndarray:
    if hasattr(y, "detach"):
        y = y.detach().cpu().numpy()
    return np.asarray(y)


def _check(outputs: dict, ref_path: str | None, tol: float) -> dict:
    if not ref_path or not Path(ref_path).exists():
        return {"ok": None, "detail": "no reference"}
    ref = np.load(ref_path)
    worst, detail = 0.0, ""
    for name, y in outputs.items():
        y = _to_numpy(y).astype(np.float64)
        if y.shape != ref.shape:
            return {"ok": False, "detail": f"{name}: shape {y.shape} != {ref.shape}"}
        if not np.all(np.isfinite(y)):
            bad = int((~np.isfinite(y)).sum())
            return {"ok": False, "detail": f"{name}: {bad} non-finite elements (NaN = unwritten?)",
                    "err": float("inf")}
        err = float(np.max(np.abs(y - ref)) / max(float(np.max(np.abs(ref))), 1e-30))
        if err > worst:
            worst, detail = err, name
    ok = worst <= tol
    return {"ok": ok, "err": worst, "tol": tol,
            "detail": "" if ok else f"{detail}: max |err| / max |ref| = {worst:.3g} > {tol:g}"}


def run_framework(job: dict) -> dict:
    fw = job["framework"]
    w = _workload(job)
    if w.train:
        return run_train(job)
    repeats = job["repeats"]
    t_imp = time.perf_counter()
    if fw in ("torch", "torch.compile"):
        import torch

        torch.set_num_threads(job.get("threads", 2))
        torch.set_grad_enabled(False)
    F = adapter(fw)
    import_s = time.perf_counter() - t_imp
    sets = [w.make_inputs(SEED, k) for k in range(w.rotate)]
    names = list(w.shapes)
    result: dict = {"framework": fw, "workload": w.key, "import_s": import_s,
                    "loadavg_start": os.getloadavg()}

    if fw == "numpy":
        args = [[s[n] for n in names] for s in sets]
        variants = {"call": lambda k: w.fn(F, *args[k])}
    elif fw in ("torch", "torch.compile"):
        import torch

        args = [[torch.from_numpy(s[n]) for n in names] for s in sets]
        fn = (lambda *a: w.fn(F, *a))
        if fw == "torch.compile":
            fn = torch.compile(fn)
        variants = {"call": lambda k: fn(*args[k])}
    elif fw == "jax":
        import jax

        args = [[jax.device_put(s[n]) for n in names] for s in sets]
        for a in args:
            for x in a:
                x.block_until_ready()
        fn = jax.jit(lambda *a: w.fn(F, *a))
        variants = {"call": lambda k: fn(*args[k]).block_until_ready()}
    elif fw == "tfc":
        import tfc

        args = [[s[n] for n in names] for s in sets]
        variants = {}
    else:
        raise ValueError(fw)

    baseline = _status().get("VmRSS", 0)
    reset = _reset_peak()
    caller_bytes = 0
    t0 = time.perf_counter()
    if fw == "tfc":
        specs = [tfc.TensorSpec(w.shapes[n], "f32", n) for n in names]
        exe = tfc.compile(lambda *a: w.fn(F, *a), *specs)
        result["compile_s"] = time.perf_counter() - t0
        result["tfc_timings"] = dict(exe.timings)
        result["kernels"] = exe.source.count("static void k")
        result["artifact"] = str(exe.artifact_dir)
        outs = [np.full(exe.output_specs[0].shape, np.nan, np.float32) for _ in range(w.rotate)]
        caller_bytes = sum(o.nbytes for o in outs)  # the caller's memory, like the inputs
        variants = {"alloc": lambda k: exe(*args[k]),
                    "out=": lambda k: exe(*args[k], out=outs[k])}
        if w.metric == "GB/s":
            copy, copy_bytes = _interleaved_copy(w, job)
            caller_bytes += copy_bytes
            variants[COPY] = copy
    samples, first, first_call_s, inner = _measure(variants, w, repeats)
    first.pop(COPY, None)
    if COPY in samples:
        # The copy ran right after tfc's two calls in every repetition: the ceiling at
        # the same moments. The ratio is per repetition, then the median over them.
        copy = samples.pop(COPY)
        result["copy_interleaved"] = _stats(copy)
        result["copy_ratio"] = {v: statistics.median(t / c for t, c in zip(samples[v], copy))
                                for v in samples}
    result["peak_bytes"] = max(0, _peak_bytes(baseline, reset) - caller_bytes)
    result["peak_method"] = "VmHWM reset" if reset else "ru_maxrss"
    result["first_call_s"] = first_call_s
    result["inner"] = inner
    result["variants"] = {name: _stats(s) for name, s in samples.items()}
    best = min(result["variants"], key=lambda v: result["variants"][v]["median"])
    result["best_variant"] = best
    result.update(result["variants"][best])
    if fw in ("torch.compile", "jax"):  # the first call traces and compiles
        result["compile_s"] = max(0.0, first_call_s["call"] - result["median"])
    result["check"] = _check(first, job.get("ref"), w.tol)
    result["loadavg_end"] = os.getloadavg()
    return result


def run_train(job: dict) -> dict:
    """A training-step workload: the 3-step loss check from the initial weights, then the
    timed steps (which keep training the same weights), peak memory and compile times."""
    from .workloads_train import CHECK_STEPS, make_step, train_inputs

    fw, w, repeats = job["framework"], _workload(job), job["repeats"]
    t_imp = time.perf_counter()
    if fw in ("torch", "torch.compile"):
        import torch

        torch.set_num_threads(job.get("threads", 2))
    elif fw == "jax":
        import jax  # noqa: F401
    else:
        import tfc  # noqa: F401
    import_s = time.perf_counter() - t_imp
    params, x, labels = train_inputs(w, SEED)
    result: dict = {"framework": fw, "workload": w.key, "import_s": import_s,
                    "loadavg_start": os.getloadavg()}
    baseline = _status().get("VmRSS", 0)
    reset = _reset_peak()
    t0 = time.perf_counter()
    step, concrete, _ = make_step(fw, params, x, labels)
    if concrete is not None:  # tfc compiled: trace + compile, here from the warm cache
        exe = concrete().executable
        result["compile_s"] = time.perf_counter() - t0
        result["tfc_timings"] = dict(exe.timings)
        result["kernels"] = exe.source.count("static void k")
        result["artifact"] = str(exe.artifact_dir)
    losses, first_call_s = [], 0.0
    try:
        for i in range(CHECK_STEPS):
            t = time.perf_counter()
            losses.append(float(_to_numpy(step())))
            if i == 0:
                first_call_s = time.perf_counter() - t
    except Exception as e:  # noqa: BLE001
        if fw != "torch.compile":
            raise
        return {"framework": fw, "workload": w.key,
                "error": "skipped: torch.compile failed on the step", "detail": repr(e)[:400]}
    result["losses"] = losses
    samples, _, _, inner = _measure({"step": lambda k: step()}, w, repeats)
    result["peak_bytes"] = _peak_bytes(baseline, reset)
    result["peak_method"] = "VmHWM reset" if reset else "ru_maxrss"
    result["first_call_s"] = {"step": first_call_s}
    result["inner"] = inner
    result["variants"] = {"step": _stats(samples["step"])}
    result.update(result["variants"]["step"])
    if fw in ("torch.compile", "jax"):  # the first call traces and compiles
        result["compile_s"] = max(0.0, first_call_s - result["median"])
    result["check"] = _check({"losses": np.array(losses)}, job.get("ref"), w.tol)
    result["loadavg_end"] = os.getloadavg()
    return result


def run_cold(job: dict) -> dict:
    """tfc.compile in a fresh process with an empty cache, split into its stages where we can."""
    t0 = time.perf_counter()
    import tfc

    import_s = time.perf_counter() - t0
    w = _workload(job)
    F = adapter("tfc")
    spent = {"passes_s": 0.0, "codegen_s": 0.0, "cc_s": 0.0}
    _wrap("tfc.backend", "lower", spent, "passes_s")
    _wrap("tfc.codegen.c", "emit_c", spent, "codegen_s")
    _wrap("tfc.runtime", "compile_shared", spent, "cc_s")
    if w.train:  # the @tf.function train step: trace (incl. the tape's gradient) + passes + cc
        from .workloads_train import make_step, train_inputs

        _, concrete, _ = make_step("tfc", *train_inputs(w, SEED))
        t1 = time.perf_counter()
        exe = concrete().executable
        total = time.perf_counter() - t1
        trace = max(0.0, total - exe.timings.get("compile_s", 0.0))
        return {"framework": "tfc", "workload": w.key, "import_s": import_s, "cold_s": total,
                "trace_s": trace, **{k: (v if v else None) for k, v in spent.items()},
                "other_s": max(0.0, total - trace - sum(spent.values())),
                "tfc_timings": dict(exe.timings), "kernels": exe.source.count("static void k"),
                "artifact": str(exe.artifact_dir), "source_bytes": len(exe.source)}
    specs = [tfc.TensorSpec(shape, "f32", n) for n, shape in w.shapes.items()]
    t1 = time.perf_counter()
    exe = tfc.compile(lambda *a: w.fn(F, *a), *specs)
    total = time.perf_counter() - t1
    trace = exe.timings.get("trace_s", 0.0)
    return {"framework": "tfc", "workload": w.key, "import_s": import_s, "cold_s": total,
            "trace_s": trace, **{k: (v if v else None) for k, v in spent.items()},
            "other_s": max(0.0, total - trace - sum(spent.values())),
            "tfc_timings": dict(exe.timings), "kernels": exe.source.count("static void k"),
            "artifact": str(exe.artifact_dir),
            "source_bytes": len(exe.source)}


def _wrap(module_name: str, attr: str, spent: dict, key: str) -> None:
    """Time calls to module.attr (best effort: the code may move; then the stage reads n/a)."""
    import importlib

    try:
        mod = importlib.import_module(module_name)
        orig = getattr(mod, attr)
    except (ImportError, AttributeError):
        return

    def timed(*a, **k):
        t = time.perf_counter()
        try:
            return orig(*a, **k)
        finally:
            spent[key] += time.perf_counter() - t

    setattr(mod, attr, timed)


def run_reference(job: dict) -> dict:
    from .workloads import NumpyOps

    w = _workload(job)
    if w.train:
        from .workloads_train import reference_losses, train_inputs

        t0 = time.perf_counter()
        np.save(job["ref"], reference_losses(*train_inputs(w, SEED)))
        return {"workload": w.key, "ref_s": time.perf_counter() - t0}
    inputs = w.make_inputs(SEED, 0)
    t0 = time.perf_counter()
    y = w.fn(NumpyOps(), *[inputs[n].astype(np.float64) for n in w.shapes])
    np.save(job["ref"], np.asarray(y, dtype=np.float64))
    return {"workload": w.key, "ref_s": time.perf_counter() - t0}


def _workload(job: dict) -> Workload:
    (w,) = [x for x in select(job["workload"], job["quick"]) if x.key == job["workload"]]
    return w


def main(job_path: str) -> int:
    job = json.loads(Path(job_path).read_text())
    kind = job["kind"]
    if kind == "framework":
        result = run_framework(job)
    elif kind == "cold":
        result = run_cold(job)
    else:
        result = run_reference(job)
    Path(job["result"]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
