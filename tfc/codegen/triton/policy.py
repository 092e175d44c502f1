"""Block sizes: the configurations the autotuner may try for each kernel kind, and the
default a kernel's `tfc.schedule` (tfc-tile with target=gpu) puts first.

`GpuPolicy` is what the compile settings (`gpu_max_block`, ...) change; it also
chooses alone for a kernel without a GPU schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from xdsl.dialects import func
from xdsl.dialects.builtin import DictionaryAttr, IntegerAttr, StringAttr


@dataclass(frozen=True)
class GpuPolicy:
    """How the emitter picks block sizes (until `tfc-tile` has a GPU policy)."""

    # No block dim exceeds this (tests lower it to reach the looped and
    # many-program forms at sizes the interpreter runs quickly). tl.dot blocks
    # never go below 16.
    max_block: int = 1 << 16
    # A reduction row of at most this many elements is kept in registers.
    persistent_row: int = 8192
    # float32 matmuls may use TF32 tensor cores (torch's allow_tf32); off by
    # default: results then match the float32 reference.
    allow_tf32: bool = False

    @staticmethod
    def from_settings(settings: dict) -> "GpuPolicy":
        kw = {}
        if "gpu_max_block" in settings:
            kw["max_block"] = int(settings["gpu_max_block"])
        if "gpu_persistent_row" in settings:
            kw["persistent_row"] = int(settings["gpu_persistent_row"])
        if "gpu_allow_tf32" in settings:
            kw["allow_tf32"] = bool(settings["gpu_allow_tf32"])
        return GpuPolicy(**kw)


def _pow2(n: int) -> int:
    return 1 << max(0, (int(n) - 1).bit_length())


def _cap(block: int, n: int, policy: GpuPolicy, floor: int = 1) -> int:
    return max(floor, min(block, _pow2(n), _pow2(policy.max_block) if policy.max_block >= 1 else 1))


def _dedupe(configs: Iterable[dict]) -> list[dict]:
    seen, out = set(), []
    for c in configs:
        key = tuple(sorted(c.items()))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def pointwise_configs(n: int, policy: GpuPolicy) -> list[dict]:
    return _dedupe(dict(BLOCK_SIZE=_cap(b, n, policy), num_warps=w)
                   for b, w in ((1024, 4), (2048, 8), (512, 4), (4096, 8)))


def row_configs(n_rows: int, block_n: int | None, policy: GpuPolicy) -> list[dict]:
    """Persistent rows (`block_n` given: the whole row) or looped rows (`block_n` tuned)."""
    if block_n is not None:
        out = []
        for elems in (4096, 1024, 16384, 2048):
            bm = _cap(max(1, elems // block_n), n_rows, policy)
            warps = 4 if bm * block_n <= 4096 else (8 if bm * block_n <= 16384 else 16)
            out.append(dict(BLOCK_M=bm, num_warps=warps))
        return _dedupe(out)
    return _dedupe(dict(BLOCK_M=1, BLOCK_N=_cap(b, 1 << 30, policy), num_warps=w)
                   for b, w in ((1024, 4), (2048, 8), (4096, 8), (512, 4)))


def tile_configs(n_rows: int, n_cols: int, policy: GpuPolicy) -> list[dict]:
    return _dedupe(dict(BLOCK_M=_cap(bm, n_rows, policy), BLOCK_N=_cap(bn, n_cols, policy), num_warps=w)
                   for bm, bn, w in ((32, 32, 4), (64, 64, 4), (32, 128, 4), (128, 32, 4)))


def sequential_configs(n_rows: int, policy: GpuPolicy) -> list[dict]:
    return _dedupe(dict(BLOCK_M=_cap(b, n_rows, policy), num_warps=w) for b, w in ((128, 4), (256, 8), (64, 2)))


# Tutorial 03's CUDA configurations (BLOCK_M, BLOCK_N, BLOCK_K, num_stages, num_warps).
_MATMUL_CONFIGS = [
    (128, 128, 32, 4, 4), (128, 256, 64, 3, 8), (64, 256, 32, 4, 4), (128, 64, 32, 4, 4),
    (64, 128, 32, 4, 4), (128, 32, 32, 4, 4), (64, 32, 32, 5, 2), (32, 64, 32, 5, 2),
    (128, 128, 64, 3, 8), (256, 128, 64, 3, 8),
]


def matmul_configs(m: int, n: int, k: int, policy: GpuPolicy) -> list[dict]:
    out = []
    for bm, bn, bk, stages, warps in _MATMUL_CONFIGS:
        out.append(dict(BLOCK_M=_cap(bm, m, policy, 16), BLOCK_N=_cap(bn, n, policy, 16),
                        BLOCK_K=_cap(bk, k, policy, 16), GROUP_M=8, num_stages=stages, num_warps=warps))
    return _dedupe(out)


_SCHEDULE_KEYS = ("BLOCK_SIZE", "BLOCK_M", "BLOCK_N", "BLOCK_K", "GROUP_M", "num_warps", "num_stages")


def schedule_config(f: func.FuncOp) -> dict:
    """Block sizes a kernel's `tfc.schedule` attribute names (tfc-tile with target=gpu):
    its `gpu` entry, or the schedule itself unless it is for another target."""
    attr = f.attributes.get("tfc.schedule")
    if not isinstance(attr, DictionaryAttr):
        return {}
    entries = attr.data
    if isinstance(entries.get("gpu"), DictionaryAttr):
        entries = entries["gpu"].data
    elif isinstance(entries.get("target"), StringAttr) and entries["target"].data != "gpu":
        return {}
    out = {}
    for key in _SCHEDULE_KEYS:
        v = entries.get(key)
        if isinstance(v, IntegerAttr):
            out[key] = int(v.value.data)
    return out


def _with_schedule(configs: list[dict], schedule: dict) -> list[dict]:
    """Put the schedule's choice first (only the keys this kernel takes)."""
    if not schedule or not configs:
        return configs
    keys = set(configs[0])
    first = dict(configs[0])
    for k, v in schedule.items():
        if k in keys:
            if k.startswith("BLOCK"):
                # No bigger than the problem needs (the policy's largest), nor than its cap.
                v = min(_pow2(v), max(c[k] for c in configs))
            first[k] = v
    return _dedupe([first] + configs)
