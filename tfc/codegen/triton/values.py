"""The second layer of a kernel writer: values. A generic's output is its body's
yielded value, emitted op by op (`scalar_ops.render`) on operands that are
read: forwarded in registers from the generic that wrote them at the same
addresses, or loaded. A `memref.load` in a body (gather) is a load at computed
indices. Reductions fold their block result onto their init through the
body's own chain of ops (`chain_value`).
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import arith, memref
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, Operation, SSAValue

from tfc.codegen.triton import scalar_ops as ops
from tfc.codegen.triton.addresses import AddressingWriter, _Val
from tfc.codegen.triton.body_patterns import _Combine
from tfc.codegen.triton.kernel_info import _Gen, _NotFusable, _View
from tfc.codegen.triton.scalar_ops import UnsupportedOp


# Ops whose Triton form accepts a Python number beside a tensor (it takes the tensor's type).
_LITERAL_FRIENDLY = {
    "arith.addf", "arith.subf", "arith.mulf", "arith.divf", "arith.addi", "arith.subi",
    "arith.muli", "arith.divsi", "arith.remsi", "arith.remf", "arith.cmpf", "arith.cmpi",
    "arith.andi", "arith.ori", "arith.xori", "arith.select", "arith.maximumf", "arith.minimumf",
    "arith.maxnumf", "arith.minnumf", "arith.maxsi", "arith.minsi", "arith.shli", "arith.shrsi",
}


class ValueWriter(AddressingWriter):
    """Values of generics: forwarded, loaded, or computed from their bodies."""

    def read(self, g: _Gen, view: _View, m) -> _Val:
        """The value of `view` at `m`(g's dims): forwarded from an earlier generic, or loaded."""
        writers = self.writers_before(g, view.param)
        if writers:
            key = self.addr_key(g, view, m)
            h, j = writers[-1]
            hv, hm = h.outs[j]
            if self.addr_key(h, hv, hm) != key:
                raise _NotFusable(f"{g.op.name} #{g.index} reads {view.param.name} at other addresses "
                                  f"than #{h.index} wrote")
            return self.value(h, j)
        if any(v.param is view.param for h in self.gens if h.index > g.index for v, _ in h.outs):
            raise _NotFusable(f"{view.param.name} is read, then overwritten by a later generic")
        return self.load(g, view, m)

    def body_value(self, g: _Gen, env: dict, v: SSAValue, skip: set) -> _Val:
        return self.body_values(g, env, [v], skip)[0]

    def body_values(self, g: _Gen, env: dict, roots: Sequence[SSAValue], skip: set) -> list[_Val]:
        """Emit the body ops `roots` depend on, in the body's order (memoized in `env`)."""
        needed: set[Operation] = set()
        work = list(roots)
        while work:
            x = work.pop()
            op = x.owner
            if x in env or not isinstance(op, Operation) or op in needed or op in skip:
                continue
            needed.add(op)
            work.extend(op.operands)
        for op in g.body.ops:
            if op in needed and op.results and op.results[0] not in env:
                self.body_value_one(g, env, op.results[0], skip)
        return [self.body_value_one(g, env, v, skip) for v in roots]

    def body_value_one(self, g: _Gen, env: dict, v: SSAValue, skip: set) -> _Val:
        if v in env:
            return env[v]
        op = v.owner
        if isinstance(op, Block):
            i = op.args.index(v)
            if i < len(g.ins):
                env[v] = self.read(g, *g.ins[i])
            else:
                env[v] = self.read(g, *g.outs[i - len(g.ins)])
            return env[v]
        assert isinstance(op, Operation) and op not in skip
        if isinstance(op, arith.ConstantOp):
            env[v] = _Val(ops.literal(op.value, v.type), frozenset(), True)
        elif isinstance(op, linalg.IndexOp):
            d = op.dim.value.data
            var = self.dim_var(g, d)
            grp = frozenset() if var == "0" else frozenset({self.kdims[self.sigma[g.index][d]].group})
            if var == "0" or (self.mode == "sequential" and grp == {"cols"}):
                # A loop counter (a plain int in the interpreter) or 0: a typed block.
                env[v] = self.local(f"tl.full({self.base[0]}, {var}, tl.int32)", self.base[1], "index")
            else:
                env[v] = _Val(var, grp)
        elif isinstance(op, memref.LoadOp):
            view = self.info.views[op.memref]
            idx = [self.body_value(g, env, x, skip) for x in op.indices]
            addr = self.address(view, [i.expr for i in idx])
            groups = frozenset().union(*(i.groups for i in idx)) if idx else frozenset()
            env[v] = self.local(*self.load_expr(addr, groups, view), view.name)
        else:
            args = [self.body_value(g, env, x, skip) for x in op.operands]
            env[v] = self.apply(op, args)
        return env[v]

    def apply(self, op: Operation, args: list[_Val]) -> _Val:
        """Emit `op` on operand values; literals stay literals through float conversions."""
        if len(op.results) != 1:
            raise UnsupportedOp(f"Triton target: {op.name} with {len(op.results)} results")
        if op.name in ("arith.extf", "arith.truncf") and args[0].literal:
            return args[0]
        exprs = [a.expr for a in args]
        if args and any(a.literal for a in args) and (
                all(a.literal for a in args) or op.name not in _LITERAL_FRIENDLY):
            # A Python number has no dtype of its own: give it the operand's.
            exprs = [f"tl.full({self.base[0]}, {a.expr}, {ops.tl_type(x.type)})" if a.literal else a.expr
                     for a, x in zip(args, op.operands)]
            args = [_Val(a.expr, self.base[1]) if a.literal else a for a in args]
        groups = frozenset().union(*(a.groups for a in args)) if args else frozenset()
        return self.local(ops.render(op, exprs), groups, op.name.split(".")[-1])

    def value(self, g: _Gen, j: int) -> _Val:
        """Output `j` of pointwise generic `g` (reductions are computed by their phase)."""
        key = ("gen", g.index, j)
        hit = self.scope_lookup(key)
        if hit is not None:
            return hit
        if g.reduction:
            raise _NotFusable(f"the reduction #{g.index} is read before it is complete")
        # The outputs of one generic share its body's values (within this scope).
        env = self.memo[-1].setdefault(("env", g.index), {})
        vals = self.body_values(g, env, g.body.last_op.operands, set())
        for k, val in enumerate(vals):
            self.remember(("gen", g.index, k), val)
        return vals[j]

    def read_init(self, r: _Gen, view: _View, m) -> _Val:
        writers = self.writers_before(r, view.param)
        if writers:
            h, jj = writers[-1]
            hv, hm = h.outs[jj]
            if self.addr_key(h, hv, hm) != self.addr_key(r, view, m):
                raise _NotFusable("a reduction's init is written at other addresses")
            return self.value(h, jj)
        return self.load(r, view, m)

    def chain_value(self, r: _Gen, cb: _Combine, env: dict, init: _Val, red: _Val) -> _Val:
        for op in cb.chain:
            if op is cb.op and init.literal and init.expr in ("0.0", "0", "-0.0") and cb.op.name in ("arith.addf", "arith.addi"):
                env[op.results[0]] = red
                continue
            if op is cb.op and init.literal and cb.op.name.startswith("arith.m") and \
                    init.expr == ops.neutral_literal(cb.op.name, op.results[0].type):
                env[op.results[0]] = red
                continue
            env[op.results[0]] = self.apply(op, [env[v] for v in op.operands])
        return env[cb.chain[-1].results[0]]
