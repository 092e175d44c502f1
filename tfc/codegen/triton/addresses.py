"""The first layer of a kernel writer: its state, and addresses. Every generic's
loop dims map onto one set of *kernel dims* (`assign`); an access is then a
linear form over kernel dims (`addr_key`), which decides what may be forwarded in
registers and which writes overlap, and renders as `x_ptr + i * stride_x0 + ...`
with the mask of the block axes it varies along. Loads and stores live here;
the values stored come from `values.py`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xdsl.ir.affine import AffineBinaryOpExpr, AffineBinaryOpKind, AffineConstantExpr, AffineDimExpr, AffineExpr

from tfc.codegen.triton import scalar_ops as ops
from tfc.codegen.triton.kernel_info import _Gen, _KernelInfo, _NotFusable, _Param, _View
from tfc.codegen.triton.policy import GpuPolicy
from tfc.codegen.triton.scalar_ops import UnsupportedOp
from tfc.codegen.triton.source_text import _Code, _digit, _Names, _paren


def _linear(e: AffineExpr) -> dict | None:
    """{dim: coeff, None: const} for an affine expression without mod/div; None otherwise."""
    if isinstance(e, AffineDimExpr):
        return {e.position: 1}
    if isinstance(e, AffineConstantExpr):
        return {None: e.value}
    if isinstance(e, AffineBinaryOpExpr):
        lhs, rhs = _linear(e.lhs), _linear(e.rhs)
        if lhs is None or rhs is None:
            return None
        if e.kind == AffineBinaryOpKind.Add:
            out = dict(lhs)
            for k, v in rhs.items():
                out[k] = out.get(k, 0) + v
            return out
        if e.kind == AffineBinaryOpKind.Mul:
            for x, y in ((lhs, rhs), (rhs, lhs)):
                if set(y) <= {None}:
                    c = y.get(None, 0)
                    return {k: v * c for k, v in x.items()}
    return None


@dataclass
class _KDim:
    """One kernel dim: its extent, the block axis it varies along, and its index variable."""

    bound: int
    group: str          # "flat", "rows", "cols", "m", "n", "batch"
    var: str = ""       # index expression in generated code


@dataclass(frozen=True)
class _Val:
    """A value in the generated code: its expression, the block axes (groups) it varies
    along, and whether it is a Python literal (which has no dtype of its own)."""

    expr: str
    groups: frozenset = frozenset()
    literal: bool = False


def _sigma_dims(g: _Gen, sigma: dict[int, int], expr: AffineExpr, unit: set[int]):
    """The kernel dims an expression of g's dims uses."""
    return {sigma[d] for d in expr.used_dims() if d not in unit and d in sigma}


