"""Numerics of every CPU schedule kind (tfc-tile + tfc-lower-to-loops) against the
float64 reference: flat and broadcast elementwise nests, strip-mined and
interleaved vector loops with remainders, inner and outer reductions, NaN
through vectorized max / min, row kernels; sizes that do not divide the
vector width, the strip or the interleave, rank-0 and size-1 dims. Each case
also runs with a forced multi-threaded schedule (tiny thresholds, short strips)
so the parallel code paths are exercised on small inputs."""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest

try:
    from tests.helpers import check_compiled, rand
except ImportError:  # plain `pytest` does not put the repository root on sys.path
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))
    from tests.helpers import check_compiled, rand

import tfc

# The default policy, and one that splits everything over threads in short strips
# with 3 interleaved streams (so strips, parts and remainders are all uneven).
FORCED = {"tfc-tile.threads": 2, "tfc-tile.min_parallel_work": 1, "tfc-tile.tile": 48,
          "tfc-tile.interleave": 3}
POLICIES = {"default": {}, "forced": FORCED}


def compiled(fn, *args, policy="default", tol=None):
    exe = tfc.compile(fn, *args, **POLICIES[policy])
    return check_compiled(fn, *args, exe=exe, tol=tol)


@pytest.fixture(params=list(POLICIES))
def policy(request):
    return request.param


# ---------------------------------------------------------------------------
# Elementwise


@pytest.mark.parametrize("n", [1, 3, 17, 100, 4097, 70001])
def test_flat_elementwise_odd_sizes(policy, n):
    compiled(lambda x, y: x * y + 1.5, rand((n,)), rand((n,)), policy=policy)


@pytest.mark.parametrize("shape", [(7, 33), (1, 1), (5, 1, 9), (3, 2, 130), (1, 257)])
def test_broadcast_and_transposed_reads(policy, shape):
    x = rand(shape)
    b = rand(shape[-1:])
    compiled(lambda x, b: x - b, x, b, policy=policy)
    if len(shape) >= 2:
        perm = list(range(len(shape)))[::-1]
        compiled(lambda x: tfc.transpose(x, perm) * 2.0, x, policy=policy)


def test_rank0(policy):
    compiled(lambda x, y: x * y + 1.0, np.float32(3.0), np.float32(-0.5), policy=policy)
    compiled(lambda x, s: x * s, rand((37,)), np.float32(0.25), policy=policy)


@pytest.mark.parametrize("n", [5, 1000, 4099])
def test_long_bodies_interleave(policy, n):
    """Math-heavy bodies get interleaved streams; the remainder loop takes the rest."""
    x = rand((n,), low=-6, high=6)
    compiled(lambda x: tfc.gelu(x * 0.7 + 0.1, approximate=True), x, policy=policy)
    compiled(lambda x: tfc.tanh(x) + tfc.erf(x) * tfc.exp(x * 0.5), x, policy=policy)
    compiled(lambda x: tfc.sigmoid(x) * tfc.log(tfc.abs(x) + 1.0), x, policy=policy)

    def chain(x):
        for _ in range(40):
            x = x * 1.0001 + 0.001
        return x

    compiled(chain, x, policy=policy)


def test_f64_and_int_elementwise(policy):
    compiled(lambda x: tfc.exp(x) * 2.0 + x, rand((1001,), "f64"), policy=policy)
    compiled(lambda x, y: x * y - x, rand((3, 77), "i32", -50, 50), rand((77,), "i32", -50, 50),
             policy=policy)


# ---------------------------------------------------------------------------
# Reductions


@pytest.mark.parametrize("shape, axis", [
    ((9, 33), 1), ((9, 33), 0), ((4, 5, 6), 1), ((4, 5, 6), (0, 2)), ((1000,), 0),
    ((3, 1), 1), ((1, 17), 0), ((64, 130), 1), ((130, 64), 0), ((2, 3, 4, 5), (1, 2, 3)),
])
@pytest.mark.parametrize("op", ["sum", "max", "min", "mean"])
def test_reductions(policy, shape, axis, op):
    fn = {"sum": tfc.reduce_sum, "max": tfc.reduce_max, "min": tfc.reduce_min,
          "mean": tfc.reduce_mean}[op]
    ax = list(axis) if isinstance(axis, tuple) else axis
    compiled(lambda x: fn(x, axis=ax), rand(shape), policy=policy)
    compiled(lambda x: fn(x, axis=ax, keepdims=True), rand(shape), policy=policy)


