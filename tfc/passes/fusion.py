"""Fusion legality for `tfc-form-kernels`: what MAY fuse, and the exact rewrites that fuse it.

Works on the host function of the `linalg` level (one block of `linalg.generic`,
tensor slices, constants, `tensor.empty` and reshapes), before outlining. Each
`why_not_*` check returns None when a fusion is legal, otherwise a reason a
user can read. The rewrites never change a result: bodies are inlined as they
are (no reassociation; half types keep their truncf/extf rounding points),
indexing maps are composed exactly. Whether a legal fusion is worth doing is
the policy's call (`fusion_policy.py`).

The rewrites:
- `inline_producer(P, C)`: an all-parallel producer P is computed inside its
  consumer C (MLIR's elementwise-op fusion): P's maps are composed with C's map
  for P's result, P's body is cloned into C's in front of C's own.
- `merge_generics(G1, G2)`: two elementwise generics over the same iteration
  space become one generic with the outputs of both (G2 may read G1's results,
  which then never leave registers).
- `fold_splat_inputs(G)`: a splat dense constant read by a generic becomes a
  scalar `arith.constant` in its body.
Analyses for grouping: `generic_kind`, `row_dims_of`, `why_not_row`, `is_convex`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from xdsl.dialects import arith, tensor
from xdsl.dialects.builtin import (
    AffineMapAttr,
    ArrayAttr,
    StringAttr,
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    TensorType,
)
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.traits import IsTerminator
from xdsl.ir.affine import AffineConstantExpr, AffineDimExpr, AffineExpr, AffineMap

__all__ = [
    "CONTRACTION",
    "ELEMENTWISE",
    "FILL",
    "REDUCTION",
    "domain",
    "domain_size",
    "fold_splat_inputs",
    "generic_kind",
    "inline_producer",
    "is_convex",
    "merge_generics",
    "prune_results",
    "restore_order",
    "row_dims_of",
    "op_names",
    "is_permuted_copy",
    "why_not_inline",
    "why_not_merge",
    "why_not_row",
]

FILL = "fill"
ELEMENTWISE = "elementwise"
REDUCTION = "reduction"
CONTRACTION = "contraction"


# ----------------------------------------------------------------------------
# Reading generics


def iterators(op: linalg.GenericOp) -> list[str]:
    return [it.data.value for it in op.iterator_types]


def maps(op: linalg.GenericOp) -> list[AffineMap]:
    return [m.data for m in op.indexing_maps]


def all_parallel(op: linalg.GenericOp) -> bool:
    return all(it == "parallel" for it in iterators(op))


def domain(op: linalg.GenericOp) -> list[int]:
    """The trip count of each loop dimension, from the shapes of the operands it indexes."""
    ms = maps(op)
    bounds: list[int] = [0] * (ms[0].num_dims if ms else 0)
    for operand, m in zip(op.operands, ms):
        shape = operand.type.get_shape()
        for k, e in enumerate(m.results):
            if isinstance(e, AffineDimExpr) and not bounds[e.position]:
                bounds[e.position] = shape[k]
    return bounds


def domain_size(op: linalg.GenericOp) -> int:
    return math.prod(domain(op))


def _out_args_read(op: linalg.GenericOp) -> bool:
    return any(a.uses for a in op.body.block.args[len(op.inputs):])


def _is_permutation(m: AffineMap) -> bool:
    dims = [e.position for e in m.results if isinstance(e, AffineDimExpr)]
    return (len(dims) == len(m.results) == m.num_dims and sorted(dims) == list(range(m.num_dims))
            and m.num_symbols == 0)


def is_permuted_copy(op: Operation) -> bool:
    """A generic that only moves elements: one input read through a permutation of the
    loop dims (a transpose), one output, and a body that yields the input unchanged.
    Folded into a contraction's operand, it becomes that operand's strides."""
    if not isinstance(op, linalg.GenericOp) or len(op.inputs) != 1 or len(op.outputs) != 1:
        return False
    if not all_parallel(op) or _out_args_read(op):
        return False
    ms = maps(op)
    if not (_is_permutation(ms[0]) and _is_permutation(ms[1])):
        return False
    ops = list(op.body.block.ops)
    return (len(ops) == 1 and isinstance(ops[0], linalg.YieldOp)
            and ops[0].operands[0] is op.body.block.args[0]
            and op.inputs[0].type.get_element_type() == op.outputs[0].type.get_element_type())


def _is_identity(m: AffineMap) -> bool:
    return m == AffineMap.identity(m.num_dims) and m.num_symbols == 0


def _is_contraction(op: linalg.GenericOp) -> bool:
    """acc + a * b over reduction dims where the result has a dim only `a` indexes and one
    only `b` indexes (matmul, batched matmul, conv2d): a row-wise dot product is a
    reduction, not a contraction."""
    if len(op.inputs) != 2 or len(op.outputs) != 1 or not _out_args_read(op):
        return False
    names = {o.name for o in op.body.block.ops}
    mul = names & {"arith.mulf", "arith.muli"}
    add = names & {"arith.addf", "arith.addi"}
    other = names - {"arith.mulf", "arith.muli", "arith.addf", "arith.addi", "arith.extf",
                     "arith.truncf", "arith.extsi", "arith.sitofp", "linalg.yield"}
    if not (mul and add) or other:
        return False
    a, b, out = (set().union(*(e.used_dims() for e in m.results)) for m in maps(op))
    return bool((out & a) - b) and bool((out & b) - a)


def generic_kind(op: Operation) -> str | None:
    """fill | elementwise | reduction | contraction for a generic; None for other ops."""
    if not isinstance(op, linalg.GenericOp):
        return None
    if not all_parallel(op):
        return CONTRACTION if _is_contraction(op) else REDUCTION
    if not op.inputs and not _out_args_read(op) and not any(
            isinstance(o, linalg.IndexOp | tensor.ExtractOp) for o in op.body.block.ops):
        return FILL
    return ELEMENTWISE


# ----------------------------------------------------------------------------
# Producer -> consumer inlining


def _input_uses(consumer: linalg.GenericOp, producer: Operation) -> list[int]:
    """Indices of the consumer's inputs that are results of `producer`."""
    return [j for j, v in enumerate(consumer.inputs) if v.owner is producer]


