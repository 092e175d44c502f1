"""The CPU backend end to end: hand-written `linalg`-level MLIR through
tfc-form-kernels, tfc-bufferize, tfc-plan-memory, tfc-lower-to-loops and the C
emitter, compiled with the runtime, run on fresh random inputs into poisoned
output buffers, and compared with NumPy in float64.

Each program is written here at the `linalg` level on purpose: these tests pin
the backend's contract without depending on the front end's lowering.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
from xdsl.parser import Parser

from tfc import dtypes, runtime
from tfc.codegen.c import emit_c
from tfc.dialects import make_context
from tfc.passes.form_kernels import entry_function
from tfc.passes.registry import get_pass

RNG = np.random.default_rng()
BACKEND = ["tfc-form-kernels", "tfc-bufferize", "tfc-plan-memory", "tfc-lower-to-loops", "canonicalize"]
BF16 = np.dtype(ml_dtypes.bfloat16)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return runtime.DiskCache(tmp_path_factory.mktemp("tfc-cache"))


class Compiled:
    """Parse `text` (linalg level), let `prepare` edit it (e.g. outline fused
    groups), run the backend passes, emit C, build and load it."""

    def __init__(self, text: str, cache, prepare=None):
        ctx = make_context()
        module = Parser(ctx, text).parse_module()
        module.verify()
        host = entry_function(module)
        self.in_specs = [(a.name_hint or f"in{i}", a.type.get_shape(), dtypes.from_ir(a.type.get_element_type()).name)
                         for i, a in enumerate(host.body.block.args)]
        self.out_specs = [(f"out{i}", t.get_shape(), dtypes.from_ir(t.get_element_type()).name)
                          for i, t in enumerate(host.function_type.outputs.data)]
        if prepare is not None:
            prepare(module)
            module.verify()
        for name in BACKEND:
            get_pass(name)().apply(ctx, module)
            module.verify()
        self.module = module
        self.host = host
        self.source = emit_c(module)
        arena = host.attributes["tfc.arena_size"].value.data
        manifest = runtime.Manifest.for_program(self.in_specs, self.out_specs, arena_bytes=arena)
        path = runtime.build_cpu_artifact(self.source, manifest, key_parts=(self.source,), cache=cache)
        self.prog = runtime.load_cpu(path)

    def attr(self, name: str) -> int:
        return self.host.attributes[name].value.data

    def __call__(self, *inputs):
        outs = [poison(shape, dt) for _, shape, dt in self.out_specs]
        self.prog(*inputs, out=outs)
        return outs


def poison(shape, dt: str) -> np.ndarray:
    d = dtypes.ALL[dt]
    if d.is_float:
        return np.full(shape, np.nan, dtype=d.numpy)
    if d.is_bool:
        return np.full(shape, 0x7F, np.uint8).view(np.bool_)
    return np.full(shape, np.iinfo(d.numpy).min + 7, dtype=d.numpy)


def close(got, want, rtol=2e-5, atol=1e-5):
    got = np.asarray(got)
    if got.dtype in (np.float16, BF16):
        want = np.asarray(want, np.float64).astype(got.dtype)
        rtol, atol = (1e-2, 1e-2) if got.dtype == np.float16 else (2e-2, 2e-2)
    if got.dtype.kind in "biu":
        np.testing.assert_array_equal(got, np.asarray(want).astype(got.dtype))
    else:
        np.testing.assert_allclose(got.astype(np.float64), np.asarray(want, np.float64),
                                   rtol=rtol, atol=atol, equal_nan=True)


def rand(*shape, dtype=np.float32, low=-2.0, high=2.0):
    return RNG.uniform(low, high, size=shape).astype(dtype)


def f64(a):
    return np.asarray(a).astype(np.float64)


# ----------------------------------------------------------------------------


def test_elementwise_with_broadcast(cache):
    prog = Compiled("""
    func.func @main(%a: tensor<128x512xf32>, %b: tensor<512xf32>, %c: tensor<128x1xf32>) -> tensor<128x512xf32> {
      %e = tensor.empty() : tensor<128x512xf32>
      %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>,
                                            affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, d1)>],
                           iterator_types = ["parallel", "parallel"]}
          ins(%a, %b, %c : tensor<128x512xf32>, tensor<512xf32>, tensor<128x1xf32>) outs(%e : tensor<128x512xf32>) {
      ^bb0(%x: f32, %y: f32, %z: f32, %o: f32):
        %m = arith.mulf %x, %y : f32
        %s = arith.addf %m, %z : f32
        %t = math.tanh %s : f32
        linalg.yield %t : f32
      } -> tensor<128x512xf32>
      return %r : tensor<128x512xf32>
    }""", cache)
    a, b, c = rand(128, 512), rand(512), rand(128, 1)
    (out,) = prog(a, b, c)
    close(out, np.tanh(f64(a) * f64(b) + f64(c)))
    assert "#pragma omp parallel for" in prog.source  # 64k iterations: worth threads


REDUCTIONS = """
func.func @main(%x: tensor<24x40xf32>) -> (tensor<24xf32>, tensor<40xf32>) {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e0 = tensor.empty() : tensor<24xf32>
  %f0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      outs(%e0 : tensor<24xf32>) {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  } -> tensor<24xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                         iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<24x40xf32>) outs(%f0 : tensor<24xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<24xf32>
  %e1 = tensor.empty() : tensor<40xf32>
  %f1 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      outs(%e1 : tensor<40xf32>) {
  ^bb0(%o: f32):
    linalg.yield %ninf : f32
  } -> tensor<40xf32>
  %max = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>],
                         iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<24x40xf32>) outs(%f1 : tensor<40xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %m = arith.maximumf %acc, %v : f32
    linalg.yield %m : f32
  } -> tensor<40xf32>
  return %sum, %max : tensor<24xf32>, tensor<40xf32>
}"""


def test_reductions_sum_and_max(cache):
    prog = Compiled(REDUCTIONS, cache)
    x = rand(24, 40)
    s, m = prog(x)
    close(s, f64(x).sum(axis=1), rtol=1e-5, atol=1e-5)
    close(m, f64(x).max(axis=0))
    # The reduction accumulates in a register, between one load and one store.
    assert "acc" in prog.source


def test_max_propagates_nan(cache):
    prog = Compiled(REDUCTIONS, cache)
    x = rand(24, 40)
    x[3, 5] = np.nan
    s, m = prog(x)
    assert np.isnan(s[3]) and np.isnan(m[5])
    close(np.delete(m, 5), np.delete(f64(x).max(axis=0), 5))


def test_matmul_generic(cache):
    prog = Compiled("""
    func.func @main(%a: tensor<32x48xf32>, %b: tensor<48x40xf32>) -> tensor<32x40xf32> {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty() : tensor<32x40xf32>
      %f = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
          outs(%e : tensor<32x40xf32>) {
      ^bb0(%o: f32):
        linalg.yield %zero : f32
      } -> tensor<32x40xf32>
      %c = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d2, d1)>,
                                            affine_map<(d0, d1, d2) -> (d0, d1)>],
                           iterator_types = ["parallel", "parallel", "reduction"]}
          ins(%a, %b : tensor<32x48xf32>, tensor<48x40xf32>) outs(%f : tensor<32x40xf32>) {
      ^bb0(%x: f32, %y: f32, %acc: f32):
        %p = arith.mulf %x, %y : f32
        %s = arith.addf %acc, %p : f32
        linalg.yield %s : f32
      } -> tensor<32x40xf32>
      return %c : tensor<32x40xf32>
    }""", cache)
    a, b = rand(32, 48), rand(48, 40)
    (c,) = prog(a, b)
    close(c, f64(a) @ f64(b), rtol=1e-4, atol=1e-4)
    assert "k0_matmul" in prog.source  # the fill is fused with the matmul


def test_transpose_2d_and_3d(cache):
    prog = Compiled("""
    func.func @main(%x: tensor<24x40xf32>, %y: tensor<3x4x5xf32>) -> (tensor<40x24xf32>, tensor<5x3x4xf32>) {
      %e = tensor.empty() : tensor<40x24xf32>
      %t = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                           iterator_types = ["parallel", "parallel"]}
          ins(%x : tensor<24x40xf32>) outs(%e : tensor<40x24xf32>) {
      ^bb0(%v: f32, %o: f32):
        linalg.yield %v : f32
      } -> tensor<40x24xf32>
      %e3 = tensor.empty() : tensor<5x3x4xf32>
      %t3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d2, d0)>,
                                             affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
                            iterator_types = ["parallel", "parallel", "parallel"]}
          ins(%y : tensor<3x4x5xf32>) outs(%e3 : tensor<5x3x4xf32>) {
      ^bb0(%v: f32, %o: f32):
        linalg.yield %v : f32
      } -> tensor<5x3x4xf32>
      return %t, %t3 : tensor<40x24xf32>, tensor<5x3x4xf32>
    }""", cache)
    x, y = rand(24, 40), rand(3, 4, 5)
    t, t3 = prog(x, y)
    close(t, x.T)
    close(t3, np.transpose(y, (2, 0, 1)))


def test_reshape_views_and_returned_view(cache):
    prog = Compiled("""
    func.func @main(%x: tensor<4x6x5xf32>) -> (tensor<10x12xf32>, tensor<120xf32>, tensor<12x10xf32>) {
      %flat = tensor.collapse_shape %x [[0, 1, 2]] : tensor<4x6x5xf32> into tensor<120xf32>
      %y = tensor.expand_shape %flat [[0, 1]] output_shape [10, 12] : tensor<120xf32> into tensor<10x12xf32>
      %e = tensor.empty() : tensor<10x12xf32>
      %n = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                           iterator_types = ["parallel", "parallel"]}
          ins(%y : tensor<10x12xf32>) outs(%e : tensor<10x12xf32>) {
      ^bb0(%v: f32, %o: f32):
        %r = arith.negf %v : f32
        linalg.yield %r : f32
      } -> tensor<10x12xf32>
      %nflat = tensor.collapse_shape %n [[0, 1]] : tensor<10x12xf32> into tensor<120xf32>
      %n2 = tensor.expand_shape %nflat [[0, 1]] output_shape [12, 10] : tensor<120xf32> into tensor<12x10xf32>
      return %n, %flat, %n2 : tensor<10x12xf32>, tensor<120xf32>, tensor<12x10xf32>
    }""", cache)
    x = rand(4, 6, 5)
    n, flat, n2 = prog(x)
    close(n, -x.reshape(10, 12))
    close(flat, x.reshape(120))   # an input returned through a view: copied
    close(n2, -x.reshape(12, 10))


def test_returned_reshape_writes_into_output_buffer(cache):
    """A result returned only through a reshape is computed straight into the
    caller's buffer (viewed back to its shape), with no copy and no arena."""
    prog = Compiled("""
    func.func @main(%x: tensor<6x8xf32>) -> tensor<48xf32> {
      %e = tensor.empty() : tensor<6x8xf32>
      %n = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                           iterator_types = ["parallel", "parallel"]}
          ins(%x : tensor<6x8xf32>) outs(%e : tensor<6x8xf32>) {
      ^bb0(%v: f32, %o: f32):
        %r = math.exp %v : f32
        linalg.yield %r : f32
      } -> tensor<6x8xf32>
      %flat = tensor.collapse_shape %n [[0, 1]] : tensor<6x8xf32> into tensor<48xf32>
      return %flat : tensor<48xf32>
    }""", cache)
    x = rand(6, 8)
    (out,) = prog(x)
    close(out, np.exp(f64(x)).reshape(48))
    assert prog.attr("tfc.arena_size") == 0
    assert "copy" not in prog.source


