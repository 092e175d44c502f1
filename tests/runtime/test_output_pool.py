"""Large outputs of `exe(...)` (no out=) reuse buffers the caller has dropped: never
one the caller can still reach, and a reused buffer holds this call's result only."""

from __future__ import annotations

import gc

import numpy as np
import torch

import tfc
from tests.helpers import rand
from tfc.runtime import output_pool
from tfc.runtime.output_pool import MIN_POOLED_BYTES, OutputPool

SHAPE = (1024, 512)  # 2 MiB of f32: pooled


def _ref(x, y):
    x, y = x.astype(np.float64), y.astype(np.float64)
    return np.tanh(x) * y + 1.0, (x - y).sum(axis=1)


def _program():
    return tfc.compile(lambda x, y: (tfc.tanh(x) * y + 1.0, tfc.reduce_sum(x - y, axis=1)),
                       tfc.TensorSpec(SHAPE, "f32"), tfc.TensorSpec(SHAPE, "f32"))


def _check(got, x, y):
    want = _ref(x, y)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-4)


def test_live_results_are_never_overwritten():
    exe = _program()
    calls = [(rand(SHAPE), rand(SHAPE)) for _ in range(6)]
    kept = [exe(x, y) for x, y in calls]      # all alive at once: six distinct buffers
    for (x, y), got in zip(calls, kept):
        _check(got, x, y)
    assert len({r[0].ctypes.data for r in kept}) == len(kept)


def test_views_keep_their_buffer():
    exe = _program()
    x1, y1 = rand(SHAPE), rand(SHAPE)
    tail = exe(x1, y1)[0][5:, ::3]           # only a strided view of the result survives
    t = torch.from_numpy(exe(x1, y1)[0])     # and a torch tensor sharing another one
    gc.collect()
    for _ in range(4):
        exe(rand(SHAPE), rand(SHAPE))
    want = _ref(x1, y1)[0]
    np.testing.assert_allclose(tail, want[5:, ::3], rtol=2e-5, atol=2e-4)
    np.testing.assert_allclose(t.numpy(), want, rtol=2e-5, atol=2e-4)


def test_dropped_buffers_are_reused_and_fully_rewritten():
    exe = _program()
    y = exe(rand(SHAPE), rand(SHAPE))[0]
    first = y.ctypes.data
    y[:] = np.nan                            # poison what the next call may get back
    del y
    x2, y2 = rand(SHAPE), rand(SHAPE)
    got = exe(x2, y2)
    assert got[0].ctypes.data == first       # the same pages: no page faults
    _check(got, x2, y2)                      # and every element of this call's result


def test_loop_reassigning_the_result_uses_two_buffers():
    exe = _program()
    addresses = set()
    r = None
    for _ in range(8):
        x, y = rand(SHAPE), rand(SHAPE)
        r = exe(x, y)
        _check(r, x, y)
        addresses.add(r[0].ctypes.data)
    assert len(addresses) == 2


def test_small_outputs_are_plain_arrays():
    pool = OutputPool([((4, 4), np.dtype(np.float32)), (SHAPE, np.dtype(np.float32))])
    small = pool.take(0, (4, 4), np.dtype(np.float32))
    assert small.flags.owndata and small.nbytes < MIN_POOLED_BYTES
    big = pool.take(1, SHAPE, np.dtype(np.float32))
    assert not big.flags.owndata and big.ctypes.data % 64 == 0 and big.flags.writeable
    assert pool.held_bytes() >= big.nbytes


def test_pool_keeps_at_most_its_byte_budget(monkeypatch):
    monkeypatch.setattr(output_pool, "MAX_HELD_BYTES", 5 << 20)
    dt = np.dtype(np.float32)
    pool = OutputPool([(SHAPE, dt)])                     # 2 MiB each
    held = [pool.take(0, SHAPE, dt) for _ in range(3)]
    assert [a.flags.owndata for a in held] == [False, False, True]  # the third: plain
    assert pool.held_bytes() == 2 * (2 << 20)
