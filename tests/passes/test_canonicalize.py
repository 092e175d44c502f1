"""Canonicalization never changes what a program computes, bit for bit.

Each program runs on the NumPy reference before and after `canonicalize`, on
inputs full of the values identities get wrong (-0.0, NaN, inf, INT_MIN), and
the outputs must have identical bits. Positive cases also check that the
rewrite happened; negative cases that it did not.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tfc import reference
from tfc.cli.diagnostics import parse_module, verify_module
from tfc.pipeline import context, run_passes

SPECIAL_F32 = np.array([-0.0, 0.0, np.nan, np.inf, -np.inf, 1.5, -2.0, 3e38], np.float32)
SPECIAL_I32 = np.array([0, 1, -1, 7, np.iinfo(np.int32).min, np.iinfo(np.int32).max, 2, -9],
                       np.int32)


def canonicalize(text: str):
    before = parse_module(context(), text, "test.mlir")
    after = parse_module(context(), text, "test.mlir")
    verify_module(before)
    run_passes(after, ["canonicalize"])
    verify_module(after)
    return before, after


def count_ops(module, name: str) -> int:
    return sum(op.name == name for op in module.walk())


def assert_same_bits(a, b):
    for x, y in zip(a, b, strict=True):
        x, y = np.asarray(x), np.asarray(y)
        assert x.dtype == y.dtype and x.shape == y.shape
        assert x.tobytes() == y.tobytes(), f"{x} != {y}"


def check(text: str, *args, op: str | None = None, removed: bool | None = None):
    before, after = canonicalize(text)
    assert_same_bits(reference.run(before, *args), reference.run(after, *args))
    if op is not None:
        n0, n1 = count_ops(before, op), count_ops(after, op)
        assert (n1 < n0) == removed, f"{op}: {n0} -> {n1}\n{after}"


def binary(op: str, dtype: str, const: str, *, const_first: bool = False, const_type: str = ""):
    t = f"tensor<8x{dtype}>"
    ct = const_type or f"tensor<{dtype}>"
    a, b = ("%c", "%x") if const_first else ("%x", "%c")
    ta, tb = (ct, t) if const_first else (t, ct)
    return f"""
func.func @main(%x: {t}) -> {t} {{
  %c = tfc.constant {{value = dense<{const}> : {ct}}} : () -> {ct}
  %r = tfc.{op} {a}, {b} : ({ta}, {tb}) -> {t}
  func.return %r : {t}
}}"""


@pytest.mark.parametrize("op, const, const_first, removed", [
    ("add", "-0.0", False, True),
    ("add", "-0.0", True, True),
    ("add", "0.0", False, False),   # -0.0 + 0.0 is +0.0
    ("add", "0.0", True, False),
    ("sub", "0.0", False, True),
    ("sub", "-0.0", False, False),  # x - (-0.0) is x + 0.0
    ("sub", "0.0", True, False),    # 0 - x is not x
    ("mul", "1.0", False, True),
    ("mul", "1.0", True, True),
    ("mul", "0.0", False, False),   # NaN * 0, inf * 0, -x * 0
    ("mul", "-0.0", True, False),
    ("div", "1.0", False, True),
    ("div", "1.0", True, False),    # 1 / x is not x
])
def test_float_identities_are_exact(op, const, const_first, removed):
    check(binary(op, "f32", const, const_first=const_first), SPECIAL_F32,
          op=f"tfc.{op}", removed=removed)


@pytest.mark.parametrize("op, const, const_first, removed", [
    ("add", "0", False, True), ("add", "0", True, True), ("sub", "0", False, True),
    ("mul", "1", False, True), ("mul", "1", True, True),
    ("mul", "0", False, True), ("mul", "0", True, True),
    ("div", "1", False, True),
])
def test_integer_identities_are_exact(op, const, const_first, removed):
    check(binary(op, "i32", const, const_first=const_first), SPECIAL_I32,
          op=f"tfc.{op}", removed=removed)


def test_identity_that_would_broadcast_is_kept():
    text = """