def test_full_reduction(policy):
    compiled(lambda x: tfc.reduce_sum(x), rand((33, 65)), policy=policy)
    compiled(lambda x: tfc.reduce_max(x), rand((1,)), policy=policy)


@pytest.mark.parametrize("where", ["first", "middle", "last", "all"])
@pytest.mark.parametrize("axis", [1, 0])
def test_nan_propagates_through_vector_max_min(policy, where, axis):
    """A vectorized max / min keeps one running value per lane and combines them:
    NaN in any lane must win, as in NumPy."""
    x = rand((6, 203))
    cols = {"first": [0], "middle": [101], "last": [202], "all": list(range(203))}[where]
    x[2, cols] = np.nan
    x[4, cols[-1]] = np.nan
    x[5, :] = -np.inf
    for fn, npfn in ((tfc.reduce_max, np.max), (tfc.reduce_min, np.min)):
        exe = tfc.compile(lambda x: fn(x, axis=axis), x, **POLICIES[policy])
        got = np.asarray(exe(x))
        want = npfn(x, axis=axis)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_array_equal(got[~np.isnan(want)], want[~np.isnan(want)])


def test_max_of_infinities_and_signed_zeros(policy):
    x = np.array([[-np.inf] * 40, [np.inf] + [-np.inf] * 39, [-0.0] * 40], np.float32)
    exe = tfc.compile(lambda x: tfc.reduce_max(x, axis=1), x, **POLICIES[policy])
    np.testing.assert_array_equal(np.asarray(exe(x)), np.max(x, axis=1))


def test_int_reductions(policy):
    x = rand((7, 300), "i32", -1000, 1000)
    compiled(lambda x: tfc.reduce_sum(x, axis=1), x, policy=policy)
    compiled(lambda x: tfc.reduce_max(x, axis=1), x, policy=policy)
    compiled(lambda x: tfc.reduce_min(x, axis=0), x, policy=policy)


def test_argmax_is_not_vectorized_but_right(policy):
    x = rand((9, 131))
    x[3, 7] = x[3, 99] = 50.0  # ties: the first index wins
    exe = tfc.compile(lambda x: tfc.argmax(x, axis=1), x, **POLICIES[policy])
    np.testing.assert_array_equal(np.asarray(exe(x)), np.argmax(x, axis=1))


# ---------------------------------------------------------------------------
# Row kernels


@pytest.mark.parametrize("shape", [(1, 1), (3, 7), (65, 1001), (2, 3, 130), (1, 4096)])
def test_row_kernels(policy, shape):
    x = rand(shape, low=-5, high=5)
    compiled(lambda x: tfc.softmax(x, axis=-1), x, policy=policy)
    compiled(lambda x: tfc.log_softmax(x, axis=-1), x, policy=policy)
    g, b = rand(shape[-1:]), rand(shape[-1:])
    compiled(lambda x, g, b: tfc.layer_norm(x, g, b, axis=-1, epsilon=1e-5), x, g, b,
             policy=policy, tol=(1e-4, 1e-4))


