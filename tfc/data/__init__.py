"""`tfc.data` (TF's `tf.data`): `Dataset` input pipelines that `Model.fit` consumes.

This folder also holds package data: `digits.csv.gz` (see DIGITS_NOTICE.md).
"""

from tfc.data.dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset

__all__ = ["Dataset", "AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY"]
