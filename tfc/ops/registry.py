"""The op registry: every tfc op class, by IR name and by API name.

Op families register by listing their classes in `OPS`; adding a family
module means adding it to FAMILIES.
"""

from __future__ import annotations

import importlib
from functools import cache

FAMILIES = [
    "tfc.ops.constant",
    "tfc.ops.elementwise",
    "tfc.ops.shape",
    "tfc.ops.reduction",
    "tfc.ops.nn",
]


@cache
def all_op_classes() -> tuple:
    classes = []
    for module in FAMILIES:
        classes.extend(importlib.import_module(module).OPS)
    return tuple(classes)


@cache
def by_name() -> dict:
    """IR name ('tfc.add') -> op class."""
    return {cls.name: cls for cls in all_op_classes()}


def lookup(name: str):
    """The op class for an IR name like 'tfc.add' or a short name like 'add'."""
    table = by_name()
    return table.get(name) or table.get(f"tfc.{name}")