def test_concat_and_pad_via_insert_slice(cache):
    prog = Compiled("""
    func.func @main(%a: tensor<3x4xf32>, %b: tensor<5x4xf32>, %c: tensor<3x2xf32>) -> (tensor<8x4xf32>, tensor<3x6xf32>, tensor<5x7xf32>) {
      %e = tensor.empty() : tensor<8x4xf32>
      %0 = tensor.insert_slice %a into %e[0, 0] [3, 4] [1, 1] : tensor<3x4xf32> into tensor<8x4xf32>
      %1 = tensor.insert_slice %b into %0[3, 0] [5, 4] [1, 1] : tensor<5x4xf32> into tensor<8x4xf32>
      %e2 = tensor.empty() : tensor<3x6xf32>
      %2 = tensor.insert_slice %a into %e2[0, 0] [3, 4] [1, 1] : tensor<3x4xf32> into tensor<3x6xf32>
      %3 = tensor.insert_slice %c into %2[0, 4] [3, 2] [1, 1] : tensor<3x2xf32> into tensor<3x6xf32>
      %pad = arith.constant 1.5 : f32
      %e3 = tensor.empty() : tensor<5x7xf32>
      %f = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
          outs(%e3 : tensor<5x7xf32>) {
      ^bb0(%o: f32):
        linalg.yield %pad : f32
      } -> tensor<5x7xf32>
      %4 = tensor.insert_slice %a into %f[1, 2] [3, 4] [1, 1] : tensor<3x4xf32> into tensor<5x7xf32>
      return %1, %3, %4 : tensor<8x4xf32>, tensor<3x6xf32>, tensor<5x7xf32>
    }""", cache)
    a, b, c = rand(3, 4), rand(5, 4), rand(3, 2)
    r0, r1, r2 = prog(a, b, c)
    close(r0, np.concatenate([a, b], axis=0))
    close(r1, np.concatenate([a, c], axis=1))
    close(r2, np.pad(f64(a), ((1, 1), (2, 1)), constant_values=1.5))
    # Every insert writes in place into the caller's buffer.
    assert prog.attr("tfc.arena_size") == 0


