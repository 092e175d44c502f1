"""Shrinking a failing program to a small reproducer (greedy delta debugging).

Candidates, tried in order and restarted after every one that still fails the
same way: keep a single output; remove a node, rerouting its uses to an earlier
value of the same shape and dtype (its own operand first), or dropping what
depends on it, or reading its value from a new input instead (cutting the
program there); shrink a primary input's dims (to 1, halved, minus one) or drop
a dim. Kinds re-derive their parameters from the new shapes, so shape shrinking
keeps programs meaningful; candidates the ops reject are skipped. Dead nodes and
unused inputs are removed from every candidate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from tfc.errors import TfcError

from .program import Invalid, Node, Program, check_values, dtype_name, eager_values, shape_of


def renumber(program: Program, drop_nodes: set[int], subst: dict[int, int],
             drop_inputs: set[int] = frozenset()) -> Program | None:
    """`program` without some nodes/inputs; uses of a dropped value go to subst[value]."""
    n_in = len(program.inputs)
    new_id: dict[int, int] = {}
    k = 0
    for i in range(n_in):
        if i not in drop_inputs:
            new_id[i] = k
            k += 1
    for j in range(len(program.nodes)):
        if j not in drop_nodes:
            new_id[n_in + j] = k
            k += 1

    def remap(v: int) -> int | None:
        while v in subst:
            v = subst[v]
        return new_id.get(v)

    nodes = []
    for j, node in enumerate(program.nodes):
        if j in drop_nodes:
            continue
        args = tuple(remap(a) for a in node.args)
        if None in args:
            return None
        nodes.append(Node(node.kind, args, node.seed))
    outputs = tuple(o for o in (remap(o) for o in program.outputs) if o is not None)
    if not outputs:
        return None
    inputs = tuple(s for i, s in enumerate(program.inputs) if i not in drop_inputs)
    return Program(inputs, tuple(nodes), outputs)


def cleanup(program: Program) -> Program:
    """Remove nodes no output depends on, then inputs nothing reads."""
    n_in = len(program.inputs)
    live = set(program.outputs)
    for j in range(len(program.nodes) - 1, -1, -1):
        if n_in + j in live:
            live.update(program.nodes[j].args)
    dead_nodes = {j for j in range(len(program.nodes)) if n_in + j not in live}
    dead_inputs = {i for i in range(n_in) if i not in live}
    if len(dead_inputs) == n_in:
        dead_inputs = set()
    if not dead_nodes and not dead_inputs:
        return program
    return renumber(program, dead_nodes, {}, dead_inputs) or program


def _dependents(program: Program, vid: int) -> set[int]:
    n_in = len(program.inputs)
    bad = {vid}
    for j, node in enumerate(program.nodes):
        if any(a in bad for a in node.args):
            bad.add(n_in + j)
    return bad


def candidates(program: Program) -> Iterator[Program]:
    n_in = len(program.inputs)
    if len(program.outputs) > 1:
        for o in program.outputs:
            yield Program(program.inputs, program.nodes, (o,))
    try:
        values, _ = eager_values(program)
    except (Invalid, TfcError, ValueError, TypeError, IndexError):
        values = None
    for j in range(len(program.nodes) - 1, -1, -1):
        vid = n_in + j
        if values is not None:
            key = (shape_of(values[vid]), dtype_name(values[vid]))
            own = [a for a in program.nodes[j].args]
            earlier = own + [v for v in range(vid - 1, -1, -1) if v not in own]
            subs = [v for v in earlier if (shape_of(values[v]), dtype_name(values[v])) == key][:2]
        else:
            subs = list(program.nodes[j].args[:1])
        for s in subs:
            cand = renumber(program, {j}, {vid: s})
            if cand is not None:
                yield cand
        deps = _dependents(program, vid)
        cand = renumber(program, {d - n_in for d in deps}, {})
        if cand is not None:
            yield cand
        if values is not None:  # cut the program here: the node's value becomes an input
            yield _as_input(program, j, shape_of(values[vid]), dtype_name(values[vid]))
    for i, (shape, dt) in enumerate(program.inputs):
        for k, d in enumerate(shape):
            for smaller in sorted({1, d // 2, d - 1}):
                if 1 <= smaller < d:
                    yield _with_input(program, i, shape[:k] + (smaller,) + shape[k + 1:], dt)
        for k in range(len(shape)):
            yield _with_input(program, i, shape[:k] + shape[k + 1:], dt)


def _as_input(program: Program, j: int, shape, dtype) -> Program:
    """Node j removed, its value read from a new primary input (appended to the inputs)."""
    n_in = len(program.inputs)
    vid = n_in + j

    def remap(v: int) -> int:
        if v == vid:
            return n_in
        return v + 1 if n_in <= v < vid else v

    nodes = [Node(n.kind, tuple(remap(a) for a in n.args), n.seed)
             for k, n in enumerate(program.nodes) if k != j]
    return Program(program.inputs + ((tuple(shape), dtype),), tuple(nodes),
                   tuple(remap(o) for o in program.outputs))


def _with_input(program: Program, i: int, shape, dtype) -> Program:
    inputs = list(program.inputs)
    inputs[i] = (tuple(shape), dtype)
    return Program(tuple(inputs), program.nodes, program.outputs)


def valid(program: Program) -> bool:
    try:
        values, _ = eager_values(program)
        check_values(values, program)
        return True
    except (Invalid, TfcError, ValueError, TypeError, IndexError, FloatingPointError):
        return False


def size(program: Program) -> tuple[int, int, int]:
    """What shrinking minimises, in order: nodes, input elements, input ranks."""
    elements = sum(int(_prod(s)) for s, _ in program.inputs)
    return (len(program.nodes), elements, sum(len(s) for s, _ in program.inputs))


def _prod(shape) -> int:
    p = 1
    for d in shape:
        p *= d
    return p


def shrink(program: Program, still_fails: Callable[[Program], bool], *, budget_s: float = 180.0,
           log: Callable[[str], None] = lambda s: None) -> tuple[Program, int]:
    """The smallest program found that `still_fails`; returns (program, candidates tested)."""
    deadline = time.monotonic() + budget_s
    program = cleanup(program)
    tested = 0
    seen = {program.to_json()}
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for cand in candidates(program):
            if time.monotonic() >= deadline:
                break
            cand = cleanup(cand)
            key = cand.to_json()
            if key in seen or size(cand) >= size(program) and len(cand.outputs) >= len(program.outputs):
                continue
            seen.add(key)
            if not valid(cand):
                continue
            tested += 1
            if still_fails(cand):
                log(f"  shrunk to {len(cand.nodes)} nodes, inputs {[list(s) for s, _ in cand.inputs]}")
                program = cand
                improved = True
                break
    return program, tested
