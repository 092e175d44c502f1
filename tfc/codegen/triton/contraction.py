"""Contraction kernels: a `tl.dot` over `BLOCK_M x BLOCK_N` tiles in grouped order,
with the init fill before it folded into the accumulator and the pointwise
epilogue after it (bias, activation, residual) applied before the one store.
Matmul, batched matmul and conv2d as implicit GEMM (the output pixels are the M
dims, the filter window the K dims) are the same code: several M or K dims are
decomposed from one flat index.
"""

from __future__ import annotations

import math

from tfc.codegen.triton.addresses import _KDim, _Val
from tfc.codegen.triton.body_patterns import _Contraction
from tfc.codegen.triton.kernel_info import _Gen, _NotFusable
from tfc.codegen.triton.launch import _Emitted, LaunchWriter
from tfc.codegen.triton.policy import _with_schedule, matmul_configs
from tfc.codegen.triton.source_text import _digit, _dtype_name


# Names only contraction kernels define.
_CONTRACTION_NAMES = {
    "a", "b", "offs_m", "offs_n", "offs_k", "m_mask", "n_mask", "k_mask", "pid_m", "pid_n", "pid_b",
    "num_pid_m", "num_pid_n", "num_pid_in_group", "group_id", "first_pid_m", "group_size_m",
    "a_ptrs", "b_ptrs", "offs_am", "offs_bn",
}