def test_extract_slice_strided(cache):
    prog = Compiled("""
    func.func @main(%x: tensor<10x12xf32>) -> (tensor<3x6xf32>, tensor<6xf32>) {
      %s = tensor.extract_slice %x[2, 3] [3, 6] [2, 1] : tensor<10x12xf32> to tensor<3x6xf32>
      %r = tensor.extract_slice %x[4, 1] [1, 6] [1, 2] : tensor<10x12xf32> to tensor<6xf32>
      return %s, %r : tensor<3x6xf32>, tensor<6xf32>
    }""", cache)
    x = rand(10, 12)
    s, r = prog(x)
    close(s, x[2:8:2, 3:9])
    close(r, x[4, 1:12:2])


def test_gather_with_tensor_extract(cache):
    prog = Compiled("""
    func.func @main(%table: tensor<10x8xf32>, %idx: tensor<6xi32>) -> tensor<6x8xf32> {
      %e = tensor.empty() : tensor<6x8xf32>
      %g = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                           iterator_types = ["parallel", "parallel"]}
          ins(%idx : tensor<6xi32>) outs(%e : tensor<6x8xf32>) {
      ^bb0(%i: i32, %o: f32):
        %row = arith.index_cast %i : i32 to index
        %col = linalg.index 1 : index
        %v = tensor.extract %table[%row, %col] : tensor<10x8xf32>
        linalg.yield %v : f32
      } -> tensor<6x8xf32>
      return %g : tensor<6x8xf32>
    }""", cache)
    table = rand(10, 8)
    idx = RNG.integers(0, 10, size=6).astype(np.int32)
    (g,) = prog(table, idx)
    close(g, table[idx])


