"""`tf.GradientTape` and the reverse-mode engine behind it.

Recording. `tfc.ops.dispatch.apply` calls hooks after every op: EAGER_HOOKS
with the op's NumPy input and output arrays, TRACED_HOOKS (inside tf.function
or tfc.compile) with its Symbolic operands and results. A tape records an op
when one of its inputs is *tracked* — watched, or an output of an op it
recorded — and then tracks the op's float outputs. Values are keyed by
identity: an eager value by its array's `id` (tf.Tensor wraps that array
without copying; the tape keeps the arrays alive, so ids stay unique), a
traced value by its SSA value. Variables report their reads (`_read`) to the
tapes that watch them; a gradient with respect to a variable sums over all
its reads on the tape.

Backward. `gradient` walks the recorded ops in reverse order, calling each op
class's `vjp(attrs, inputs, outputs, grads)` — the one gradient rule in the
op registry, written with op functions. Eagerly the rules run on NumPy (and
an outer tape records them, which gives higher-order gradients); on traced
values they emit ops into the same trace, so the backward pass is IR compiled
with the forward pass. An op with a `decompose` but no `vjp` is
differentiated through its decomposition, re-run on its inputs on an inner
tape. Ops are only visited when they lie between a source and a target;
one without a gradient rule there is an error naming the op (integer and
bool results carry no gradient and are never tracked).
"""

from __future__ import annotations

import contextlib
import enum

import numpy as np

from tfc import dtypes as core_dtypes
from tfc.errors import TfcError
from tfc.frontend import tensor as _tensor
from tfc.frontend.context import current_graph, state
from tfc.ops import dispatch
from tfc.tracing import Symbolic, format_location, user_location


class NotDifferentiableError(TfcError, LookupError):
    """A gradient had to flow through an op that has no gradient."""


class UnconnectedGradients(enum.Enum):
    """What `gradient` returns for a source the targets do not depend on."""

    NONE = "none"
    ZERO = "zero"


# --- keys and small helpers ---------------------------------------------------------------

def _key(v):
    """Identity of a raw value: the SSA value of a Symbolic, the id of an array."""
    return v.value if type(v) is Symbolic else id(v)


def _is_float_value(v) -> bool:
    d = v.dtype
    if isinstance(d, np.dtype):
        return d.kind == "f" or d == core_dtypes.bf16.numpy
    return core_dtypes.from_any(d).is_float


def _dtype_of(v) -> core_dtypes.DType:
    return core_dtypes.from_any(v.dtype)


def _filled(like, value: float):
    """An array (or traced constant) of `like`'s shape and dtype filled with `value`."""
    d = _dtype_of(like)
    arr = np.full(tuple(like.shape), value, dtype=d.numpy)
    if type(like) is Symbolic:
        from tfc.ops.api import constant

        return constant(arr, trace=like.trace)
    return arr


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    from tfc.ops.api import add

    return add(a, b)


def _raw(v):
    """A front-end value (Tensor, Variable, array, Symbolic) as an op operand."""
    return _tensor.unwrap(v)


