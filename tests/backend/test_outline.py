"""`outline_kernel` on groups of ops, as a fusion pass will call it: what the
kernel takes and returns, and that multi-op kernels bufferize and run correctly."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import TensorType, f32
from xdsl.dialects.linalg.ops import GenericOp
from xdsl.parser import Parser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_c_backend import Compiled, close, f64, rand  # noqa: E402
from tfc.dialects import make_context
from tfc.passes.form_kernels import entry_function, outline_kernel

SOFTMAX_ROWS = """
func.func @main(%x: tensor<6x10xf32>) -> (tensor<6x10xf32>, tensor<6xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6xf32>
  %fm = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e : tensor<6xf32>) {
  ^bb0(%o: f32):
    linalg.yield %ninf : f32
  } -> tensor<6xf32>
  %max = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<6x10xf32>) outs(%fm : tensor<6xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<6xf32>
  %e2 = tensor.empty() : tensor<6x10xf32>
  %ex = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %max : tensor<6x10xf32>, tensor<6xf32>) outs(%e2 : tensor<6x10xf32>) {
  ^bb0(%v: f32, %m: f32, %o: f32):
    %d = arith.subf %v, %m : f32
    %r = math.exp %d : f32
    linalg.yield %r : f32
  } -> tensor<6x10xf32>
  %e3 = tensor.empty() : tensor<6xf32>
  %fs = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e3 : tensor<6xf32>) {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  } -> tensor<6xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%ex : tensor<6x10xf32>) outs(%fs : tensor<6xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %a = arith.addf %acc, %v : f32
    linalg.yield %a : f32
  } -> tensor<6xf32>
  %e4 = tensor.empty() : tensor<6x10xf32>
  %sm = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%ex, %sum : tensor<6x10xf32>, tensor<6xf32>) outs(%e4 : tensor<6x10xf32>) {
  ^bb0(%v: f32, %s: f32, %o: f32):
    %q = arith.divf %v, %s : f32
    linalg.yield %q : f32
  } -> tensor<6x10xf32>
  func.return %sm, %max : tensor<6x10xf32>, tensor<6xf32>
}
"""


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    from tfc import runtime

    return runtime.DiskCache(tmp_path_factory.mktemp("tfc-cache"))


def generics(module):
    return [op for op in entry_function(module).body.block.ops if isinstance(op, GenericOp)]


def parse(text):
    return Parser(make_context(), text).parse_module()


def test_group_arguments_and_results():
    module = parse(SOFTMAX_ROWS)
    g = generics(module)
    kernel = outline_kernel(g[:4], "k0_softmax_head")  # fill, max, exp, fill
    module.verify()
    # Reads only %x; %max and %ex are used outside; %fs too (the second fill).
    assert [a.type for a in kernel.body.block.args] == [TensorType(f32, [6, 10])]
    assert len(kernel.function_type.outputs.data) == 3
    host = entry_function(module)
    calls = [op for op in host.body.block.ops if isinstance(op, func.CallOp)]
    assert [c.callee.root_reference.data for c in calls] == ["k0_softmax_head"]


def test_group_must_be_convex():
    module = parse(SOFTMAX_ROWS)
    g = generics(module)
    with pytest.raises(ValueError, match="not convex"):
        outline_kernel([g[1], g[4]], "k0_bad")  # max ... sum, but sum needs exp (outside)


def test_ops_between_that_depend_on_the_group_move_after_it():
    module = parse(SOFTMAX_ROWS)
    g = generics(module)
    outline_kernel([g[0], g[1], g[3]], "k0_fills_and_max")  # skips exp, which reads max
    module.verify()
    ops = list(entry_function(module).body.block.ops)
    names = [o.name for o in ops if o.name in ("func.call", "linalg.generic")]
    assert names[0] == "func.call"


@pytest.mark.parametrize("grouping", ["one_kernel", "two_kernels", "per_op"])
def test_fused_groups_run_correctly(cache, grouping):
    def prepare(module):
        g = generics(module)
        if grouping == "one_kernel":
            outline_kernel(g, "k0_softmax")
        elif grouping == "two_kernels":
            outline_kernel(g[:3], "k0_max_exp")
            outline_kernel(g[3:], "k1_sum_div")

    prog = Compiled(SOFTMAX_ROWS, cache, prepare=prepare)
    x = rand(6, 10)
    sm, mx = prog(x)
    xd = f64(x)
    e = np.exp(xd - xd.max(1, keepdims=True))
    close(sm, e / e.sum(1, keepdims=True))
    close(mx, xd.max(1))
    if grouping == "one_kernel":
        # The intermediates of a fused kernel are scratch buffers the host provides.
        assert "scratch" in prog.source