def test_argmax_two_outputs(cache):
    prog = Compiled("""
    func.func @main(%x: tensor<6x9xf32>) -> (tensor<6xf32>, tensor<6xi64>) {
      %ninf = arith.constant 0xFF800000 : f32
      %c0 = arith.constant 0 : i64
      %e = tensor.empty() : tensor<6xf32>
      %ei = tensor.empty() : tensor<6xi64>
      %fv = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
          outs(%e : tensor<6xf32>) {
      ^bb0(%o: f32):
        linalg.yield %ninf : f32
      } -> tensor<6xf32>
      %fi = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
          outs(%ei : tensor<6xi64>) {
      ^bb0(%o: i64):
        linalg.yield %c0 : i64
      } -> tensor<6xi64>
      %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>,
                                              affine_map<(d0, d1) -> (d0)>],
                             iterator_types = ["parallel", "reduction"]}
          ins(%x : tensor<6x9xf32>) outs(%fv, %fi : tensor<6xf32>, tensor<6xi64>) {
      ^bb0(%v: f32, %best: f32, %at: i64):
        %j = linalg.index 1 : index
        %ji = arith.index_cast %j : index to i64
        %gt = arith.cmpf ogt, %v, %best : f32
        %nv = arith.select %gt, %v, %best : f32
        %ni = arith.select %gt, %ji, %at : i64
        linalg.yield %nv, %ni : f32, i64
      } -> tensor<6xf32>, tensor<6xi64>
      return %r#0, %r#1 : tensor<6xf32>, tensor<6xi64>
    }""", cache)
    x = rand(6, 9)
    v, i = prog(x)
    close(v, x.max(axis=1))
    close(i, x.argmax(axis=1))
    assert "k0_argmax" in prog.source  # with its two fills


