"""The 8x8 handwritten digits (UCI, CC BY 4.0): 1,797 images shipped in tfc/data/.

    (x_train, y_train), (x_test, y_test) = tfc.datasets.digits.load_data()

Images are uint8 arrays of shape (8, 8) with values 0..16; labels are int32
digits 0..9. Source and licence: tfc/data/DIGITS_NOTICE.md.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib import resources

import numpy as np

NUM_EXAMPLES = 1797
FILE = "digits.csv.gz"


@cache
def _load_all() -> tuple[np.ndarray, np.ndarray]:
    with resources.files("tfc.data").joinpath(FILE).open("rb") as f:
        table = np.loadtxt(gzip.open(f), delimiter=",", dtype=np.int64)
    if table.shape != (NUM_EXAMPLES, 65):
        raise RuntimeError(f"tfc/data/{FILE} is damaged: expected {NUM_EXAMPLES} rows of 65 "
                           f"values, got shape {table.shape}")
    images = table[:, :64].reshape(-1, 8, 8).astype(np.uint8)
    labels = table[:, 64].astype(np.int32)
    images.flags.writeable = False
    labels.flags.writeable = False
    return images, labels


def load_all() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 (images, labels), in file order (copies: safe to modify)."""
    images, labels = _load_all()
    return images.copy(), labels.copy()


def load_data(test_split: float = 0.2, seed: int = 0):
    """((x_train, y_train), (x_test, y_test)): a seeded, stratified split.

    Each digit class is split in the same proportion, so both parts keep the
    class balance; the order within each part is shuffled."""
    if not 0.0 < test_split < 1.0:
        raise ValueError(f"digits.load_data: test_split must be in (0, 1), got {test_split}")
    images, labels = _load_all()
    rng = np.random.default_rng(seed)
    train_idx, test_idx = [], []
    for c in range(10):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test = int(round(len(idx) * test_split))
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    train = rng.permutation(np.concatenate(train_idx))
    test = rng.permutation(np.concatenate(test_idx))
    return (images[train], labels[train]), (images[test], labels[test])
