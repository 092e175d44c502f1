"""`tf.Variable`: a mutable tensor whose value lives in a NumPy buffer it owns.

Eager: reads give the current buffer (no copy); `assign*` write into it in
place when nothing else references it (CPython reference counts tell), and
into a fresh buffer otherwise, so a tensor read earlier never changes.

Inside `tf.function`: a read is an input of the compiled program (captured
by the FuncGraph), an assignment makes the new value an output. After each
call the output buffer, a second buffer owned by the variable, is swapped
with the current one: no copies, and no buffer is ever both an input and an
output of the same call (the generated C code takes `restrict` pointers).
"""

from __future__ import annotations

import copy
import sys

import numpy as np

from tfc.frontend import dtypes as tf_dtypes
from tfc.frontend import tensor as _tensor
from tfc.frontend.context import init_scope, state
from tfc.frontend.tensor import TensorOps, TensorShape, to_numpy_value, wrap
from tfc.tracing import Symbolic

# Reference counts are only meaningful on CPython; elsewhere every write allocates.
_REFCOUNTS = sys.implementation.name == "cpython"


class VariableSynchronization:
    AUTO, NONE, ON_WRITE, ON_READ = 0, 1, 2, 3


class VariableAggregation:
    NONE, SUM, MEAN, ONLY_FIRST_REPLICA = 0, 1, 2, 3