def test_dense_constants_small_and_large(cache):
    big = RNG.uniform(-1, 1, size=(40, 40)).astype(np.float32)
    big_text = "[" + ", ".join("[" + ", ".join(repr(float(v)) for v in row) + "]" for row in big) + "]"
    prog = Compiled(f"""
    func.func @main(%x: tensor<40x40xf32>) -> (tensor<40x40xf32>, tensor<4xf32>) {{
      %small = arith.constant dense<[1.0, -2.5, 3.25, 0.0]> : tensor<4xf32>
      %big = arith.constant dense<{big_text}> : tensor<40x40xf32>
      %e = tensor.empty() : tensor<40x40xf32>
      %r = linalg.generic {{indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>,
                                            affine_map<(d0, d1) -> (d1 mod 4)>, affine_map<(d0, d1) -> (d0, d1)>],
                           iterator_types = ["parallel", "parallel"]}}
          ins(%x, %big, %small : tensor<40x40xf32>, tensor<40x40xf32>, tensor<4xf32>) outs(%e : tensor<40x40xf32>) {{
      ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
        %m = arith.mulf %a, %b : f32
        %s = arith.addf %m, %c : f32
        linalg.yield %s : f32
      }} -> tensor<40x40xf32>
      return %r, %small : tensor<40x40xf32>, tensor<4xf32>
    }}""", cache)
    x = rand(40, 40)
    r, small = prog(x)
    s = np.array([1.0, -2.5, 3.25, 0.0])
    close(r, f64(x) * f64(big) + s[np.arange(40) % 4][None, :])
    close(small, s)  # a constant returned directly is copied out
    assert "union" in prog.source  # the large constant is a byte string