def _composed(producer: linalg.GenericOp, consumer: linalg.GenericOp, j: int) -> AffineMap:
    """The producer's loop dims as affine functions of the consumer's loop dims, for the
    consumer's input `j` (a result of the producer)."""
    r = list(producer.results).index(consumer.inputs[j])
    out_map = maps(producer)[len(producer.inputs) + r]
    inverse = out_map.inverse_permutation()
    assert inverse is not None
    return inverse.compose(maps(consumer)[j])


def why_not_inline(producer: Operation, consumer: Operation) -> str | None:
    """None if `producer` may be computed inside `consumer` (legality only)."""
    if not isinstance(consumer, linalg.GenericOp):
        return f"the consumer is {consumer.name}, a copy; copies are not fused with computation"
    if not isinstance(producer, linalg.GenericOp):
        return f"the producer is {producer.name}, a copy"
    if not all_parallel(producer):
        return "the producer has reduction loops; only elementwise producers are inlined"
    if _out_args_read(producer):
        return "the producer reads its own output (it updates its init in place)"
    for j, v in enumerate(consumer.outputs):
        if v.owner is producer:
            return "the consumer writes into the producer's result (it is the consumer's init)"
    uses = _input_uses(consumer, producer)
    if not uses:
        return "the consumer does not read the producer through an input"
    for j in uses:
        r = list(producer.results).index(consumer.inputs[j])
        if not _is_permutation(maps(producer)[len(producer.inputs) + r]):
            return "the producer writes its result through a map that is not a permutation"
        composed = _composed(producer, consumer, j)
        for o in producer.body.block.ops:
            if isinstance(o, linalg.IndexOp):
                e = composed.results[o.dim.value.data]
                if not isinstance(e, AffineDimExpr | AffineConstantExpr):
                    return (f"the producer uses its loop index {o.dim.value.data}, which the "
                            f"consumer reads as '{e}'")
    # A bare loop index in a map must span its operand's whole dim (linalg derives loop
    # extents from such results and the verifier rejects a mismatch). Composing the
    # maps of two slices can produce one that does not: e.g. two reversed slices give
    # (d0, d1) -> (2*d0, d1) reading dim 1 of a 2x2 input over a loop of extent 1.
    extents = _loop_extents(consumer)
    for j in uses:
        composed = _composed(producer, consumer, j)
        for v, pm in zip(producer.inputs, maps(producer)[:len(producer.inputs)]):
            shape = v.type.get_shape()
            for k, e in enumerate(pm.compose(composed).results):
                if (isinstance(e, AffineDimExpr) and extents.get(e.position) is not None
                        and shape[k] != extents[e.position]):
                    return (f"the fused read of the producer's input would index its dim {k} "
                            f"(size {shape[k]}) by the consumer's loop d{e.position} (extent "
                            f"{extents[e.position]}); a bare loop index must span the whole dim")
    # Every loop of the fused generic must still get its extent from some operand.
    c_maps = maps(consumer)
    indexed: set[int] = set()
    for j, (v, m) in enumerate(zip(consumer.operands, c_maps)):
        if j in uses:
            composed = _composed(producer, consumer, j)
            for pm in maps(producer)[:len(producer.inputs)]:
                indexed |= _direct_dims(pm.compose(composed))
        else:
            indexed |= _direct_dims(m)
    lost = sorted(set(range(len(iterators(consumer)))) - indexed)
    if lost:
        return (f"the consumer's loop d{lost[0]} would be indexed by no operand (only the "
                "producer's result gives its extent)")
    return None


