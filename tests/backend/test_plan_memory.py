"""The arena planner: no two buffers live at the same time overlap, offsets are
64-byte aligned, and the arena is never larger than one buffer each."""

from __future__ import annotations

import numpy as np
import pytest

from tfc.passes.plan_memory import ALIGNMENT, Buffer, peak_live_bytes, plan


def random_buffers(rng, n: int) -> list[Buffer]:
    out = []
    for _ in range(n):
        start = int(rng.integers(0, 40))
        end = start + int(rng.integers(0, 10))
        size = int(rng.choice([1, 3, 64, 100, 4096, int(rng.integers(1, 5000))]))
        out.append(Buffer(size, start, end))
    return out


@pytest.mark.parametrize("seed", range(30))
def test_plan_is_safe_aligned_and_no_worse_than_naive(seed):
    rng = np.random.default_rng(seed)
    buffers = random_buffers(rng, int(rng.integers(1, 40)))
    arena = plan(buffers)
    for i, a in enumerate(buffers):
        assert a.offset % ALIGNMENT == 0
        assert a.offset + a.size <= arena
        for b in buffers[:i]:
            if a.overlaps_in_time(b):
                assert a.offset + a.size <= b.offset or b.offset + b.size <= a.offset, (a, b)
    naive = sum(-(-b.size // ALIGNMENT) * ALIGNMENT for b in buffers)
    assert peak_live_bytes(buffers) <= arena <= naive


def test_chain_reuses_memory():
    # a -> b -> c -> d, each read only by the next: two slots suffice.
    buffers = [Buffer(1000, i, i + 1) for i in range(4)]
    arena = plan(buffers)
    assert arena == 2 * 1024
    assert {b.offset for b in buffers} == {0, 1024}


def test_best_fit_takes_the_smallest_gap():
    # Two holes open at time 2: 1024 bytes where `wide` was, 64 where `narrow`
    # was (long-lived separators keep them apart). A 64-byte buffer takes the
    # 64-byte hole.
    long_lived = Buffer(4096, 0, 10)
    wide = Buffer(1024, 0, 1)
    separator = Buffer(128, 0, 10)
    narrow = Buffer(64, 0, 1)
    separator2 = Buffer(64, 0, 10)
    late = Buffer(64, 2, 3)
    plan([long_lived, wide, separator, narrow, separator2, late])
    assert late.offset == narrow.offset != wide.offset