func.func @main(%x: tensor<8xf32>) -> tensor<4x8xf32> {
  %c = tfc.constant {value = dense<-0.0> : tensor<4x8xf32>} : () -> tensor<4x8xf32>
  %r = tfc.add %x, %c : (tensor<8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %r : tensor<4x8xf32>
}"""
    check(text, SPECIAL_F32, op="tfc.add", removed=False)


def test_double_negation():
    text = """
func.func @main(%x: tensor<8xi32>) -> tensor<8xi32> {
  %a = tfc.neg %x : (tensor<8xi32>) -> tensor<8xi32>
  %b = tfc.neg %a : (tensor<8xi32>) -> tensor<8xi32>
  func.return %b : tensor<8xi32>
}"""
    check(text, SPECIAL_I32, op="tfc.neg", removed=True)


@pytest.mark.parametrize("p, q", list(itertools.product(itertools.permutations(range(3)), repeat=2)))
def test_transpose_composition(p, q):
    shape = (2, 3, 4)
    mid = [shape[i] for i in p]
    out = [mid[i] for i in q]

    def ty(s):
        return "tensor<" + "x".join(map(str, s)) + "xf32>"

    text = f"""
func.func @main(%x: {ty(shape)}) -> {ty(out)} {{
  %a = tfc.transpose %x {{perm = array<i64: {", ".join(map(str, p))}>}} : ({ty(shape)}) -> {ty(mid)}
  %b = tfc.transpose %a {{perm = array<i64: {", ".join(map(str, q))}>}} : ({ty(mid)}) -> {ty(out)}
  func.return %b : {ty(out)}
}}"""
    x = np.arange(24, dtype=np.float32).reshape(shape)
    before, after = canonicalize(text)
    assert_same_bits(reference.run(before, x), reference.run(after, x))
    assert count_ops(after, "tfc.transpose") <= 1


def test_view_chains():
    text = """
func.func @main(%x: tensor<2x3x4xf32>) -> (tensor<4x6xf32>, tensor<2x3x4xf32>) {
  %a = tfc.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %b = tfc.expand_dims %a {axis = 1 : i64} : (tensor<6x4xf32>) -> tensor<6x1x4xf32>
  %c = tfc.reshape %b {shape = array<i64: 4, 6>} : (tensor<6x1x4xf32>) -> tensor<4x6xf32>
  %d = tfc.squeeze %b {axis = array<i64: 1>} : (tensor<6x1x4xf32>) -> tensor<6x4xf32>
  %e = tfc.reshape %d {shape = array<i64: 2, 3, 4>} : (tensor<6x4xf32>) -> tensor<2x3x4xf32>
  func.return %c, %e : tensor<4x6xf32>, tensor<2x3x4xf32>
}"""
    x = np.random.default_rng().standard_normal((2, 3, 4)).astype(np.float32)
    before, after = canonicalize(text)
    assert_same_bits(reference.run(before, x), reference.run(after, x))
    assert count_ops(after, "tfc.reshape") == 1


def test_broadcast_chains_and_splats():
    text = """
func.func @main(%x: tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<4x8xf32>) {
  %a = tfc.broadcast_to %x {shape = array<i64: 4, 8>} : (tensor<8xf32>) -> tensor<4x8xf32>
  %b = tfc.broadcast_to %a {shape = array<i64: 2, 4, 8>} : (tensor<4x8xf32>) -> tensor<2x4x8xf32>
  %c = tfc.constant {value = dense<-0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %d = tfc.broadcast_to %c {shape = array<i64: 4, 8>} : (tensor<1xf32>) -> tensor<4x8xf32>
  func.return %b, %d : tensor<2x4x8xf32>, tensor<4x8xf32>
}"""
    before, after = canonicalize(text)
    assert_same_bits(reference.run(before, SPECIAL_F32), reference.run(after, SPECIAL_F32))
    assert count_ops(after, "tfc.broadcast_to") == 1


@pytest.mark.parametrize("dtype", ["f32", "f64", "f16", "bf16", "i32", "i64"])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "maximum", "minimum", "less", "equal"])
def test_constant_folding_keeps_dtype_and_bits(op, dtype):
    """Folded constants hold exactly what the reference computes, -0.0 and NaN included."""
    from tfc import dtypes

    d = dtypes.from_any(dtype)
    if d.is_float:
        a, b = "[-0.0, 0.0, 1.5, 0x7FC00000, 3.0, -2.5]", "[0.0, -0.0, 2.25, 1.0, -3.0, 0.1]"
        if dtype in ("f16", "bf16"):
            a = a.replace("0x7FC00000", "0x7E00" if dtype == "f16" else "0x7FC0")
        elif dtype == "f64":
            a = a.replace("0x7FC00000", "0x7FF8000000000000")
    else:
        a, b = "[0, -1, 7, 2147483647, -5, 3]", "[0, 1, 7, 1, -5, 9]"
    out = "i1" if op in ("less", "equal") else dtype
    text = f"""
func.func @main() -> tensor<6x{out}> {{
  %a = tfc.constant {{value = dense<{a}> : tensor<6x{dtype}>}} : () -> tensor<6x{dtype}>
  %b = tfc.constant {{value = dense<{b}> : tensor<6x{dtype}>}} : () -> tensor<6x{dtype}>
  %r = tfc.{op} %a, %b : (tensor<6x{dtype}>, tensor<6x{dtype}>) -> tensor<6x{out}>
  func.return %r : tensor<6x{out}>
}}"""
    before, after = canonicalize(text)
    assert count_ops(after, f"tfc.{op}") == 0
    assert_same_bits(reference.run(before), reference.run(after))


def test_splat_folding_at_any_size():
    text = """
func.func @main() -> tensor<1024x1024xf32> {
  %a = tfc.constant {value = dense<-0.0> : tensor<1024x1024xf32>} : () -> tensor<1024x1024xf32>
  %b = tfc.constant {value = dense<0.0> : tensor<1024xf32>} : () -> tensor<1024xf32>
  %r = tfc.mul %a, %b : (tensor<1024x1024xf32>, tensor<1024xf32>) -> tensor<1024x1024xf32>
  func.return %r : tensor<1024x1024xf32>
}"""
    _, after = canonicalize(text)
    (const,) = [op for op in after.walk() if op.name == "tfc.constant"]
    value = const.attributes["value"]
    assert value.is_splat()
    assert np.signbit(next(iter(value.iter_values())))  # -0.0 * 0.0 = -0.0


def test_folding_leaves_ops_without_constant_operands():
    check(binary("add", "f32", "2.0"), SPECIAL_F32, op="tfc.add", removed=False)


def test_zeros_of_both_signs_fold_exactly_or_not_at_all():
    """[-0.0, 0.0, 1.0] folds exactly. A result of zeros of both signs only ([0.0, -0.0])
    is not folded: xDSL prints such a dense attribute as a splat, losing the signs."""
    text = """
func.func @main() -> (tensor<3xf32>, tensor<2xf32>) {
  %a = tfc.constant {value = dense<[-0.0, 0.0, 1.0]> : tensor<3xf32>} : () -> tensor<3xf32>
  %r = tfc.neg %a : (tensor<3xf32>) -> tensor<3xf32>
  %b = tfc.constant {value = dense<[1.0, -1.0]> : tensor<2xf32>} : () -> tensor<2xf32>
  %z = tfc.constant {value = dense<0.0> : tensor<2xf32>} : () -> tensor<2xf32>
  %t = tfc.mul %b, %z : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %r, %t : tensor<3xf32>, tensor<2xf32>
}"""
    before, after = canonicalize(text)
    assert count_ops(after, "tfc.neg") == 0
    assert count_ops(after, "tfc.mul") == 1
    out = reference.run(after)
    assert np.signbit(out[0]).tolist() == [False, True, True]
    assert np.signbit(out[1]).tolist() == [False, True]
    assert_same_bits(reference.run(before), out)
