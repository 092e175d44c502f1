"""`tf.function`: trace a Python function once per input signature and compile it.

The signature of a call is the structure of its arguments, the shape and
dtype of each tensor in it, and the value of every other (Python) argument,
which becomes a constant of the trace. A new signature traces again (the
count is `experimental_get_tracing_count()`; each trace is logged on the
"tfc" logger at INFO, and past 5 traces at WARNING, as TF warns).

Tracing runs the Python function under a `FuncGraph`: tensor arguments are
the program's first inputs; each variable it reads becomes one more input
(captured on first read); each variable it assigns becomes one more output;
random ops become inputs fed by the host on every call. The traced `tfc`
module — forward pass, `tape.gradient`'s backward pass and the variable
updates together — is compiled once into one `tfc.api.Executable`.

A call binds the arguments, looks the signature up, feeds the tensors and the
variables' current buffers, and has the program write each updated
variable's next value into that variable's spare buffer, which then becomes
current (no copies; input and output buffers never alias). Outputs that are
just an input or a constant are produced on the host, not by the program.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
import weakref

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, BlockArgument, Region
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import VerifyException

from tfc import dtypes as core_dtypes
from tfc.api import CompileOptions, Executable
from tfc.api import TensorSpec as _CoreTensorSpec
from tfc.errors import ShapeError
from tfc.frontend import dtypes as tf_dtypes
from tfc.frontend import tensor as _t
from tfc.frontend.context import state
from tfc.frontend.tensor import Tensor, TensorShape, as_shape
from tfc.frontend.variables import Variable
from tfc.ops.base import tensor_type
from tfc.tracing import Symbolic, Trace

logger = logging.getLogger("tfc")

RETRACE_WARNING_THRESHOLD = 5

_SUPPORTED = frozenset(d.numpy for d in core_dtypes.ALL.values())


# --- tf.TensorSpec ------------------------------------------------------------------------

class TensorSpec(_CoreTensorSpec):
    """The shape and dtype of a tensor argument: `tf.TensorSpec(shape=[None, 3], dtype=tf.float32)`.

    Dims may be None in a tf.function input_signature (each concrete shape is
    then compiled on its own: tfc's programs have static shapes). `dtype` is
    the core dtype (compares equal to tf.float32 etc.)."""

    def __post_init__(self):
        shape = as_shape(self.shape)
        object.__setattr__(self, "shape", shape)
        object.__setattr__(self, "dtype", tf_dtypes.to_core(self.dtype))

    @classmethod
    def from_tensor(cls, tensor, name=None) -> "TensorSpec":
        return cls(tuple(tensor.shape), tensor.dtype, name)

    def is_compatible_with(self, value) -> bool:
        if isinstance(value, _CoreTensorSpec):
            shape, dtype = value.shape, value.dtype
        else:
            raw = _t.unwrap(value)
            shape, dtype = tuple(raw.shape), core_dtypes.from_any(raw.dtype)
        return as_shape(self.shape).is_compatible_with(shape) and dtype == self.dtype

    def __repr__(self) -> str:
        return (f"TensorSpec(shape={TensorShape(self.shape)}, "
                f"dtype={tf_dtypes.from_core(self.dtype)!r}, name={self.name!r})")

    __str__ = __repr__


# --- nested structures -------------------------------------------------------------------------

def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _sorted_keys(d: dict) -> list:
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def flatten(structure) -> list:
    """Leaves of lists, tuples (incl. namedtuples) and dicts (sorted keys), in order."""
    if isinstance(structure, dict):
        return [x for k in _sorted_keys(structure) for x in flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [x for s in structure for x in flatten(s)]
    return [structure]


def pack_sequence_as(structure, flat):
    it = iter(flat)

    def build(s):
        if isinstance(s, dict):
            built = {k: build(s[k]) for k in _sorted_keys(s)}
            out = {k: built[k] for k in s}
            return out if type(s) is dict else type(s)(out)
        if _is_namedtuple(s):
            return type(s)(*[build(x) for x in s])
        if isinstance(s, (list, tuple)):
            return type(s)(build(x) for x in s)
        return next(it)

    return build(structure)


def _flatten_up_to(structure, value) -> list:
    """`value`'s parts at the leaves of `structure` (a leaf of structure may be a list value)."""
    if isinstance(structure, dict):
        if not isinstance(value, dict) or set(value) != set(structure):
            raise TypeError("structure mismatch")
        return [x for k in _sorted_keys(structure) for x in _flatten_up_to(structure[k], value[k])]
    if isinstance(structure, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(structure):
            raise TypeError("structure mismatch")
        return [x for s, v in zip(structure, value) for x in _flatten_up_to(s, v)]
    return [value]


def _is_tensor_leaf(x) -> bool:
    return isinstance(x, (Tensor, np.ndarray, np.generic, Symbolic))


# --- the graph a function is traced into ------------------------------------------------------

_NAME_HINT = re.compile(r"[^A-Za-z0-9_]")


def _name_hint(name: str | None) -> str | None:
    if not name:
        return None
    hint = _NAME_HINT.sub("_", name.split(":")[0]).strip("_")
    if not hint or not (hint[0].isalpha() or hint[0] == "_"):
        return None
    return hint


class FuncGraph:
    """What tracing one tf.function builds: a block of tfc ops, its inputs and updates."""

    def __init__(self, name: str):
        self.name = name
        self.block = Block()
        self.trace = Trace(InsertPoint.at_end(self.block))
        # Inputs after the user's tensors, in block-argument order:
        # ("var", variable) reads a variable; ("fn", thunk) calls thunk() for the array.
        self.host_inputs: list[tuple[str, object]] = []
        self._captures: dict[int, Symbolic] = {}   # id(var) -> its input
        self._values: dict[int, Symbolic] = {}     # id(var) -> its current traced value
        self._assigned: dict[int, Variable] = {}   # id(var) -> var, in order of first assignment
        self._vars: dict[int, Variable] = {}

    def add_input(self, shape, dtype, name: str | None = None) -> Symbolic:
        arg = self.block.insert_arg(tensor_type(tuple(shape), core_dtypes.from_any(dtype)),
                                    len(self.block.args))
        hint = _name_hint(name)
        if hint:
            arg.name_hint = hint
        return Symbolic(arg, self.trace)

    def read_variable(self, var: Variable) -> Symbolic:
        vid = id(var)
        value = self._values.get(vid)
        if value is None:
            value = self.add_input(var.shape, var.dtype.core, var.name)
            self.host_inputs.append(("var", var))
            self._captures[vid] = value
            self._values[vid] = value
            self._vars[vid] = var
        return value

    def assign_variable(self, var: Variable, value: Symbolic) -> None:
        vid = id(var)
        self._vars[vid] = var
        self._values[vid] = value
        self._assigned.setdefault(vid, var)

    def add_host_input(self, shape, dtype, thunk, name: str | None = None) -> Symbolic:
        """An input the host computes before each call (`thunk()` -> array): random values."""
        value = self.add_input(shape, dtype, name)
        self.host_inputs.append(("fn", thunk))
        return value

    def updates(self) -> list[tuple[Variable, Symbolic]]:
        """Variables whose value changed, with their final traced value."""
        out = []
        for vid, var in self._assigned.items():
            value = self._values[vid]
            if self._captures.get(vid) is value:
                continue  # assigned back its own value
            out.append((var, value))
        return out


# --- a traced, compiled signature ---------------------------------------------------------------

class ConcreteFunction:
    """One trace of a tf.function: its IR, its executable and how to call it."""

    def __init__(self, name: str, graph: FuncGraph, n_user_inputs: int, outputs, updates,
                 target: str, settings: dict):
        from tfc.ops.constant import ConstantOp

        self.name = name
        self.graph = graph
        self._n_user = n_user_inputs
        self._host_inputs = list(graph.host_inputs)
        self.variables = tuple(v for kind, v in self._host_inputs if kind == "var")
        self.updated_variables = tuple(var for var, _ in updates)
        args = list(graph.block.args)
        program_values: list = []
        index: dict = {}

        def slot(value):
            if isinstance(value, Symbolic):
                ssa = value.value
                if isinstance(ssa, BlockArgument) and ssa.owner is graph.block:
                    return ("arg", args.index(ssa))
                owner = getattr(ssa, "owner", None)
                if isinstance(owner, ConstantOp):
                    return ("const", owner.value_array())
                if ssa not in index:
                    index[ssa] = len(program_values)
                    program_values.append(ssa)
                return ("out", index[ssa])
            return ("const", value)

        # outputs: (structure, [("py", v) | ("tensor", Symbolic or array)])
        structure, leaves = outputs
        self._structure = structure
        self._out_slots = [("py", v) if kind == "py" else slot(v) for kind, v in leaves]
        # Updates: the first variable updated from a program output owns that buffer.
        owned: set = set()
        self._updates = []
        for var, value in updates:
            s = slot(value)
            owns = s[0] == "out" and s[1] not in owned
            if owns:
                owned.add(s[1])
            self._updates.append((var, s, owns))
        self._owner_of = {s[1]: var for var, s, owns in self._updates if owns}

        block = graph.block
        block.add_op(func.ReturnOp(*program_values))
        f = func.FuncOp("main", ([a.type for a in block.args], [v.type for v in program_values]),
                        Region(block))
        self.module = ModuleOp([f])
        self._out_types = [(tuple(v.type.get_shape()),
                            core_dtypes.from_ir(v.type.element_type).numpy) for v in program_values]
        self.executable = None
        if program_values:
            # The verifier runs inside, on a cache miss only (a hit is this exact IR,
            # verified when its entry was built); with no program values there is
            # nothing to compile, and nothing to verify either.
            self.executable = Executable(self.module, options=CompileOptions(target, dict(settings)),
                                         single_output=False, source_name=name,
                                         check=lambda m: _verify(m, name))

    def ir(self, level: str = "tfc") -> str:
        """The compiled program's IR at `level` (tfc, linalg, kernels, buffers, loops, c)."""
        if self.executable is None:
            return str(self.module)
        return self.executable.ir(level)

    def _call_flat(self, user_arrays: list):
        inputs = list(user_arrays)
        for kind, x in self._host_inputs:
            inputs.append(x._value if kind == "var" else x())
        bufs = []
        for k, (shape, dt) in enumerate(self._out_types):
            var = self._owner_of.get(k)
            bufs.append(var._output_buffer() if var is not None else np.empty(shape, dt))
        if self.executable is not None:
            self.executable(*inputs, out=bufs)
        results = []
        for s in self._out_slots:
            kind, v = s
            if kind == "py":
                results.append(v)
            elif kind == "out":
                results.append(_t._from_array(bufs[v]))
            elif kind == "arg":
                results.append(_t._from_array(inputs[v]))
            else:
                results.append(_t._from_array(np.asarray(v)))
        for var, (kind, v), owns in self._updates:
            if owns:
                var._commit_output()
            elif kind == "out":
                var._write(bufs[v])
            elif kind == "arg":
                var._write(inputs[v])
            else:
                var._write(np.asarray(v))
        return pack_sequence_as(self._structure, results)

    def __call__(self, *args):
        arrays = [_t.unwrap(a) for a in flatten(args) if _is_tensor_leaf(_t.unwrap(a))]
        return self._call_flat(arrays)

    def __repr__(self) -> str:
        return f"<ConcreteFunction {self.name} executable={self.executable!r}>"


# --- tf.function -----------------------------------------------------------------------------------

class Function:
    """A Python function compiled per input signature (see the module docstring)."""

    def __init__(self, python_function, input_signature=None, jit_compile=None,
                 reduce_retracing=False, name=None, target: str = "cpu", settings=None,
                 autograph=True, experimental_relax_shapes=None, **_ignored):
        functools.update_wrapper(self, python_function, updated=())  # (a callable object's
        self._python_function = python_function                      # __dict__ stays its own)
        self._name = name or getattr(python_function, "__name__", type(python_function).__name__)
        self._input_signature = None if input_signature is None else tuple(input_signature)
        self._jit_compile = jit_compile
        self._reduce_retracing = reduce_retracing
        self._target = target
        self._settings = dict(settings or {})
        self._cache: dict = {}
        self._fast: dict = {}  # (shape, dtype) of each positional tf.Tensor -> ConcreteFunction
        self._trace_count = 0
        self._instances: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        try:
            self._signature = inspect.signature(python_function)
        except (TypeError, ValueError):
            self._signature = None
        if self._input_signature is not None:
            for spec in flatten(list(self._input_signature)):
                if not isinstance(spec, _CoreTensorSpec):
                    raise TypeError(f"tf.function({self._name}): input_signature must hold "
                                    f"tf.TensorSpec objects, got {spec!r}")

    # -- TF's API ------------------------------------------------------------------------------
    @property
    def python_function(self):
        return self._python_function

    @property
    def input_signature(self):
        return self._input_signature

    def experimental_get_tracing_count(self) -> int:
        return self._trace_count

    @property
    def trace_count(self) -> int:
        return self._trace_count

    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        """The ConcreteFunction for these arguments (tracing and compiling if needed)."""
        if not args and not kwargs and self._input_signature is not None:
            specs = self._input_signature
            if all(TensorShape(s.shape).is_fully_defined() for s in flatten(list(specs))):
                args = tuple(pack_sequence_as(list(specs), [
                    _t._from_array(np.zeros(tuple(s.shape), s.dtype.numpy))
                    for s in flatten(list(specs))]))
        key, flat, bound_args = self._signature_of(args, kwargs)
        return self._concrete(key, flat, bound_args)

    def experimental_get_compiler_ir(self, *args, **kwargs):
        concrete = self.get_concrete_function(*args, **kwargs)
        return lambda stage="tfc", **_: concrete.ir(stage)

    def __get__(self, instance, owner):
        if instance is None:
            return self
        try:
            bound = self._instances.get(instance)
        except TypeError:  # not weak-referenceable or unhashable: one Function per call site
            bound = None
        if bound is None:
            bound = Function(self._python_function.__get__(instance, owner),
                             input_signature=self._input_signature, jit_compile=self._jit_compile,
                             reduce_retracing=self._reduce_retracing, name=self._name,
                             target=self._target, settings=self._settings)
            try:
                self._instances[instance] = bound
            except TypeError:
                pass
        return bound

    def __repr__(self) -> str:
        return f"<tfc.function {self._name} traces={self._trace_count}>"

    # -- calling -------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if state.graphs or state.run_eagerly or _eager_tape_recording() or _has_symbolic(args, kwargs):
            # Inside another function being traced: inline. Under an eager GradientTape (so
            # that it sees the ops) or with run_functions_eagerly: plain Python.
            return self._python_function(*args, **kwargs)
        # Fast path: only eager tensors / arrays as positional arguments, a signature seen before.
        fast_key = None
        if not kwargs:
            arrays = [a._array if type(a) is Tensor else a for a in args]
            if all(type(a) is np.ndarray and a.dtype in _SUPPORTED for a in arrays):
                fast_key = tuple((a.shape, a.dtype) for a in arrays)
                concrete = self._fast.get(fast_key)
                if concrete is not None:
                    return concrete._call_flat(arrays)
        key, flat, bound_args = self._signature_of(args, kwargs)
        concrete = self._concrete(key, flat, bound_args)
        if fast_key is not None:
            self._fast[fast_key] = concrete
        return concrete._call_flat([_leaf_array(x) for x in flat if _is_tensor_leaf(x)])

    def _concrete(self, key, flat, bound_args) -> ConcreteFunction:
        concrete = self._cache.get(key)
        if concrete is None:
            concrete = self._trace(flat, bound_args)
            self._cache[key] = (concrete, flat)  # flat keeps Python-object arguments alive
            return concrete
        return concrete[0]

    def _bind(self, args, kwargs):
        if self._signature is None:
            return args, kwargs
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{self._name}{self._signature}: {e}") from None
        bound.apply_defaults()
        return bound.args, bound.kwargs

    def _signature_of(self, args, kwargs):
        """(cache key, flat leaves, (args, kwargs)) of a call."""
        if self._input_signature is not None:
            args, kwargs = self._apply_input_signature(args, kwargs)
        else:
            args, kwargs = self._bind(args, kwargs)
        structure = (tuple(args), dict(kwargs))
        flat = [_canonical_leaf(x) for x in flatten(structure)]
        key = (_structure_key(structure), tuple(_leaf_key(x) for x in flat))
        return key, flat, structure

    def _apply_input_signature(self, args, kwargs):
        specs = list(self._input_signature)
        if kwargs:
            if self._signature is None:
                raise TypeError(f"{self._name}: pass arguments positionally (input_signature)")
            args, kwargs = self._bind(args, kwargs)
            if kwargs:
                raise TypeError(f"{self._name}: keyword-only arguments are not allowed with "
                                "an input_signature")
        if len(args) != len(specs):
            raise TypeError(f"{self._name}: input_signature has {len(specs)} argument(s), the call "
                            f"passed {len(args)}: {_describe_args(args)}")
        converted = []
        for i, (a, spec) in enumerate(zip(args, specs)):
            flat_spec = flatten(spec)
            try:
                flat_arg = _flatten_up_to(spec, a)
            except (TypeError, KeyError, ValueError):
                raise TypeError(f"{self._name}: argument {i} does not match the structure of the "
                                f"input_signature {spec!r}: {a!r}") from None
            tensors = []
            for s, x in zip(flat_spec, flat_arg):
                try:
                    t = _t.convert_to_tensor(x, dtype=tf_dtypes.from_core(s.dtype))
                except (TypeError, ValueError) as e:
                    raise TypeError(f"{self._name}: argument {i} is incompatible with the "
                                    f"input_signature {s!r}: {e}") from None
                if not as_shape(s.shape).is_compatible_with(t.shape):
                    raise ValueError(f"{self._name}: argument {i} has shape {t.shape}, not "
                                     f"compatible with the input_signature {s!r}")
                tensors.append(t)
            converted.append(pack_sequence_as(spec, tensors))
        return tuple(converted), {}

    # -- tracing -------------------------------------------------------------------------------
    def _trace(self, flat, structure) -> ConcreteFunction:
        self._trace_count += 1
        specs = [f"{tuple(x.shape)}:{tf_dtypes.from_core(_leaf_dtype(x)).name}"
                 if _is_tensor_leaf(x) else repr(x) for x in flat]
        if self._trace_count > RETRACE_WARNING_THRESHOLD:
            logger.warning(
                "%d traces of tf.function %s so far: each new input signature (shapes, dtypes or "
                "Python argument values) retraces and recompiles it, which is expensive. Pass "
                "tensors of fixed shapes rather than Python numbers, or give an input_signature. "
                "This call: (%s)", self._trace_count, self._name, ", ".join(specs))
        else:
            logger.info("tracing tf.function %s (trace %d) for (%s)", self._name,
                        self._trace_count, ", ".join(specs))
        graph = FuncGraph(self._name)
        names = self._arg_names(structure)
        placeholders = []
        n_user = 0
        for x, name in zip(flat, names):
            if _is_tensor_leaf(x):
                sym = graph.add_input(x.shape, _leaf_dtype(x), name)
                placeholders.append(_t._from_symbolic(sym))
                n_user += 1
            else:
                placeholders.append(x)
        args, kwargs = pack_sequence_as(structure, placeholders)
        saved_tapes = state.tapes
        state.graphs.append(graph)
        state.tapes = []
        try:
            result = self._python_function(*args, **kwargs)
            outputs = _output_leaves(result, graph)
            updates = graph.updates()
        finally:
            state.graphs.pop()
            state.tapes = saved_tapes
        return ConcreteFunction(self._name, graph, n_user, outputs, updates,
                                self._target, self._settings)

    def _arg_names(self, structure) -> list:
        """A readable name for each flat leaf (the parameter it came from)."""
        args, kwargs = structure
        names = []
        params = list(self._signature.parameters) if self._signature is not None else []
        for i, a in enumerate(args):
            base = params[i] if i < len(params) else f"arg{i}"
            n = len(flatten(a))
            names.extend([base] if n == 1 else [f"{base}_{j}" for j in range(n)])
        for k in _sorted_keys(kwargs):
            n = len(flatten(kwargs[k]))
            names.extend([k] if n == 1 else [f"{k}_{j}" for j in range(n)])
        return names


def _eager_tape_recording() -> bool:
    return any(t._recording and t._graph is None for t in state.tapes)


def _has_symbolic(args, kwargs) -> bool:
    for x in flatten((args, kwargs)):
        if isinstance(x, Symbolic) or (isinstance(x, Tensor) and x._sym is not None):
            return True
    return False


def _canonical_leaf(x):
    """Tensor arguments as arrays of supported dtypes; variables and Python values as is."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (np.ndarray, np.generic)):
        return _t._numpy_to_supported(np.asarray(x))
    return x


def _leaf_array(x) -> np.ndarray:
    return x._array if isinstance(x, Tensor) else x


def _leaf_dtype(x):
    a = x._array if isinstance(x, Tensor) else x
    return core_dtypes.from_numpy(a.dtype)


def _leaf_key(x):
    if isinstance(x, Tensor):
        a = x._array
        return ("tensor", a.shape, a.dtype.str)
    if isinstance(x, np.ndarray):
        return ("tensor", x.shape, x.dtype.str)
    if isinstance(x, Variable):
        return ("variable", id(x))
    if x is None or isinstance(x, (bool, int, float, complex, str, bytes)):
        return ("python", type(x).__name__, x)
    try:
        hash(x)
    except TypeError:
        return ("object", id(x))
    return ("object", type(x).__qualname__, x) if not _hash_by_id(x) else ("object", id(x))


def _hash_by_id(x) -> bool:
    return type(x).__hash__ is object.__hash__


def _structure_key(s):
    if isinstance(s, dict):
        return ("dict", type(s).__qualname__,
                tuple((k, _structure_key(s[k])) for k in _sorted_keys(s)))
    if isinstance(s, (list, tuple)):
        return (type(s).__qualname__, len(s), tuple(_structure_key(x) for x in s))
    return None


def _output_leaves(result, graph: FuncGraph):
    """The returned structure, and its leaves as ("tensor", value) or ("py", value)."""
    leaves = []
    for x in flatten(result):
        if isinstance(x, Variable):
            leaves.append(("tensor", graph.read_variable(x)))
        elif isinstance(x, Tensor):
            leaves.append(("tensor", x._sym if x._sym is not None else x._array))
        elif isinstance(x, Symbolic):
            leaves.append(("tensor", x))
        elif isinstance(x, (np.ndarray, np.generic)):
            leaves.append(("tensor", _t._numpy_to_supported(np.asarray(x))))
        else:
            leaves.append(("py", x))
    for kind, v in leaves:
        if isinstance(v, Symbolic) and v.trace is not graph.trace:
            raise TypeError("a tf.function returned a traced tensor of another function")
    return result, leaves


def _describe_args(args) -> str:
    out = []
    for a in args:
        raw = _t.unwrap(a)
        if hasattr(raw, "shape") and hasattr(raw, "dtype"):
            out.append(f"{type(a).__name__}{tuple(raw.shape)}")
        else:
            out.append(repr(a))
    return "(" + ", ".join(out) + ")"


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None, experimental_autograph_options=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None, name=None, target: str = "cpu", settings=None):
    """tf.function: `@tf.function`, `@tf.function(input_signature=[...])`, `tf.function(f)`.

    `jit_compile`, `reduce_retracing`, `autograph` and the experimental options are
    accepted for compatibility (everything is compiled; there is no AutoGraph: Python
    control flow runs at trace time). `target` picks the backend ("cpu" or "gpu")."""
    def decorate(f):
        return Function(f, input_signature=input_signature, jit_compile=jit_compile,
                        reduce_retracing=reduce_retracing, name=name, target=target,
                        settings=settings)

    return decorate if func is None else decorate(func)


def _verify(module: ModuleOp, name: str) -> None:
    try:
        module.verify()
    except VerifyException as e:
        raise ShapeError(f"tracing {name} produced invalid IR: {e}") from None
