"""`tfc.grad` / `tfc.value_and_grad`: functional gradients for compiler users (JAX-style).

    dloss = tfc.grad(loss_fn)                  # d loss / d first argument
    loss, (dw, db) = tfc.value_and_grad(loss_fn, argnums=(0, 1))(w, b, x)

They run a GradientTape around the call, so they work eagerly (NumPy arrays or
tensors in, tensors out), inside `tf.function`, and inside `tfc.compile` on raw
traced values (the gradient is then IR in the same program).
"""

from __future__ import annotations

import functools

import numpy as np

from tfc.frontend import tensor as _t
from tfc.frontend.tape import GradientTape
from tfc.frontend.variables import Variable
from tfc.tracing import Symbolic


def _as_differentiable(x):
    """An argument the tape can watch: tensors as they are, NumPy data as an eager tensor
    over the same array, nested structures element by element."""
    if isinstance(x, (list, tuple)):
        return type(x)(_as_differentiable(v) for v in x)
    if isinstance(x, dict):
        return {k: _as_differentiable(v) for k, v in x.items()}
    if isinstance(x, (_t.Tensor, Variable, Symbolic)):
        return x
    if isinstance(x, np.ndarray):
        return _t._from_array(x)
    return _t.constant(x)


def value_and_grad(fun, argnums=0, has_aux: bool = False):
    """A function returning (fun(*args), gradient of fun's scalar output w.r.t. args[argnums]).

    `argnums` is an int (one gradient) or a tuple of ints (a tuple of gradients);
    each argument may be a nested structure of tensors (the gradient has its
    structure). With has_aux, fun returns (value, aux) and the result is
    ((value, aux), grads). Gradients of unconnected arguments are zeros."""
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        if max(nums) >= len(args):
            raise TypeError(f"value_and_grad: argnums={argnums} but {len(args)} positional "
                            "argument(s) were passed")
        args = list(args)
        for i in nums:
            args[i] = _as_differentiable(args[i])
        with GradientTape(watch_accessed_variables=False) as tape:
            for i in nums:
                tape.watch(args[i])
            out = fun(*args, **kwargs)
        value, aux = (out if has_aux else (out, None))
        raw = _t.unwrap(value)
        shape = tuple(getattr(raw, "shape", np.shape(raw)))
        if shape not in ((), (1,)):
            raise TypeError(f"grad requires a scalar output, got shape {shape} "
                            "(reduce it, e.g. with tf.reduce_sum)")
        grads = tape.gradient(value, [args[i] for i in nums], unconnected_gradients="zero")
        grads = grads[0] if single else tuple(grads)
        return ((value, aux) if has_aux else value), grads

    return wrapped


def grad(fun, argnums=0, has_aux: bool = False):
    """The gradient of a scalar-valued `fun` with respect to args[argnums] (see value_and_grad)."""
    vg = value_and_grad(fun, argnums=argnums, has_aux=has_aux)

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        (value_aux, grads) = vg(*args, **kwargs)
        if has_aux:
            return grads, value_aux[1]
        return grads

    return wrapped


__all__ = ["grad", "value_and_grad"]