def _loop_extents(op: linalg.GenericOp) -> dict[int, int]:
    """Each loop's extent, from the operand dims its maps index by a bare loop index."""
    extents: dict[int, int] = {}
    for v, m in zip(op.operands, maps(op)):
        shape = v.type.get_shape()
        for k, e in enumerate(m.results):
            if isinstance(e, AffineDimExpr):
                extents.setdefault(e.position, shape[k])
    return extents


def _direct_dims(m: AffineMap) -> set[int]:
    return {e.position for e in m.results if isinstance(e, AffineDimExpr)}


class _Inputs:
    """The input list of a generic being built: (value, map) pairs, deduplicated."""

    def __init__(self):
        self.values: list[SSAValue] = []
        self.maps: list[AffineMap] = []

    def add(self, v: SSAValue, m: AffineMap) -> int:
        for k, (w, n) in enumerate(zip(self.values, self.maps)):
            if w is v and n == m:
                return k
        self.values.append(v)
        self.maps.append(m)
        return len(self.values) - 1


def _clone_body(src: Block, dst: Block, mapping: dict[SSAValue, SSAValue],
                index_exprs: Sequence[AffineExpr] | None = None) -> list[SSAValue]:
    """Clone `src`'s ops (but its yield) to the end of `dst`; return the yielded values.
    `index_exprs[d]` replaces `linalg.index d` (a dim or a constant of the new loop space)."""
    yielded: list[SSAValue] = []
    for o in src.ops:
        if isinstance(o, linalg.YieldOp):
            yielded = [mapping.get(v, v) for v in o.operands]
            break
        if isinstance(o, linalg.IndexOp) and index_exprs is not None:
            e = index_exprs[o.dim.value.data]
            new: Operation = (linalg.IndexOp(e.position) if isinstance(e, AffineDimExpr)
                              else arith.ConstantOp(IntegerAttr.from_index_int_value(e.value)))
            new.results[0].name_hint = o.result.name_hint
            dst.add_op(new)
            mapping[o.result] = new.results[0]
            continue
        new = o.clone(value_mapper=mapping)
        dst.add_op(new)
    return yielded


def _build(inputs: _Inputs, outputs: Sequence[SSAValue], out_maps: Sequence[AffineMap],
           iterator_types, fill_body) -> linalg.GenericOp:
    """A generic over `inputs` and `outputs`; `fill_body(block)` returns the yielded values."""
    block = Block(arg_types=[v.type.get_element_type() for v in inputs.values]
                  + [v.type.get_element_type() for v in outputs])
    yielded = fill_body(block)
    block.add_op(linalg.YieldOp(*yielded))
    return linalg.GenericOp(
        list(inputs.values), list(outputs), Region(block),
        [AffineMapAttr(m) for m in (*inputs.maps, *out_maps)], iterator_types,
        [v.type for v in outputs])


