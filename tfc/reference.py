"""`tfc.reference`: run a tfc-level module on NumPy arrays, op by op.

It uses each op's registered NumPy semantics and nothing else, so it is the
oracle tests compare compiled code against.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

from tfc import dtypes
from tfc.errors import TfcError
from tfc.ops import registry


def entry_function(module: ModuleOp, name: str | None = None) -> func.FuncOp:
    funcs = [op for op in module.ops if isinstance(op, func.FuncOp)]
    if name is not None:
        for f in funcs:
            if f.sym_name.data == name:
                return f
        raise TfcError(f"no function @{name} in the module")
    for f in funcs:
        if f.sym_name.data == "main":
            return f
    for f in funcs:
        if f.sym_visibility is None or f.sym_visibility.data == "public":
            if not f.is_declaration:
                return f
    raise TfcError("the module has no public function to run")


def run(module: ModuleOp, *args, function: str | None = None, dtype=None) -> tuple[np.ndarray, ...]:
    """Run the entry function on NumPy arrays; returns a tuple of arrays.

    With `dtype=np.float64`, float inputs and every float intermediate are
    computed in float64 (the test oracle); otherwise in the program's dtypes.
    """
    f = entry_function(module, function)
    return _run_func(module, f, list(args), dtype)


def _run_func(module, f: func.FuncOp, args: Sequence, dtype) -> tuple:
    block = f.body.block
    if len(args) != len(block.args):
        raise TfcError(f"@{f.sym_name.data} takes {len(block.args)} argument(s), got {len(args)}")
    env = {}
    for arg, value in zip(block.args, args):
        env[arg] = _convert(np.asarray(value), arg.type, dtype)
    for op in block.ops:
        if isinstance(op, func.ReturnOp):
            return tuple(env[v] for v in op.operands)
        if isinstance(op, func.CallOp):
            callee = entry_function(module, op.callee.root_reference.data)
            outs = _run_func(module, callee, [env[v] for v in op.operands], dtype)
        else:
            cls = registry.lookup(op.name)
            if cls is None:
                raise TfcError(f"the reference interpreter runs tfc-level IR only; found {op.name}")
            outs = cls.reference(op.py_attrs(), *[env[v] for v in op.operands])
            if not isinstance(outs, tuple):
                outs = (outs,)
        for r, value in zip(op.results, outs):
            env[r] = _convert(np.asarray(value), r.type, dtype)
    raise TfcError(f"@{f.sym_name.data} has no func.return")


def _convert(value: np.ndarray, t, dtype) -> np.ndarray:
    d = dtypes.from_ir(t.element_type)
    shape = tuple(t.get_shape())
    target = d.numpy
    if dtype is not None and d.is_float:
        target = np.dtype(dtype)
    return np.asarray(value, dtype=target).reshape(shape)