class Variable(TensorOps):
    """tf.Variable(initial_value, trainable=True, name=None, dtype=None, ...)."""

    def __init__(self, initial_value=None, trainable=None, validate_shape=True, caching_device=None,
                 name=None, variable_def=None, dtype=None, import_scope=None, constraint=None,
                 synchronization=None, aggregation=None, shape=None,
                 experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if callable(initial_value) and not isinstance(initial_value, TensorOps):
            with init_scope():  # as TF: a callable initial value is evaluated eagerly
                initial_value = initial_value()
        if isinstance(initial_value, _tensor.Tensor) and initial_value.is_symbolic:
            raise ValueError(
                "tf.Variable was given a traced tensor as its initial value inside tf.function: "
                "create variables outside the function, on its first call from a callable "
                "initial value (tf.Variable(lambda: ...)), or under tf.init_scope()")
        value = to_numpy_value(initial_value, dtype)
        if shape is not None and tuple(shape) != value.shape and None not in tuple(shape):
            raise ValueError(f"tf.Variable: initial value has shape {value.shape}, "
                             f"shape={tuple(shape)} was requested")
        self._value = np.array(value, order="C", copy=True)
        self._spare = None  # the compiled program's output buffer (see module docstring)
        self._trainable = True if trainable is None else bool(trainable)
        base = "Variable" if name is None else str(name)
        if base.endswith(":0"):
            base = base[:-2]
        prefix = state.name_scopes[-1] if state.name_scopes else ""
        self._name = f"{prefix}{base}:0"
        self._shape = TensorShape(self._value.shape)
        self._dtype = tf_dtypes.from_core(_core_dtype(self._value))
        self._constraint = constraint
        self._synchronization = synchronization
        self._aggregation = aggregation

    # -- reading ---------------------------------------------------------------------------
    def _read(self):
        """The value as an op operand: the buffer (eager) or the traced value (in tf.function)."""
        graphs = state.graphs
        value = self._value if not graphs else graphs[-1].read_variable(self)
        if state.tapes:
            from tfc.frontend.tape import variable_accessed

            variable_accessed(self, value)
        return value

    def __tfc_array__(self) -> np.ndarray:
        if state.graphs:
            raise TypeError(
                f"{self!r} was read as a NumPy value inside tf.function; use it through tf ops "
                "(or variable.read_value()) so that the compiled program reads it each call")
        return self._read()

    def read_value(self):
        """The current value as a tensor (a snapshot: later assignments do not change it)."""
        return wrap(self._read())

    def value(self):
        return self.read_value()

    def numpy(self):
        v = self._value
        return v[()] if v.ndim == 0 else v.copy()

    def __array__(self, dtype=None, copy=None):
        if state.graphs:
            raise TypeError(f"Cannot convert {self!r} to a NumPy array inside tf.function")
        a = self._value
        if dtype is not None and np.dtype(dtype) != a.dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    # -- writing ---------------------------------------------------------------------------
    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Set the value. The new value must have the variable's shape and dtype (Python
        numbers adopt the dtype); a different shape is an error, never a broadcast."""
        graphs = state.graphs
        if graphs:
            graphs[-1].assign_variable(self, self._traced_value(value, "assign"))
            return self
        self._write(self._eager_value(value, "assign"))
        return self

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return self._update(delta, "assign_add", np.add)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return self._update(delta, "assign_sub", np.subtract)

    def _update(self, delta, what, ufunc):
        graphs = state.graphs
        if graphs:
            from tfc.ops import api

            g = graphs[-1]
            d = self._traced_value(delta, what)
            fn = api.add if ufunc is np.add else api.sub
            g.assign_variable(self, fn(g.read_variable(self), d))
            return self
        d = self._eager_value(delta, what)
        if _REFCOUNTS and sys.getrefcount(self._value) == 2 and not np.may_share_memory(d, self._value):
            ufunc(self._value, d, out=self._value)
        else:
            self._value = np.ascontiguousarray(ufunc(self._value, d)).astype(self._value.dtype,
                                                                              copy=False)
        return self

    def _write(self, arr: np.ndarray) -> None:
        # In place only when no tensor, view, tape or caller holds the current buffer
        # (2 = our attribute + getrefcount's argument).
        if _REFCOUNTS and sys.getrefcount(self._value) == 2 and not np.may_share_memory(arr, self._value):
            np.copyto(self._value, arr)
        else:
            self._value = np.array(arr, order="C", copy=True)

    def _eager_value(self, value, what: str) -> np.ndarray:
        v = _tensor.unwrap(value)
        if isinstance(v, Symbolic):
            raise TypeError(f"{self._name}: {what} of a traced tensor outside its tf.function")
        if isinstance(v, np.ndarray) and not isinstance(value, (np.ndarray, np.generic)):
            arr = v  # a tensor: its dtype must match
            if arr.dtype != self._value.dtype:
                raise TypeError(self._mismatch(what, f"dtype {_tf_name(arr)}"))
        else:
            try:
                arr = to_numpy_value(value, self._dtype)
            except TypeError as e:
                raise TypeError(f"{self._name}: cannot {what} {value!r}: {e}") from None
        if arr.shape != self._value.shape:
            raise ValueError(self._mismatch(what, f"shape {_shape_str(arr.shape)}"))
        return arr

    def _traced_value(self, value, what: str) -> Symbolic:
        from tfc.ops import api

        g = state.graphs[-1]
        v = _tensor.unwrap(value)
        if isinstance(v, Symbolic):
            if v.dtype != self._dtype.core:
                raise TypeError(self._mismatch(what, f"dtype {tf_dtypes.from_core(v.dtype).name}"))
        else:
            v = api.constant(self._eager_value(value, what), trace=g.trace)
        if tuple(v.shape) != tuple(self._value.shape):
            raise ValueError(self._mismatch(what, f"shape {_shape_str(v.shape)}"))
        return v

    def _mismatch(self, what: str, got: str) -> str:
        from tfc.tracing import format_location, user_location

        where = format_location(user_location())
        return (f"Variable.{what}: {self._name} has shape {_shape_str(self._value.shape)} and dtype "
                f"{self._dtype.name}; the value has {got}"
                + (f"\n  at {where}" if where else ""))

    # -- the compiled program's view ---------------------------------------------------------
    def _output_buffer(self) -> np.ndarray:
        """A buffer for the program to write the next value into: the spare one when nothing
        else references it, else a new one. Never the current value's buffer."""
        if self._spare is None or not _REFCOUNTS or sys.getrefcount(self._spare) != 2:
            self._spare = np.empty_like(self._value, order="C")
        return self._spare

    def _commit_output(self) -> None:
        """The program wrote the new value into the spare buffer: make it current."""
        self._value, self._spare = self._spare, self._value

    # -- TF's variable API --------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def dtype(self) -> tf_dtypes.DType:
        return self._dtype

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def constraint(self):
        return self._constraint

    @property
    def synchronization(self):
        return self._synchronization

    @property
    def aggregation(self):
        return self._aggregation

    @property
    def device(self) -> str:
        return "/job:localhost/replica:0/task:0/device:CPU:0"

    def ref(self):
        return _tensor._Ref(self)

    experimental_ref = ref

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of a 0-d variable (scalar)")
        return self._shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        return bool(self.read_value())

    def __float__(self) -> float:
        return float(self.read_value())

    def __int__(self) -> int:
        return int(self.read_value())

    def __index__(self) -> int:
        return self.read_value().__index__()

    def __format__(self, spec: str) -> str:
        return format(self.read_value(), spec)

    def __deepcopy__(self, memo):
        new = copy.copy(self)
        new._value = self._value.copy()
        new._spare = None
        return new

    def __repr__(self) -> str:
        head = f"<tf.Variable '{self._name}' shape={self._shape} dtype={self._dtype.name}"
        if state.graphs:
            return head + ">"
        return head + f", numpy={_tensor._numpy_repr(self._value)}>"


def _core_dtype(arr: np.ndarray):
    from tfc import dtypes

    return dtypes.from_numpy(arr.dtype)


def _tf_name(arr: np.ndarray) -> str:
    return tf_dtypes.from_core(_core_dtype(arr)).name


def _shape_str(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


_tensor.UNWRAP[Variable] = Variable._read
