"""Argument checks where Python values enter compiled code.

The fast path (exact ndarray of the right dtype and shape, C-contiguous) lives
in the loader; everything else comes here: conversion of Python scalars and
torch tensors, copies of non-contiguous data, and the error messages. Data is
never cast between dtypes silently (float64 given for f32 is an error, as in
torch.compile and XLA); only Python scalars, which have no dtype of their own,
are converted.
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

import numpy as np

from tfc import dtypes
from tfc.runtime.artifact import TensorSpec
from tfc.runtime.errors import InputError


def label(i: int, spec: TensorSpec, kind: str = "argument") -> str:
    """``argument 1 ('x')``: positions count from 1, as in Python's own messages."""
    return f"{kind} {i + 1} ({spec.name!r})"


def expected(spec: TensorSpec) -> str:
    return f"shape {spec.shape} dtype {spec.dtype}"


def _dtype_name(npd: np.dtype) -> str:
    try:
        return dtypes.from_numpy(npd).name
    except dtypes.DTypeError:
        return str(npd)


def describe(value: Any) -> str:
    """How a value reads in an error message: ``shape (4, 9) dtype f32``."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        name = str(value.dtype).removeprefix("torch.")
        try:
            name = dtypes.from_any(name).name
        except dtypes.DTypeError:
            pass
        return f"torch tensor of shape {tuple(value.shape)} dtype {name} on {value.device}"
    if isinstance(value, (np.ndarray, np.generic)):
        return f"shape {tuple(np.shape(value))} dtype {_dtype_name(value.dtype)}"
    if isinstance(value, (bool, int, float)):
        return f"Python {type(value).__name__} {value!r}"
    return f"a {type(value).__module__}.{type(value).__qualname__}".replace("builtins.", "")


def count_error(specs: Sequence[TensorSpec], n_given: int) -> InputError:
    sig = ", ".join(f"{s.name}: {s.type_str}" for s in specs)
    plural = "" if len(specs) == 1 else "s"
    return InputError(f"expected {len(specs)} argument{plural} ({sig}), got {n_given}")


def _mismatch(i: int, spec: TensorSpec, value: Any, kind: str = "argument", hint: str = "") -> InputError:
    msg = f"{label(i, spec, kind)}: expected {expected(spec)}, got {describe(value)}"
    return InputError(msg + (f"; {hint}" if hint else ""))


def _cast_hint(spec: TensorSpec, is_torch: bool) -> str:
    npname = spec.dt.numpy.name
    if is_torch:
        how = f".to(torch.{npname})"
    elif npname == "bfloat16":
        how = ".astype(ml_dtypes.bfloat16)"
    else:
        how = f".astype(np.{'bool_' if npname == 'bool' else npname})"
    return f"tfc does not cast implicitly: convert it first ({spec.name}{how})"


def _from_torch(i: int, spec: TensorSpec, t: Any, kind: str) -> np.ndarray:
    """A NumPy view of a CPU torch tensor's memory (no copy)."""
    import torch  # already imported: we only get here with a torch.Tensor

    if t.device.type != "cpu":
        raise InputError(f"{label(i, spec, kind)}: got a torch tensor on {t.device}; this program "
                         f"runs on the CPU: pass a CPU tensor (.cpu())")
    t = t.detach()
    if t.dtype == torch.bfloat16:
        # NumPy has no bfloat16 of its own: reinterpret the bits as ml_dtypes.bfloat16.
        return t.view(torch.int16).numpy().view(dtypes.bf16.numpy)
    try:
        return t.numpy()
    except RuntimeError:
        return t.resolve_conj().resolve_neg().numpy()
    except TypeError:
        raise _mismatch(i, spec, t, kind) from None


