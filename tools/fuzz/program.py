"""A random tfc program as plain data, and how to run it through the tfc op functions.

A `Program` is a list of primary inputs (shape, dtype) and `Node`s. Each node
names a *kind* (a small recipe over tfc op functions, see KINDS), its operands
(ids of earlier values: primary inputs first, then one value per node) and a
seed. The kind derives every parameter (axes, slice bounds, reshape targets,
the shape of any extra input it declares) from that seed and its operands'
current shapes, so the same node stays meaningful when the shrinker changes
input shapes or reroutes operands. Extra inputs a kind declares with
`ctx.fresh(shape, dtype)` become function arguments after the primary inputs,
in the order the nodes declare them.

Programs are valid by construction because they only ever call tfc op
functions: the ops' own shape inference accepts or rejects a node (ShapeError),
and so do the kinds' own checks (`Invalid`). Numerically risky ops get a
domain: log/sqrt/rsqrt/pow see |x| + 0.5, exp sees min(x, 3), division sees
|y| + 0.5, comparisons only read raw inputs (their results are exact).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import numpy as np

import tfc
from tfc import dtypes

MAX_ELEMENTS = 16384
FLOAT_TYPES = ("f32", "f64")
INT_TYPES = ("i32", "i64")


class Invalid(Exception):
    """A kind cannot apply to these operands (a generator retry, never a failure)."""


@dataclass(frozen=True)
class Node:
    kind: str
    args: tuple[int, ...]
    seed: int


@dataclass(frozen=True)
class Program:
    inputs: tuple[tuple[tuple[int, ...], str], ...]
    nodes: tuple[Node, ...] = ()
    outputs: tuple[int, ...] = ()

    @property
    def n_values(self) -> int:
        return len(self.inputs) + len(self.nodes)

    def to_json(self) -> str:
        return json.dumps({"inputs": [[list(s), d] for s, d in self.inputs],
                           "nodes": [[n.kind, list(n.args), n.seed] for n in self.nodes],
                           "outputs": list(self.outputs)})

    @staticmethod
    def from_json(text: str) -> "Program":
        d = json.loads(text)
        return Program(tuple((tuple(s), t) for s, t in d["inputs"]),
                       tuple(Node(k, tuple(a), s) for k, a, s in d["nodes"]),
                       tuple(d["outputs"]))

    def describe(self) -> str:
        n_in = len(self.inputs)
        lines = [f"  v{i} = input {list(s)} {d}" for i, (s, d) in enumerate(self.inputs)]
        for j, node in enumerate(self.nodes):
            args = ", ".join(f"v{a}" for a in node.args)
            lines.append(f"  v{n_in + j} = {node.kind}({args}) seed={node.seed}")
        lines.append("  return " + ", ".join(f"v{o}" for o in self.outputs))
        return "\n".join(lines)


# --- running a program: eagerly on NumPy, or under tracing ----------------------------

def dtype_name(v) -> str:
    if isinstance(v, np.ndarray) or isinstance(v, np.generic):
        return dtypes.from_numpy(np.asarray(v).dtype).name
    return v.dtype.name


def to_numpy(v) -> np.ndarray:
    """Eager op results as NumPy arrays (the front end may wrap them in its Tensor)."""
    if hasattr(v, "__tfc_array__"):
        v = v.__tfc_array__()
    return np.asarray(v)


def shape_of(v) -> tuple[int, ...]:
    return tuple(int(d) for d in v.shape)


def random_array(rng: np.random.Generator, shape, dtype: str) -> np.ndarray:
    """Test data: floats uniform in [-2, 2], ints in [-3, 3], bools half true."""
    d = dtypes.from_any(dtype)
    if d.is_bool:
        return rng.random(shape) < 0.5
    if d.is_int:
        return rng.integers(-3, 4, size=shape).astype(d.numpy)
    return rng.uniform(-2.0, 2.0, size=shape).astype(d.numpy)


class Ctx:
    """What a kind may ask of the run: fresh inputs, and (eagerly) value checks."""

    def __init__(self, eager: bool, rng: np.random.Generator | None = None, args=None):
        self.eager = eager
        self.rng = rng
        self._args = iter(args or ())
        self.fresh_specs: list[tuple[tuple[int, ...], str]] = []

    def fresh(self, shape, dtype: str):
        shape = tuple(int(d) for d in shape)
        if int(np.prod(shape)) > MAX_ELEMENTS:
            raise Invalid(f"fresh input {shape} too large")
        self.fresh_specs.append((shape, dtype))
        if self.eager:
            return random_array(self.rng, shape, dtype)
        return next(self._args)

    def bounded(self, x, limit: float) -> None:
        """Eagerly: refuse operands whose magnitude makes the op ill-conditioned (sin of 1e4)."""
        if self.eager and dtype_name(x) in FLOAT_TYPES and x.size and np.max(np.abs(x)) > limit:
            raise Invalid(f"operand magnitude over {limit}")


def run(program: Program, ctx: Ctx, primary) -> list:
    """Every value of `program` (inputs, then one per node)."""
    values = list(primary)
    for node in program.nodes:
        kind = KINDS[node.kind]
        if len(node.args) != kind.arity:
            raise Invalid(f"{node.kind} takes {kind.arity} operands")
        ops = [values[a] for a in node.args]
        for a, v in zip(node.args, ops):
            if kind.raw and a >= len(program.inputs):
                raise Invalid(f"{node.kind} reads raw inputs only")
            if not kind.accepts(dtype_name(v)):
                raise Invalid(f"{node.kind} does not take {dtype_name(v)}")
        out = kind.fn(ctx, np.random.default_rng(node.seed), *ops)
        if ctx.eager:
            out = to_numpy(out)
        if int(np.prod(shape_of(out))) > MAX_ELEMENTS:
            raise Invalid("value too large")
        values.append(out)
    return values


def eager_values(program: Program, seed: int = 0):
    """Run eagerly on random data; returns (values, fresh input specs)."""
    rng = np.random.default_rng(seed)
    ctx = Ctx(True, rng)
    primary = [random_array(rng, s, d) for s, d in program.inputs]
    return run(program, ctx, primary), ctx.fresh_specs


def input_specs(program: Program) -> list[tfc.TensorSpec]:
    """The traced function's arguments: primary inputs, then the kinds' fresh inputs."""
    _, fresh = eager_values(program)
    specs = [tfc.TensorSpec(s, d, f"in{i}") for i, (s, d) in enumerate(program.inputs)]
    specs += [tfc.TensorSpec(s, d, f"aux{i}") for i, (s, d) in enumerate(fresh)]
    return specs


def as_function(program: Program) -> Callable:
    """A Python function of tfc ops computing `program` (for tfc.compile / tracing)."""
    n_in = len(program.inputs)

    def fuzz_program(*args):
        ctx = Ctx(False, args=args[n_in:])
        values = run(program, ctx, args[:n_in])
        outs = tuple(values[o] for o in program.outputs)
        return outs[0] if len(outs) == 1 else outs

    return fuzz_program


def trace(program: Program):
    from tfc.tracing import trace_function

    module, _ = trace_function(as_function(program), input_specs(program))
    return module


def to_mlir(program: Program) -> str:
    from tfc.pipeline import print_ir

    return print_ir(trace(program))


# --- the kinds -------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    fn: Callable
    arity: int = 1
    types: tuple[str, ...] = FLOAT_TYPES  # operand dtypes accepted
    weight: float = 1.0
    raw: bool = False                     # operands must be primary inputs (exact values)

    def accepts(self, dtype: str) -> bool:
        return dtype in self.types


KINDS: dict[str, Kind] = {}


def kind(name, **kw):
    def deco(fn):
        KINDS[name] = Kind(fn, **kw)
        return fn
    return deco


def _pick(r, seq):
    return seq[int(r.integers(len(seq)))]


def _axis(r, rank: int) -> int:
    a = int(r.integers(rank))
    return a - rank if r.random() < 0.3 else a


def _small_dim(r) -> int:
    return _pick(r, (1, 2, 3, 4, 5, 7, 8))


def broadcast_partner(r, shape) -> tuple[int, ...]:
    """A shape that broadcasts with `shape`: same, fewer leading dims, 1s, or bigger where shape has 1s."""
    s = list(shape)
    mode = int(r.integers(5))
    if mode == 1 and s:
        s = s[int(r.integers(1, len(s) + 1)):]
    elif mode == 2 and s:
        for i in range(len(s)):
            if r.random() < 0.5:
                s[i] = 1
    elif mode == 3:
        s = [_small_dim(r) if d == 1 else d for d in s]
        if r.random() < 0.3 and len(s) < 4:
            s = [_small_dim(r)] + s
    return tuple(s)


# Unary elementwise (floats).
def _unary(name, fn, types=FLOAT_TYPES, weight=1.0):
    kind(name, types=types, weight=weight)(lambda c, r, x: fn(x))


_unary("neg", tfc.neg, FLOAT_TYPES + ("i32", "i64"))
_unary("abs", tfc.abs, FLOAT_TYPES + ("i32", "i64"))
_unary("square", tfc.square, FLOAT_TYPES + ("i32",), 0.5)
_unary("tanh", tfc.tanh)
_unary("sigmoid", tfc.sigmoid)
_unary("relu", tfc.relu)
_unary("erf", tfc.erf, weight=0.5)


@kind("sin", weight=0.5)
def _sin(c, r, x):
    c.bounded(x, 50.0)
    return tfc.sin(x) if r.random() < 0.5 else tfc.cos(x)


@kind("gelu")
def _gelu(c, r, x):
    return tfc.gelu(x, approximate=bool(r.integers(2)))


@kind("exp")
def _exp(c, r, x):
    return tfc.exp(tfc.minimum(x, 3.0))


@kind("log")
def _log(c, r, x):
    return tfc.log(tfc.add(tfc.abs(x), 0.5))


@kind("sqrt")
def _sqrt(c, r, x):
    y = tfc.add(tfc.abs(x), 0.5)
    return tfc.sqrt(y) if r.random() < 0.5 else tfc.rsqrt(y)


@kind("pow", weight=0.5)
def _pow(c, r, x):
    return tfc.pow(tfc.add(tfc.abs(x), 0.5), float(_pick(r, (2.0, 0.5, -1.0, 3.0))))


# Binary elementwise, with broadcasting: an existing value, a fresh input, or a scalar.
_BINARY = {"add": tfc.add, "sub": tfc.sub, "mul": tfc.mul, "maximum": tfc.maximum,
           "minimum": tfc.minimum, "div": None}
_INT_BINARY = ("add", "sub", "mul", "maximum", "minimum")


def _binary_apply(name, x, y, r):
    if name == "div":
        return tfc.div(x, tfc.add(tfc.abs(y), 0.5))
    fn = _BINARY[name]
    return fn(y, x) if r.random() < 0.4 else fn(x, y)


def _make_binary(name):
    types = FLOAT_TYPES + (("i32", "i64") if name in _INT_BINARY else ())

    @kind(name, arity=2, types=types, weight=1.0)
    def _with_value(c, r, x, y):
        if dtype_name(x) != dtype_name(y):
            raise Invalid("dtypes differ")
        return _binary_apply(name, x, y, r)

    @kind(name + "_fresh", types=types, weight=1.0)
    def _with_fresh(c, r, x):
        return _binary_apply(name, x, c.fresh(broadcast_partner(r, shape_of(x)), dtype_name(x)), r)

    @kind(name + "_const", types=types, weight=0.5)
    def _with_const(c, r, x):
        if dtype_name(x) in FLOAT_TYPES:
            value = float(np.float32(r.uniform(-2, 2)))
        else:
            value = int(r.integers(-3, 4))
        return _binary_apply(name, x, value, r)


for _name in _BINARY:
    _make_binary(_name)


@kind("select", types=FLOAT_TYPES + INT_TYPES)
def _select(c, r, x):
    """where(a > b, x, y) with a, b fresh inputs: the condition is exact."""
    cshape = broadcast_partner(r, shape_of(x))
    cond = tfc.greater(c.fresh(cshape, "f32"), c.fresh(cshape, "f32"))
    y = c.fresh(broadcast_partner(r, shape_of(x)), dtype_name(x))
    return tfc.where(cond, x, y) if r.random() < 0.5 else tfc.where(cond, y, x)


@kind("cast", types=FLOAT_TYPES + INT_TYPES, weight=0.6)
def _cast(c, r, x):
    d = dtype_name(x)
    if d in FLOAT_TYPES:
        return tfc.cast(x, "f64" if d == "f32" else "f32")
    return tfc.cast(x, _pick(r, ("f32", "f64")) if r.random() < 0.8 else _pick(r, INT_TYPES))


# Reductions.
def _axes(r, rank):
    if rank == 0 or r.random() < 0.2:
        return None
    k = int(r.integers(1, rank + 1))
    axes = sorted(int(a) for a in r.choice(rank, size=k, replace=False))
    axes = [a - rank if r.random() < 0.3 else a for a in axes]
    return axes[0] if len(axes) == 1 and r.random() < 0.5 else axes


_REDUCE = {"reduce_sum": tfc.reduce_sum, "reduce_mean": tfc.reduce_mean,
           "reduce_max": tfc.reduce_max, "reduce_min": tfc.reduce_min, "reduce_prod": tfc.reduce_prod}


def _make_reduce(name, fn):
    types = FLOAT_TYPES + (("i32", "i64") if name != "reduce_mean" else ())

    @kind(name, types=types, weight=0.5 if name == "reduce_prod" else 1.2)
    def _reduce(c, r, x):
        shape = shape_of(x)
        axes = _axes(r, len(shape))
        if name == "reduce_prod":
            picked = range(len(shape)) if axes is None else np.atleast_1d(axes)
            if int(np.prod([shape[a] for a in picked])) > 8:
                raise Invalid("long products under/overflow")
        return fn(x, axis=axes, keepdims=bool(r.integers(2)))


for _name, _fn in _REDUCE.items():
    _make_reduce(_name, _fn)


@kind("softmax")
def _softmax(c, r, x):
    if not shape_of(x):
        raise Invalid("rank 0")
    fn = tfc.softmax if r.random() < 0.6 else tfc.log_softmax
    return fn(x, axis=_axis(r, len(shape_of(x))))


@kind("layer_norm", weight=0.7)
def _layer_norm(c, r, x):
    shape = shape_of(x)
    if not shape:
        raise Invalid("rank 0")
    d = dtype_name(x)
    return tfc.layer_norm(x, c.fresh((shape[-1],), d), c.fresh((shape[-1],), d),
                          epsilon=float(_pick(r, (1e-3, 1e-5))))


@kind("argmax", types=FLOAT_TYPES + INT_TYPES, raw=True, weight=0.4)
def _argmax(c, r, x):
    shape = shape_of(x)
    if not shape:
        raise Invalid("rank 0")
    fn = tfc.argmax if r.random() < 0.5 else tfc.argmin
    return fn(x, axis=_axis(r, len(shape)), output_type=_pick(r, ("i32", "i64")))


# Matmul: against a fresh input (batch dims broadcast) or an existing value.
@kind("matmul_fresh", types=FLOAT_TYPES + ("i32",), weight=1.2)
def _matmul_fresh(c, r, x):
    shape = shape_of(x)
    if len(shape) < 2:
        raise Invalid("rank < 2")
    ta, tb = bool(r.random() < 0.25), bool(r.random() < 0.25)
    k = shape[-2] if ta else shape[-1]
    n = _pick(r, (1, 2, 3, 5, 8, 16, 17, 33))
    batch = list(shape[:-2])
    mode = int(r.integers(3))
    if mode == 1:
        batch = batch[int(r.integers(len(batch) + 1)):]
    elif mode == 2:
        batch = [1 if r.random() < 0.5 else b for b in batch]
    b = c.fresh(tuple(batch) + ((n, k) if tb else (k, n)), dtype_name(x))
    if r.random() < 0.2 and not ta:  # the fresh operand on the left: (n, m) @ x
        a = c.fresh(tuple(batch) + (n, shape[-2]), dtype_name(x))
        return tfc.matmul(a, x)
    return tfc.matmul(x, b, transpose_a=ta, transpose_b=tb)


@kind("matmul", arity=2, types=FLOAT_TYPES + ("i32",), weight=0.8)
def _matmul_pair(c, r, x, y):
    if dtype_name(x) != dtype_name(y):
        raise Invalid("dtypes differ")
    sx, sy = shape_of(x), shape_of(y)
    if len(sx) < 2 or len(sy) < 2:
        raise Invalid("rank < 2")
    for ta, tb in sorted([(False, False), (True, False), (False, True), (True, True)],
                         key=lambda _: r.random()):
        if (sx[-2] if ta else sx[-1]) == (sy[-1] if tb else sy[-2]):
            return tfc.matmul(x, y, transpose_a=ta, transpose_b=tb)
    raise Invalid("contraction dims differ")


# Shape ops.
def _factor(n: int, rank: int, r) -> list[int]:
    dims = [1] * rank
    if rank == 0:
        return dims
    p, m = 2, n
    while m > 1:
        while m % p == 0:
            dims[int(r.integers(rank))] *= p
            m //= p
        p += 1
    return dims


@kind("reshape", types=FLOAT_TYPES + INT_TYPES, weight=1.2)
def _reshape(c, r, x):
    n = int(np.prod(shape_of(x)))
    rank = int(r.integers(0 if n == 1 else 1, 5))
    dims = _factor(n, rank, r)
    if dims and r.random() < 0.3:
        dims[int(r.integers(len(dims)))] = -1
    return tfc.reshape(x, dims)


@kind("transpose", types=FLOAT_TYPES + INT_TYPES, weight=1.2)
def _transpose(c, r, x):
    rank = len(shape_of(x))
    if rank < 2:
        raise Invalid("rank < 2")
    return tfc.transpose(x, [int(p) for p in r.permutation(rank)])


@kind("expand_squeeze", types=FLOAT_TYPES + INT_TYPES, weight=0.5)
def _expand_squeeze(c, r, x):
    shape = shape_of(x)
    ones = [i for i, d in enumerate(shape) if d == 1]
    if ones and r.random() < 0.5:
        axes = None if r.random() < 0.3 else [i for i in ones if r.random() < 0.7] or ones[:1]
        return tfc.squeeze(x, axes)
    if len(shape) >= 4:
        raise Invalid("rank would exceed 4")
    return tfc.expand_dims(x, int(r.integers(-len(shape) - 1, len(shape) + 1)))


@kind("strided_slice", types=FLOAT_TYPES + INT_TYPES, weight=1.2)
def _strided_slice(c, r, x):
    shape = shape_of(x)
    if not shape or 0 in shape:
        raise Invalid("rank 0 or empty")
    begin, end, strides = [], [], []
    bmask = emask = smask = 0
    for i, d in enumerate(shape):
        stride = _pick(r, (1, 1, 1, 2, 3, -1, -2))
        b = int(r.integers(d))
        if stride > 0:
            e = int(r.integers(b + 1, d + 1))
        else:
            e = int(r.integers(-1, b)) if b > 0 else -1
            if e < 0:
                emask |= 1 << i
                e = 0
        if r.random() < 0.15:
            bmask |= 1 << i
        if r.random() < 0.2:
            b -= d  # a negative index
        if stride > 0 and r.random() < 0.15:
            emask |= 1 << i
        if r.random() < 0.1 and len(shape) > 1 and not smask:
            smask |= 1 << i
            bmask &= ~(1 << i)
            emask &= ~(1 << i)
            stride, e = 1, (b % d) + 1
        begin.append(b), end.append(e), strides.append(stride)
    return tfc.strided_slice(x, begin, end, strides, begin_mask=bmask, end_mask=emask,
                             shrink_axis_mask=smask)


@kind("slice", types=FLOAT_TYPES + INT_TYPES, weight=0.6)
def _slice(c, r, x):
    shape = shape_of(x)
    if not shape or 0 in shape:
        raise Invalid("rank 0 or empty")
    begin = [int(r.integers(d)) for d in shape]
    size = [-1 if r.random() < 0.2 else int(r.integers(1, d - b + 1)) for d, b in zip(shape, begin)]
    return tfc.slice(x, begin, size)


@kind("concat_fresh", types=FLOAT_TYPES + INT_TYPES)
def _concat_fresh(c, r, x):
    shape = shape_of(x)
    if not shape:
        raise Invalid("rank 0")
    axis = _axis(r, len(shape))
    other = list(shape)
    other[axis] = _small_dim(r)
    parts = [x, c.fresh(other, dtype_name(x))]
    if r.random() < 0.3:
        parts.append(x)
    if r.random() < 0.5:
        parts.reverse()
    return tfc.concat(parts, axis)


@kind("concat", arity=2, types=FLOAT_TYPES + INT_TYPES, weight=0.6)
def _concat_pair(c, r, x, y):
    sx, sy = shape_of(x), shape_of(y)
    if dtype_name(x) != dtype_name(y) or len(sx) != len(sy) or not sx:
        raise Invalid("not concatenable")
    diff = [i for i in range(len(sx)) if sx[i] != sy[i]]
    if len(diff) > 1:
        raise Invalid("shapes differ in more than one dim")
    axis = diff[0] if diff else _axis(r, len(sx))
    return tfc.concat([x, y], axis)


@kind("reverse", types=FLOAT_TYPES + INT_TYPES, weight=0.5)
def _reverse(c, r, x):
    rank = len(shape_of(x))
    if not rank:
        raise Invalid("rank 0")
    axes = [a for a in range(rank) if r.random() < 0.5] or [int(r.integers(rank))]
    return tfc.reverse(x, axes)


@kind("tile", types=FLOAT_TYPES + INT_TYPES, weight=0.4)
def _tile(c, r, x):
    rank = len(shape_of(x))
    if not rank:
        raise Invalid("rank 0")
    return tfc.tile(x, [int(_pick(r, (1, 1, 2, 3))) for _ in range(rank)])


@kind("pad", types=FLOAT_TYPES + INT_TYPES, weight=0.5)
def _pad(c, r, x):
    rank = len(shape_of(x))
    if not rank:
        raise Invalid("rank 0")
    pads = [[int(r.integers(3)), int(r.integers(3))] for _ in range(rank)]
    value = float(r.integers(-2, 3)) if dtype_name(x) in FLOAT_TYPES else int(r.integers(-2, 3))
    return tfc.pad(x, pads, constant_values=value)


@kind("broadcast_to", types=FLOAT_TYPES + INT_TYPES, weight=0.5)
def _broadcast_to(c, r, x):
    shape = [(_small_dim(r) if d == 1 else d) for d in shape_of(x)]
    if r.random() < 0.4 and len(shape) < 4:
        shape = [_small_dim(r)] + shape
    return tfc.broadcast_to(x, shape)


@kind("split", types=FLOAT_TYPES + INT_TYPES, weight=0.4)
def _split(c, r, x):
    shape = shape_of(x)
    if not shape:
        raise Invalid("rank 0")
    axis = _axis(r, len(shape))
    d = shape[axis]
    if r.random() < 0.5:
        n = _pick(r, [k for k in (1, 2, 3, 4) if d % k == 0])
        parts = tfc.split(x, n, axis=axis)
    else:
        first = int(r.integers(d + 1))
        parts = tfc.split(x, [first, -1], axis=axis)
    return parts[int(r.integers(len(parts)))]


@kind("conv2d", weight=2.0)
def _conv2d(c, r, x):
    shape = shape_of(x)
    if len(shape) != 4:
        raise Invalid("conv2d needs NHWC")
    kh, kw = _pick(r, (1, 2, 3)), _pick(r, (1, 2, 3))
    stride = _pick(r, (1, 1, 2, 3))
    dilation = _pick(r, (1, 1, 2)) if stride == 1 else 1
    w = c.fresh((kh, kw, shape[3], _pick(r, (1, 2, 3, 4, 8))), dtype_name(x))
    return tfc.conv2d(x, w, strides=stride, padding=_pick(r, ("SAME", "VALID")), dilations=dilation)


@kind("pool2d", weight=1.5)
def _pool2d(c, r, x):
    if len(shape_of(x)) != 4:
        raise Invalid("pooling needs NHWC")
    fn = tfc.max_pool2d if r.random() < 0.5 else tfc.avg_pool2d
    ksize = [_pick(r, (1, 2, 3)), _pick(r, (1, 2, 3))]
    strides = [_pick(r, (1, 2, 3)), _pick(r, (1, 2, 3))]
    return fn(x, ksize, strides, _pick(r, ("SAME", "VALID")))


def check_values(values, program: Program) -> None:
    """Refuse ill-conditioned programs: every float value finite and below 1e3 in magnitude."""
    for v in values[len(program.inputs):]:
        if dtype_name(v) in FLOAT_TYPES and np.asarray(v).size:
            a = np.asarray(v)
            if not np.all(np.isfinite(a)) or np.max(np.abs(a)) > 1e3:
                raise Invalid("value out of the well-conditioned range")
        elif dtype_name(v) in INT_TYPES and np.asarray(v).size and np.max(np.abs(v)) > 10**6:
            raise Invalid("integer value too large")
