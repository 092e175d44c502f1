"""Shared test utilities: fresh random inputs, poisoned outputs, the float64 oracle.

Every numerical test compares compiled results with `tfc.reference` run in
float64 on the same inputs. Inputs are fresh random values every run (the seed
is printed on failure through pytest's report of the arguments).
"""

from __future__ import annotations

import numpy as np

import tfc
from tfc import dtypes

RNG = np.random.default_rng()

# Tolerances against the float64 oracle, by dtype: (rtol, atol).
TOL = {
    "f64": (1e-10, 1e-12),
    "f32": (2e-5, 1e-5),
    "f16": (2e-2, 2e-2),
    "bf16": (4e-2, 4e-2),
    "i32": (0, 0),
    "i64": (0, 0),
    "i1": (0, 0),
}


def rand(shape, dtype="f32", low=-2.0, high=2.0, rng=None):
    """Fresh random data of `dtype` (ints in [low, high], bools half true)."""
    rng = rng or RNG
    d = dtypes.from_any(dtype)
    shape = tuple(shape)
    if d.is_bool:
        return rng.random(shape) < 0.5
    if d.is_int:
        return rng.integers(int(low), int(high) + 1, size=shape).astype(d.numpy)
    return rng.uniform(low, high, size=shape).astype(d.numpy)


def poison(spec_or_array):
    """An output buffer filled with a value no correct kernel writes (NaN / sentinel)."""
    d = dtypes.from_any(spec_or_array.dtype)
    shape = spec_or_array.shape
    if d.is_float:
        return np.full(shape, np.nan, dtype=d.numpy)
    if d.is_bool:
        return np.frombuffer(np.full(int(np.prod(shape)), 0x7F, np.uint8).tobytes(), np.bool_).reshape(shape).copy()
    return np.full(shape, np.iinfo(d.numpy).min + 7, dtype=d.numpy)


def check_compiled(fn, *args, target="cpu", tol=None, exe=None):
    """Compile `fn` for `args`, run it into poisoned output buffers, compare with the
    float64 reference. Returns the executable."""
    exe = exe or tfc.compile(fn, *args, target=target)
    outs = [poison(s) for s in exe.output_specs]
    exe(*args, out=outs if len(outs) > 1 else outs[0])
    ref = exe.reference(*[_upcast(a) for a in args], dtype=np.float64)
    refs = (ref,) if exe.single_output else ref
    for spec, got, want in zip(exe.output_specs, outs, refs):
        rtol, atol = tol or TOL[spec.dtype.name]
        assert_close(got, want, rtol, atol, spec.dtype)
    return exe


def _upcast(a):
    a = np.asarray(a)
    return a.astype(np.float64) if a.dtype.kind == "f" or a.dtype.name == "bfloat16" else a


def assert_close(got, want, rtol, atol, dtype):
    got = np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape, f"shape {got.shape} != {want.shape}"
    if dtype.is_float:
        g = got.astype(np.float64)
        w = want.astype(np.float64)
        if dtype.is_half:  # the oracle's result must be representable in the output type
            w = w.astype(dtype.numpy).astype(np.float64)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want.astype(got.dtype))


def numeric_vjp(f, inputs, cotangent, eps=1e-6):
    """Central finite differences of <f(inputs), cotangent> w.r.t. each float input (float64)."""
    grads = []
    for i, x in enumerate(inputs):
        x = np.asarray(x, dtype=np.float64)
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            xp, xm = x.copy(), x.copy()
            xp[idx] += eps
            xm[idx] -= eps
            args_p = list(inputs); args_p[i] = xp
            args_m = list(inputs); args_m[i] = xm
            fp = np.sum(np.asarray(f(*args_p), np.float64) * cotangent)
            fm = np.sum(np.asarray(f(*args_m), np.float64) * cotangent)
            g[idx] = (fp - fm) / (2 * eps)
        grads.append(g)
    return grads


def check_vjp(op_fn, *inputs, rtol=1e-5, atol=1e-6, wrt=None):
    """Check op `op_fn`'s registered VJP rule eagerly in float64 against finite differences.

    `op_fn(*inputs)` must be a single-output tfc op function (it is traced once
    to find the op class and its attributes).
    """
    from xdsl.dialects import func

    from tfc.ops import registry

    inputs = [np.asarray(x, dtype=np.float64) if np.asarray(x).dtype.kind == "f" else np.asarray(x)
              for x in inputs]
    specs = [tfc.TensorSpec(np.shape(x), dtypes.from_numpy(np.asarray(x).dtype)) for x in inputs]
    from tfc.tracing import trace_function

    module, _ = trace_function(op_fn, specs)
    ops = [op for op in module.walk() if registry.lookup(op.name) is not None
           and op.name != "tfc.constant"]
    assert len(ops) >= 1
    op = ops[-1]
    cls = type(op)
    assert cls.vjp is not None, f"{cls.name} has no vjp rule"
    out = op_fn(*inputs)
    cot = RNG.standard_normal(np.shape(out))
    got = cls.vjp(op.py_attrs(), list(inputs), [out], [cot])
    want = numeric_vjp(op_fn, inputs, cot)
    idx = range(len(inputs)) if wrt is None else wrt
    for i in idx:
        if inputs[i].dtype.kind != "f":
            continue
        assert got[i] is not None, f"{cls.name}: no gradient for input {i}"
        np.testing.assert_allclose(np.asarray(got[i], np.float64), want[i], rtol=rtol, atol=atol,
                                   err_msg=f"{cls.name}: gradient of input {i}")