def _python_scalar(i: int, spec: TensorSpec, value: bool | int | float) -> np.ndarray:
    dt = spec.dt
    if spec.shape != ():
        raise _mismatch(i, spec, value, hint="Python scalars are accepted only for 0-d inputs")
    # bool -> i1 only; int -> ints and floats; float -> floats. Anything else
    # would lose information (1.5 -> 1) or mean something else (True -> 1.0).
    if isinstance(value, bool):
        ok = dt.is_bool
    elif isinstance(value, int):
        ok = not dt.is_bool
    else:
        ok = dt.is_float
    if not ok:
        raise _mismatch(i, spec, value)
    try:
        return np.array(value, dtype=dt.numpy)
    except OverflowError:
        raise _mismatch(i, spec, value, hint=f"{value} does not fit in {dt.name}") from None


def to_input(i: int, spec: TensorSpec, value: Any) -> np.ndarray:
    """The C-ready array (C-contiguous, aligned, native byte order) for argument ``i``."""
    is_torch = False
    if isinstance(value, np.ndarray):
        arr = value
    elif isinstance(value, np.generic):
        arr = np.asarray(value)
    elif isinstance(value, (bool, int, float)):
        return _python_scalar(i, spec, value)
    else:
        torch = sys.modules.get("torch")
        if torch is not None and isinstance(value, torch.Tensor):
            arr, is_torch = _from_torch(i, spec, value, "argument"), True
        else:
            raise _mismatch(i, spec, value, hint="pass a NumPy array or a CPU torch tensor")
    # Byte-swapped data of the right type is accepted (and swapped below).
    npd = arr.dtype if arr.dtype.isnative else arr.dtype.newbyteorder("=")
    if npd != spec.dt.numpy:
        raise _mismatch(i, spec, value, hint=_cast_hint(spec, is_torch))
    if arr.shape != spec.shape:
        raise _mismatch(i, spec, value)
    if not (arr.flags.c_contiguous and arr.flags.aligned) or not arr.dtype.isnative:
        # Strided, unaligned or byte-swapped data: the C code wants plain dense storage.
        arr = np.array(arr, dtype=spec.dt.numpy, order="C", copy=True)
    return arr


def to_outputs(specs: Sequence[TensorSpec], out: Any) -> tuple[list[np.ndarray], Any]:
    """Check caller-provided output buffers; return (arrays to write, value to return)."""
    single = not isinstance(out, (tuple, list))
    given = (out,) if single else tuple(out)
    if len(given) != len(specs):
        raise InputError(f"out= has {len(given)} buffer{'s' if len(given) != 1 else ''}, "
                         f"the program has {len(specs)} output{'s' if len(specs) != 1 else ''} "
                         f"({', '.join(f'{s.name}: {s.type_str}' for s in specs)})")
    arrays = []
    torch = sys.modules.get("torch")
    for i, (spec, buf) in enumerate(zip(specs, given)):
        where = label(i, spec, "output")
        if torch is not None and isinstance(buf, torch.Tensor):
            if not buf.is_contiguous():
                raise InputError(f"{where}: out= torch tensor must be contiguous")
            arr = _from_torch(i, spec, buf, "output")
        elif isinstance(buf, np.ndarray):
            arr = buf
        else:
            raise InputError(f"{where}: out= must be a NumPy array or a CPU torch tensor, "
                             f"got {describe(buf)}")
        if arr.dtype != spec.dt.numpy or arr.shape != spec.shape:
            raise _mismatch(i, spec, buf, kind="output")
        if not arr.flags.writeable:
            raise InputError(f"{where}: out= buffer is read-only")
        if not (arr.flags.c_contiguous and arr.flags.aligned and arr.dtype.isnative):
            raise InputError(f"{where}: out= buffer must be C-contiguous, aligned and in native "
                             f"byte order (make it with np.empty({spec.shape}, ...))")
        arrays.append(arr)
    for a in range(len(arrays)):
        for b in range(a):
            if np.may_share_memory(arrays[a], arrays[b]):
                raise InputError(f"{label(a, specs[a], 'output')} and {label(b, specs[b], 'output')}: "
                                 f"out= buffers overlap")
    return arrays, (given[0] if single else given)