def inline_producer(producer: linalg.GenericOp, consumer: linalg.GenericOp) -> linalg.GenericOp:
    """Replace `consumer` by a generic that computes `producer`'s values itself (see
    `why_not_inline`). The producer stays if other ops still use it."""
    n_in = len(consumer.inputs)
    c_maps = maps(consumer)
    p_maps = maps(producer)
    inputs = _Inputs()
    # One inlined copy of the producer's body per distinct composed map.
    instances: list[tuple[AffineMap, list[int]]] = []
    # Each consumer input: ("input", k) reads new input k; ("instance", (i, r)) is
    # result r of inlined copy i.
    operand_plan: list[tuple[str, object]] = []
    for j, v in enumerate(consumer.inputs):
        if v.owner is producer:
            composed = _composed(producer, consumer, j)
            r = list(producer.results).index(v)
            for i, (m, _) in enumerate(instances):
                if m == composed:
                    break
            else:
                ks = [inputs.add(pv, pm.compose(composed))
                      for pv, pm in zip(producer.inputs, p_maps)]
                instances.append((composed, ks))
                i = len(instances) - 1
            operand_plan.append(("instance", (i, r)))
        else:
            operand_plan.append(("input", inputs.add(v, c_maps[j])))

    def body(block: Block) -> list[SSAValue]:
        n_new = len(inputs.values)
        yields: list[list[SSAValue]] = []
        for composed, ks in instances:
            mapping = {a: block.args[k] for a, k in zip(producer.body.block.args, ks)}
            yields.append(_clone_body(producer.body.block, block, mapping, composed.results))
        mapping: dict[SSAValue, SSAValue] = {}
        for a, (what, k) in zip(consumer.body.block.args[:n_in], operand_plan):
            if what == "input":
                mapping[a] = block.args[k]
            else:
                i, r = k
                mapping[a] = yields[i][r]
        for a, b in zip(consumer.body.block.args[n_in:], block.args[n_new:]):
            mapping[a] = b
        return _clone_body(consumer.body.block, block, mapping)

    new = _build(inputs, consumer.outputs, c_maps[n_in:], consumer.iterator_types, body)
    _replace(consumer, new, producer)
    return new


def op_names(op: Operation) -> list[str]:
    """Front-end op names recorded on a generic (`tfc.op` / `tfc.ops`)."""
    names: list[str] = []
    for key in ("tfc.op", "tfc.ops"):
        attr = op.attributes.get(key)
        if isinstance(attr, StringAttr):
            names.append(attr.data)
        elif isinstance(attr, ArrayAttr):
            names.extend(a.data for a in attr.data if isinstance(a, StringAttr))
    return names


def _keep_attributes(new: Operation, *olds: Operation) -> None:
    """Carry the discardable attributes of the fused ops over; their front-end op names
    are all kept, as `tfc.ops`."""
    names: list[str] = []
    for old in olds:
        new.attributes.update(old.attributes)
        names += [n for n in op_names(old) if n not in names]
    new.attributes.pop("tfc.op", None)
    new.attributes.pop("tfc.ops", None)
    if len(names) == 1:
        new.attributes["tfc.op"] = StringAttr(names[0])
    elif names:
        new.attributes["tfc.ops"] = ArrayAttr([StringAttr(n) for n in names])


def _replace(old: linalg.GenericOp, new: linalg.GenericOp, *others: Operation) -> None:
    _keep_attributes(new, *others, old)
    for a, b in zip(old.results, new.results):
        b.name_hint = a.name_hint
    block = old.parent_block()
    assert block is not None
    block.insert_op_before(new, old)
    for a, b in zip(old.results, new.results):
        a.replace_all_uses_with(b)
    old.detach()
    old.erase()


# ----------------------------------------------------------------------------
# Multi-output merging of elementwise generics


def _identity_outputs(op: linalg.GenericOp) -> bool:
    return all(_is_identity(m) for m in maps(op)[len(op.inputs):])