def test_half_types_in_and_out(cache):
    prog = Compiled("""
    func.func @main(%a: tensor<8x16xf16>, %b: tensor<8x16xbf16>) -> (tensor<8x16xf16>, tensor<8x16xbf16>) {
      %two = arith.constant 2.0 : f32
      %e0 = tensor.empty() : tensor<8x16xf16>
      %e1 = tensor.empty() : tensor<8x16xbf16>
      %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>,
                                              affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                             iterator_types = ["parallel", "parallel"]}
          ins(%a, %b : tensor<8x16xf16>, tensor<8x16xbf16>) outs(%e0, %e1 : tensor<8x16xf16>, tensor<8x16xbf16>) {
      ^bb0(%x: f16, %y: bf16, %o0: f16, %o1: bf16):
        %xf = arith.extf %x : f16 to f32
        %yf = arith.extf %y : bf16 to f32
        %m = arith.mulf %xf, %two : f32
        %s = arith.addf %m, %yf : f32
        %d = arith.subf %xf, %yf : f32
        %s16 = arith.truncf %s : f32 to f16
        %dbf = arith.truncf %d : f32 to bf16
        linalg.yield %s16, %dbf : f16, bf16
      } -> tensor<8x16xf16>, tensor<8x16xbf16>
      return %r#0, %r#1 : tensor<8x16xf16>, tensor<8x16xbf16>
    }""", cache)
    a = rand(8, 16, dtype=np.float16)
    b = rand(8, 16, dtype=BF16)
    s, d = prog(a, b)
    assert s.dtype == np.float16 and d.dtype == BF16
    close(s, f64(a) * 2 + f64(b))
    close(d, f64(a) - f64(b))
    # bf16 conversion rounds to nearest even, exactly like ml_dtypes.
    want = (f64(a).astype(np.float32) - f64(b).astype(np.float32)).astype(BF16)
    np.testing.assert_array_equal(d.view(np.uint16), want.view(np.uint16))


def test_bool_inputs_and_outputs(cache):
    prog = Compiled("""
    func.func @main(%a: tensor<5x7xf32>, %b: tensor<5x7xf32>, %m: tensor<5x7xi1>) -> (tensor<5x7xi1>, tensor<5x7xf32>) {
      %e0 = tensor.empty() : tensor<5x7xi1>
      %e1 = tensor.empty() : tensor<5x7xf32>
      %r:2 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>,
                                              affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>,
                                              affine_map<(d0, d1) -> (d0, d1)>],
                             iterator_types = ["parallel", "parallel"]}
          ins(%a, %b, %m : tensor<5x7xf32>, tensor<5x7xf32>, tensor<5x7xi1>) outs(%e0, %e1 : tensor<5x7xi1>, tensor<5x7xf32>) {
      ^bb0(%x: f32, %y: f32, %k: i1, %o0: i1, %o1: f32):
        %gt = arith.cmpf ogt, %x, %y : f32
        %both = arith.andi %gt, %k : i1
        %sel = arith.select %k, %x, %y : f32
        linalg.yield %both, %sel : i1, f32
      } -> tensor<5x7xi1>, tensor<5x7xf32>
      return %r#0, %r#1 : tensor<5x7xi1>, tensor<5x7xf32>
    }""", cache)
    a, b = rand(5, 7), rand(5, 7)
    m = RNG.random((5, 7)) < 0.5
    both, sel = prog(a, b, m)
    assert both.dtype == np.bool_
    np.testing.assert_array_equal(both.view(np.uint8), ((a > b) & m).view(np.uint8))
    close(sel, np.where(m, a, b))


def test_full_reduction_to_rank0(cache):
    prog = Compiled("""
    func.func @main(%x: tensor<7x9xf64>) -> tensor<f64> {
      %zero = arith.constant 0.0 : f64
      %e = tensor.empty() : tensor<f64>
      %f = linalg.generic {indexing_maps = [affine_map<() -> ()>], iterator_types = []} outs(%e : tensor<f64>) {
      ^bb0(%o: f64):
        linalg.yield %zero : f64
      } -> tensor<f64>
      %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>],
                           iterator_types = ["reduction", "reduction"]}
          ins(%x : tensor<7x9xf64>) outs(%f : tensor<f64>) {
      ^bb0(%v: f64, %acc: f64):
        %sq = arith.mulf %v, %v : f64
        %a = arith.addf %acc, %sq : f64
        linalg.yield %a : f64
      } -> tensor<f64>
      return %s : tensor<f64>
    }""", cache)
    x = rand(7, 9, dtype=np.float64)
    (s,) = prog(x)
    close(s, (x * x).sum(), rtol=1e-12, atol=1e-12)


