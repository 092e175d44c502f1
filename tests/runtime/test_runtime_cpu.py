"""The CPU loader: results against NumPy, the arena, out= buffers, torch inputs,
and the argument checks at the boundary."""

from __future__ import annotations

import threading

import ml_dtypes
import numpy as np
import pytest
import torch

from tfc.runtime import CpuProgram, InputError, KernelError, Manifest, build_cpu_artifact, load_cpu

# y = a * b + 1 over f32[64x33] (an odd size, so no vector loop covers it exactly).
AXPB_SRC = r"""
int tfc_entry(void **buffers) {
    const float *a = buffers[0], *b = buffers[1];
    float *y = buffers[2];
    #pragma omp parallel for if(64 * 33 > 100000)
    for (long i = 0; i < 64 * 33; i++) y[i] = a[i] * b[i] + 1.0f;
    return 0;
}
"""

# Scratch in the arena: t = 2x (in the arena), y = reverse(t) + x, and it
# reports where the arena is. Returns `code` when nonzero, 3 on a bad arena.
N = 1 << 15
ARENA_SRC = r"""
#include <stdint.h>
#define N %d
int tfc_entry(void **buffers) {
    const float *x = buffers[0];
    int32_t code = *(const int32_t *)buffers[1];
    float *y = buffers[2];
    int64_t *where = buffers[3];
    float *t = buffers[4];
    if (code) return code;
    if (t == 0 || (uintptr_t)t %% 64 != 0) return 3;
    for (int r = 0; r < 8; r++)  /* long enough for threads to overlap */
        for (int i = 0; i < N; i++) t[i] = x[i] * 2.0f;
    for (int i = 0; i < N; i++) y[i] = t[N - 1 - i] + x[i];
    *where = (int64_t)(uintptr_t)t;
    return 0;
}
""" % N

# One input of each storage type, each transformed exactly.
DTYPES_SRC = r"""
#include <stdbool.h>
#include <stdint.h>
int tfc_entry(void **buffers) {
    const double *d = buffers[0]; const _Float16 *h = buffers[1]; const uint16_t *bh = buffers[2];
    const int32_t *i = buffers[3]; const int64_t *l = buffers[4]; const bool *m = buffers[5];
    const float *s = buffers[6];
    double *d2 = buffers[7]; _Float16 *h2 = buffers[8]; uint16_t *bh2 = buffers[9];
    int32_t *i2 = buffers[10]; int64_t *l2 = buffers[11]; bool *m2 = buffers[12];
    if (buffers[13] != 0) return 9;  /* arena size 0: NULL */
    for (int k = 0; k < 5; k++) {
        d2[k] = d[k] * 2.0 + *s;
        h2[k] = (_Float16)((float)h[k] + 1.0f);
        bh2[k] = bh[k];
        i2[k] = i[k] + 1;
        l2[k] = l[k] * 3;
        m2[k] = !m[k];
    }
    return 0;
}
"""


def spec(name, shape, dtype):
    return {"name": name, "shape": shape, "dtype": dtype}


@pytest.fixture(autouse=True)
def _cache_env(tmp_path, monkeypatch):
    monkeypatch.setenv("TFC_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cpu-cache")


@pytest.fixture(scope="module")
def axpb(module_cache) -> CpuProgram:
    m = Manifest(inputs=[spec("a", (64, 33), "f32"), spec("b", (64, 33), "f32")],
                 outputs=[spec("y", (64, 33), "f32")])
    return load_cpu(build_cpu_artifact(AXPB_SRC, m, key_parts=["axpb"], cache=module_cache))


@pytest.fixture(scope="module")
def arena_prog(module_cache) -> CpuProgram:
    m = Manifest(inputs=[spec("x", (N,), "f32"), spec("code", (), "i32")],
                 outputs=[spec("y", (N,), "f32"), spec("where", (), "i64")], arena_bytes=4 * N)
    return load_cpu(build_cpu_artifact(ARENA_SRC, m, key_parts=["arena"], cache=module_cache))


@pytest.fixture(scope="module")
def dtypes_prog(module_cache) -> CpuProgram:
    names = ["d", "h", "bh", "i", "l", "m"]
    types = ["f64", "f16", "bf16", "i32", "i64", "i1"]
    m = Manifest(inputs=[spec(n, (5,), t) for n, t in zip(names, types)] + [spec("s", (), "f32")],
                 outputs=[spec(n + "2", (5,), t) for n, t in zip(names, types)])
    return load_cpu(build_cpu_artifact(DTYPES_SRC, m, key_parts=["dtypes"], cache=module_cache))


def rand(*shape, dtype=np.float32):
    return np.random.default_rng().standard_normal(shape).astype(dtype)


def ref_axpb(a, b):
    return np.asarray(a, np.float64) * np.asarray(b, np.float64) + 1


def check_axpb(y, a, b):
    assert y.dtype == np.float32 and y.shape == (64, 33)
    np.testing.assert_allclose(y, ref_axpb(a, b), rtol=1e-6, atol=1e-6)


# -- results -----------------------------------------------------------------