def why_not_merge(first: linalg.GenericOp, second: linalg.GenericOp) -> str | None:
    """None if `first` and `second` (first earlier in the block) may become one generic."""
    for g in (first, second):
        if generic_kind(g) not in (ELEMENTWISE, FILL) or _out_args_read(g):
            return f"{g.name} is not elementwise"
        if not _identity_outputs(g):
            return "an output is written through a non-identity map"
    if domain(first) != domain(second):
        return f"different iteration spaces {domain(first)} and {domain(second)}"
    for j, v in enumerate(second.inputs):
        if v.owner is first and not _is_identity(maps(second)[j]):
            return "the second reads the first's result through a non-identity map"
    if any(v.owner is first for v in second.outputs):
        return "the second writes into the first's result"
    if not is_convex([first, second]):
        return "another op between them depends on the first and feeds the second"
    return None


def merge_generics(first: linalg.GenericOp, second: linalg.GenericOp) -> linalg.GenericOp:
    """One generic computing both (see `why_not_merge`), placed where `second` was: its
    results are first's results, then second's. Call `restore_order` afterwards."""
    inputs = _Inputs()
    f_maps, s_maps = maps(first), maps(second)
    f_ks = [inputs.add(v, m) for v, m in zip(first.inputs, f_maps)]
    s_plan: list[int | None] = []
    for v, m in zip(second.inputs, s_maps):
        s_plan.append(None if v.owner is first else inputs.add(v, m))
    outputs = [*first.outputs, *second.outputs]
    # Each output needs a buffer of its own: a shared `tensor.empty` init is split.
    block0 = second.parent_block()
    assert block0 is not None
    for k, v in enumerate(outputs):
        if v in outputs[:k] and isinstance(v.owner, tensor.EmptyOp):
            clone = v.owner.clone()
            block0.insert_op_before(clone, second)
            outputs[k] = clone.results[0]
    out_maps = [*f_maps[len(first.inputs):], *s_maps[len(second.inputs):]]

    def body(block: Block) -> list[SSAValue]:
        n_new = len(inputs.values)
        n_f_out = len(first.outputs)
        mapping = {a: block.args[k] for a, k in zip(first.body.block.args, f_ks)}
        for a, b in zip(first.body.block.args[len(first.inputs):], block.args[n_new:]):
            mapping[a] = b
        y1 = _clone_body(first.body.block, block, mapping)
        mapping2: dict[SSAValue, SSAValue] = {}
        for a, v, k in zip(second.body.block.args, second.inputs, s_plan):
            mapping2[a] = y1[list(first.results).index(v)] if k is None else block.args[k]
        for a, b in zip(second.body.block.args[len(second.inputs):], block.args[n_new + n_f_out:]):
            mapping2[a] = b
        return y1 + _clone_body(second.body.block, block, mapping2)

    new = _build(inputs, outputs, out_maps, second.iterator_types, body)
    _keep_attributes(new, first, second)
    for a, b in zip([*first.results, *second.results], new.results):
        b.name_hint = a.name_hint
    block = second.parent_block()
    assert block is not None
    block.insert_op_before(new, second)
    for a, b in zip([*first.results, *second.results], new.results):
        a.replace_all_uses_with(b)
    for g in (second, first):
        g.detach()
        g.erase()
    return new


def prune_results(op: linalg.GenericOp) -> linalg.GenericOp:
    """Drop the results nobody uses (at least one stays). Returns the op now in place."""
    keep = [i for i, r in enumerate(op.results) if r.uses]
    if len(keep) == len(op.results) or not keep:
        return op
    n_in = len(op.inputs)
    inputs = _Inputs()
    ks = [inputs.add(v, m) for v, m in zip(op.inputs, maps(op)[:n_in])]
    outs = [op.outputs[i] for i in keep]
    out_maps = [maps(op)[n_in + i] for i in keep]

    def body(block: Block) -> list[SSAValue]:
        mapping = {a: block.args[k] for a, k in zip(op.body.block.args, ks)}
        for i, b in zip(keep, block.args[len(inputs.values):]):
            mapping[op.body.block.args[n_in + i]] = b
        y = _clone_body(op.body.block, block, mapping)
        return [y[i] for i in keep]

    new = _build(inputs, outs, out_maps, op.iterator_types, body)
    new.attributes.update(op.attributes)
    parent = op.parent_block()
    assert parent is not None
    parent.insert_op_before(new, op)
    for i, r in zip(keep, new.results):
        r.name_hint = op.results[i].name_hint
        op.results[i].replace_all_uses_with(r)
    op.detach()
    op.erase()
    return new


