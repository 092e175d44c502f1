"""tfc.data.Dataset semantics against plain Python, and the shipped digits data."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tfc.data import INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset
from tfc.datasets import digits


def _np(ds):
    return list(ds.as_numpy_iterator())


def _ints(ds):
    return [int(x) for x in ds.as_numpy_iterator()]


def test_from_tensor_slices_tuple_and_dict():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6, dtype=np.int32)
    ds = Dataset.from_tensor_slices((x, y))
    elems = _np(ds)
    assert len(elems) == len(ds) == 6
    for i, (a, b) in enumerate(elems):
        np.testing.assert_array_equal(a, x[i])
        assert int(b) == i
    d = _np(Dataset.from_tensor_slices({"a": x, "b": y}))
    assert set(d[3]) == {"a", "b"} and int(d[3]["b"]) == 3
    # Python lists of floats are float32, as in TF.
    assert _np(Dataset.from_tensor_slices([1.0, 2.0]))[0].dtype == np.float32


def test_from_tensor_slices_mismatched_rows_is_an_error():
    with pytest.raises(ValueError, match="different first dimensions"):
        Dataset.from_tensor_slices((np.zeros((3, 2)), np.zeros(4)))


def test_batch_matches_python_chunking():
    data = list(range(10))
    for size, drop in itertools.product([1, 3, 4, 10, 12], [False, True]):
        ds = Dataset.from_tensor_slices(np.array(data)).batch(size, drop_remainder=drop)
        want = [data[i:i + size] for i in range(0, len(data), size)]
        if drop:
            want = [c for c in want if len(c) == size]
        assert [list(b) for b in _np(ds)] == want
        assert len(ds) == len(want)


def test_batch_stacks_structures():
    x = np.arange(20).reshape(10, 2)
    ds = Dataset.from_tensor_slices({"x": x, "y": np.arange(10)}).batch(4)
    first = _np(ds)[0]
    np.testing.assert_array_equal(first["x"], x[:4])
    assert first["y"].shape == (4,)


def test_map_unpacks_tuples_and_keeps_structure():
    ds = Dataset.from_tensor_slices((np.arange(5), np.arange(5) * 10))
    out = _np(ds.map(lambda a, b: (a + b, b)))
    assert [(int(a), int(b)) for a, b in out] == [(11 * i, 10 * i) for i in range(5)]
    assert _ints(Dataset.range(4).map(lambda v: v * v)) == [0, 1, 4, 9]


def test_repeat_take_skip_filter_enumerate_against_python():
    data = list(range(7))
    ds = Dataset.from_tensor_slices(np.array(data))
    assert _ints(ds.repeat(3)) == data * 3
    assert _ints(ds.repeat().take(17)) == list(itertools.islice(itertools.cycle(data), 17))
    assert _ints(ds.take(3)) == data[:3]
    assert _ints(ds.take(-1)) == data
    assert _ints(ds.skip(5)) == data[5:]
    assert _ints(ds.filter(lambda v: v % 2 == 0)) == [v for v in data if v % 2 == 0]
    assert [(int(i), int(v)) for i, v in ds.enumerate(1).as_numpy_iterator()] == list(enumerate(data, 1))
    assert _ints(ds.concatenate(Dataset.range(2))) == data + [0, 1]
    assert _ints(ds.batch(3).unbatch()) == data
    assert _ints(ds.prefetch(2)) == data
    assert _ints(Dataset.range(2, 9, 3)) == list(range(2, 9, 3))


def test_cardinality():
    ds = Dataset.range(10)
    assert ds.cardinality() == 10
    assert ds.batch(3).cardinality() == 4
    assert ds.batch(3, drop_remainder=True).cardinality() == 3
    assert ds.repeat(2).cardinality() == 20
    assert ds.repeat().cardinality() == INFINITE_CARDINALITY
    assert ds.repeat().take(5).cardinality() == 5
    assert ds.filter(lambda v: v > 3).cardinality() == UNKNOWN_CARDINALITY
    with pytest.raises(TypeError, match="infinite"):
        len(ds.repeat())


def test_shuffle_is_a_permutation_and_reshuffles():
    data = list(range(50))
    ds = Dataset.from_tensor_slices(np.array(data)).shuffle(50, seed=3)
    first, second = _ints(ds), _ints(ds)
    assert sorted(first) == data and sorted(second) == data
    assert first != data and first != second  # reshuffled each iteration
    fixed = Dataset.from_tensor_slices(np.array(data)).shuffle(
        50, seed=3, reshuffle_each_iteration=False)
    assert _ints(fixed) == _ints(fixed)
    # Same seed, same sequence of epochs.
    again = Dataset.from_tensor_slices(np.array(data)).shuffle(50, seed=3)
    assert _ints(again) == first


def test_small_shuffle_buffer_only_moves_elements_forward_by_the_buffer():
    # With buffer k, element i can only be emitted at position >= i - (k - 1)... and
    # position p only holds an element among the first p + k.
    data = list(range(100))
    k = 5
    out = _ints(Dataset.from_tensor_slices(np.array(data)).shuffle(k, seed=0))
    assert sorted(out) == data
    assert all(v < p + k for p, v in enumerate(out))


def test_iteration_yields_tensors_that_fit_the_numpy_values():
    ds = Dataset.from_tensor_slices(np.arange(3, dtype=np.float32))
    for t, a in zip(ds, ds.as_numpy_iterator()):
        np.testing.assert_array_equal(np.asarray(t), a)


def test_digits_dataset():
    images, labels = digits.load_all()
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert images.dtype == np.uint8 and images.max() == 16 and images.min() == 0
    assert sorted(np.unique(labels)) == list(range(10))
    (xtr, ytr), (xte, yte) = digits.load_data(test_split=0.2, seed=0)
    assert len(xtr) + len(xte) == 1797 and abs(len(xte) - 359) <= 5
    assert np.all(np.bincount(yte) >= 35)  # stratified
    (xtr2, _), _ = digits.load_data(test_split=0.2, seed=0)
    np.testing.assert_array_equal(xtr, xtr2)


def test_row_fast_path_matches_the_element_by_element_path():
    x = np.arange(23 * 2).reshape(23, 2)
    y = np.arange(23)
    fast = Dataset.from_tensor_slices((x, y))
    slow = fast.map(lambda a, b: (a, b))  # map leaves the row fast path
    assert fast._slices is not None and slow._slices is None
    for f in (lambda d: d.batch(5), lambda d: d.batch(5, drop_remainder=True),
              lambda d: d.take(7).batch(3), lambda d: d.skip(20), lambda d: d.repeat(2).batch(10),
              lambda d: d.skip(3).take(4)):
        got, want = _np(f(fast)), _np(f(slow))
        assert len(got) == len(want)
        for (ga, gb), (wa, wb) in zip(got, want):
            np.testing.assert_array_equal(ga, wa)
            np.testing.assert_array_equal(gb, wb)


def test_shuffled_batches_cover_every_element_once_per_epoch():
    ds = Dataset.from_tensor_slices(np.arange(50)).shuffle(64, seed=1).batch(8)
    epochs = [np.concatenate(_np(ds)) for _ in range(2)]
    for e in epochs:
        assert sorted(e.tolist()) == list(range(50))
    assert epochs[0].tolist() != epochs[1].tolist()
    assert [len(b) for b in _np(ds)] == [8] * 6 + [2]
