"""`tfc.data.Dataset`: input pipelines with TF's semantics, run on the host in NumPy.

A dataset is a recipe for a Python iterator. Elements are nested structures
(an array, a tuple, or a dict of arrays); transformations (`shuffle`, `batch`,
`map`, `repeat`, ...) wrap the recipe and run lazily, each time the dataset is
iterated. Iterating yields `tfc.Tensor` values, as TF does; `fit` reads the
NumPy values directly (`_numpy_iter`) and skips the wrapping.

The pipeline is not compiled: it feeds the compiled train step from the host.
`prefetch` keeps TF's element semantics but prefetches nothing (there is no
background thread: on the small machines tfc targets it would compete with
the step for the same cores).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2


# --- nested structures ----------------------------------------------------------

# As in tf.data, tuples and dicts are structure; a Python list is one tensor.

def _map_structure(fn: Callable, s):
    if isinstance(s, dict):
        return {k: _map_structure(fn, v) for k, v in s.items()}
    if isinstance(s, tuple):
        return tuple(_map_structure(fn, v) for v in s)
    return fn(s)


def _flatten(s) -> list:
    if isinstance(s, dict):
        return [x for k in s for x in _flatten(s[k])]
    if isinstance(s, tuple):
        return [x for v in s for x in _flatten(v)]
    return [s]


def _pack(like, flat: list):
    it = iter(flat)

    def rebuild(s):
        if isinstance(s, dict):
            return {k: rebuild(v) for k, v in s.items()}
        if isinstance(s, tuple):
            return tuple(rebuild(v) for v in s)
        return next(it)

    return rebuild(like)


def to_numpy(x) -> np.ndarray:
    """The NumPy value of a tensor-like (tfc.Tensor, Variable, array, scalar, list)."""
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "__tfc_array__"):
        return np.asarray(x.__tfc_array__())
    if hasattr(x, "numpy") and callable(x.numpy):
        return np.asarray(x.numpy())
    arr = np.asarray(x)
    if arr.dtype == np.float64 and not isinstance(x, np.generic):
        arr = arr.astype(np.float32)  # Python floats become float32, as in TF
    return arr


def _to_tensor(a: np.ndarray):
    """What users see when they iterate: a tfc.Tensor when the front end provides one."""
    import tfc

    cls = getattr(tfc, "Tensor", None)
    if cls is None or not isinstance(cls, type):
        return a
    return tfc.constant(a)


def _describe(s) -> str:
    return repr(_map_structure(lambda a: f"{a.dtype}{list(a.shape)}", s))


# --- the dataset ------------------------------------------------------------------

class Dataset:
    """A lazily evaluated sequence of elements; see the module docstring."""

    def __init__(self, make_iter: Callable[[], Iterator], cardinality: int, spec=None,
                 slices=None):
        self._make_iter = make_iter
        self._cardinality = int(cardinality)
        self._spec = spec
        # Fast path: (arrays, indices) when every element is a row of `arrays` and
        # `indices()` gives this iteration's rows in order. Batches are then one fancy
        # index per component instead of stacking rows one by one.
        self._slices = slices

    @staticmethod
    def _from_rows(arrays, indices: Callable[[], np.ndarray], cardinality: int) -> "Dataset":
        flat = _flatten(arrays)

        def make():
            for i in indices():
                yield _pack(arrays, [a[i] for a in flat])

        return Dataset(make, cardinality, slices=(arrays, indices))

    # -- sources --
    @staticmethod
    def from_tensor_slices(tensors) -> "Dataset":
        """One element per row of the first axis of every component (they must agree)."""
        arrays = _map_structure(to_numpy, tensors)
        flat = _flatten(arrays)
        if any(a.ndim == 0 for a in flat):
            raise ValueError("Dataset.from_tensor_slices: every component needs at least one "
                             f"dimension to slice; got {_describe(arrays)}")
        sizes = {a.shape[0] for a in flat}
        if len(sizes) != 1:
            raise ValueError("Dataset.from_tensor_slices: components have different first "
                             f"dimensions: {_describe(arrays)}")
        n = sizes.pop()
        return Dataset._from_rows(arrays, lambda: np.arange(n), n)

    @staticmethod
    def from_tensors(tensors) -> "Dataset":
        """A dataset of one element: `tensors` itself."""
        arrays = _map_structure(to_numpy, tensors)
        return Dataset(lambda: iter([arrays]), 1)

    @staticmethod
    def range(*args, dtype=np.int64) -> "Dataset":
        """Like Python's `range`: `Dataset.range(5)`, `Dataset.range(2, 10, 2)`."""
        r = range(*args)
        return Dataset(lambda: (np.asarray(i, dtype=dtype) for i in r), len(r))

    @staticmethod
    def zip(datasets) -> "Dataset":
        """Elements of several datasets side by side (as a tuple or dict); stops at the shortest."""
        items = list(datasets.values()) if isinstance(datasets, dict) else list(datasets)
        cards = [d._cardinality for d in items]
        finite = [c for c in cards if c >= 0]
        card = min(finite) if finite else (UNKNOWN_CARDINALITY if UNKNOWN_CARDINALITY in cards
                                           else INFINITE_CARDINALITY)

        def make():
            for elems in zip(*(d._make_iter() for d in items)):
                yield dict(zip(datasets, elems)) if isinstance(datasets, dict) else tuple(elems)

        return Dataset(make, card)

    # -- transformations --
    def shuffle(self, buffer_size: int, seed: int | None = None,
                reshuffle_each_iteration: bool = True) -> "Dataset":
        """TF's buffered shuffle: fill a buffer of `buffer_size` elements, emit a random
        one and refill its slot from the input. A buffer at least the dataset's size is
        a uniform permutation. Each iteration reshuffles unless told otherwise."""
        if buffer_size < 1:
            raise ValueError(f"Dataset.shuffle: buffer_size must be >= 1, got {buffer_size}")
        seeds = np.random.default_rng(seed)
        fixed = int(seeds.integers(2**63))

        def generator():
            return np.random.default_rng(int(seeds.integers(2**63)) if reshuffle_each_iteration
                                         else fixed)

        if self._slices is not None and buffer_size >= max(self._cardinality, 1):
            # The buffer holds the whole dataset: a uniform permutation of the rows.
            arrays, indices = self._slices
            return Dataset._from_rows(arrays, lambda: generator().permutation(indices()),
                                      self._cardinality)

        def make():
            rng = generator()
            src = self._make_iter()
            buf = list(itertools.islice(src, buffer_size))
            for elem in src:
                i = int(rng.integers(len(buf)))
                yield buf[i]
                buf[i] = elem
            while buf:
                i = int(rng.integers(len(buf)))
                buf[i], buf[-1] = buf[-1], buf[i]
                yield buf.pop()

        return Dataset(make, self._cardinality)

    def batch(self, batch_size: int, drop_remainder: bool = False) -> "Dataset":
        """Stack `batch_size` consecutive elements along a new first axis."""
        if batch_size < 1:
            raise ValueError(f"Dataset.batch: batch_size must be >= 1, got {batch_size}")

        def make():
            if self._slices is not None:
                arrays, indices = self._slices
                flat, idx = _flatten(arrays), indices()
                stop = len(idx) - len(idx) % batch_size if drop_remainder else len(idx)
                for start in range(0, stop, batch_size):
                    rows = idx[start:start + batch_size]
                    yield _pack(arrays, [a[rows] for a in flat])
                return
            src = self._make_iter()
            while True:
                chunk = list(itertools.islice(src, batch_size))
                if not chunk or (drop_remainder and len(chunk) < batch_size):
                    return
                yield _stack(chunk)

        c = self._cardinality
        if c >= 0:
            c = c // batch_size if drop_remainder else -(-c // batch_size)
        return Dataset(make, c)

    def unbatch(self) -> "Dataset":
        """Split each element along its first axis (the inverse of `batch`)."""
        def make():
            for elem in self._make_iter():
                flat = _flatten(elem)
                for i in range(flat[0].shape[0]):
                    yield _pack(elem, [a[i] for a in flat])

        return Dataset(make, UNKNOWN_CARDINALITY if self._cardinality >= 0 else self._cardinality)

    def map(self, map_func: Callable, num_parallel_calls=None, deterministic=None) -> "Dataset":
        """Apply `map_func` to each element; a tuple element is passed as separate arguments.

        `map_func` runs eagerly on tfc tensors (it is not traced); parallelism
        arguments are accepted for compatibility and ignored."""
        def make():
            for elem in self._make_iter():
                out = _call(map_func, elem)
                yield _map_structure(to_numpy, out)

        return Dataset(make, self._cardinality)

    def filter(self, predicate: Callable) -> "Dataset":
        """Keep the elements for which `predicate` is true."""
        def make():
            for elem in self._make_iter():
                if bool(to_numpy(_call(predicate, elem))):
                    yield elem

        card = self._cardinality if self._cardinality == INFINITE_CARDINALITY else UNKNOWN_CARDINALITY
        return Dataset(make, card)

    def repeat(self, count: int | None = None) -> "Dataset":
        """Repeat the dataset `count` times (forever when None or -1)."""
        forever = count is None or count < 0

        def make():
            for _ in itertools.count() if forever else range(count):
                yield from self._make_iter()

        c = self._cardinality
        if forever:
            card = 0 if c == 0 else INFINITE_CARDINALITY
        else:
            card = c * count if c >= 0 else c
        if self._slices is not None and not forever:
            arrays, indices = self._slices
            return Dataset._from_rows(
                arrays, lambda: np.concatenate([indices() for _ in range(count)] or
                                               [np.arange(0)]).astype(np.int64), card)
        return Dataset(make, card)

    def take(self, count: int) -> "Dataset":
        """The first `count` elements (all of them when -1)."""
        if count < 0:
            return self
        c = self._cardinality
        card = min(c, count) if c >= 0 else (count if c == INFINITE_CARDINALITY else c)
        if self._slices is not None:
            arrays, indices = self._slices
            return Dataset._from_rows(arrays, lambda: indices()[:count], card)
        return Dataset(lambda: itertools.islice(self._make_iter(), count), card)

    def skip(self, count: int) -> "Dataset":
        """All but the first `count` elements."""
        c = self._cardinality
        card = max(c - count, 0) if c >= 0 else c
        if self._slices is not None:
            arrays, indices = self._slices
            return Dataset._from_rows(arrays, lambda: indices()[count:], card)
        return Dataset(lambda: itertools.islice(self._make_iter(), count, None), card)

    def enumerate(self, start: int = 0) -> "Dataset":
        """Pairs (index, element)."""
        def make():
            for i, elem in enumerate(self._make_iter(), start):
                yield (np.asarray(i, dtype=np.int64), elem)

        return Dataset(make, self._cardinality)

    def concatenate(self, other: "Dataset") -> "Dataset":
        a, b = self._cardinality, other._cardinality
        card = a + b if a >= 0 and b >= 0 else min(a, b)
        return Dataset(lambda: itertools.chain(self._make_iter(), other._make_iter()), card)

    def prefetch(self, buffer_size=AUTOTUNE) -> "Dataset":
        """Same elements; see the module docstring (no background prefetching)."""
        return self

    def cache(self, filename: str = "") -> "Dataset":
        """Keep the elements in memory after the first complete iteration."""
        store: list = []
        done = [False]

        def make():
            if done[0]:
                yield from store
                return
            store.clear()
            for elem in self._make_iter():
                store.append(elem)
                yield elem
            done[0] = True

        return Dataset(make, self._cardinality)

    # -- inspection --
    def cardinality(self) -> int:
        """The number of elements; INFINITE_CARDINALITY (-1) or UNKNOWN_CARDINALITY (-2)."""
        return self._cardinality

    def __len__(self) -> int:
        if self._cardinality == INFINITE_CARDINALITY:
            raise TypeError("the dataset is infinite")
        if self._cardinality < 0:
            raise TypeError("the dataset length is unknown")
        return self._cardinality

    @property
    def element_spec(self):
        """The structure of an element, as `tfc.TensorSpec`s (read from the first element)."""
        from tfc.api import TensorSpec

        first = next(iter(self._make_iter()))
        return _map_structure(lambda a: TensorSpec(a.shape, a.dtype), first)

    def __iter__(self):
        for elem in self._make_iter():
            yield _map_structure(_to_tensor, elem)

    def as_numpy_iterator(self):
        """Iterate over NumPy values instead of tensors."""
        return self._make_iter()

    _numpy_iter = as_numpy_iterator

    def __repr__(self) -> str:
        card = {INFINITE_CARDINALITY: "infinite", UNKNOWN_CARDINALITY: "unknown"}.get(
            self._cardinality, self._cardinality)
        return f"<tfc.data.Dataset cardinality={card}>"


def _call(fn: Callable, elem):
    """Call a user function on an element as TF does: tuples are unpacked."""
    user = _map_structure(_to_tensor, elem)
    if isinstance(user, tuple):
        return fn(*user)
    return fn(user)


def _stack(chunk: list):
    flats = [_flatten(e) for e in chunk]
    stacked = []
    for i, parts in enumerate(zip(*flats)):
        shapes = {p.shape for p in parts}
        if len(shapes) > 1:
            raise ValueError(f"Dataset.batch: component {i} has different shapes in one batch: "
                             f"{sorted(shapes)} (pad or resize the elements first)")
        stacked.append(np.stack(parts))
    return _pack(chunk[0], stacked)