def test_shared_init_inputs_and_duplicate_results(cache):
    """In-place updates must never clobber a value that is still needed: an
    input, a fill read twice, or a result returned twice."""
    prog = Compiled("""
    func.func @main(%x: tensor<4x5xf32>, %init: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x5xf32>) {
      %zero = arith.constant 0.0 : f32
      %e = tensor.empty() : tensor<4xf32>
      %f = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} outs(%e : tensor<4xf32>) {
      ^bb0(%o: f32):
        linalg.yield %zero : f32
      } -> tensor<4xf32>
      %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                           iterator_types = ["parallel", "reduction"]}
          ins(%x : tensor<4x5xf32>) outs(%f : tensor<4xf32>) {
      ^bb0(%v: f32, %acc: f32):
        %a = arith.addf %acc, %v : f32
        linalg.yield %a : f32
      } -> tensor<4xf32>
      %p = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                           iterator_types = ["parallel", "reduction"]}
          ins(%x : tensor<4x5xf32>) outs(%f : tensor<4xf32>) {
      ^bb0(%v: f32, %acc: f32):
        %sq = arith.mulf %v, %v : f32
        %a = arith.addf %acc, %sq : f32
        linalg.yield %a : f32
      } -> tensor<4xf32>
      %q = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                           iterator_types = ["parallel", "reduction"]}
          ins(%x : tensor<4x5xf32>) outs(%init : tensor<4xf32>) {
      ^bb0(%v: f32, %acc: f32):
        %a = arith.addf %acc, %v : f32
        linalg.yield %a : f32
      } -> tensor<4xf32>
      return %s, %p, %f, %q, %q, %x : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x5xf32>
    }""", cache)
    x, init = rand(4, 5), rand(4)
    init_before = init.copy()
    s, p, f, q, q2, x_out = prog(x, init)
    close(s, f64(x).sum(1))
    close(p, (f64(x) ** 2).sum(1))
    close(f, np.zeros(4))
    close(q, f64(init) + f64(x).sum(1))
    close(q2, q)
    close(x_out, x)
    np.testing.assert_array_equal(init, init_before)


def test_integer_ops(cache):
    prog = Compiled("""
    func.func @main(%a: tensor<64xi32>, %b: tensor<64xi32>) -> (tensor<64xi32>, tensor<64xi32>, tensor<64xf32>, tensor<64xi64>) {
      %e0 = tensor.empty() : tensor<64xi32>
      %e1 = tensor.empty() : tensor<64xi32>
      %e2 = tensor.empty() : tensor<64xf32>
      %e3 = tensor.empty() : tensor<64xi64>
      %r:4 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>,
                                              affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                             iterator_types = ["parallel"]}
          ins(%a, %b : tensor<64xi32>, tensor<64xi32>) outs(%e0, %e1, %e2, %e3 : tensor<64xi32>, tensor<64xi32>, tensor<64xf32>, tensor<64xi64>) {
      ^bb0(%x: i32, %y: i32, %o0: i32, %o1: i32, %o2: f32, %o3: i64):
        %fd = arith.floordivsi %x, %y : i32
        %rm = arith.remsi %x, %y : i32
        %fl = arith.sitofp %x : i32 to f32
        %w = arith.extsi %x : i32 to i64
        %big = arith.muli %w, %w : i64
        linalg.yield %fd, %rm, %fl, %big : i32, i32, f32, i64
      } -> tensor<64xi32>, tensor<64xi32>, tensor<64xf32>, tensor<64xi64>
      return %r#0, %r#1, %r#2, %r#3 : tensor<64xi32>, tensor<64xi32>, tensor<64xf32>, tensor<64xi64>
    }""", cache)
    a = RNG.integers(-100000, 100000, size=64).astype(np.int32)
    b = RNG.integers(1, 50, size=64).astype(np.int32) * RNG.choice([-1, 1], size=64).astype(np.int32)
    fd, rm, fl, big = prog(a, b)
    np.testing.assert_array_equal(fd, np.floor_divide(a, b))
    np.testing.assert_array_equal(rm, np.fmod(a, b))
    close(fl, a.astype(np.float64))
    np.testing.assert_array_equal(big, a.astype(np.int64) ** 2)


