"""Random valid programs: grow a node list one kind at a time, keeping each node
the tfc ops accept and whose values stay finite and moderate on sample data.

Program `index` of a run with seed `seed` comes from rng([seed, index]) alone,
so `--seed S --index I` regenerates it.
"""

from __future__ import annotations

import numpy as np

from tfc.errors import TfcError

from .program import KINDS, MAX_ELEMENTS, Invalid, Node, Program, check_values, dtype_name, eager_values

# Dims favour the awkward: 1, primes, and neighbours of powers of two (tile remainders).
DIMS = (1, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 31, 32, 33)
BIG_DIMS = (63, 64, 65, 127, 129, 257)
RANKS = (0, 1, 1, 2, 2, 2, 3, 3, 4)


def random_shape(rng) -> tuple[int, ...]:
    for _ in range(20):
        rank = int(rng.choice(RANKS))
        dims = [int(rng.choice(DIMS)) for _ in range(rank)]
        if dims and rng.random() < 0.15:
            dims[int(rng.integers(rank))] = int(rng.choice(BIG_DIMS))
        if int(np.prod(dims)) <= MAX_ELEMENTS // 2:
            return tuple(dims)
    return (3, 5)


def _main_dtype(rng, dtypes_: tuple[str, ...]) -> str:
    weights = {"f32": 0.7, "f64": 0.15, "i32": 0.15}
    names = [d for d in dtypes_ if d in weights]
    p = np.array([weights[d] for d in names])
    return str(rng.choice(names, p=p / p.sum()))


def generate(seed: int, index: int, *, max_nodes: int = 12, dtypes_=("f32", "f64", "i32"),
             kinds: list[str] | None = None) -> Program:
    rng = np.random.default_rng([seed, index])
    dtype = _main_dtype(rng, dtypes_)
    n_inputs = int(rng.integers(1, 4))
    program = Program(tuple((random_shape(rng), dtype) for _ in range(n_inputs)))
    names = kinds or sorted(KINDS)
    weights = np.array([KINDS[k].weight for k in names])
    weights /= weights.sum()
    target = int(rng.integers(1, max_nodes + 1))
    values, _ = eager_values(program)
    attempts = 0
    while len(program.nodes) < target and attempts < target * 12:
        attempts += 1
        name = str(rng.choice(names, p=weights))
        k = KINDS[name]
        pool = list(range(len(program.inputs))) if k.raw else list(range(program.n_values))
        pool = [i for i in pool if k.accepts(dtype_name(values[i]))]
        if not pool:
            continue
        args = tuple(_pick_operand(rng, pool) for _ in range(k.arity))
        node = Node(name, args, int(rng.integers(2**31)))
        candidate = Program(program.inputs, program.nodes + (node,))
        try:
            new_values, _ = eager_values(candidate)
            check_values(new_values, candidate)
        except (Invalid, TfcError, ValueError, TypeError, IndexError, FloatingPointError):
            continue
        program, values = candidate, new_values
    if not program.nodes:
        # Always return something computed: an add of the first input with itself.
        program = Program(program.inputs, (Node("add", (0, 0), 0),))
    # Return every sink (a computed value nothing reads), so no generated work is dead.
    n_in = len(program.inputs)
    used = {a for node in program.nodes for a in node.args}
    last = program.n_values - 1
    sinks = [v for v in range(n_in, last) if v not in used]
    rng.shuffle(sinks)
    outputs = [last] + sinks[:2]
    if rng.random() < 0.05:
        outputs.append(0)  # an input returned as is
    if rng.random() < 0.05:
        outputs.append(last)  # the same value twice
    return Program(program.inputs, program.nodes, tuple(outputs))


def _pick_operand(rng, pool: list[int]) -> int:
    """Mostly the most recent values (long chains), sometimes any (DAGs, reuse)."""
    u = rng.random()
    if u < 0.55:
        return pool[-1]
    if u < 0.8:
        return int(rng.choice(pool[-3:]))
    return int(rng.choice(pool))
