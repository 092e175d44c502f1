"""Compile settings reach the GPU lowering: pass options from `tfc.compile(...,
target="gpu", **settings)` change the generated Triton (the kernel count, the
default block size that `tfc-tile` with target=gpu chooses), and the results
still match the float64 reference (Triton's interpreter without a GPU)."""

from __future__ import annotations

import re

import tfc
from tests.helpers import check_compiled, rand


def default_configs(source: str) -> dict[str, dict[str, int]]:
    """Kernel name -> its default (first) configuration, from the module's CONFIGS table."""
    table = source.split("\nCONFIGS = {", 1)[1].split("\n}\n", 1)[0]
    firsts = re.findall(r"'(\w+)': \[\s*dict\(([^)]*)\)", table)
    assert firsts, "no CONFIGS entries in the generated module"
    return {name: {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", args)} for name, args in firsts}


def chain(x, y):
    return tfc.tanh(tfc.exp(x) * 0.5 + y) - 1.0


def _args():
    # 2000 elements: the GPU policy's default block (1024) is below the problem size.
    return [rand((40, 50), "f32", -1, 1), rand((50,), "f32", -1, 1)]


def _compile(**settings):
    args = _args()
    exe = tfc.compile(chain, *args, target="gpu", **settings)
    check_compiled(chain, *args, exe=exe)
    return exe


def test_tile_option_sets_the_gpu_block_size():
    default = default_configs(_compile().source)
    exe = _compile(**{"tfc-tile.tile": 128})
    assert [c["BLOCK_SIZE"] for c in default.values()] == [1024]
    assert [c["BLOCK_SIZE"] for c in default_configs(exe.source).values()] == [128]
    # It is tfc-tile's GPU schedule that chose it.
    assert 'target = "gpu", BLOCK_SIZE = 128' in exe.ir("tiled")


def test_fusion_setting_changes_the_kernel_count():
    fused = default_configs(_compile().source)
    unfused = default_configs(_compile(fusion=False).source)
    assert len(fused) == 1
    assert len(unfused) > 1


def test_user_tile_target_wins_over_the_gpu_default():
    # A CPU schedule is not a GPU one: the emitter's own policy chooses (1024), not tile=128.
    exe = _compile(**{"tfc-tile.target": "cpu", "tfc-tile.tile": 128})
    assert [c["BLOCK_SIZE"] for c in default_configs(exe.source).values()] == [1024]
    assert 'target = "cpu"' in exe.ir("tiled")


def test_block_cap_setting_loops_a_row_kernel():
    # A row longer than the capped block is walked in chunks, and still matches the reference.
    x = rand((6, 37), "f32", -3, 3)
    default = tfc.compile(tfc.softmax, x, target="gpu")
    capped = tfc.compile(tfc.softmax, x, target="gpu", gpu_max_block=16)
    check_compiled(tfc.softmax, x, exe=capped)
    assert "'row reduction, persistent'" in default.source
    assert "'row reduction, looped'" in capped.source