def test_fresh_outputs_match_numpy(axpb):
    a, b = rand(64, 33), rand(64, 33)
    y = axpb(a, b)
    check_axpb(y, a, b)
    y2 = axpb(a, b)
    assert y2 is not y and not np.shares_memory(y, y2)  # a new array per call


def test_out_buffer_poisoned_then_written(axpb):
    a, b = rand(64, 33), rand(64, 33)
    out = np.full((64, 33), np.nan, np.float32)
    res = axpb(a, b, out=out)
    assert res is out
    check_axpb(out, a, b)
    out2 = np.full((64, 33), np.nan, np.float32)
    (res,) = axpb(a, b, out=(out2,))
    assert res is out2
    check_axpb(out2, a, b)


def test_out_aliasing_an_input(axpb):
    a, b = rand(64, 33), rand(64, 33)
    expect = ref_axpb(a, b)
    axpb(a, b, out=a)
    np.testing.assert_allclose(a, expect, rtol=1e-6, atol=1e-6)


def test_non_contiguous_inputs_are_copied(axpb):
    a = rand(33, 64).T  # Fortran order
    b = rand(128, 66)[::2, ::2]
    assert not a.flags.c_contiguous and not b.flags.c_contiguous
    check_axpb(axpb(a, b), a, b)
    ro = rand(64, 33)
    ro.flags.writeable = False
    check_axpb(axpb(ro, b), ro, b)
    swapped = rand(64, 33).astype(">f4")
    check_axpb(axpb(swapped, b), swapped, b)


def test_arena_allocated_once_aligned_and_reused(arena_prog):
    x = rand(N)
    out = np.full(N, np.nan, np.float32), np.full((), -1, np.int64)
    y, where = arena_prog(x, 0, out=out)
    np.testing.assert_allclose(y, 2.0 * x.astype(np.float64)[::-1] + x, rtol=1e-6)
    x2 = rand(N)
    y2, where2 = arena_prog(x2, np.int32(0))
    np.testing.assert_allclose(y2, 2.0 * x2.astype(np.float64)[::-1] + x2, rtol=1e-6)
    assert int(where) == int(where2) and int(where) % 64 == 0


def test_nonzero_return_code_raises(arena_prog):
    with pytest.raises(KernelError, match="returned 7"):
        arena_prog(rand(N), 7)


def test_threads_share_a_program(arena_prog):
    xs = [rand(N) for _ in range(4)]
    results = [None] * 4

    def work(k):
        for _ in range(5):
            results[k] = arena_prog(xs[k], 0)[0]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for x, y in zip(xs, results):
        np.testing.assert_allclose(y, 2.0 * x.astype(np.float64)[::-1] + x, rtol=1e-6)


def test_every_storage_type(dtypes_prog):
    rng = np.random.default_rng()
    d = rng.standard_normal(5)
    h = rng.standard_normal(5).astype(np.float16)
    bh = rng.standard_normal(5).astype(ml_dtypes.bfloat16)
    i = rng.integers(-1000, 1000, 5, dtype=np.int32)
    l = rng.integers(-(2**40), 2**40, 5, dtype=np.int64)
    m = rng.random(5) < 0.5
    d2, h2, bh2, i2, l2, m2 = dtypes_prog(d, h, bh, i, l, m, 0.5)
    np.testing.assert_array_equal(d2, d * 2 + 0.5)
    np.testing.assert_array_equal(h2, (h.astype(np.float32) + 1).astype(np.float16))
    assert bh2.dtype == ml_dtypes.bfloat16 and bh2.tobytes() == bh.tobytes()
    np.testing.assert_array_equal(i2, i + 1)
    np.testing.assert_array_equal(l2, l * 3)
    assert m2.dtype == np.bool_ and (m2 == ~m).all()
    # Python ints are fine for float scalars; torch tensors of every type too.
    t_args = [torch.from_numpy(v) for v in (d, h, i, l, m)]
    t_bh = torch.from_numpy(bh.view(np.int16)).view(torch.bfloat16)
    out = dtypes_prog(t_args[0], t_args[1], t_bh, *t_args[2:], 2)
    np.testing.assert_array_equal(out[0], d * 2 + 2)
    assert out[2].tobytes() == bh.tobytes() and (out[5] == ~m).all()


# -- torch -------------------------------------------------------------------

def test_torch_inputs(axpb):
    a = torch.randn(64, 33)
    b = torch.randn(33, 64).t()  # non-contiguous
    w = torch.randn(64, 33, requires_grad=True)
    check_axpb(axpb(a, b), a.numpy(), b.numpy())
    check_axpb(axpb(w, a), w.detach().numpy(), a.numpy())
    out = torch.full((64, 33), float("nan"))
    assert axpb(a, a, out=out) is out
    check_axpb(out.numpy(), a.numpy(), a.numpy())


def test_torch_wrong_dtype_suggests_conversion(axpb):
    with pytest.raises(InputError, match=r"argument 1 \('a'\).*dtype f64.*a\.to\(torch\.float32\)"):
        axpb(torch.randn(64, 33, dtype=torch.float64), torch.randn(64, 33))


# -- boundary errors ----------------------------------------------------------

