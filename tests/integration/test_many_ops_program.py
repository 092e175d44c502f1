"""Issue #2 acceptance: one Python function mixing 20+ different tfc ops (matmul,
a reduction, a broadcast, a transpose, softmax, ...) compiles through
`tfc.function` and matches the float64 NumPy reference."""

import numpy as np

import tfc
from tests.helpers import assert_close, rand
from tfc import dtypes
from tfc.ops import registry


def model(x, w, b, g, idx):
    h = tfc.matmul(x, w) + b                                   # matmul, add (broadcast)
    h = tfc.gelu(h, approximate=True) * tfc.sigmoid(h)         # gelu, mul, sigmoid
    h = tfc.layer_norm(h, g, tfc.zeros_like(g))                # layer_norm, fill
    t = tfc.transpose(h)                                       # transpose
    s = tfc.reduce_sum(t, axis=1, keepdims=True)               # reduce_sum
    m = tfc.reduce_max(h, axis=0)                              # reduce_max
    r = tfc.reshape(tfc.broadcast_to(m, (3, 8)), (8, 3))       # broadcast_to, reshape
    p = tfc.softmax(tfc.concat([r, tfc.tanh(r)], axis=1))      # softmax, concat, tanh
    e = tfc.gather(p, idx)                                     # gather
    e = tfc.where(tfc.greater(e, 0.1), tfc.sqrt(e), -e)        # select, greater, sqrt, neg
    q = tfc.exp(tfc.log(tfc.abs(s) + 1.0))                     # exp, log, abs
    z = tfc.reduce_mean(tfc.square(e - tfc.maximum(e, 0.2)))   # reduce_mean, square, sub, maximum
    k = tfc.cast(tfc.argmax(p, axis=1), "f32")                 # argmax, cast
    return z + tfc.reduce_sum(q) + tfc.reduce_sum(k), tfc.expand_dims(k, 0)


def test_twenty_op_function_compiles_and_matches_reference():
    args = [rand((5, 6)), rand((6, 8)), rand((8,)), rand((8,), low=0.5, high=1.5),
            np.random.default_rng().integers(0, 8, size=(4,)).astype(np.int32)]
    fn = tfc.function(model)
    got = fn(*args)
    concrete = fn.get_concrete_function(*args)
    text = concrete.ir("tfc")
    used = {op.split()[0] for op in text.split("tfc.")[1:]}
    distinct = {name for name in used if registry.lookup(name) is not None}
    assert len(distinct) >= 20, sorted(distinct)
    for required in ("matmul", "reduce_sum", "broadcast_to", "transpose", "softmax"):
        assert required in distinct
    exe = tfc.compile(model, *args)
    want = exe.reference(*[a.astype(np.float64) if a.dtype.kind == "f" else a for a in args],
                         dtype=np.float64)
    for g, w, spec in zip(got, want, exe.output_specs):
        assert_close(np.asarray(g), w, 2e-4, 2e-5, dtypes.from_any(spec.dtype))
