"""Fusion policy: which legal fusions are worth doing, apart from whether they are legal.

`tfc-form-kernels` asks legality first (`fusion.py`), then this policy. The
policy sees per-element op costs and decides where recomputing a value is
cheaper than storing it and reading it back. Every "no" is a reason a user can
read. Swap it by passing another `FusionPolicy` to `FormKernelsPass`'s driver.

The rule it enforces: never duplicate expensive work. A producer is expensive
when its body holds a transcendental op (exp, log, tanh, erf, ...) or costs more
than `cheap_cost` per element; an expensive producer is only computed inside a
consumer that reads each of its elements exactly once and is its only user.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects.linalg import ops as linalg

from tfc.passes.fusion import domain_size, maps

__all__ = ["FusionPolicy", "TRANSCENDENTAL", "op_cost"]

# Per-element cost of one body op, in rough "simple vector op" units.
TRANSCENDENTAL = {
    "math.exp", "math.exp2", "math.expm1", "math.log", "math.log1p", "math.log2",
    "math.log10", "math.tanh", "math.erf", "math.powf", "math.fpowi", "math.ipowi",
    "math.sin", "math.cos", "math.tan", "math.atan", "math.atan2", "math.sinh", "math.cosh",
}
_COST = {
    "arith.divf": 4, "arith.divsi": 4, "arith.divui": 4, "arith.floordivsi": 6,
    "arith.ceildivsi": 6, "arith.remf": 8, "arith.remsi": 4, "arith.remui": 4,
    "math.sqrt": 6, "math.rsqrt": 6, "tensor.extract": 2,
}
_FREE = {"linalg.yield", "arith.constant", "linalg.index"}


def op_cost(op: linalg.GenericOp) -> int:
    """The estimated cost of one iteration of `op`'s body."""
    total = 0
    for o in op.body.block.ops:
        if o.name in _FREE:
            continue
        total += 20 if o.name in TRANSCENDENTAL else _COST.get(o.name, 1)
    return total


def _short(name: str) -> str:
    return name.split(".", 1)[-1]


@dataclass(frozen=True)
class FusionPolicy:
    # Per-element cost up to which a producer may be recomputed (by several consumers,
    # or for each element of a broadcast).
    cheap_cost: int = 8

    def expensive_ops(self, op: linalg.GenericOp) -> list[str]:
        return sorted({_short(o.name) for o in op.body.block.ops if o.name in TRANSCENDENTAL})

    def is_cheap(self, op: linalg.GenericOp) -> bool:
        return not self.expensive_ops(op) and op_cost(op) <= self.cheap_cost

    def _what(self, op: linalg.GenericOp) -> str:
        ops = self.expensive_ops(op)
        return (f"it computes {', '.join(ops)}" if ops
                else f"it costs {op_cost(op)} ops per element (cheap is <= {self.cheap_cost})")

    def inline(self, producer: linalg.GenericOp, consumer: linalg.GenericOp, *,
               n_consumers: int, stays: bool) -> str | None:
        """None if `producer` should be computed inside `consumer`, else why not.

        `n_consumers`: how many consumers it would be computed in; `stays`: whether its
        result is still stored for other users (returned, read by a copy, ...)."""
        if not producer.inputs:
            return None  # a constant or an index function: nothing to read, nothing to save
        reads = sum(1 for v in consumer.inputs if v.owner is producer)
        factor = domain_size(consumer) * reads / max(1, domain_size(producer))
        cheap = self.is_cheap(producer)
        if not cheap and (n_consumers > 1 or stays):
            return (f"it has {n_consumers + int(stays)} users and {self._what(producer)}; "
                    "computing it in each would duplicate that work")
        if stays and not {id(v) for v in producer.inputs} <= {id(v) for v in consumer.inputs}:
            return ("its result is stored anyway for other users; reading it is cheaper "
                    "than recomputing it from its own inputs")
        if not cheap and factor > 1:
            return (f"the consumer reads it broadcast ({factor:g} reads per element) and "
                    f"{self._what(producer)}; it is computed once instead")
        return None

    def merge(self, first: linalg.GenericOp, second: linalg.GenericOp) -> str | None:
        """None if two elementwise generics over the same space should become one
        multi-output generic: when the second reads the first's result, or they read a
        common input the same way (one pass over memory instead of two)."""
        if any(v.owner is first for v in second.inputs):
            return None
        f = {(id(v), m) for v, m in zip(first.inputs, maps(first))}
        if any((id(v), m) in f for v, m in zip(second.inputs, maps(second))):
            return None
        return "they share no input"