class AddressingWriter:
    """Emits one @triton.jit function (plus launcher) for a list of generics of a kernel:
    the state, kernel dims, addresses, loads and stores. The kernel kinds build on it
    (see kernel.py)."""

    def __init__(self, info: _KernelInfo, gens: list[_Gen], name: str, policy: GpuPolicy,
                 schedule: dict, live_extra: Iterable[str] = ()):
        self.info, self.gens, self.name, self.policy, self.schedule = info, gens, name, policy, schedule
        self.live_extra = set(live_extra)   # parameters a later launch of the same kernel reads
        self.optional: set[str] = set()     # index variables: dropped when nothing reads them
        self.code = _Code()
        self.names = _Names([p.name + "_ptr" for p in info.params])
        self.kdims: list[_KDim] = []
        self.sigma: dict[int, dict[int, int]] = {}   # generic index -> its dim -> kernel dim
        self.unit: dict[int, set[int]] = {}          # generic index -> its dims of extent 1
        self.memo: list[dict] = [{}]
        self.strides: dict[str, int] = {}                # stride argument -> value
        self.extents: dict[str, int] = {}                # extent argument -> value
        self.used_params: list[_Param] = []
        self.writes: set[int] = set()
        self.group_masks: dict[frozenset, str] = {}
        self.mode = ""
        self.base = ("[BLOCK_SIZE]", frozenset({"flat"}))  # the block a lone scalar is spread over
        self.scalar_groups: frozenset = frozenset()          # index groups that are scalars, not blocks

    # -- small helpers -------------------------------------------------------

    def scope_lookup(self, key):
        for scope in reversed(self.memo):
            if key in scope:
                return scope[key]
        return None

    def remember(self, key, val: _Val) -> _Val:
        # A value defined inside a column loop exists only there (Triton scopes it so).
        self.memo[-1][key] = val
        return val

    def local(self, expr: str, groups: frozenset, hint: str) -> _Val:
        name = self.names.fresh(hint, "v")
        self.code(f"{name} = {expr}")
        return _Val(name, groups)

    def use_param(self, p: _Param) -> str:
        if p not in self.used_params:
            self.used_params.append(p)
        return p.name + "_ptr"

    def stride_arg(self, view: _View, axis: int) -> str:
        name = f"stride_{view.name}{axis}"
        value = view.strides[axis]
        while name in self.strides and self.strides[name] != value:
            name += "_"
        self.strides[name] = value
        return name

    # -- addresses -------------------------------------------------------------

    def addr_key(self, g: _Gen, view: _View, m) -> tuple:
        """Identifies the addresses an access touches, as a function of the kernel dims."""
        sigma, unit = self.sigma[g.index], self.unit[g.index]
        total: dict = {None: view.offset}
        for e, stride in zip(m.results, view.strides):
            lin = _linear(e)
            if lin is None:
                return (view.param.name, "expr", str(m), view.offset, tuple(view.strides),
                        tuple(sorted(sigma.items())))
            for d, c in lin.items():
                if d is None:
                    total[None] = total[None] + c * stride
                elif d in unit:
                    continue
                else:
                    kd = sigma[d]
                    total[kd] = total.get(kd, 0) + c * stride
        return (view.param.name, tuple(sorted((k, v) for k, v in total.items() if k is not None and v)),
                total[None])

    def render_expr(self, e: AffineExpr, dim_expr) -> str:
        if isinstance(e, AffineDimExpr):
            return dim_expr(e.position)
        if isinstance(e, AffineConstantExpr):
            return str(e.value)
        if isinstance(e, AffineBinaryOpExpr):
            lhs, rhs = self.render_expr(e.lhs, dim_expr), self.render_expr(e.rhs, dim_expr)
            if e.kind == AffineBinaryOpKind.Add:
                if rhs == "0":
                    return lhs
                if lhs == "0":
                    return rhs
                return f"{lhs} + {rhs}"
            if e.kind == AffineBinaryOpKind.Mul:
                if "0" in (lhs, rhs):
                    return "0"
                return f"{_paren(lhs)} * {_paren(rhs)}"
            wrap = _paren
            if e.kind == AffineBinaryOpKind.Mod:
                return f"{wrap(lhs)} % {wrap(rhs)}"
            if e.kind == AffineBinaryOpKind.FloorDiv:
                return f"{wrap(lhs)} // {wrap(rhs)}"
            return f"tl.cdiv({lhs}, {rhs})"
        raise UnsupportedOp(f"Triton target: unsupported affine expression {e}")

    def address(self, view: _View, exprs: Sequence[str], flat_ok: str | None = None) -> str:
        """`x_ptr + i * stride_x0 + ...` for index expressions of each axis of `view`."""
        ptr = self.use_param(view.param)
        if flat_ok is not None:
            return f"{ptr} + {flat_ok}" + (f" + {view.offset}" if view.offset else "")
        terms = []
        for axis, (idx, size) in enumerate(zip(exprs, view.shape)):
            if size == 1 or idx == "0":
                continue
            idx = _paren(idx)
            terms.append(f"{idx} * {self.stride_arg(view, axis)}")
        if view.offset:
            terms.append(str(view.offset))
        return " + ".join([ptr] + terms)

    def dim_var(self, g: _Gen, d: int) -> str:
        if d in self.unit[g.index]:
            return "0"
        return self.kdims[self.sigma[g.index][d]].var

    def groups_of(self, g: _Gen, m) -> frozenset:
        used = set()
        for e in m.results:
            used |= _sigma_dims(g, self.sigma[g.index], e, self.unit[g.index])
        return frozenset(self.kdims[k].group for k in used)

    def mask_for(self, groups: Iterable[str]) -> str | None:
        groups = frozenset(groups)
        return self.group_masks.get(groups)

    def flat_index(self, g: _Gen, view: _View, m) -> str | None:
        """`offs` when the access walks the flattened block contiguously (pointwise kernels)."""
        if self.mode != "flat" or not self.kdims:
            return None
        key = self.addr_key(g, view, m)
        if len(key) != 3 or key[1] == "expr":
            return None
        coeffs = dict(key[1])
        expected, stride = {}, 1
        for k in reversed(range(len(self.kdims))):
            expected[k] = stride
            stride *= self.kdims[k].bound
        return "offs" if coeffs == expected and key[2] == view.offset else None

    def access(self, g: _Gen, view: _View, m) -> tuple[str, frozenset]:
        groups = self.groups_of(g, m)
        flat = self.flat_index(g, view, m)
        exprs = [self.render_expr(e, lambda d: self.dim_var(g, d)) for e in m.results]
        return self.address(view, exprs, flat), groups

    # -- loads and stores ------------------------------------------------------

    def writers_before(self, g: _Gen, param: _Param) -> list[tuple[_Gen, int]]:
        return [(h, j) for h in self.gens if h.index < g.index
                for j, (v, _) in enumerate(h.outs) if v.param is param]

    def load(self, g: _Gen, view: _View, m) -> _Val:
        key = ("load", self.addr_key(g, view, m))
        hit = self.scope_lookup(key)
        if hit is not None:
            return hit
        addr, groups = self.access(g, view, m)
        return self.remember(key, self.local(*self.load_expr(addr, groups, view), view.name))

    def load_expr(self, addr: str, groups: frozenset, view: _View) -> tuple[str, frozenset]:
        mask = self.mask_for(groups)
        other = "0.0" if ops.is_float(view.param.elem) else "0"
        expr = f"tl.load({addr}, mask={mask}, other={other})" if mask else f"tl.load({addr})"
        if groups <= self.scalar_groups:
            # One element for the whole block: make it a block (the interpreter
            # mistypes comparisons of scalars; on a GPU the broadcast is free).
            shape, base = self.base
            expr = f"tl.broadcast_to({expr}, {shape})"
            groups = groups | base
        return expr, groups

    def store(self, g: _Gen, j: int, val: _Val) -> None:
        view, m = g.outs[j]
        addr, groups = self.access(g, view, m)
        missing = [grp for grp in sorted(val.groups - groups)]
        for grp in missing:  # a rank-0 result of a block: every lane writes the one element
            addr += f" + {self.group_var(grp)} * 0"
        mask = self.mask_for(groups | val.groups)
        value = val.expr
        self.code(f"tl.store({addr}, {value}, mask={mask})" if mask else f"tl.store({addr}, {value})")
        self.writes.add(view.param.arg)

    def group_var(self, grp: str) -> str:
        return {"flat": "offs", "rows": "rows", "cols": "cols", "m": "offs_m[:, None]",
                "n": "offs_n[None, :]", "batch": "0"}[grp]

    def needs_store(self, g: _Gen, j: int) -> bool:
        view, m = g.outs[j]
        if view.param.live_out or view.param.name in self.live_extra:
            # Superseded by a later write of the same addresses in this kernel?
            key = self.addr_key(g, view, m)
            for h in self.gens:
                if h.index > g.index:
                    for hv, hm in h.outs:
                        if hv.param is view.param and self.addr_key(h, hv, hm) == key:
                            return False
            return True
        return False

    def check_writes(self) -> None:
        """Writes of one buffer at different addresses must not overlap: programs run in
        any order, so which of two overlapping stores lands last would be chance."""
        spans: dict[str, list[tuple]] = {}
        for g in self.gens:
            for view, m in g.outs:
                key = self.addr_key(g, view, m)
                lo = hi = None
                if len(key) == 3 and key[1] != "expr":
                    lo = hi = key[2]
                    for k, coeff in key[1]:
                        reach = coeff * (self.kdims[k].bound - 1)
                        lo, hi = lo + min(reach, 0), hi + max(reach, 0)
                for other, olo, ohi in spans.get(view.param.name, []):
                    if other == key or (lo is not None and olo is not None and (hi < olo or ohi < lo)):
                        continue
                    if lo is not None and olo is not None and self.translates_apart(key, other):
                        continue
                    raise _NotFusable(f"{view.param.name} is written at overlapping addresses twice")
                spans.setdefault(view.param.name, []).append((key, lo, hi))

    def translates_apart(self, a: tuple, b: tuple) -> bool:
        """Two writes with the same strides over the same dims, shifted by an offset (the
        parts of a concatenation): disjoint unless the shift is a reachable index step.
        Exact when the strides nest like an array's (each at least the next one's span)."""
        if a[1] != b[1]:
            return False
        dims = sorted(((abs(c), self.kdims[k].bound) for k, c in a[1]), reverse=True)
        if any(c < c2 * b2 for (c, _), (c2, b2) in zip(dims, dims[1:])):
            return False

        def reachable(delta: int, rest) -> bool:
            if not rest:
                return delta == 0
            (c, bound), tail = rest[0], rest[1:]
            return any(abs(t) < bound and reachable(delta - t * c, tail)
                       for t in {delta // c, -(-delta // c)})

        return not reachable(abs(a[2] - b[2]), dims)

    # -- kernel dims ---------------------------------------------------------------

    def assign(self, g: _Gen, fixed: dict[int, int] | None = None) -> None:
        """Map g's dims (of extent > 1) onto kernel dims with equal extents so that every
        value it reads from an earlier generic is forwardable."""
        unit = {d for d, b in enumerate(g.bounds) if b == 1}
        self.unit[g.index] = unit
        dims = [d for d in range(len(g.bounds)) if d not in unit]
        if fixed is not None:
            self.sigma[g.index] = fixed
            return
        choices = []
        for d in dims:
            if g.kinds[d] != "parallel":
                ok = [k for k, kd in enumerate(self.kdims) if kd.group == "cols"]
            elif g.reduction:
                ok = [k for k, kd in enumerate(self.kdims) if kd.group != "cols"]
            else:
                ok = list(range(len(self.kdims)))
            choices.append([k for k in ok if self.kdims[k].bound == g.bounds[d]])
        best = None
        for combo in itertools.product(*choices) if dims else [()]:
            if len(set(combo)) != len(combo):
                continue
            sigma = dict(zip(dims, combo))
            self.sigma[g.index] = sigma
            if self.forwardable(g):
                best = sigma
                break
        if best is None:
            raise _NotFusable(f"generic #{g.index} does not fit the kernel's dims")
        self.sigma[g.index] = best

    def forwardable(self, g: _Gen) -> bool:
        for view, m in g.ins + g.outs:
            writers = self.writers_before(g, view.param)
            if writers:
                h, j = writers[-1]
                hv, hm = h.outs[j]
                if self.addr_key(h, hv, hm) != self.addr_key(g, view, m):
                    return False
        return True

    def decompose(self, flat: str, dims: list[int], prefix: str) -> None:
        """Index variables of kernel dims `dims` (row-major) from the flat index `flat`."""
        if len(dims) == 1:
            self.kdims[dims[0]].var = flat
            return
        inner = 1
        lines = []
        for pos in reversed(range(len(dims))):
            kd = self.kdims[dims[pos]]
            name = self.names.fresh(f"{prefix}{pos}", prefix)
            lines.append(f"{name} = {_digit(flat, inner, kd.bound if pos > 0 else None)}")
            self.optional.add(name)
            kd.var = name
            inner *= kd.bound
        for line in reversed(lines):  # outermost first
            self.code(line)
