"""Loads a CPU artifact's ``kernel.so`` with ctypes and calls ``tfc_entry`` on
NumPy buffers, with as little Python per call as possible.

Per call: check each input against the signature (a handful of attribute
compares when the caller passes the exact ndarray type), write the data
pointers into a ctypes pointer array built once, allocate outputs, call.
The arena is allocated once per loaded program. ctypes.CDLL releases the GIL
for the duration of the C call.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from tfc.runtime import boundary
from tfc.runtime.artifact import Manifest, verify
from tfc.runtime.errors import CorruptArtifactError, KernelError, TfcRuntimeError
from tfc.runtime.output_pool import OutputPool

ARENA_ALIGN = 64  # a cache line, and enough for any vector load the C code may use


def _data_address_reader():
    """The fastest correct way to read an ndarray's data pointer.

    ``a.ctypes.data`` costs about 1 us (it builds a helper object); reading the
    ``data`` field of the C struct (PyArrayObject: the object header, then
    ``char *data``, which is NumPy's public, stable layout and what
    ``PyArray_DATA`` reads) costs about 0.15 us. The layout is checked here
    against ``a.ctypes.data`` on a few arrays; if it ever differs we fall back.
    """
    offset = sys.getsizeof(object())  # size of the object header
    read = ctypes.c_void_p.from_address

    def fast(a: np.ndarray) -> int:
        return read(id(a) + offset).value

    base = np.arange(64, dtype=np.float32)
    probes = [base, base[3:], base.reshape(8, 8)[2:], np.zeros((), np.int64), np.empty(0, np.bool_)]
    try:
        if all(fast(a) == a.ctypes.data for a in probes):
            return fast
    except Exception:  # a layout we do not understand: use the public path
        pass
    return lambda a: a.ctypes.data


_address = _data_address_reader()

# dlopen() matches an already-loaded library by its path string before it looks
# at the file, so reopening a path whose file was replaced (a rebuilt cache
# entry) would hand back the old code. We remember what each path held.
_libs: dict[str, tuple[tuple, ctypes.CDLL]] = {}

# libgomp reads its settings once, when the first kernel library loads it. By
# default idle OpenMP threads spin; on a small machine shared with other work
# (other processes, NumPy's or torch's own threads) a spinning thread steals the
# core a busy one needs: measured here under load, matmul 1024^3 took 28 ms
# spinning vs 14 ms passive, and the conv net 196 vs 74 ms. A user's own
# setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
_libs_lock = threading.Lock()
_call_locks: dict[int, threading.Lock] = {}


def _library_lock(lib: ctypes.CDLL) -> threading.Lock:
    """The lock serializing calls into one loaded library (its globals are shared)."""
    with _libs_lock:
        return _call_locks.setdefault(id(lib), threading.Lock())


def _dlopen(so: Path) -> ctypes.CDLL:
    real = os.path.realpath(so)
    st = os.stat(real)
    ident = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    with _libs_lock:
        known = _libs.get(real)
        if known is not None and known[0] == ident:
            return known[1]
        try:
            if known is None:
                lib = ctypes.CDLL(real)
            else:
                # Same path, new file: load it through a fresh name. The copy can
                # be unlinked at once; the mapping stays valid.
                tmp = tempfile.mkdtemp(prefix="tfc-reload-")
                copy = os.path.join(tmp, "kernel.so")
                shutil.copyfile(real, copy)
                try:
                    lib = ctypes.CDLL(copy)
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
        except OSError as e:
            raise TfcRuntimeError(f"cannot load {so}: {e}") from None
        _libs[real] = (ident, lib)
        return lib


class CpuProgram:
    """A compiled CPU artifact, callable on NumPy arrays, scalars and CPU torch tensors.

    ``prog(*inputs)`` returns a new NumPy array (or a tuple, for several
    outputs); ``prog(*inputs, out=buffers)`` writes into the caller's arrays
    and returns them. Calls from several threads are safe and run one at a
    time: generated code keeps state in its library (the arena, and the packing
    scratch of contraction kernels, which are static globals of the .so), so
    every program loaded from one library shares one lock.
    """

    def __init__(self, path: str | os.PathLike, manifest: Manifest | None = None):
        self.path = Path(path)
        # Verify before dlopen: a damaged library must never be mapped.
        self.manifest = manifest if manifest is not None else verify(self.path)
        if self.manifest.target != "cpu":
            raise ValueError(f"{self.path} is a {self.manifest.target!r} artifact, not a CPU one")
        lib = _dlopen(self.path / "kernel.so")
        try:
            fn = lib[self.manifest.entry]  # a fresh function object: argtypes are ours alone
        except AttributeError:
            raise CorruptArtifactError(
                f"{self.path / 'kernel.so'} does not define {self.manifest.entry}()") from None
        fn.argtypes = [ctypes.c_void_p]
        fn.restype = ctypes.c_int
        self._lib, self._fn = lib, fn

        self.inputs = list(self.manifest.inputs)
        self.outputs = list(self.manifest.outputs)
        self.arena_bytes = self.manifest.arena_bytes
        self._n_in, self._n_out = len(self.inputs), len(self.outputs)
        self._in_sig = [(s.dt.numpy, s.shape) for s in self.inputs]
        self._out_sig = [(s.shape, s.dt.numpy) for s in self.outputs]
        self._lock = _library_lock(lib)
        self._ptrs, self._arena = self._pointer_array()
        # Large outputs come from buffers reused once the caller drops them (no page
        # faults per call); None when every output is small.
        pool = OutputPool(self._out_sig)
        self._pool = pool if pool.pools_any else None
        self._ptrs_addr = ctypes.addressof(self._ptrs)

    def _pointer_array(self):
        """The ``void *buffers[]`` array, with the arena already in its last slot."""
        ptrs = (ctypes.c_void_p * (self._n_in + self._n_out + 1))()
        arena = None
        if self.arena_bytes > 0:
            raw = np.zeros(self.arena_bytes + ARENA_ALIGN, dtype=np.uint8)
            skip = -raw.ctypes.data % ARENA_ALIGN
            arena = raw[skip:skip + self.arena_bytes]
            ptrs[-1] = arena.ctypes.data
        return ptrs, arena  # NULL arena pointer when its size is 0

    @property
    def signature(self) -> str:
        return self.manifest.signature()

    def __repr__(self) -> str:
        return f"<CpuProgram {self.signature} arena={self.arena_bytes}B at {self.path}>"

    def __call__(self, *args: Any, out: Any = None):
        # The kernels release the GIL; a second thread waits here rather than run
        # beside the first over the same static scratch buffers.
        with self._lock:
            return self._run(args, out, self._ptrs, self._ptrs_addr)

    def _run(self, args, out, ptrs, ptrs_addr):
        if len(args) != self._n_in:
            raise boundary.count_error(self.inputs, len(args))
        address = _address
        arrays = args  # what the pointers point into: must stay alive until return
        i = 0
        for a, (dt, shape) in zip(args, self._in_sig):
            # Fast path: an exact ndarray already in the C layout. flags.carray
            # is C-contiguous + aligned + writeable; read-only data just takes
            # the slow path, which accepts it without copying.
            if type(a) is not np.ndarray or a.dtype is not dt or a.shape != shape or not a.flags.carray:
                a = boundary.to_input(i, self.inputs[i], a)
                if arrays is args:
                    arrays = list(args)
                arrays[i] = a
            ptrs[i] = address(a)
            i += 1
        if out is None:
            if self._pool is None:
                outs = [np.empty(shape, dt) for shape, dt in self._out_sig]
            else:
                take = self._pool.take
                outs = [take(k, shape, dt) for k, (shape, dt) in enumerate(self._out_sig)]
            result = outs[0] if self._n_out == 1 else tuple(outs)
        else:
            if (self._n_out == 1 and type(out) is np.ndarray and out.dtype is self._out_sig[0][1]
                    and out.shape == self._out_sig[0][0] and out.flags.carray):
                outs, result = [out], out  # fast path: one exact, writeable ndarray
            else:
                outs, result = boundary.to_outputs(self.outputs, out)
            # The C code takes `restrict` pointers: an input that overlaps an
            # output buffer is read from a private copy.
            arrays = list(arrays)
            for k, a in enumerate(arrays):
                for o in outs:
                    if np.may_share_memory(a, o):
                        arrays[k] = a = a.copy()
                        ptrs[k] = address(a)
                        break
        j = self._n_in
        for o in outs:
            ptrs[j] = address(o)
            j += 1
        rc = self._fn(ptrs_addr)
        if rc != 0:
            raise KernelError(f"{self.path / 'kernel.so'}: {self.manifest.entry} returned {rc}")
        return result


def load_cpu(path: str | os.PathLike) -> CpuProgram:
    """Load a CPU artifact directory; CorruptArtifactError if it is damaged."""
    return CpuProgram(path)
