"""One kernel's @triton.jit function: the kind of kernel its generics make, and the
kernel dims they share. `KernelWriter` puts the kinds together (pointwise.py,
row_reduction.py, contraction.py over the shared layers addresses.py,
values.py, launch.py); `emit` raises `_NotFusable` when the generics cannot
share one launch, and the module writer then splits them.
"""

from __future__ import annotations

import math

from xdsl.ir.affine import AffineDimExpr

from tfc.codegen.triton.addresses import _KDim
from tfc.codegen.triton.body_patterns import _contraction, _reduction_combines
from tfc.codegen.triton.contraction import ContractionWriter
from tfc.codegen.triton.kernel_info import _Gen, _NotFusable, _View
from tfc.codegen.triton.launch import _Emitted
from tfc.codegen.triton.pointwise import PointwiseWriter
from tfc.codegen.triton.policy import _pow2, _with_schedule
from tfc.codegen.triton.row_reduction import RowReductionWriter


class KernelWriter(PointwiseWriter, RowReductionWriter, ContractionWriter):
    """Emits one @triton.jit function (plus launcher) for a list of generics of a kernel."""

    def emit(self) -> _Emitted:
        contractions = [(g, c) for g in self.gens if (c := _contraction(g)) is not None]
        if len(contractions) == 1 and all(not g.reduction for g in self.gens if g is not contractions[0][0]):
            return self.emit_contraction(*contractions[0])
        return self.emit_tiled()

    def anchor_dims(self, g: _Gen) -> list[int]:
        """g's parallel dims, outermost first, ordered so that its first output is contiguous."""
        par = [d for d in g.parallel if g.bounds[d] > 1]
        out = []
        if g.outs:
            _, m = g.outs[0]
            view = g.outs[0][0]
            pairs = []
            for e, s in zip(m.results, view.strides):
                if isinstance(e, AffineDimExpr) and e.position in par and e.position not in out:
                    out.append(e.position)
                    pairs.append((s, e.position))
            out = [d for _, d in sorted(pairs, key=lambda p: -p[0])]
        return [d for d in par if d not in out] + out

    def emit_tiled(self) -> _Emitted:
        """Kernels without a tl.dot: choose the mode (flat, tiles, persistent, looped,
        sequential) and the kernel dims from the anchor generic, then let the kind write."""
        gens = self.gens
        reductions = [g for g in gens if g.reduction]
        combines = {g.index: _reduction_combines(g) for g in reductions}
        sequential = any(c is None for c in combines.values())
        if reductions:
            anchor = reductions[0]
        else:
            anchor = max(gens, key=lambda g: (math.prod(g.bounds), g.index))
        rows = self.anchor_dims(anchor)
        cols = [d for d in anchor.reduction if anchor.bounds[d] > 1]
        n_rows = math.prod(anchor.bounds[d] for d in rows)
        n_cols = math.prod(anchor.bounds[d] for d in cols)
        if not reductions:
            self.mode = "flat"
        elif sequential:
            self.mode = "sequential"
        elif _pow2(n_cols) <= min(self.policy.persistent_row, _pow2(self.policy.max_block)):
            self.mode = "persistent"
        else:
            self.mode = "looped"
        row_group = "flat" if self.mode == "flat" else "rows"
        self.kdims = [_KDim(anchor.bounds[d], row_group) for d in rows] + \
                     [_KDim(anchor.bounds[d], "cols") for d in cols]
        fixed = {d: k for k, d in enumerate(rows + cols)}
        self.assign(anchor, fixed)
        for g in gens:
            if g is not anchor:
                self.assign(g)
        if self.mode == "flat" and (inner := self.transposed_read(anchor)) is not None:
            # An input walks memory along another dim than the output: 2-D tiles whose rows
            # run along the input's contiguous dim and columns along the output's.
            out_k, in_k = inner
            order = [k for k in range(len(rows)) if k not in inner] + [in_k]
            rows, cols = [rows[k] for k in order], [rows[out_k]]
            n_rows = math.prod(anchor.bounds[d] for d in rows)
            n_cols = anchor.bounds[cols[0]]
            self.mode, row_group = "tiles", "rows"
            self.kdims = [_KDim(anchor.bounds[d], "rows") for d in rows] + [_KDim(n_cols, "cols")]
            self.sigma, self.unit = {}, {}
            self.assign(anchor, {d: k for k, d in enumerate(rows + cols)})
            for g in gens:
                if g is not anchor:
                    self.assign(g)
        self.check_writes()
        row_k = [k for k, kd in enumerate(self.kdims) if kd.group == row_group]
        col_k = [k for k, kd in enumerate(self.kdims) if kd.group == "cols"]
        # Reductions other than the anchor must reduce over exactly the kernel's columns.
        for g in reductions:
            sig = self.sigma[g.index]
            if sorted(sig[d] for d in g.reduction if d in sig) != col_k:
                raise _NotFusable(f"reduction #{g.index} reduces over other dims than #{anchor.index}")

        if self.mode == "flat":
            plan = self.emit_flat(row_k, n_rows)
        elif self.mode == "tiles":
            plan = self.emit_tiles(row_k, col_k, n_rows, n_cols)
        else:
            plan = self.emit_rows(reductions, combines, row_k, col_k, n_rows, n_cols)
        configs = _with_schedule(plan.configs, self.schedule)
        return self.finish(plan.kind, plan.blocks, plan.fixed_blocks, configs, plan.grid)

    def transposed_read(self, anchor: _Gen) -> tuple[int, int] | None:
        """(kernel dim the anchor's output is contiguous along, another dim an input is
        contiguous along), when they differ; None when every access agrees."""
        def unit_dim(g: _Gen, view: _View, m) -> int | None:
            key = self.addr_key(g, view, m)
            if len(key) != 3 or key[1] == "expr":
                return None
            return next((k for k, coeff in key[1] if abs(coeff) == 1), None)

        if not anchor.outs or len(self.kdims) < 2:
            return None
        out_k = unit_dim(anchor, *anchor.outs[0])
        if out_k is None:
            return None
        for g in self.gens:
            for i, (view, m) in enumerate(g.ins):
                if not g.body.args[i].uses:
                    continue
                k = unit_dim(g, view, m)
                if k is not None and k != out_k and self.kdims[k].bound >= 8:
                    return out_k, k
        return None
