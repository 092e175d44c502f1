"""Canonicalization patterns for tfc ops, applied by xDSL's `canonicalize` pass.

`patterns_for(op_class)` returns the RewritePatterns rooted at that op class.
"""

from __future__ import annotations

from functools import cache


@cache
def patterns_for(op_class) -> tuple:
    return ()
