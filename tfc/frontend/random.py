"""`tf.random`: seeded random tensors, drawn on the host with NumPy.

Seeds follow TF's rules: with `tf.random.set_seed(g)`, the sequence of values
from a program's random calls is reproducible; an op `seed=` alone also makes
it reproducible; repeated calls with the same seeds give new values (a
counter per seed pair); `set_seed` restarts the counters. Without any seed,
values are non-deterministic.

Inside `tf.function` a random op becomes an input of the compiled program,
drawn by the host before every call (so each call gets fresh values, as in TF,
and the program itself stays a pure function).
"""

from __future__ import annotations

import numpy as np

from tfc.frontend import dtypes as tf_dtypes
from tfc.frontend import tensor as _t
from tfc.frontend.context import current_graph
from tfc.tracing import Symbolic

DEFAULT_GRAPH_SEED = 87654321
_MASK = (1 << 63) - 1


class _Seeds:
    def __init__(self):
        self.global_seed = None
        self.op_counter = 0       # ops without a seed, after set_seed
        self.calls: dict = {}     # (global, op) -> calls so far
        self.nondeterministic = np.random.default_rng()


_seeds = _Seeds()


def set_seed(seed) -> None:
    """tf.random.set_seed: make the following random ops reproducible."""
    _seeds.global_seed = None if seed is None else int(seed)
    _seeds.op_counter = 0
    _seeds.calls = {}
    global _global_generator
    _global_generator = None


def get_seed(op_seed):
    """tf.random.get_seed: the (global, op) seed pair an op with `op_seed` uses."""
    g = _seeds.global_seed
    if g is None and op_seed is None:
        return None, None
    if g is None:
        g = DEFAULT_GRAPH_SEED
    if op_seed is None:
        op_seed = _seeds.op_counter
        _seeds.op_counter += 1
    return g, int(op_seed)


def _rng_factory(seed):
    """A function returning the NumPy generator for the next call of one random op."""
    g, op = get_seed(seed)
    if g is None:
        return lambda: _seeds.nondeterministic

    def next_rng():
        key = (g, op)
        n = _seeds.calls.get(key, 0)
        _seeds.calls[key] = n + 1
        return np.random.default_rng([g & _MASK, op & _MASK, n])

    return next_rng


def _shape(shape) -> tuple[int, ...]:
    raw = _t.unwrap(shape)
    if isinstance(raw, (int, np.integer)):
        return (int(raw),)
    return tuple(int(d) for d in np.asarray(raw).reshape(-1))


def _emit(shape, dtype, draw):
    """Eager: draw now. Traced: a host-fed input of the function, drawn on every call."""
    dt = tf_dtypes.to_core(dtype)
    shape = _shape(shape)

    def sample():
        return np.ascontiguousarray(np.asarray(draw(shape)).astype(dt.numpy))

    g = current_graph()
    if g is None:
        return _t._from_array(sample())
    return _t.wrap(g.add_host_input(shape, dt, sample, "random"))


def _is_static(*values) -> bool:
    return all(not isinstance(_t.unwrap(v), Symbolic) and np.ndim(_t.unwrap(v)) == 0
               for v in values)


def _affine(base, scale, shift):
    """base * scale + shift with tensor scale / shift (ops, so that it traces)."""
    from tfc.frontend import ops

    return ops.GENERATED["add"](ops.GENERATED["mul"](base, scale), shift)


def normal(shape, mean=0.0, stddev=1.0, dtype=tf_dtypes.float32, seed=None, name=None):
    """tf.random.normal: samples of N(mean, stddev**2)."""
    rng = _rng_factory(seed)
    if _is_static(mean, stddev):
        m, s = float(np.asarray(_t.unwrap(mean))), float(np.asarray(_t.unwrap(stddev)))
        return _emit(shape, dtype, lambda sh: rng().normal(m, s, size=sh))
    return _affine(_emit(shape, dtype, lambda sh: rng().standard_normal(size=sh)), stddev, mean)


def uniform(shape, minval=0, maxval=None, dtype=tf_dtypes.float32, seed=None, name=None):
    """tf.random.uniform: floats in [minval, maxval) (maxval defaults to 1), or ints (maxval
    required)."""
    dt = tf_dtypes.to_core(dtype)
    rng = _rng_factory(seed)
    if dt.is_int:
        if maxval is None:
            raise ValueError("tf.random.uniform: maxval must be given for an integer dtype")
        lo, hi = int(np.asarray(_t.unwrap(minval))), int(np.asarray(_t.unwrap(maxval)))
        return _emit(shape, dtype, lambda sh: rng().integers(lo, hi, size=sh))
    if maxval is None:
        maxval = 1.0
    if _is_static(minval, maxval):
        lo, hi = float(np.asarray(_t.unwrap(minval))), float(np.asarray(_t.unwrap(maxval)))
        return _emit(shape, dtype, lambda sh: rng().uniform(lo, hi, size=sh))
    from tfc.frontend import ops

    base = _emit(shape, dtype, lambda sh: rng().random(size=sh))
    return _affine(base, ops.subtract(maxval, minval), minval)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=tf_dtypes.float32, seed=None, name=None):
    """tf.random.truncated_normal: N(mean, stddev**2) redrawn outside two stddevs."""
    rng = _rng_factory(seed)

    def draw(sh):
        r = rng()
        x = r.standard_normal(size=sh)
        bad = np.abs(x) > 2
        while bad.any():
            x[bad] = r.standard_normal(size=int(bad.sum()))
            bad = np.abs(x) > 2
        return x

    if _is_static(mean, stddev):
        m, s = float(np.asarray(_t.unwrap(mean))), float(np.asarray(_t.unwrap(stddev)))
        return _emit(shape, dtype, lambda sh: draw(sh) * s + m)
    return _affine(_emit(shape, dtype, draw), stddev, mean)