# ----------------------------------------------------------------------------
# Splat constants into bodies

_SCALAR_CONSTANT_TYPES = (Float32Type, Float64Type)


def _splat_scalar(v: SSAValue):
    """(python value, element type) if `v` is a dense constant whose elements all have the
    same bits, and the type is one a body constant holds exactly (f32, f64, i32, i64)."""
    owner = v.owner
    if not isinstance(owner, arith.ConstantOp) or not isinstance(v.type, TensorType):
        return None
    attr = owner.value
    if not isinstance(attr, DenseIntOrFPElementsAttr):
        return None
    t = v.type.get_element_type()
    if isinstance(t, _SCALAR_CONSTANT_TYPES):
        dt = np.float32 if isinstance(t, Float32Type) else np.float64
    elif isinstance(t, IntegerType) and t.width.data in (32, 64):
        dt = np.int32 if t.width.data == 32 else np.int64
    else:
        return None
    raw = np.frombuffer(attr.data.data, np.uint8)
    size = np.dtype(dt).itemsize
    if raw.size == 0 or raw.size % size:
        return None
    rows = raw.reshape(-1, size)
    if not np.all(rows == rows[:1]):
        return None
    value = np.frombuffer(rows[0].tobytes(), dt)[0]
    if isinstance(t, _SCALAR_CONSTANT_TYPES):
        if np.isnan(value):
            return None  # a NaN's payload would not survive printing
        return float(value), t
    return int(value), t


def fold_splat_inputs(op: linalg.GenericOp) -> linalg.GenericOp:
    """Read splat dense constants as scalar constants in the body instead of as inputs."""
    folded = {j: s for j, v in enumerate(op.inputs) if (s := _splat_scalar(v)) is not None}
    n_in = len(op.inputs)
    # Keep a constant input that alone gives some loop its extent.
    kept = set().union(set(), *(_direct_dims(m) for j, m in enumerate(maps(op)) if j not in folded))
    for j in list(folded):
        if _direct_dims(maps(op)[j]) - kept:
            del folded[j]
            kept |= _direct_dims(maps(op)[j])
    if not folded:
        return op
    inputs = _Inputs()
    ks = {j: inputs.add(v, m) for j, (v, m) in enumerate(zip(op.inputs, maps(op)[:n_in]))
          if j not in folded}

    def body(block: Block) -> list[SSAValue]:
        mapping: dict[SSAValue, SSAValue] = {}
        for j, a in enumerate(op.body.block.args[:n_in]):
            if j in folded:
                value, t = folded[j]
                attr = FloatAttr(value, t) if not isinstance(t, IntegerType) else IntegerAttr(value, t)
                c = arith.ConstantOp(attr)
                c.result.name_hint = a.name_hint
                block.add_op(c)
                mapping[a] = c.result
            else:
                mapping[a] = block.args[ks[j]]
        for a, b in zip(op.body.block.args[n_in:], block.args[len(inputs.values):]):
            mapping[a] = b
        return _clone_body(op.body.block, block, mapping)

    new = _build(inputs, op.outputs, maps(op)[n_in:], op.iterator_types, body)
    _replace(op, new)
    return new


# ----------------------------------------------------------------------------
# Row kernels


def row_dims_of(op: linalg.GenericOp) -> int:
    """How many leading loop dims of a reduction are rows its result is indexed by: the
    leading parallel dims, when every reduction dim comes after them and the output map
    starts with them (d0..dN-1, then only constants). 0 when there are no such rows."""
    its = iterators(op)
    n = 0
    while n < len(its) and its[n] == "parallel":
        n += 1
    if n == 0 or any(it == "parallel" for it in its[n:]) or n == len(its):
        return 0
    for m in maps(op)[len(op.inputs):]:
        if not _leads_with_rows(m, n):
            return 0
        if any(not isinstance(e, AffineConstantExpr) for e in m.results[n:]):
            return 0
    return n


