"""Elementwise tfc ops: arithmetic, math functions, comparisons, logic, select, cast.

Binary ops broadcast like NumPy/TF and require equal dtypes (TF does not
promote). Each op is one class: its NumPy reference, its scalar body for
linalg, and its gradient rule.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from xdsl.dialects import math
from tfc.ops.base import tfc_op

from tfc.errors import ShapeError
from tfc.ops.base import TfcOp, broadcast_shapes, dtype_of, same_dtype, shape_of, tensor_type, type_str
from tfc.ops.dispatch import apply


class BinaryElementwise(TfcOp):
    ARITY = 2
    numpy_fn = None
    # Which dtypes the op accepts: "any", "float", "int_or_float", "bool".
    accepts = "int_or_float"

    @classmethod
    def infer(cls, in_types, attrs):
        dtype = same_dtype(cls.name, *in_types)
        _check_accepts(cls, dtype, in_types)
        return [tensor_type(broadcast_shapes(cls.name, *in_types), cls.result_dtype(dtype))]

    @classmethod
    def result_dtype(cls, dtype):
        return dtype

    @classmethod
    def reference(cls, attrs, a, b):
        return cls.numpy_fn(a, b)

    @staticmethod
    def scalar(s, a, b):
        raise NotImplementedError

    def lower(self, b):
        return [b.elementwise(list(self.inputs), self.outputs[0].type, type(self).scalar)]


class UnaryElementwise(TfcOp):
    ARITY = 1
    numpy_fn = None
    accepts = "float"

    @classmethod
    def infer(cls, in_types, attrs):
        (t,) = in_types
        _check_accepts(cls, dtype_of(t), in_types)
        return [tensor_type(shape_of(t), dtype_of(t))]

    @classmethod
    def reference(cls, attrs, a):
        return cls.numpy_fn(a)

    @staticmethod
    def scalar(s, a):
        raise NotImplementedError

    def lower(self, b):
        return [b.elementwise(list(self.inputs), self.outputs[0].type, type(self).scalar)]


def _check_accepts(cls, dtype, in_types):
    ok = {
        "any": True,
        "float": dtype.is_float,
        "int_or_float": not dtype.is_bool,
        "bool": dtype.is_bool,
    }[cls.accepts]
    if not ok:
        want = {"float": "a float", "int_or_float": "a numeric", "bool": "an i1"}[cls.accepts]
        raise ShapeError(
            f"{cls.name}: expects {want} dtype, got {', '.join(type_str(t) for t in in_types)}")


# --- binary arithmetic --------------------------------------------------------

@tfc_op
class AddOp(BinaryElementwise):
    """x + y with broadcasting. `%r = tfc.add %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>`"""

    name = "tfc.add"
    numpy_fn = staticmethod(np.add)
    scalar = staticmethod(lambda s, a, b: s.add(a, b))


@tfc_op
class MulOp(BinaryElementwise):
    """x * y with broadcasting."""

    name = "tfc.mul"
    numpy_fn = staticmethod(np.multiply)
    scalar = staticmethod(lambda s, a, b: s.mul(a, b))


# --- unary math -----------------------------------------------------------------

@tfc_op
class ExpOp(UnaryElementwise):
    """e**x, elementwise. `%r = tfc.exp %x : (tensor<8xf32>) -> tensor<8xf32>`"""

    name = "tfc.exp"
    numpy_fn = staticmethod(np.exp)
    scalar = staticmethod(lambda s, a: s.unary(math.ExpOp, a))


OPS = [AddOp, MulOp, ExpOp]


# --- op functions ---------------------------------------------------------------

def add(x, y):
    return apply(AddOp, [x, y])


def mul(x, y):
    return apply(MulOp, [x, y])


def exp(x):
    return apply(ExpOp, [x])


__all__ = ["add", "mul", "exp"]