def shuffle(value, seed=None, name=None):
    """tf.random.shuffle: value with its first dimension permuted."""
    from tfc.frontend import ops

    rng = _rng_factory(seed)
    raw = _t.unwrap(value)
    n = tuple(raw.shape)[0] if hasattr(raw, "shape") else len(raw)
    perm = _emit((n,), tf_dtypes.int32, lambda sh: rng().permutation(sh[0]))
    return ops.GENERATED["gather"](value, perm)


def categorical(logits, num_samples, dtype=tf_dtypes.int64, seed=None, name=None):
    """tf.random.categorical (eager only): class indices drawn from softmax(logits) per row."""
    raw = _t.unwrap(logits)
    if isinstance(raw, Symbolic):
        raise NotImplementedError("tf.random.categorical inside tf.function is not supported")
    rng = _rng_factory(seed)()
    z = np.asarray(raw, np.float64)
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    out = np.stack([rng.choice(p.shape[-1], size=int(num_samples), p=row) for row in p])
    return _t._from_array(out.astype(tf_dtypes.to_core(dtype).numpy))


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=tf_dtypes.float32, name=None):
    """A deterministic function of `seed` (two ints): the same values every call."""
    rng = np.random.default_rng([int(s) & _MASK for s in np.asarray(_t.unwrap(seed)).reshape(-1)])
    x = rng.normal(float(mean), float(stddev), size=_shape(shape))
    return _t._from_array(x.astype(tf_dtypes.to_core(dtype).numpy))


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=tf_dtypes.float32, name=None):
    rng = np.random.default_rng([int(s) & _MASK for s in np.asarray(_t.unwrap(seed)).reshape(-1)])
    dt = tf_dtypes.to_core(dtype)
    if dt.is_int:
        x = rng.integers(int(minval), int(maxval), size=_shape(shape))
    else:
        x = rng.uniform(float(minval), 1.0 if maxval is None else float(maxval), size=_shape(shape))
    return _t._from_array(np.asarray(x).astype(dt.numpy))


class Generator:
    """tf.random.Generator: an explicit random state (from_seed / from_non_deterministic_state)."""

    def __init__(self, seed=None):
        self._seed = seed
        self._rng = np.random.default_rng(None if seed is None else int(seed) & _MASK)

    @classmethod
    def from_seed(cls, seed, alg=None) -> "Generator":
        return cls(seed)

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> "Generator":
        return cls(None)

    def reset_from_seed(self, seed) -> None:
        self.__init__(seed)

    def split(self, count: int = 1) -> list:
        return [Generator(int(self._rng.integers(0, _MASK))) for _ in range(count)]

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=tf_dtypes.float32, name=None):
        m, s = float(mean), float(stddev)
        return _emit(shape, dtype, lambda sh: self._rng.normal(m, s, size=sh))

    def uniform(self, shape, minval=0, maxval=None, dtype=tf_dtypes.float32, name=None):
        dt = tf_dtypes.to_core(dtype)
        if dt.is_int:
            lo, hi = int(minval), int(maxval)
            return _emit(shape, dtype, lambda sh: self._rng.integers(lo, hi, size=sh))
        lo, hi = float(minval), 1.0 if maxval is None else float(maxval)
        return _emit(shape, dtype, lambda sh: self._rng.uniform(lo, hi, size=sh))

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=tf_dtypes.float32, name=None):
        def draw(sh):
            x = self._rng.standard_normal(size=sh)
            bad = np.abs(x) > 2
            while bad.any():
                x[bad] = self._rng.standard_normal(size=int(bad.sum()))
                bad = np.abs(x) > 2
            return x * float(stddev) + float(mean)

        return _emit(shape, dtype, draw)


_global_generator = None


def get_global_generator() -> Generator:
    global _global_generator
    if _global_generator is None:
        g = _seeds.global_seed
        _global_generator = Generator(g)
    return _global_generator


def set_global_generator(generator: Generator) -> None:
    global _global_generator
    _global_generator = generator


def dropout_mask(shape, rate: float, dtype, seed=None):
    """A mask of 0 and 1/(1-rate) values (tf.nn.dropout's), drawn like the ops above."""
    rng = _rng_factory(seed)
    keep = 1.0 - float(rate)
    return _emit(shape, dtype, lambda sh: (rng().random(size=sh) < keep) / keep)


__all__ = ["set_seed", "get_seed", "normal", "uniform", "truncated_normal", "shuffle",
           "categorical", "stateless_normal", "stateless_uniform", "Generator",
           "get_global_generator", "set_global_generator"]
