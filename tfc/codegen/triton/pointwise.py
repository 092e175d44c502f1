"""Pointwise kernels: generics without reductions. One flattened block per program
(`offs`), or 2-D tiles when an input walks memory along another dim than the
output (a transpose), so that both sides load and store contiguously.
"""

from __future__ import annotations

from tfc.codegen.triton.launch import LaunchPlan, LaunchWriter
from tfc.codegen.triton.policy import pointwise_configs, tile_configs


class PointwiseWriter(LaunchWriter):
    """Pointwise launches: every output that someone reads is stored, block by block."""

    def emit_stores_all(self) -> None:
        for g in self.gens:
            for j in range(len(g.outs)):
                if self.needs_store(g, j):
                    self.store(g, j, self.value(g, j))

    def emit_flat(self, row_k: list[int], n_rows: int) -> LaunchPlan:
        """One flattened block of BLOCK_SIZE elements per program."""
        c = self.code
        self.extents["n_elements"] = n_rows
        c("pid = tl.program_id(0)")
        c("offs = pid * BLOCK_SIZE + tl.arange(0, BLOCK_SIZE)")
        c("mask = offs < n_elements")
        self.group_masks = {frozenset({"flat"}): "mask"}
        self.decompose("offs", row_k, "i")
        self.emit_stores_all()
        configs = pointwise_configs(n_rows, self.policy)
        grid = "(triton.cdiv(n_elements, config[\"BLOCK_SIZE\"]),)"
        blocks = ["BLOCK_SIZE"]
        fixed_blocks: dict[str, int] = {}
        kind = "pointwise"
        return LaunchPlan(kind, blocks, fixed_blocks, configs, grid)

    def emit_tiles(self, row_k: list[int], col_k: list[int], n_rows: int, n_cols: int) -> LaunchPlan:
        """BLOCK_M x BLOCK_N tiles: rows along the input's contiguous dim, columns along the output's."""
        c = self.code
        self.extents["n_rows"] = n_rows
        self.extents["n_cols"] = n_cols
        self.base = ("[BLOCK_M, 1]", frozenset({"rows"}))
        c("pid = tl.program_id(0)")
        c("num_pid_n = tl.cdiv(n_cols, BLOCK_N)")
        c("rows = (pid // num_pid_n) * BLOCK_M + tl.arange(0, BLOCK_M)[:, None]")
        c("cols = (pid % num_pid_n) * BLOCK_N + tl.arange(0, BLOCK_N)[None, :]")
        c("row_mask = rows < n_rows")
        c("col_mask = cols < n_cols")
        c("mask = row_mask & col_mask")
        self.group_masks = {frozenset({"rows"}): "row_mask", frozenset({"cols"}): "col_mask",
                            frozenset({"rows", "cols"}): "mask"}
        self.decompose("rows", row_k, "r")
        self.decompose("cols", col_k, "c")
        self.emit_stores_all()
        configs = tile_configs(n_rows, n_cols, self.policy)
        grid = "(triton.cdiv(n_rows, config[\"BLOCK_M\"]) * triton.cdiv(n_cols, config[\"BLOCK_N\"]),)"
        blocks = ["BLOCK_M", "BLOCK_N"]
        fixed_blocks = {}
        kind = "pointwise, 2-D tiles"
        return LaunchPlan(kind, blocks, fixed_blocks, configs, grid)
