"""Row kernels: reductions and the pointwise generics before and after them over
the same rows (softmax, layer norm, cross-entropy), `BLOCK_M` rows per program.
With an associative combiner a row that fits one block stays in registers
(*persistent*); a longer one is walked in `BLOCK_N` chunks once per reduction
(*looped*), recomputing cheap producers rather than storing them. Any other
body (argmax) is a *sequential* reduction: a loop over the columns, one at a time.
"""

from __future__ import annotations

from tfc.codegen.triton import scalar_ops as ops
from tfc.codegen.triton.addresses import _Val
from tfc.codegen.triton.body_patterns import _Combine
from tfc.codegen.triton.kernel_info import _Gen
from tfc.codegen.triton.launch import LaunchPlan, LaunchWriter
from tfc.codegen.triton.policy import _pow2, row_configs, sequential_configs


def _reduce_hint(name: str) -> str:
    return {"arith.addf": "total", "arith.addi": "total", "arith.maximumf": "row_max",
            "arith.maxnumf": "row_max", "arith.maxsi": "row_max", "arith.minimumf": "row_min",
            "arith.minnumf": "row_min", "arith.minsi": "row_min"}.get(name, "reduced")


class RowReductionWriter(LaunchWriter):
    """Row launches: reductions in order, each followed by the values that depend on it."""

    def emit_rows(self, reductions: list[_Gen], combines: dict, row_k: list[int], col_k: list[int],
                  n_rows: int, n_cols: int) -> LaunchPlan:
        """BLOCK_M rows per program; the reductions (persistent, looped or sequential) and the
        generics around them."""
        c = self.code
        self.extents["n_rows"] = n_rows
        self.extents["n_cols"] = n_cols
        self.base = ("[BLOCK_M]" if self.mode == "sequential" else "[BLOCK_M, 1]", frozenset({"rows"}))
        if self.mode == "sequential":
            self.scalar_groups = frozenset({"cols"})
        c("pid = tl.program_id(0)")
        if self.mode == "sequential":
            c("rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)")
        else:
            c("rows = pid * BLOCK_M + tl.arange(0, BLOCK_M)[:, None]")
        c("row_mask = rows < n_rows")
        self.group_masks = {frozenset({"rows"}): "row_mask", frozenset({"cols"}): "col_mask",
                            frozenset({"rows", "cols"}): "mask"}
        if self.mode == "sequential":
            self.group_masks[frozenset({"cols"})] = None
            self.group_masks[frozenset({"rows", "cols"})] = "row_mask"
        self.decompose("rows", row_k, "r")
        fixed_blocks = {}
        if self.mode == "persistent":
            fixed_blocks["BLOCK_N"] = _pow2(n_cols)
            c("cols = tl.arange(0, BLOCK_N)[None, :]")
            c("col_mask = cols < n_cols")
            c("mask = row_mask & col_mask")
            self.decompose("cols", col_k, "c")
        self.emit_row_program(reductions, combines, col_k)
        if self.mode == "sequential":
            configs = sequential_configs(n_rows, self.policy)
            blocks = ["BLOCK_M"]
            kind = "sequential reduction"
        elif self.mode == "persistent":
            configs = row_configs(n_rows, fixed_blocks["BLOCK_N"], self.policy)
            blocks = ["BLOCK_M", "BLOCK_N"]
            kind = "row reduction, persistent"
        else:
            configs = row_configs(n_rows, None, self.policy)
            blocks = ["BLOCK_M", "BLOCK_N"]
            kind = "row reduction, looped"
        grid = "(triton.cdiv(n_rows, config[\"BLOCK_M\"]),)"
        return LaunchPlan(kind, blocks, fixed_blocks, configs, grid)

    def row_only(self, g: _Gen) -> bool:
        return not g.reduction and all(self.kdims[k].group != "cols" for k in self.sigma[g.index].values())

    def emit_row_program(self, reductions: list[_Gen], combines, col_k: list[int]) -> None:
        done: set[int] = set()
        stored: set[tuple[int, int]] = set()

        def ready(g: _Gen) -> bool:
            deps = self.reduction_deps(g)
            return deps <= done

        def flush_row_only() -> None:
            # Values per row (mean, 1 / std, ...) once, outside the column loops.
            for g in self.gens:
                if self.row_only(g) and ready(g):
                    for j in range(len(g.outs)):
                        val = self.value(g, j)
                        if (g.index, j) not in stored and self.needs_store(g, j):
                            stored.add((g.index, j))
                            self.store(g, j, val)

        flush_row_only()
        for r in reductions:
            comb = combines[r.index]
            if self.mode == "sequential":
                self.emit_sequential_reduction(r)
            else:
                self.emit_tile_reduction(r, comb, col_k)
            done.add(r.index)
            for j in range(len(r.outs)):
                if self.needs_store(r, j):
                    stored.add((r.index, j))
                    self.store(r, j, self.values_of_reduction(r, j))
            flush_row_only()
        # The rest: values over whole rows.
        pending = [(g, j) for g in self.gens if not g.reduction for j in range(len(g.outs))
                   if (g.index, j) not in stored and self.needs_store(g, j)]
        if not pending:
            return
        if self.mode == "persistent":
            for g, j in pending:
                self.store(g, j, self.value(g, j))
            return
        self.open_col_loop(col_k)
        for g, j in pending:
            self.store(g, j, self.value(g, j))
        self.close_col_loop()

    def reduction_deps(self, g: _Gen, seen=None) -> set[int]:
        """The reductions g's value depends on (through forwarded buffers)."""
        seen = seen if seen is not None else set()
        out: set[int] = set()
        for view, m in g.ins + g.outs:
            ws = self.writers_before(g, view.param)
            if ws:
                h, _ = ws[-1]
                if h.index in seen:
                    continue
                seen.add(h.index)
                if h.reduction:
                    out.add(h.index)
                out |= self.reduction_deps(h, seen)
        return out

    def values_of_reduction(self, r: _Gen, j: int) -> _Val:
        return self.scope_lookup(("gen", r.index, j))

    def open_col_loop(self, col_k: list[int]) -> None:
        c = self.code
        if self.mode == "sequential":
            c("for col in range(0, n_cols):")
            c.depth += 1
            self.memo.append({})
            self.decompose("col", col_k, "c")
            return
        c("for col_start in range(0, n_cols, BLOCK_N):")
        c.depth += 1
        self.memo.append({})
        c("cols = col_start + tl.arange(0, BLOCK_N)[None, :]")
        c("col_mask = cols < n_cols")
        c("mask = row_mask & col_mask")
        self.decompose("cols", col_k, "c")

    def close_col_loop(self) -> None:
        self.memo.pop()
        self.code.depth -= 1

    def init_value(self, r: _Gen, j: int) -> _Val:
        """The value reduction r accumulates onto: forwarded (a fill) or loaded."""
        view, m = r.outs[j]
        return self.read_init(r, view, m)

    def emit_tile_reduction(self, r: _Gen, combs: list[_Combine], col_k: list[int]) -> None:
        c = self.code
        inits = [self.init_value(r, j) for j in range(len(r.outs))]
        skip = {op for cb in combs for op in cb.chain}
        accs = []
        if self.mode == "looped":
            for cb in combs:
                t = cb.op.results[0].type
                name = self.names.fresh("acc", "acc")
                c(f"{name} = tl.full([BLOCK_M, BLOCK_N], {ops.neutral_literal(cb.op.name, t)}, {ops.tl_type(t)})")
                accs.append(name)
            self.open_col_loop(col_k)
        env: dict = {}
        partial = []
        for k, cb in enumerate(combs):
            x = self.body_value(r, env, cb.x, skip)
            t = cb.op.results[0].type
            neutral = ops.neutral_literal(cb.op.name, t)
            xe = x.expr
            if x.literal or "cols" not in x.groups or "rows" not in x.groups:
                xe = f"tl.broadcast_to({xe}, [BLOCK_M, BLOCK_N])" if not x.literal else \
                    f"tl.full([BLOCK_M, BLOCK_N], {xe}, {ops.tl_type(t)})"
            masked = f"tl.where(col_mask, {xe}, {neutral})"
            if self.mode == "looped":
                operands = [masked, accs[k]] if cb.op.operands[0] is cb.x else [accs[k], masked]
                c(f"{accs[k]} = {ops.render(cb.op, operands)}")
            else:
                partial.append(masked)
        if self.mode == "looped":
            self.close_col_loop()
            partial = accs
        for j, cb in enumerate(combs):
            form = ops.combiner(cb.op.name)
            red = self.local(form.format(x=partial[j], axis=1) + "[:, None]", frozenset({"rows"}),
                             _reduce_hint(cb.op.name))
            # Fold the block's result onto the init: the body's own chain (ext, combine, trunc).
            env2 = {cb.acc_arg: inits[j], cb.x: red}
            out = self.chain_value(r, cb, env2, inits[j], red)
            self.remember(("gen", r.index, j), _Val(out.expr, frozenset({"rows"}) | out.groups, out.literal))

    def emit_sequential_reduction(self, r: _Gen) -> None:
        """Any reduction body: the rows are a block, the columns a loop, one at a time."""
        c = self.code
        n_in = len(r.ins)
        accs = []
        for j in range(len(r.outs)):
            init = self.init_value(r, j)
            t = r.body.args[n_in + j].type
            name = self.names.fresh("acc", "acc")
            if init.literal:
                c(f"{name} = tl.full([BLOCK_M], {init.expr}, {ops.tl_type(t)})")
            else:
                c(f"{name} = tl.broadcast_to({init.expr}, [BLOCK_M])"
                  if "rows" not in init.groups else f"{name} = {init.expr}")
            accs.append(name)
        col_k = [k for k, kd in enumerate(self.kdims) if kd.group == "cols"]
        self.open_col_loop(col_k)
        env: dict = {r.body.args[n_in + j]: _Val(accs[j], frozenset({"rows"})) for j in range(len(r.outs))}
        yielded = self.body_values(r, env, r.body.last_op.operands, set())
        for name, v in zip(accs, yielded):
            c(f"{name} = {v.expr}")
        self.close_col_loop()
        for j, name in enumerate(accs):
            self.remember(("gen", r.index, j), _Val(name, frozenset({"rows"})))
