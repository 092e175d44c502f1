"""Compile one program, run it on fresh inputs, and judge it against `tfc.reference`.

Two calls per program: one into poisoned caller buffers (`out=`; NaN or an
integer sentinel, so unwritten elements show), one that lets tfc allocate,
each on its own fresh inputs (an arena that leaks state between calls shows).
Inputs must come back unchanged. The oracle is the reference interpreter in
float64. A result is a dict: {"status": "pass" | "fail" | "invalid" | "discard",
"kind": ..., "message": ...}.
"""

from __future__ import annotations

import traceback

import numpy as np

import tfc
from tfc.errors import ShapeError, TfcError

from .program import Invalid, Program, as_function, input_specs, random_array, to_mlir

# Allowed error, relative to each value and to the output's largest magnitude.
TOL = {"f16": 2e-2, "bf16": 4e-2, "f32": 2e-4, "f64": 1e-9}


def tolerance(mlir_text: str) -> float:
    """The loosest float type anywhere in the program decides (f64 programs may cast to f32)."""
    for name in ("bf16", "f16", "f32", "f64"):
        if name in mlir_text:
            return TOL[name]
    return 0.0


def _exc(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    head = f"{type(e).__name__}: {text[0] if text else ''}"
    return head[:400]


def _tail(e: BaseException) -> str:
    return "".join(traceback.format_exception(e))[-3000:]


def poison(spec) -> np.ndarray:
    d = spec.dtype
    if d.is_float:
        return np.full(spec.shape, np.nan, dtype=d.numpy)
    if d.is_bool:
        return np.zeros(spec.shape, dtype=np.bool_)
    return np.full(spec.shape, np.iinfo(d.numpy).min + 7, dtype=d.numpy)


def _upcast(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float64) if a.dtype.kind == "f" else a


def compare(got, want: np.ndarray, spec, tol: float) -> str | None:
    """None when `got` matches `want`, else what is wrong."""
    got = np.asarray(got)
    if got.shape != tuple(spec.shape):
        return f"shape {got.shape}, expected {tuple(spec.shape)}"
    if got.dtype != spec.dtype.numpy:
        return f"dtype {got.dtype}, expected {spec.dtype.numpy}"
    if not spec.dtype.is_float:
        bad = got != want.astype(got.dtype)
        if not bad.any():
            return None
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        return (f"{int(bad.sum())}/{bad.size} elements differ; at {idx}: got {got[idx].item()}, "
                f"want {want[idx].item()}")
    g, w = got.astype(np.float64), want.astype(np.float64)
    scale = max(1.0, float(np.max(np.abs(w)))) if w.size else 1.0
    err = np.abs(g - w)
    bad = ~(err <= tol * scale + tol * np.abs(w))  # NaN counts as bad
    if not bad.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    nan = int(np.isnan(g[bad]).sum())
    return (f"{int(bad.sum())}/{bad.size} elements off (tol {tol:g} x scale {scale:.3g})"
            f"{f', {nan} NaN (poison left unwritten?)' if nan else ''}; first at {idx}: "
            f"got {float(g[idx])!r}, want {float(w[idx])!r}; max err {float(np.nanmax(err)) if not np.isnan(err).all() else float('nan'):.3g}")


def run_and_judge(exe, mlir_text: str, rng: np.random.Generator) -> dict:
    tol = tolerance(mlir_text)
    specs = exe.output_specs
    for call in ("out=", "alloc"):
        args = [random_array(rng, s.shape, s.dtype.name) for s in exe.input_specs]
        saved = [a.copy() for a in args]
        try:
            if call == "out=":
                outs = [poison(s) for s in specs]
                exe(*args, out=outs[0] if exe.single_output else outs)
            else:
                res = exe(*args)
                outs = [res] if exe.single_output else list(res)
        except Exception as e:  # noqa: BLE001 - any exception is the finding
            return {"status": "fail", "kind": "runtime-error", "message": f"({call}) {_exc(e)}",
                    "detail": _tail(e)}
        for i, (a, b) in enumerate(zip(args, saved)):
            if not np.array_equal(a, b, equal_nan=True):
                return {"status": "fail", "kind": "input-clobbered",
                        "message": f"({call}) input {i} ({exe.input_specs[i].name}) was modified"}
        try:
            ref = exe.reference(*[_upcast(b) for b in saved], dtype=np.float64)
        except Exception as e:  # noqa: BLE001
            return {"status": "fail", "kind": "reference-error", "message": _exc(e), "detail": _tail(e)}
        refs = [ref] if exe.single_output else list(ref)
        for r in refs:
            r = np.asarray(r)
            if r.dtype.kind == "f" and not np.all(np.isfinite(r)):
                return {"status": "discard", "message": "the reference is not finite"}
        if len(outs) != len(refs):
            return {"status": "fail", "kind": "mismatch",
                    "message": f"({call}) {len(outs)} outputs, expected {len(refs)}"}
        for i, (spec, got, want) in enumerate(zip(specs, outs, refs)):
            problem = compare(got, np.asarray(want), spec, tol)
            if problem:
                return {"status": "fail", "kind": "mismatch",
                        "message": f"({call}) output {i} {spec}: {problem}"}
    return {"status": "pass"}


def check_program(program: Program, seed: int, *, emit: bool = False) -> dict:
    """Trace, compile and judge one generated program."""
    rng = np.random.default_rng(seed)
    try:
        specs = input_specs(program)
    except (Invalid, TfcError, ValueError, TypeError, IndexError) as e:
        return {"status": "invalid", "message": _exc(e)}
    fn = as_function(program)
    try:
        text = to_mlir(program)
    except Invalid as e:
        return {"status": "invalid", "message": _exc(e)}
    except Exception as e:  # noqa: BLE001 - eager accepted it, tracing must too
        return {"status": "fail", "kind": "trace-error", "message": _exc(e), "detail": _tail(e)}
    result = judge_compiled(lambda: tfc.compile(fn, *specs), text, rng)
    if emit:
        result["mlir"] = text
    return result


def judge_compiled(make_exe, text: str, rng) -> dict:
    try:
        exe = make_exe()
    except Exception as e:  # noqa: BLE001 - compile failures are findings
        kind = "trace-error" if isinstance(e, ShapeError) else "compile-error"
        return {"status": "fail", "kind": kind, "message": _exc(e), "detail": _tail(e)}
    return run_and_judge(exe, text, rng)


def replay(mlir_text: str, seed: int, trials: int = 2, filename: str = "<repro>") -> dict:
    """Compile MLIR text (tfc level) and judge it `trials` times on fresh inputs."""
    rng = np.random.default_rng(seed)
    result = {"status": "pass"}
    for _ in range(trials):
        result = judge_compiled(lambda: tfc.compile_mlir(mlir_text, filename=filename), mlir_text, rng)
        if result["status"] != "pass":
            return result
    return result
