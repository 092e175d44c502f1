"""Tracing: running op functions on symbolic values builds tfc IR.

A `Trace` owns an insertion point; a `Symbolic` is an SSA value of that trace
with tensor operators. Op functions called on a Symbolic insert ops through
`apply`, stamping each op with the user's source location.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
from xdsl.builder import Builder
from xdsl.dialects.builtin import FileLineColLoc, IntAttr, StringAttr, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.rewriter import InsertPoint

from tfc import dtypes
from tfc.errors import ShapeError

_TFC_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_location() -> FileLineColLoc | None:
    """The first stack frame outside the tfc package: where the user called us."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_TFC_DIR):
        frame = frame.f_back
    if frame is None:
        return None
    line, col = frame.f_lineno, 0
    code = frame.f_code
    try:
        pos = _positions(code)[frame.f_lasti // 2]
        if pos[0] is not None:
            line, col = pos[0], (pos[2] or 0)
    except (IndexError, AttributeError):
        pass
    key = (code.co_filename, line, col)
    loc = _LOCS.get(key)
    if loc is None:
        if len(_LOCS) >= 4096:
            _LOCS.clear()
        loc = _LOCS[key] = FileLineColLoc(_filename_attr(code.co_filename), IntAttr(line),
                                          IntAttr(col + 1))
    return loc


# Per code object, its instructions' source positions. Listing them costs time
# proportional to the function's length, and tracing asks once per op: a
# 400-op trace spent a quarter of its time here. Keyed by id() with the code
# object kept alive in the value, so an id is never reused while cached.
_POSITIONS: dict[int, tuple] = {}
_FILENAMES: dict[str, StringAttr] = {}
# Locations are immutable attributes: a loop tracing one line 100 times builds one.
_LOCS: dict[tuple, FileLineColLoc] = {}


def _positions(code) -> list:
    hit = _POSITIONS.get(id(code))
    if hit is not None and hit[0] is code:
        return hit[1]
    if len(_POSITIONS) >= 256:
        _POSITIONS.clear()
    positions = list(code.co_positions())
    _POSITIONS[id(code)] = (code, positions)
    return positions


def _filename_attr(name: str) -> StringAttr:
    attr = _FILENAMES.get(name)
    if attr is None:
        if len(_FILENAMES) >= 256:
            _FILENAMES.clear()
        attr = _FILENAMES[name] = StringAttr(name)
    return attr


def format_location(loc) -> str:
    if isinstance(loc, FileLineColLoc):
        return f"{loc.filename.data}:{loc.line.data}"
    return ""


class Trace:
    """Where traced ops go: an insertion point, plus a cache of constants."""

    def __init__(self, insert_point: InsertPoint, location=None):
        self.builder = Builder(insert_point)
        # Ops built while decomposing or differentiating inherit this location.
        self.location = location
        self._dense: dict[tuple, Any] = {}

    def dense_attr(self, arr: np.ndarray):
        """The IR attribute of a constant's value, shared by the small constants of
        this trace that are equal bit for bit (attributes are immutable values).
        Python scalars in a loop (`x * 1.0001 + 0.001`, 100 times) otherwise
        build the same attribute once per op."""
        from tfc.ops.constant import dense_attr

        arr = np.asarray(arr, order="C")
        if arr.size > 64:
            return dense_attr(arr)
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        attr = self._dense.get(key)
        if attr is None:
            attr = self._dense[key] = dense_attr(arr)
        return attr

    def insert(self, op: Operation) -> Operation:
        self.builder.insert(op)
        return op


class Symbolic:
    """A traced tensor value. Supports the tensor operators of the op functions."""

    __slots__ = ("value", "trace")
    __array_priority__ = 1000  # numpy_array + symbolic -> Symbolic.__radd__

    def __init__(self, value: SSAValue, trace: Trace):
        self.value = value
        self.trace = trace

    @property
    def type(self) -> TensorType:
        return self.value.type

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.type.get_shape())

    @property
    def dtype(self) -> dtypes.DType:
        return dtypes.from_ir(self.value.type.element_type)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<Symbolic {self.value.type}>"

    def __bool__(self):
        raise TypeError(
            "a traced tensor has no Python truth value: use tfc.where / tfc.select "
            "instead of `if` on a tensor inside a compiled function")

    # Operators are filled in by tfc.ops.api (it needs the op functions).


