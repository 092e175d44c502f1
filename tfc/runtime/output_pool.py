"""Reuse of large output buffers across calls of one program.

A fresh multi-megabyte ``np.empty`` per call page-faults on first write: on this
machine a 32 MiB softmax output cost 10-40 ms of faults against 2.5 ms for the
kernel itself (the `out=` convention avoids it; most code does not use it). So a
program keeps the buffers of its large outputs and hands one out again once the
caller has dropped every array that views it, as torch's caching allocator does.

How "dropped" is known without a finalizer: each buffer is a ``bytearray`` and
the arrays returned to the caller are ``np.frombuffer`` views of it: such an
array holds a memoryview of the bytearray, and every array derived from it holds
that array (or an array further down the same chain), so while any of them lives
the bytearray's reference count is above the pool's own references. A count back at the pool's own means nothing outside can reach the
memory: the buffer is free. (Code that keeps a raw address without a reference,
e.g. ``a.ctypes.data`` of an array it then drops, is wrong with plain NumPy memory
too.)

What the pool keeps: up to ``PER_SHAPE`` buffers per output and ``MAX_HELD_BYTES``
in all, freed with the program (or by ``clear()``).
"""

from __future__ import annotations

import sys

import numpy as np

__all__ = ["OutputPool", "MIN_POOLED_BYTES", "PER_SHAPE", "MAX_HELD_BYTES"]

# Below this, malloc already recycles freed memory without new page faults.
MIN_POOLED_BYTES = 1 << 20
# Two cover `y = prog(x)` in a loop (the previous y is alive during the call);
# a third, a caller that also keeps the one before.
PER_SHAPE = 3
# What one program may keep in all (free or in use): beyond it outputs are plain
# np.empty, so a program with huge outputs does not hold several of them forever.
MAX_HELD_BYTES = 512 << 20

# Start of the array within its buffer: a cache line, as the arena's.
ALIGN = 64

_getrefcount = sys.getrefcount


def _view(buf: bytearray, nbytes: int, shape, dt) -> np.ndarray:
    # frombuffer's array keeps a memoryview of `buf` (and so `buf`) alive, and every
    # array derived from it keeps that array or the memoryview alive.
    skip = -np.frombuffer(buf, np.uint8, 1).ctypes.data % ALIGN
    return np.frombuffer(buf, dt, nbytes // np.dtype(dt).itemsize, skip).reshape(shape)


class OutputPool:
    """Buffers for one program's outputs; call ``take`` under the program's lock."""

    __slots__ = ("_slots",)

    def __init__(self, out_sig: list[tuple[tuple[int, ...], np.dtype]]):
        # Per output: (shape, dtype, nbytes, its buffers), or None when it is small.
        self._slots = []
        for shape, dt in out_sig:
            nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dt).itemsize
            self._slots.append((shape, dt, nbytes, []) if nbytes >= MIN_POOLED_BYTES else None)

    def take(self, index: int, shape, dt) -> np.ndarray:
        """An uninitialised array for output `index`: a free pooled buffer, a new one
        the pool keeps, or (pool full, or a small output) a plain np.empty."""
        slot = self._slots[index]
        if slot is None:
            return np.empty(shape, dt)
        _, _, nbytes, buffers = slot
        for buf in buffers:
            # References: the list, the loop variable and getrefcount's argument.
            if _getrefcount(buf) == 3:
                return _view(buf, nbytes, shape, dt)
        if len(buffers) >= PER_SHAPE or self.held_bytes() + nbytes > MAX_HELD_BYTES:
            return np.empty(shape, dt)
        buf = bytearray(nbytes + ALIGN)  # zero-filled once: its pages fault in here, once
        buffers.append(buf)
        return _view(buf, nbytes, shape, dt)

    @property
    def pools_any(self) -> bool:
        """Whether any output is large enough to be pooled."""
        return any(slot is not None for slot in self._slots)

    def held_bytes(self) -> int:
        """Bytes the pool keeps (in use by the caller or free)."""
        return sum(slot[2] * len(slot[3]) for slot in self._slots if slot is not None)

    def clear(self) -> None:
        """Forget every buffer (arrays the caller holds stay valid: they own them)."""
        for slot in self._slots:
            if slot is not None:
                slot[3].clear()