def test_wrong_shape_message(axpb):
    with pytest.raises(InputError) as e:
        axpb(rand(64, 33), rand(64, 34))
    assert "argument 2 ('b'): expected shape (64, 33) dtype f32, got shape (64, 34) dtype f32" in str(e.value)
    assert isinstance(e.value, ValueError)


def test_float64_for_f32_is_an_error_not_a_cast(axpb):
    with pytest.raises(InputError) as e:
        axpb(rand(64, 33, dtype=np.float64), rand(64, 33))
    msg = str(e.value)
    assert "argument 1 ('a'): expected shape (64, 33) dtype f32, got shape (64, 33) dtype f64" in msg
    assert "a.astype(np.float32)" in msg


def test_wrong_argument_count(axpb):
    with pytest.raises(InputError, match=r"expected 2 arguments \(a: tensor<64x33xf32>, b: tensor<64x33xf32>\), got 1"):
        axpb(rand(64, 33))
    with pytest.raises(InputError, match="got 3"):
        axpb(rand(64, 33), rand(64, 33), rand(64, 33))


def test_unsupported_argument_kinds(axpb, arena_prog):
    with pytest.raises(InputError, match=r"argument 1 \('a'\).*got a list"):
        axpb([[1.0]], rand(64, 33))
    with pytest.raises(InputError, match="only for 0-d inputs"):
        axpb(1.0, rand(64, 33))
    with pytest.raises(InputError, match=r"argument 2 \('code'\): expected shape \(\) dtype i32, got Python float 1.5"):
        arena_prog(rand(N), 1.5)
    with pytest.raises(InputError, match="does not fit in i32"):
        arena_prog(rand(N), 2**40)


def test_bad_out_buffers(axpb):
    a, b = rand(64, 33), rand(64, 33)
    with pytest.raises(InputError, match=r"output 1 \('y'\): expected shape \(64, 33\) dtype f32, got shape \(64, 32\)"):
        axpb(a, b, out=np.empty((64, 32), np.float32))
    with pytest.raises(InputError, match="dtype f64"):
        axpb(a, b, out=np.empty((64, 33)))
    with pytest.raises(InputError, match="C-contiguous"):
        axpb(a, b, out=np.empty((33, 64), np.float32).T)
    ro = np.empty((64, 33), np.float32)
    ro.flags.writeable = False
    with pytest.raises(InputError, match="read-only"):
        axpb(a, b, out=ro)
    with pytest.raises(InputError, match="out= has 2 buffers, the program has 1 output"):
        axpb(a, b, out=(np.empty((64, 33), np.float32),) * 2)
    with pytest.raises(InputError, match="must be a NumPy array"):
        axpb(a, b, out=[[0.0]])


def test_overlapping_out_buffers(arena_prog):
    buf = np.empty(N + 2, np.float32)
    with pytest.raises(InputError, match="overlap"):
        arena_prog(rand(N), 0, out=(buf[:N], buf[:2].view(np.int64).reshape(())))


def test_signature_and_repr(axpb):
    assert axpb.signature == "(a: tensor<64x33xf32>, b: tensor<64x33xf32>) -> (y: tensor<64x33xf32>)"
    assert "CpuProgram" in repr(axpb)


def test_manifest_for_program_and_json_round_trip():
    m = Manifest.for_program(inputs=[("x", (4, 8), "f32")], outputs=[("y", [], np.float64)],
                             arena_bytes=128, extra={"planner": {"peak": 128}})
    assert m.inputs[0].type_str == "tensor<4x8xf32>" and m.outputs[0].type_str == "tensor<f64>"
    back = Manifest.from_json(m.to_json())
    assert back == m and back.tfc_version and back.extra == {"planner": {"peak": 128}}


def test_errors_extend_tfc_errors():
    from tfc.errors import CompileError, TfcError
    from tfc.runtime import CCompileError, CompilerNotFoundError, TfcRuntimeError

    assert issubclass(InputError, TfcError) and issubclass(InputError, ValueError)
    assert issubclass(CCompileError, CompileError) and issubclass(CompilerNotFoundError, CompileError)
    assert issubclass(KernelError, TfcRuntimeError) and issubclass(TfcRuntimeError, TfcError)


def test_threads_calling_a_contraction_program():
    """Contraction kernels pack panels into static scratch of the .so: concurrent
    calls (the GIL is released in C) must not share it. Several threads call one
    blocked matmul at once; every result must be its own product."""
    import tfc

    rng = np.random.default_rng()
    a = rng.standard_normal((96, 130)).astype(np.float32)
    b = rng.standard_normal((130, 70)).astype(np.float32)
    exe = tfc.compile(lambda x, y: tfc.matmul(x, y), a, b)
    xs = [rng.standard_normal((96, 130)).astype(np.float32) for _ in range(4)]
    results = [None] * 4

    def work(k):
        for _ in range(20):
            results[k] = exe(xs[k], b)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for x, y in zip(xs, results):
        np.testing.assert_allclose(y, x.astype(np.float64) @ b.astype(np.float64), rtol=1e-4, atol=1e-4)