def _flatten(structure) -> list:
    if isinstance(structure, dict):
        return [x for k in _sorted_keys(structure) for x in _flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [x for s in structure for x in _flatten(s)]
    return [structure]


def _pack(structure, flat):
    it = iter(flat)

    def build(s):
        if isinstance(s, dict):
            out = {k: None for k in s}
            for k in _sorted_keys(s):
                out[k] = build(s[k])
            return type(s)(out) if type(s) is not dict else out
        if isinstance(s, tuple) and hasattr(s, "_fields"):  # namedtuple
            return type(s)(*[build(x) for x in s])
        if isinstance(s, (list, tuple)):
            return type(s)(build(x) for x in s)
        return next(it)

    return build(structure)


def _sorted_keys(d: dict) -> list:
    try:
        return sorted(d)
    except TypeError:
        return list(d)


# --- recording ------------------------------------------------------------------------------

class _Record:
    __slots__ = ("op_cls", "attrs", "inputs", "outputs", "where")

    def __init__(self, op_cls, attrs, inputs, outputs, where):
        self.op_cls = op_cls
        self.attrs = attrs
        self.inputs = inputs
        self.outputs = outputs
        self.where = where


def _has_gradient_rule(op_cls) -> bool:
    return op_cls.vjp is not None or op_cls.decompose is not None


def _on_op(op_cls, inputs, attrs, outputs) -> None:
    for tape in state.tapes:
        if tape._recording:
            tape._record(op_cls, inputs, attrs, outputs)


def _install_hooks() -> None:
    if _on_op not in dispatch.EAGER_HOOKS:
        dispatch.EAGER_HOOKS.append(_on_op)
    if _on_op not in dispatch.TRACED_HOOKS:
        dispatch.TRACED_HOOKS.append(_on_op)


def variable_accessed(var, value) -> None:
    """A variable was read (value: its buffer, or its traced value inside tf.function)."""
    graph = current_graph()
    for tape in state.tapes:
        if tape._recording and tape._graph is graph:
            tape._variable_read(var, value)


def _push(tape) -> None:
    _install_hooks()
    state.tapes.append(tape)


def _pop(tape) -> None:
    tapes = state.tapes
    for i in range(len(tapes) - 1, -1, -1):
        if tapes[i] is tape:
            del tapes[i]
            break


class GradientTape:
    """Records operations to differentiate (tf.GradientTape).

        with tf.GradientTape() as tape:
            loss = f(w)
        dw = tape.gradient(loss, w)
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self._persistent = bool(persistent)
        self._watch_accessed_variables = bool(watch_accessed_variables)
        self._records: list[_Record] | None = []
        self._tracked: dict = {}          # key -> value (kept alive so that ids stay unique)
        self._var_reads: dict = {}        # id(var) -> (var, [keys of values read])
        self._watched_vars: dict = {}     # id(var) -> var, in watch order
        self._recording = False
        self._used = False
        self._graph = None

    # -- the with block ---------------------------------------------------------------------
    def __enter__(self) -> "GradientTape":
        self._graph = current_graph()
        self._recording = True
        _push(self)
        return self

    def __exit__(self, *exc) -> None:
        self._recording = False
        _pop(self)

    @contextlib.contextmanager
    def stop_recording(self):
        """Ops run inside this block are not recorded."""
        was = self._recording
        self._recording = False
        try:
            yield
        finally:
            self._recording = was

    def reset(self) -> None:
        """Forget everything recorded so far (the tape keeps recording if it was)."""
        self._records = []
        self._tracked = {}
        self._var_reads = {}
        self._watched_vars = {}
        self._used = False

    # -- watching ---------------------------------------------------------------------------
    def watch(self, tensor) -> None:
        """Track a tensor, a variable, or a nested structure of them."""
        from tfc.frontend.variables import Variable

        for t in _flatten(tensor):
            if isinstance(t, Variable):
                self._watched_vars.setdefault(id(t), t)
                self._variable_read(t, self._value_of(t))
                continue
            raw = _raw(t)
            if type(raw) is not Symbolic and not isinstance(raw, np.ndarray):
                raise ValueError(f"GradientTape.watch: {t!r} is not a tensor or variable")
            if _is_float_value(raw):
                self._tracked[_key(raw)] = raw

    def watched_variables(self) -> tuple:
        """The variables this tape has watched (accessed while recording), in order."""
        return tuple(var for var, _ in self._var_reads.values())

    def _variable_read(self, var, value) -> None:
        vid = id(var)
        if not ((self._watch_accessed_variables and var.trainable) or vid in self._watched_vars):
            return
        if not _is_float_value(value):
            return
        k = _key(value)
        entry = self._var_reads.get(vid)
        if entry is None:
            self._var_reads[vid] = (var, [k])
        elif k not in entry[1]:
            entry[1].append(k)
        self._tracked[k] = value

    def _record(self, op_cls, inputs, attrs, outputs) -> None:
        tracked = self._tracked
        if not any(_key(v) in tracked for v in inputs):
            return
        floats = [o for o in outputs if _is_float_value(o)]
        if not floats:
            return  # integer / bool results carry no gradient
        where = None
        if not _has_gradient_rule(op_cls):
            where = format_location(user_location())
        self._records.append(_Record(op_cls, attrs, list(inputs), list(outputs), where))
        for o in floats:
            tracked[_key(o)] = o

    # -- gradients --------------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """d(sum of targets)/d(source) for each source, in `sources`' nested structure.

        A source the targets do not depend on (or that was not watched) gets None
        (zeros with unconnected_gradients='zero')."""
        if self._records is None or (self._used and not self._persistent):
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set "
                               "of gradients (or jacobians); use GradientTape(persistent=True)")
        unconnected = UnconnectedGradients(getattr(unconnected_gradients, "value",
                                                   unconnected_gradients))
        was = self._recording
        self._recording = False
        try:
            result = self._gradient(target, sources, output_gradients, unconnected)
        finally:
            self._recording = was
        self._used = True
        if not self._persistent:
            self._records = None
            self._tracked = {}
        return result

    def _value_of(self, x):
        """The raw value of a target / source / seed (a variable's current value)."""
        from tfc.frontend.variables import Variable

        if isinstance(x, Variable):
            return x._value if self._graph is None else self._graph.read_variable(x)
        raw = _raw(x)
        if type(raw) is not Symbolic and not isinstance(raw, np.ndarray):
            raw = _tensor.to_numpy_value(raw)
        return raw

    def _gradient(self, target, sources, output_gradients, unconnected):
        from tfc.frontend.variables import Variable

        flat_targets = _flatten(target)
        flat_sources = _flatten(sources)
        if output_gradients is not None:
            flat_seeds = _flatten(output_gradients)
            if len(flat_seeds) != len(flat_targets):
                raise ValueError(f"GradientTape.gradient: {len(flat_targets)} target(s) but "
                                 f"{len(flat_seeds)} output gradient(s)")
        else:
            flat_seeds = [None] * len(flat_targets)

        targets, seeds = [], []
        for t, s in zip(flat_targets, flat_seeds):
            if t is None:
                continue
            raw_t = self._value_of(t)
            if not _is_float_value(raw_t):
                continue
            targets.append(raw_t)
            if s is not None:
                s = _raw(s)
                if type(s) is not Symbolic and not isinstance(s, np.ndarray):
                    s = _tensor.to_numpy_value(s, _dtype_of(raw_t))
            seeds.append(s)

        source_keys = []
        for s in flat_sources:
            if isinstance(s, Variable):
                entry = self._var_reads.get(id(s))
                source_keys.append(list(entry[1]) if entry else [])
            elif s is None:
                source_keys.append([])
            else:
                raw = _raw(s)
                if type(raw) is not Symbolic and not isinstance(raw, np.ndarray):
                    raise ValueError(f"GradientTape.gradient: source {s!r} is not a tensor or "
                                     "variable")
                k = _key(raw)
                # Only watched or recorded values are sources (TF: others get None).
                source_keys.append([k] if k in self._tracked else [])

        grads = backprop(self._records, targets, seeds, {k for keys in source_keys for k in keys})

        out = []
        for s, keys in zip(flat_sources, source_keys):
            g = None
            for k in keys:
                g = _add(g, grads.get(k))
            if g is None and unconnected is UnconnectedGradients.ZERO and s is not None:
                g = _filled(self._value_of(s), 0.0)
            out.append(None if g is None else _tensor.wrap(g))
        return _pack(sources, out)

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """d target[i...] / d source[j...] for each source: shape target.shape + source.shape."""
        from tfc.ops import api

        raw_t = _raw(target)
        n = int(np.prod(raw_t.shape, dtype=np.int64))
        persistent, self._persistent = self._persistent, True
        try:
            rows = []
            for i in range(n):
                seed = np.zeros(n, dtype=_dtype_of(raw_t).numpy)
                seed[i] = 1
                seed = seed.reshape(tuple(raw_t.shape))
                if type(raw_t) is Symbolic:
                    seed = api.constant(seed, trace=raw_t.trace)
                rows.append(_flatten(self.gradient(target, sources, output_gradients=seed,
                                                   unconnected_gradients=unconnected_gradients)))
        finally:
            self._persistent = persistent
        flat_sources = _flatten(sources)
        out = []
        for j, s in enumerate(flat_sources):
            col = [r[j] for r in rows]
            if any(c is None for c in col):
                out.append(None)
                continue
            raw = [_raw(c) for c in col]
            stacked = api.stack(raw, axis=0)
            shape = tuple(raw_t.shape) + tuple(raw[0].shape)
            out.append(_tensor.wrap(api.reshape(stacked, shape)))
        return _pack(sources, out)


# --- the reverse pass ------------------------------------------------------------------------

def backprop(records, targets, seeds, source_keys: set) -> dict:
    """Gradients (key -> value) of sum(<target, seed>) for the values in `source_keys`.

    `records` are in execution order; seeds default to ones."""
    # Forward: which values depend on a source.
    connected = set(source_keys)
    live = []
    for rec in records:
        if any(_key(v) in connected for v in rec.inputs):
            live.append(rec)
            for o in rec.outputs:
                connected.add(_key(o))
    grads: dict = {}
    for t, s in zip(targets, seeds):
        k = _key(t)
        if k not in connected:
            continue
        if s is None:
            s = _filled(t, 1.0)
        elif tuple(s.shape) != tuple(t.shape):
            raise ValueError(f"GradientTape.gradient: output gradient of shape {tuple(s.shape)} "
                             f"for a target of shape {tuple(t.shape)}")
        grads[k] = _add(grads.get(k), s)
    # Backward, in reverse execution order: each value's consumers come first.
    for rec in reversed(live):
        out_grads = [grads.get(_key(o)) for o in rec.outputs]
        if all(g is None for g in out_grads):
            continue
        out_grads = [_filled(o, 0.0) if g is None and _is_float_value(o) else g
                     for o, g in zip(rec.outputs, out_grads)]
        in_grads = _vjp(rec, out_grads, connected)
        for v, g in zip(rec.inputs, in_grads):
            if g is None:
                continue
            k = _key(v)
            if k not in connected or not _is_float_value(v):
                continue
            grads[k] = _add(grads.get(k), _fit(rec.op_cls, g, v))
    return grads


def _fit(op_cls, g, v):
    """A gradient shaped like its input (rules return that; broadcasting ones are summed)."""
    if tuple(g.shape) == tuple(v.shape):
        return g
    from tfc.ops.grad_utils import unbroadcast

    try:
        return unbroadcast(g, tuple(v.shape))
    except Exception:
        raise NotDifferentiableError(
            f"{op_cls.name}: its gradient rule returned shape {tuple(g.shape)} for an input of "
            f"shape {tuple(v.shape)}") from None


def _vjp(rec: _Record, out_grads: list, connected: set) -> list:
    cls = rec.op_cls
    if cls.vjp is not None:
        grads = cls.vjp(rec.attrs, list(rec.inputs), list(rec.outputs), out_grads)
        return list(grads) if grads is not None else [None] * len(rec.inputs)
    if cls.decompose is not None:
        return _vjp_by_decomposition(rec, out_grads)
    if not any(_key(v) in connected and _is_float_value(v) for v in rec.inputs):
        return [None] * len(rec.inputs)
    where = f" (at {rec.where})" if rec.where else ""
    if getattr(cls, "NOT_DIFFERENTIABLE", False):
        raise NotDifferentiableError(
            f"{cls.name} is not differentiable{where}, but the gradient flows through it; "
            "wrap its input in tf.stop_gradient if no gradient should flow there")
    raise NotDifferentiableError(f"{cls.name} has no gradient rule (vjp){where}")


def _vjp_by_decomposition(rec: _Record, out_grads: list) -> list:
    """Re-run the composite's decomposition on its inputs on an inner tape; backprop there."""
    inner = GradientTape(persistent=True, watch_accessed_variables=False)
    inner._graph = current_graph()
    inputs = list(rec.inputs)
    for v in inputs:
        if _is_float_value(v):
            inner._tracked[_key(v)] = v
    inner._recording = True
    _push(inner)
    try:
        outs = rec.op_cls.decompose(rec.attrs, *inputs)
    finally:
        inner._recording = False
        _pop(inner)
    outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
    keys = {_key(v) for v in inputs}
    pairs = [(o, g) for o, g in zip(outs, out_grads) if g is not None and _is_float_value(o)]
    grads = backprop(inner._records, [o for o, _ in pairs], [g for _, g in pairs], keys)
    return [grads.get(_key(v)) for v in inputs]


# --- tf.stop_gradient --------------------------------------------------------------------------

def stop_gradient(x, name=None):
    """x, with no gradient flowing back through it.

    Eager: a new view of the same data (a value no tape has recorded). Traced:
    a no-op reshape built while the tapes are paused (the canonicalizer
    removes it), so the result is a distinct value that no tape connects to x.
    """
    raw = _raw(x)
    if type(raw) is Symbolic:
        from tfc.ops import api

        tapes, state.tapes = state.tapes, []
        try:
            out = api.reshape(raw, tuple(raw.shape))
        finally:
            state.tapes = tapes
        return _tensor.wrap(out)
    if not isinstance(raw, np.ndarray):
        raw = _tensor.to_numpy_value(raw)
    return _tensor.wrap(raw.view())
