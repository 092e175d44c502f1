"""The last layer of a kernel writer: the text of the @triton.jit function (its
signature, docstring and body) and of its launcher, once a kernel kind has
written the body and chosen its launch (`LaunchPlan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from tfc.codegen.triton.kernel_info import _describe
from tfc.codegen.triton.source_text import _drop_unused, _wrap_args, _wrap_words
from tfc.codegen.triton.values import ValueWriter


@dataclass
class _Emitted:
    name: str
    source: str
    launcher: str
    configs: list[dict]
    args: list[int]                 # positions among the kernel's params (args, then globals)
    writes: tuple[int, ...]         # positions among `args` that the launch writes
    kind: str


class LaunchPlan(NamedTuple):
    """How a kernel kind launches what it wrote."""

    kind: str                       # what it is (KERNELS' third entry, the docstring)
    blocks: list[str]               # constexpr block sizes the configurations set
    fixed_blocks: dict[str, int]    # constexpr block sizes fixed by the problem
    configs: list[dict]             # the configurations the autotuner may try
    grid: str                       # the launch grid, over `config`


class LaunchWriter(ValueWriter):
    """The function and launcher text."""

    def finish(self, kind: str, blocks: list[str], fixed_blocks: dict[str, int], configs: list[dict],
               grid: str) -> _Emitted:
        params = [p for p in self.info.params if p in self.used_params]
        ptrs = [p.name + "_ptr" for p in params]
        extents = list(self.extents)
        strides = list(self.strides)
        sig = ptrs + extents + strides + [f"{b}: tl.constexpr" for b in blocks]
        doc = [f'"""{self.name}: {kind}.', ""]
        if self.info.tfc_ops:
            doc.append(f"tfc ops: {', '.join(self.info.tfc_ops)}")
        doc += _wrap_words("generics: " + ", ".join(_describe(g) for g in self.gens), 92) + ['"""']
        head = "@triton.jit\ndef " + self.name + "(" + _wrap_args(sig, len(self.name) + 5) + "):"
        self.code.lines = _drop_unused(self.code.lines, self.optional)
        body = "\n".join("    " + d if d else "" for d in doc) + "\n" + self.code.text()
        source = head + "\n" + body
        # launcher
        args = [p.name for p in params]
        lines = [f"def launch_{self.name}({', '.join(args + ['config'])}):"]
        for name, v in self.extents.items():
            lines.append(f"    {name} = {v}")
        lines.append(f"    grid = {grid}")
        call_args = args + [f"{n}" for n in extents] + [f"{n}={v}" for n, v in self.strides.items()] + \
            [f"{n}={v}" for n, v in fixed_blocks.items()] + ["**config"]
        lines.append(f"    {self.name}[grid](" + _wrap_args(call_args, len(self.name) + 15) + ")")
        positions = [p.arg for p in params]
        writes = tuple(i for i, p in enumerate(params) if p.arg in self.writes)
        return _Emitted(self.name, source, "\n".join(lines), configs, positions, writes, kind)