def is_symbolic(x: Any) -> bool:
    return isinstance(x, Symbolic)


def find_trace(values: Sequence[Any]) -> Trace | None:
    for v in values:
        if isinstance(v, Symbolic):
            return v.trace
    return None


def _as_operand(trace: Trace, v: Any, like: dtypes.DType | None) -> SSAValue:
    """A Symbolic's value, or a constant op for a NumPy array / Python scalar."""
    if isinstance(v, Symbolic):
        if v.trace is not trace:
            raise ShapeError("a value from another traced function was used here")
        return v.value
    arr = to_array(v, like)
    from tfc.ops.constant import ConstantOp
    from tfc.ops.dispatch import apply

    return apply(ConstantOp, [], {"value": trace.dense_attr(arr)}, trace=trace).value


def to_array(v: Any, like: dtypes.DType | None) -> np.ndarray:
    """NumPy value of an eager operand. Python scalars take the dtype of the
    tensor they meet (TF's rule), defaulting to f32 / i32 / i1."""
    if isinstance(v, np.ndarray):
        return v
    if hasattr(v, "__tfc_array__"):
        return v.__tfc_array__()
    if isinstance(v, (bool, np.bool_)):
        return np.asarray(v, dtype=np.bool_)
    if isinstance(v, (int, float, np.generic)) and not isinstance(v, np.ndarray):
        if isinstance(v, np.generic):
            return np.asarray(v)
        if like is not None:
            if isinstance(v, float) and not like.is_float:
                raise ShapeError(
                    f"cannot combine the float {v!r} with a {like.name} tensor "
                    "(cast the tensor with tfc.cast)")
            return np.asarray(v, dtype=like.numpy)
        return np.asarray(v, dtype=np.float32 if isinstance(v, float) else np.int32)
    if hasattr(v, "numpy") and hasattr(v, "detach"):  # torch tensor
        return v.detach().cpu().numpy()
    arr = np.asarray(v)
    if arr.dtype == np.float64 and like is None:
        arr = arr.astype(np.float32)  # Python lists of floats default to f32, as in TF
    return arr


def operand_dtype_hint(values: Sequence[Any]) -> dtypes.DType | None:
    """The dtype Python scalars should adopt: that of the first tensor operand."""
    for v in values:
        if isinstance(v, Symbolic):
            return v.dtype
        if isinstance(v, np.ndarray):
            try:
                return dtypes.from_numpy(v.dtype)
            except dtypes.DTypeError:
                return None
        if hasattr(v, "__tfc_array__"):
            return dtypes.from_numpy(v.__tfc_array__().dtype)
    return None


def trace_function(fn, specs, *, name: str = "main"):
    """Trace `fn` on symbolic inputs described by `specs` (objects with .shape, .dtype, .name).

    Returns (module, output_structure) where output_structure says whether `fn`
    returned a single value or a tuple/list of them.
    """
    from xdsl.dialects import func
    from xdsl.dialects.builtin import ModuleOp
    from xdsl.ir import Block, Region

    from tfc.ops.base import tensor_type

    arg_types = [tensor_type(s.shape, s.dtype) for s in specs]
    block = Block(arg_types=arg_types)
    for arg, spec in zip(block.args, specs):
        if getattr(spec, "name", None) and spec.name.isidentifier():
            arg.name_hint = spec.name
    trace = Trace(InsertPoint.at_end(block))
    result = fn(*[Symbolic(a, trace) for a in block.args])
    single = not isinstance(result, (tuple, list))
    results = [result] if single else list(result)
    values = []
    for r in results:
        if not isinstance(r, Symbolic):  # a returned constant or input-independent value
            from tfc.ops.api import constant

            r = constant(r, trace=trace)
        values.append(r.value)
    block.add_op(func.ReturnOp(*values))
    f = func.FuncOp(name, ([a.type for a in block.args], [v.type for v in values]), Region(block))
    module = ModuleOp([f])
    return module, single
