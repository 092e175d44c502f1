"""Python source text: identifiers that do not clash, indented lines, wrapping, and
the small index expressions every kernel kind writes.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Sequence

from xdsl.ir import Attribute


_RESERVED = set(keyword.kwlist) | {
    "tl", "triton", "torch", "pid", "offs", "mask", "rows", "cols", "row_mask", "col_mask",
    "config", "grid", "launch", "consts", "arena", "min", "max", "range", "float", "int",
    "acc", "program", "len", "abs", "sum", "print", "k", "col", "col_start", "n_elements", "num_pid_n",
    "n_rows", "n_cols", "M", "N", "K",
    "BLOCK_SIZE", "BLOCK_M", "BLOCK_N", "BLOCK_K", "GROUP_M",
}


# Names a launcher or the host program defines beside the buffers it takes.
_LAUNCHER_NAMES = {"tl", "triton", "torch", "config", "grid", "launch", "consts", "arena", "M", "N",
                   "K", "n_elements", "n_rows", "n_cols", "program", "CONSTANTS", "CONFIGS", "KERNELS"}


def _ident(name: str | None, default: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", name or "") or default
    return name if not name[0].isdigit() else "v" + name


class _Names:
    def __init__(self, reserved: Iterable[str] = ()):
        self.used = set(_RESERVED) | set(reserved)

    @staticmethod
    def plain(reserved: Iterable[str]) -> "_Names":
        names = _Names()
        names.used = set(keyword.kwlist) | set(reserved)
        return names

    def fresh(self, hint: str | None, default: str = "v") -> str:
        base = _ident(hint, default)
        name, n = base, 0
        while name in self.used:
            n += 1
            name = f"{base}_{n}"
        self.used.add(name)
        return name


class _Code:
    def __init__(self, depth: int = 1):
        self.lines: list[str] = []
        self.depth = depth

    def __call__(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    def text(self) -> str:
        return "\n".join(self.lines)


def _dims_str(shape: Sequence[int]) -> str:
    return "x".join(map(str, shape)) or "scalar"


def _dtype_name(t: Attribute) -> str:
    try:
        from tfc import dtypes

        return dtypes.from_ir(t).name
    except Exception:
        return str(t)


def _paren(expr: str) -> str:
    """`expr` parenthesized when it is a sum, product, ... (not for `x[:, None]`)."""
    return f"({expr})" if re.search(r" [-+*/%] ", expr) else expr


def _drop_unused(lines: list[str], names: set[str]) -> list[str]:
    """Remove `name = ...` lines for `names` that no other line mentions."""
    changed = True
    while changed:
        changed = False
        for i, line in enumerate(lines):
            m = re.match(r"\s*(\w+) = ", line)
            if not m or m.group(1) not in names:
                continue
            word = re.compile(r"\b" + m.group(1) + r"\b")
            if not any(word.search(other) for j, other in enumerate(lines) if j != i):
                del lines[i]
                changed = True
                break
    return lines


def _digit(flat: str, inner: int, bound: int | None) -> str:
    """One row-major digit of a flat index: `flat // inner % bound` (outermost: no `%`)."""
    q = flat if inner == 1 else f"{flat} // {inner}"
    if bound is None:
        return q
    return f"{q} % {bound}" if inner == 1 else f"({q}) % {bound}"


def _wrap_words(text: str, width: int) -> list[str]:
    lines, cur = [], ""
    for word in text.split(" "):
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = "    " + word
        else:
            cur = f"{cur} {word}" if cur else word
    return lines + [cur]


def _wrap_args(args: list[str], indent: int, width: int = 100) -> str:
    lines, cur = [], ""
    for a in args:
        piece = a if not cur else ", " + a
        if cur and len(cur) + len(piece) + indent > width:
            lines.append(cur + ",")
            cur = a
        else:
            cur += piece
    lines.append(cur)
    return ("\n" + " " * indent).join(lines)