MATH_OPS = {
    # name: (MLIR body line producing %r from %x (>0) and %y, NumPy reference)
    "exp": ("%r = math.exp %x : f32", lambda x, y: np.exp(x)),
    "log": ("%r = math.log %x : f32", lambda x, y: np.log(x)),
    "sqrt": ("%r = math.sqrt %x : f32", lambda x, y: np.sqrt(x)),
    "rsqrt": ("%r = math.rsqrt %x : f32", lambda x, y: 1 / np.sqrt(x)),
    "tanh": ("%r = math.tanh %y : f32", lambda x, y: np.tanh(y)),
    "erf": ("%r = math.erf %y : f32", lambda x, y: _erf(y)),
    "sin": ("%r = math.sin %y : f32", lambda x, y: np.sin(y)),
    "cos": ("%r = math.cos %y : f32", lambda x, y: np.cos(y)),
    "powf": ("%r = math.powf %x, %y : f32", lambda x, y: np.power(x, y)),
    "absf": ("%r = math.absf %y : f32", lambda x, y: np.abs(y)),
    "floor": ("%r = math.floor %y : f32", lambda x, y: np.floor(y)),
    "maximumf": ("%r = arith.maximumf %x, %y : f32", lambda x, y: np.maximum(x, y)),
    "minimumf": ("%r = arith.minimumf %x, %y : f32", lambda x, y: np.minimum(x, y)),
    "divf": ("%r = arith.divf %y, %x : f32", lambda x, y: y / x),
    "log1p": ("%r = math.log1p %x : f32", lambda x, y: np.log1p(x)),
    "negf": ("%r = arith.negf %y : f32", lambda x, y: -y),
}


def _erf(y):
    import math

    return np.vectorize(math.erf)(y)


def test_math_ops_table(cache):
    names = list(MATH_OPS)
    n = len(names)
    maps = ", ".join(["affine_map<(d0) -> (d0)>"] * (2 + n))
    out_types = ", ".join(["tensor<33xf32>"] * n)
    empties = "\n".join(f"%e{i} = tensor.empty() : tensor<33xf32>" for i in range(n))
    body = "\n".join(MATH_OPS[k][0].replace("%r", f"%r{i}") for i, k in enumerate(names))
    prog = Compiled(f"""
    func.func @main(%a: tensor<33xf32>, %b: tensor<33xf32>) -> ({out_types}) {{
      {empties}
      %r:{n} = linalg.generic {{indexing_maps = [{maps}], iterator_types = ["parallel"]}}
          ins(%a, %b : tensor<33xf32>, tensor<33xf32>) outs({", ".join(f"%e{i}" for i in range(n))} : {out_types}) {{
      ^bb0(%x: f32, %y: f32, {", ".join(f"%o{i}: f32" for i in range(n))}):
        {body}
        linalg.yield {", ".join(f"%r{i}" for i in range(n))} : {", ".join(["f32"] * n)}
      }} -> {out_types}
      return {", ".join(f"%r#{i}" for i in range(n))} : {out_types}
    }}""", cache)
    x = rand(33, low=0.1, high=3.0)
    y = rand(33)
    y[0], x[1] = np.nan, np.nan  # NaN propagation through maximumf / minimumf
    outs = prog(x, y)
    for name, got in zip(names, outs):
        want = MATH_OPS[name][1](f64(x), f64(y))
        np.testing.assert_allclose(got.astype(np.float64), want, rtol=2e-6, atol=2e-6,
                                   equal_nan=True, err_msg=name)
