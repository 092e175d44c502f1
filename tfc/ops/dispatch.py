"""`apply`: run one tfc op eagerly on NumPy, or insert it into a trace.

Both paths first run the op's `infer`, so eager mode and compiled code report
the same shape and dtype errors, and agree on result types.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tfc import dtypes
from tfc.errors import ShapeError
from tfc.ops.base import TfcOp, tensor_type
from tfc.tracing import (
    Symbolic,
    _as_operand,
    find_trace,
    format_location,
    operand_dtype_hint,
    to_array,
    user_location,
)

# Hooks the front end installs: GradientTape records ops through them.
# Eager: hook(op_cls, input_arrays, attrs, output_arrays).
EAGER_HOOKS: list = []
# Traced: hook(op_cls, operands as Symbolic values, attrs, results as Symbolic values).
TRACED_HOOKS: list = []


def apply(op_cls: type[TfcOp], inputs: list[Any], attrs: dict[str, Any] | None = None,
          *, trace=None):
    """Apply `op_cls` to `inputs`. Returns one value, or a tuple for multi-result ops."""
    attrs = attrs or {}
    trace = trace or find_trace(inputs)
    try:
        attrs = op_cls.normalize_attrs(attrs)
        op_cls.check_arity(len(inputs))
        if trace is not None:
            return _apply_traced(op_cls, inputs, attrs, trace)
        return _apply_eager(op_cls, inputs, attrs)
    except ShapeError as e:
        raise _located(e, trace) from None


def _located(e: ShapeError, trace) -> ShapeError:
    msg = str(e)
    if "\n  at " in msg:
        return e
    loc = user_location()
    if loc is None and trace is not None:
        loc = trace.location
    where = format_location(loc)
    return ShapeError(f"{msg}\n  at {where}" if where else msg)


def _apply_traced(op_cls, inputs, attrs, trace):
    hint = operand_dtype_hint(inputs)
    operands = [_as_operand(trace, v, hint) for v in inputs]
    result_types = op_cls.infer([o.type for o in operands], attrs)
    op = op_cls.create(operands=operands, result_types=result_types,
                       attributes=op_cls.build_attributes(attrs))
    loc = trace.location or user_location()
    if loc is not None:
        op.location = loc
    trace.insert(op)
    outs = tuple(Symbolic(r, trace) for r in op.results)
    if TRACED_HOOKS:
        ins = [v if isinstance(v, Symbolic) else Symbolic(o, trace) for v, o in zip(inputs, operands)]
        for hook in TRACED_HOOKS:
            hook(op_cls, ins, attrs, outs)
    return outs[0] if len(outs) == 1 else outs


def _apply_eager(op_cls, inputs, attrs):
    hint = operand_dtype_hint(inputs)
    arrays = [to_array(v, hint) for v in inputs]
    for a in arrays:
        dtypes.from_numpy(a.dtype)  # raises DTypeError for unsupported dtypes
    result_types = op_cls.infer([tensor_type(a.shape, a.dtype) for a in arrays], attrs)
    out = op_cls.reference(attrs, *arrays)
    outs = out if isinstance(out, tuple) else (out,)
    results = tuple(
        np.asarray(o).astype(dtypes.from_ir(t.element_type).numpy, copy=False).reshape(
            tuple(t.get_shape()))
        for o, t in zip(outs, result_types))
    for hook in EAGER_HOOKS:
        hook(op_cls, arrays, attrs, results)
    return results[0] if len(results) == 1 else results