def test_softmax_of_nan_and_inf_rows(policy):
    x = rand((4, 37))
    x[1, 5] = np.nan
    x[2, :] = -np.inf
    x[3, 9] = np.inf
    exe = tfc.compile(lambda x: tfc.softmax(x, axis=-1), x, **POLICIES[policy])
    got = np.asarray(exe(x))
    with np.errstate(all="ignore"):
        e = np.exp(x - x.max(-1, keepdims=True))
        want = e / e.sum(-1, keepdims=True)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    np.testing.assert_allclose(got[ok], want[ok], rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------------------
# What the schedule decided, in the C text


def test_tiny_kernels_stay_single_threaded():
    """W6-size kernels (64x64) must not pay for waking the OpenMP team."""
    def chain(x):
        for _ in range(100):
            x = x * 1.0001 + 0.001
        return x

    exe = tfc.compile(chain, rand((64, 64)))
    c = exe.ir("c")
    assert "omp parallel" not in c
    assert "#pragma omp simd" in c
    assert "schedule: elementwise, 1 thread" in c


def test_large_kernels_split_over_threads():
    exe = tfc.compile(lambda x: x * 2.0 + 1.0, rand((512, 1024)), **{"tfc-tile.threads": 2})
    c = exe.ir("c")
    # 128 independent tiles: 64 chunks of 2, handed out as threads free up
    assert "#pragma omp parallel for schedule(dynamic, 2)" in c
    assert "#pragma omp simd" in c
    # contiguous whole buffers: one flat loop, strip-mined for the threads
    assert "i0_i1_tile < 524288" in c


def test_single_thread_option():
    exe = tfc.compile(lambda x: x * 2.0 + 1.0, rand((512, 1024)), **{"tfc-tile.threads": 1})
    assert "omp parallel" not in exe.ir("c")


def test_reductions_vectorize_with_lane_accumulators():
    exe = tfc.compile(lambda x: (tfc.reduce_max(x, axis=1), tfc.reduce_sum(x, axis=1)),
                      rand((64, 256)))
    c = exe.ir("c")
    assert "reduction(tfc_max:" in c and "reduction(+:" in c
    assert "#pragma omp declare reduction(tfc_max : float" in c


def test_outer_reduction_vectorizes_across_the_output():
    exe = tfc.compile(lambda x: tfc.reduce_sum(x, axis=0), rand((300, 512)))
    c = exe.ir("c")
    assert "reduce outer" in c
    # the vector loop walks the output's contiguous dim inside the reduced one
    after = c[c.index("for (int64_t r0"):]
    assert "#pragma omp simd" in after.split("\n}\n")[0]


# ---------------------------------------------------------------------------
# Other bodies through the scheduled nests


def test_multiple_outputs_and_in_place(policy):
    x = rand((33, 130))
    compiled(lambda x: (x + 1.0, tfc.exp(x) * 2.0), x, policy=policy)
    # a chain whose intermediates are written in place over their input
    compiled(lambda x: tfc.tanh(tfc.exp(x * 0.5) - 1.0) * 3.0 + x, x, policy=policy)


def test_index_and_gather_bodies(policy):
    idx = rand((257,), "i32", 0, 9)
    compiled(lambda i: tfc.one_hot(i, 10), idx, policy=policy)
    table = rand((10, 33))
    compiled(lambda t, i: tfc.gather(t, i, axis=0) * 2.0, table, idx, policy=policy)


@pytest.mark.parametrize("dtype", ["f16", "bf16"])
def test_half_types_use_the_f32_math(policy, dtype):
    x = rand((3, 171), dtype, -4, 4)
    compiled(lambda x: tfc.exp(x) + tfc.tanh(x), x, policy=policy)
    compiled(lambda x: tfc.softmax(x, axis=-1), x, policy=policy)


def test_copies_and_pads(policy):
    a, b = rand((65, 7)), rand((65, 130))
    compiled(lambda a, b: tfc.concat([a, b], axis=1), a, b, policy=policy)
    compiled(lambda a: tfc.pad(a, [[1, 2], [3, 0]]), a, policy=policy)
    compiled(lambda b: tfc.slice(b, [1, 5], [60, 101]) * 2.0, b, policy=policy)


def test_full_reductions_split_over_threads():
    """A reduction to a scalar has no parallel loop: the threads split its range
    (OpenMP `parallel for reduction`), NaN still wins for max / min."""
    x = rand((300_001,))
    exe = tfc.compile(lambda x: (tfc.reduce_sum(x), tfc.reduce_max(x), tfc.reduce_min(x)), x,
                      **{"tfc-tile.threads": 2})
    c = exe.ir("c")
    assert "#pragma omp parallel for simd schedule(static) reduction(+:" in c
    assert "reduction(tfc_max:" in c and "reduction(tfc_min:" in c
    s, mx, mn = (np.asarray(v) for v in exe(x))
    # f32 partial sums (lanes x streams x threads) err by about eps * sqrt(n) * |partial|
    # each: relative to the sum, that is unbounded when the sum cancels to near 0, so
    # the tolerance is absolute, 1e-8 * sum |x| (3e-3 here; observed errors up to 9e-4).
    np.testing.assert_allclose(s, x.astype(np.float64).sum(), rtol=1e-5,
                               atol=1e-8 * np.abs(x.astype(np.float64)).sum())
    assert mx == x.max() and mn == x.min()
    x[123_456] = np.nan
    s, mx, mn = (np.asarray(v) for v in exe(x))
    assert np.isnan(s) and np.isnan(mx) and np.isnan(mn)