class ContractionWriter(LaunchWriter):
    """tl.dot launches: the K loop, then the epilogue on the accumulator."""

    def emit_contraction(self, cg: _Gen, con: _Contraction) -> _Emitted:
        c = self.code
        gens = self.gens
        # Generics before the contraction may only initialise its output; after it,
        # pointwise epilogues over its output dims.
        for g in gens:
            if g.index < cg.index and any(v.param is not cg.outs[0][0].param for v, _ in g.outs):
                raise _NotFusable("a generic before the contraction writes other buffers")
        m_b = [cg.bounds[d] for d in con.m]
        n_b = [cg.bounds[d] for d in con.n]
        k_b = [cg.bounds[d] for d in con.k]
        b_b = [cg.bounds[d] for d in con.batch]
        M, N, K = math.prod(m_b), math.prod(n_b), math.prod(k_b)
        n_batch = math.prod(b_b)
        self.kdims = [_KDim(b, "batch") for b in b_b] + [_KDim(b, "m") for b in m_b] + \
                     [_KDim(b, "n") for b in n_b]
        nb, nm = len(b_b), len(m_b)
        sigma = {d: i for i, d in enumerate(con.batch)}
        sigma.update({d: nb + i for i, d in enumerate(con.m)})
        sigma.update({d: nb + nm + i for i, d in enumerate(con.n)})
        self.assign(cg, sigma)
        for g in gens:
            if g is not cg:
                self.assign(g)
        self.check_writes()
        self.mode = "contraction"
        self.names.used |= _CONTRACTION_NAMES
        self.base = ("[BLOCK_M, 1]", frozenset({"m"}))
        self.scalar_groups = frozenset({"batch"})
        self.extents.update(M=M, N=N, K=K)
        a_view, a_map = cg.ins[con.a]
        b_view, b_map = cg.ins[con.b]
        c("pid = tl.program_id(0)")
        c("num_pid_m = tl.cdiv(M, BLOCK_M)")
        c("num_pid_n = tl.cdiv(N, BLOCK_N)")
        c("# grouped ordering: GROUP_M row-blocks share the B tiles they load (L2 reuse)")
        c("num_pid_in_group = GROUP_M * num_pid_n")
        c("group_id = pid // num_pid_in_group")
        c("first_pid_m = group_id * GROUP_M")
        c("group_size_m = min(num_pid_m - first_pid_m, GROUP_M)")
        c("pid_m = first_pid_m + ((pid % num_pid_in_group) % group_size_m)")
        c("pid_n = (pid % num_pid_in_group) // group_size_m")
        if n_batch > 1:
            c("pid_b = tl.program_id(1)")
            self.decompose("pid_b", list(range(nb)), "b")
        c("offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)")
        c("offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)")
        c("m_mask = offs_m < M")
        c("n_mask = offs_n < N")
        c("# past the edges, tiles read row / column 0 again (results masked at the store),")
        c("# so the loads in the K loop need no M / N mask")
        c("offs_am = offs_m % M")
        c("offs_bn = offs_n % N")
        m_k = list(range(nb, nb + nm))
        n_k = list(range(nb + nm, len(self.kdims)))
        self.decompose("offs_am", m_k, "m")
        self.decompose("offs_bn", n_k, "n")
        var1d = {k: self.kdims[k].var for k in m_k + n_k}
        # 2-D views for the epilogue: M dims down the rows, N dims across.
        for k in m_k:
            self.kdims[k].var = f"{var1d[k]}[:, None]"
        for k in n_k:
            self.kdims[k].var = f"{var1d[k]}[None, :]"
        self.group_masks = {frozenset({"m"}): "m_mask[:, None]", frozenset({"n"}): "n_mask[None, :]",
                            frozenset({"m", "n"}): "mask", frozenset({"batch"}): None,
                            frozenset({"batch", "m"}): "m_mask[:, None]",
                            frozenset({"batch", "n"}): "n_mask[None, :]",
                            frozenset({"batch", "m", "n"}): "mask"}
        c("mask = m_mask[:, None] & n_mask[None, :]")
        c("acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)")
        c("for k in range(0, K, BLOCK_K):")
        c.depth += 1
        c("offs_k = k + tl.arange(0, BLOCK_K)")
        kvars: dict[int, str] = {}
        if len(con.k) == 1:
            kvars[con.k[0]] = "offs_k"
        else:
            inner = 1
            lines = []
            for pos in reversed(range(len(con.k))):
                name = self.names.fresh(f"k{pos}", "k")
                lines.append(f"{name} = {_digit('offs_k', inner, k_b[pos] if pos > 0 else None)}")
                kvars[con.k[pos]] = name
                inner *= k_b[pos]
            for line in reversed(lines):
                c(line)
        c("k_mask = offs_k < K")

        def operand_expr(d: int, row_side: bool, kdim_side: str) -> str:
            if cg.bounds[d] == 1:
                return "0"
            if d in kvars:
                return f"{kvars[d]}{kdim_side}"
            kd = sigma[d]
            grp = self.kdims[kd].group
            if grp == "batch":
                return self.kdims[kd].var
            return f"{var1d[kd]}{'[:, None]' if row_side else '[None, :]'}"

        a_idx = [self.render_expr(e, lambda d: operand_expr(d, True, "[None, :]")) for e in a_map.results]
        b_idx = [self.render_expr(e, lambda d: operand_expr(d, False, "[:, None]")) for e in b_map.results]
        a_t, b_t = _dtype_name(a_view.param.elem), _dtype_name(b_view.param.elem)
        c(f"a_ptrs = {self.address(a_view, a_idx)}")
        c(f"b_ptrs = {self.address(b_view, b_idx)}")
        c("a = tl.load(a_ptrs, mask=k_mask[None, :], other=0.0)")
        c("b = tl.load(b_ptrs, mask=k_mask[:, None], other=0.0)")
        a_e, b_e = "a", "b"
        if a_t != b_t:
            a_e, b_e = "a.to(tl.float32)", "b.to(tl.float32)"
        prec = ""
        if "f32" in (a_t, b_t):
            prec = ', input_precision="tf32"' if self.policy.allow_tf32 else ', input_precision="ieee"'
        c(f"acc = tl.dot({a_e}, {b_e}, acc{prec})")
        c.depth -= 1
        init = self.read_init(cg, *cg.outs[0])
        red = _Val("acc", frozenset({"m", "n"}))
        out = self.chain_value(cg, con.combine, {con.combine.acc_arg: init, con.combine.x: red}, init, red)
        self.remember(("gen", cg.index, 0), _Val(out.expr, frozenset({"m", "n"}) | out.groups))
        for g in gens:
            if g.index < cg.index:
                continue
            for j in range(len(g.outs)):
                if self.needs_store(g, j):
                    self.store(g, j, self.value(g, j) if g is not cg else self.scope_lookup(("gen", cg.index, 0)))
        configs = _with_schedule(matmul_configs(M, N, K, self.policy), self.schedule)
        grid = "(triton.cdiv(M, config[\"BLOCK_M\"]) * triton.cdiv(N, config[\"BLOCK_N\"]),"
        grid += f" {n_batch})" if n_batch > 1 else ")"
        kind = "contraction (tl.dot, implicit GEMM)" if len(con.k) > 1 or len(con.m) > 1 else "matmul (tl.dot)"
        if n_batch > 1:
            kind += f", batched over {n_batch}"
        return self.finish(kind, ["BLOCK_M", "BLOCK_N", "BLOCK_K", "GROUP_M"], {}, configs, grid)