def _leads_with_rows(m: AffineMap, n: int) -> bool:
    if len(m.results) < n:
        return False
    if any(not (isinstance(e, AffineDimExpr) and e.position == d) for d, e in enumerate(m.results[:n])):
        return False
    return all(not (e.used_dims() & set(range(n))) for e in m.results[n:])


def why_not_row(op: linalg.GenericOp, n: int, rows: Sequence[int],
                internal: set[SSAValue]) -> str | None:
    """None if `op` can run row by row with the other ops of a row kernel: its first `n`
    loop dims are the parallel rows `rows`, and it reads the kernel's own values and writes
    its results only within the current row. Values from outside (`internal` holds the
    kernel's own) may be read with any map: they are complete before the kernel starts."""
    its = iterators(op)
    if len(its) < n or any(it != "parallel" for it in its[:n]):
        return f"its first {n} loops are not all parallel"
    if list(domain(op)[:n]) != list(rows):
        return f"its rows {domain(op)[:n]} differ from the kernel's {list(rows)}"
    ms = maps(op)
    for j, v in enumerate(op.operands):
        is_out = j >= len(op.inputs)
        if not is_out and v not in internal:
            continue
        if not _leads_with_rows(ms[j], n) or list(v.type.get_shape()[:n]) != list(rows):
            what = "writes its result" if is_out else "reads a value of the kernel"
            return f"it {what} through {ms[j]}, not row by row"
    return None


# ----------------------------------------------------------------------------
# Graph helpers on the host block


def _operands_deep(op: Operation) -> Iterable[SSAValue]:
    for o in op.walk():
        yield from o.operands


def is_convex(group: Iterable[Operation]) -> bool:
    """No op outside `group` lies on a path from the group back into the group."""
    group = set(group)
    if len(group) <= 1:
        return True
    block = next(iter(group)).parent_block()
    assert block is not None
    first = min(group, key=lambda o: _pos(block, o))
    last = max(group, key=lambda o: _pos(block, o))
    tainted: set[Operation] = set()
    op = first.next_op
    while op is not None and op is not last:
        if op not in group:
            for v in _operands_deep(op):
                owner = v.owner
                if isinstance(owner, Operation):
                    top = block.find_ancestor_op_in_block(owner)
                    if top in group or top in tainted:
                        tainted.add(op)
                        break
        op = op.next_op
    if not tainted:
        return True
    for g in group:
        for v in _operands_deep(g):
            owner = v.owner
            if isinstance(owner, Operation) and block.find_ancestor_op_in_block(owner) in tainted:
                return False
    return True


def _pos(block: Block, op: Operation) -> int:
    return block.get_operation_index(op)


def restore_order(block: Block) -> None:
    """Reorder `block`'s ops (stably) so that every value is defined before its uses;
    merging places an op where the later of its parts was, so uses of the earlier part's
    results may need to move down. The terminator stays last."""
    ops = list(block.ops)
    terminator = ops.pop() if ops and ops[-1].has_trait(IsTerminator) else None
    index = {op: i for i, op in enumerate(ops)}
    deps: dict[Operation, set[Operation]] = {}
    for op in ops:
        d = set()
        for v in _operands_deep(op):
            owner = v.owner
            if isinstance(owner, Operation):
                top = block.find_ancestor_op_in_block(owner)
                if top is not None and top is not op and top is not terminator:
                    d.add(top)
        deps[op] = d
    if all(index[d] < index[op] for op in ops for d in deps[op]):
        return
    import heapq

    users: dict[Operation, list[Operation]] = {op: [] for op in ops}
    missing = {op: len(deps[op]) for op in ops}
    for op in ops:
        for d in deps[op]:
            users[d].append(op)
    ready = [(index[op], id(op), op) for op in ops if missing[op] == 0]
    heapq.heapify(ready)
    order: list[Operation] = []
    while ready:
        _, _, op = heapq.heappop(ready)
        order.append(op)
        for u in users[op]:
            missing[u] -= 1
            if missing[u] == 0:
                heapq.heappush(ready, (index[u], id(u), u))
    assert len(order) == len(ops), "restore_order: the block has a cycle"
    for op in order:
        op.detach()
        block.add_op(op)
    if terminator is not None:
        terminator.detach()
        block.add_op(terminator)
