"""The benchmark workloads, each written once against a small op adapter, and one
adapter per framework (NumPy, torch, JAX, tfc), so every framework computes the
same function from the same inputs.

Each adapter uses its framework's own building blocks where it has one
(torch.softmax, F.layer_norm, jax.nn.gelu, tfc.softmax, tfc.layer_norm, ...).
GELU is the tanh approximation everywhere; layer norm uses epsilon 1e-5 and
the biased variance everywhere. The NumPy adapter is dtype-agnostic: it is the
NumPy peer in float32 and the float64 oracle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

GELU_C = math.sqrt(2.0 / math.pi)
LN_EPS = 1e-5


# --- adapters ------------------------------------------------------------------------

class NumpyOps:
    name = "numpy"

    @staticmethod
    def gelu_tanh(x):
        return 0.5 * x * (1.0 + np.tanh(GELU_C * (x + 0.044715 * (x * x * x))))

    @staticmethod
    def softmax(x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    @staticmethod
    def layer_norm(x, g, b):
        mean = x.mean(axis=-1, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=-1, keepdims=True)
        return xc / np.sqrt(var + LN_EPS) * g + b

    matmul = staticmethod(np.matmul)

    @staticmethod
    def matmul_t(a, b):
        return np.matmul(a, np.swapaxes(b, -1, -2))

    @staticmethod
    def relu(x):
        return np.maximum(x, 0)

    reshape = staticmethod(np.reshape)
    transpose = staticmethod(np.transpose)

    @staticmethod
    def conv2d_same(x, w):
        """NHWC x HWIO, stride 1, SAME padding, as windows times the filter."""
        kh, kw = w.shape[0], w.shape[1]
        xp = np.pad(x, ((0, 0), (kh // 2, (kh - 1) // 2), (kw // 2, (kw - 1) // 2), (0, 0)))
        win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))  # N,H,W,C,kh,kw
        return np.tensordot(win, w, axes=((4, 5, 3), (0, 1, 2)))

    @staticmethod
    def max_pool2(x):
        n, h, w, c = x.shape
        return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


class TorchOps:
    name = "torch"

    def __init__(self):
        import torch
        import torch.nn.functional as F

        self.torch, self.F = torch, F

    def gelu_tanh(self, x):
        return self.F.gelu(x, approximate="tanh")

    def softmax(self, x):
        return self.torch.softmax(x, dim=-1)

    def layer_norm(self, x, g, b):
        return self.F.layer_norm(x, (x.shape[-1],), g, b, LN_EPS)

    def matmul(self, a, b):
        return a @ b

    def matmul_t(self, a, b):
        return a @ b.transpose(-1, -2)

    def relu(self, x):
        return self.torch.relu(x)

    def reshape(self, x, shape):
        return x.reshape(shape)

    def transpose(self, x, perm):
        return x.permute(*perm)

    def conv2d_same(self, x, w):
        # NHWC data seen as a channels-last NCHW tensor: no copies, the native CPU layout.
        kh = w.shape[0]
        y = self.F.conv2d(x.permute(0, 3, 1, 2), w.permute(3, 2, 0, 1), padding=kh // 2)
        return y.permute(0, 2, 3, 1)

    def max_pool2(self, x):
        return self.F.max_pool2d(x.permute(0, 3, 1, 2), 2, 2).permute(0, 2, 3, 1)


class JaxOps:
    name = "jax"

    def __init__(self):
        import jax
        import jax.numpy as jnp

        self.jax, self.jnp = jax, jnp

    def gelu_tanh(self, x):
        return self.jax.nn.gelu(x, approximate=True)

    def softmax(self, x):
        return self.jax.nn.softmax(x, axis=-1)

    def layer_norm(self, x, g, b):
        jnp = self.jnp
        mean = x.mean(axis=-1, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=-1, keepdims=True)
        return xc / jnp.sqrt(var + LN_EPS) * g + b

    def matmul(self, a, b):
        return a @ b

    def matmul_t(self, a, b):
        return a @ self.jnp.swapaxes(b, -1, -2)

    def relu(self, x):
        return self.jax.nn.relu(x)

    def reshape(self, x, shape):
        return self.jnp.reshape(x, shape)

    def transpose(self, x, perm):
        return self.jnp.transpose(x, perm)

    def conv2d_same(self, x, w):
        return self.jax.lax.conv_general_dilated(x, w, (1, 1), "SAME",
                                                 dimension_numbers=("NHWC", "HWIO", "NHWC"))

    def max_pool2(self, x):
        lax = self.jax.lax
        return lax.reduce_window(x, -self.jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")


class TfcOps:
    name = "tfc"

    def __init__(self):
        import tfc

        self.tfc = tfc

    def gelu_tanh(self, x):
        return self.tfc.gelu(x, approximate=True)

    def softmax(self, x):
        return self.tfc.softmax(x, axis=-1)

    def layer_norm(self, x, g, b):
        return self.tfc.layer_norm(x, g, b, axis=-1, epsilon=LN_EPS)

    def matmul(self, a, b):
        return self.tfc.matmul(a, b)

    def matmul_t(self, a, b):
        return self.tfc.matmul(a, b, transpose_b=True)

    def relu(self, x):
        return self.tfc.relu(x)

    def reshape(self, x, shape):
        return self.tfc.reshape(x, list(shape))

    def transpose(self, x, perm):
        return self.tfc.transpose(x, list(perm))

    def conv2d_same(self, x, w):
        return self.tfc.conv2d(x, w, strides=1, padding="SAME")

    def max_pool2(self, x):
        return self.tfc.max_pool2d(x, 2, 2, "VALID")


def adapter(framework: str):
    if framework == "numpy":
        return NumpyOps()
    if framework in ("torch", "torch.compile"):
        return TorchOps()
    if framework == "jax":
        return JaxOps()
    if framework == "tfc":
        return TfcOps()
    raise ValueError(framework)


# --- the computations ------------------------------------------------------------------

def gelu_affine(F, x, a, b):
    return F.gelu_tanh(x * a + b)


def softmax_rows(F, x):
    return F.softmax(x)


def layer_norm(F, x, g, b):
    return F.layer_norm(x, g, b)


def matmul(F, a, b):
    return F.matmul(a, b)


def mlp(F, x, w1, b1, w2, b2, w3, b3):
    h = F.relu(F.matmul(x, w1) + b1)
    h = F.relu(F.matmul(h, w2) + b2)
    return F.matmul(h, w3) + b3


def chain(F, x):
    for _ in range(100):
        x = x * 1.0001 + 0.001
    return x


def encoder_block(F, x, ln1_g, ln1_b, wq, bq, wk, bk, wv, bv, wo, bo, ln2_g, ln2_b, w1, b1, w2, b2,
                  heads: int = 8):
    """Pre-layer-norm transformer encoder block: x + MHA(LN(x)), then h + MLP(LN(h))."""
    bsz, seq, width = x.shape
    dh = width // heads
    x2 = F.reshape(x, (bsz * seq, width))
    h = F.layer_norm(x2, ln1_g, ln1_b)

    def split_heads(t):
        return F.transpose(F.reshape(t, (bsz, seq, heads, dh)), (0, 2, 1, 3))

    q = split_heads(F.matmul(h, wq) + bq)
    k = split_heads(F.matmul(h, wk) + bk)
    v = split_heads(F.matmul(h, wv) + bv)
    p = F.softmax(F.matmul_t(q, k) * (1.0 / math.sqrt(dh)))
    ctx = F.reshape(F.transpose(F.matmul(p, v), (0, 2, 1, 3)), (bsz * seq, width))
    x2 = x2 + (F.matmul(ctx, wo) + bo)
    m = F.gelu_tanh(F.matmul(F.layer_norm(x2, ln2_g, ln2_b), w1) + b1)
    return F.reshape(x2 + (F.matmul(m, w2) + b2), (bsz, seq, width))


def convnet(F, x, w1, b1, w2, b2, w3, b3, wd, bd):
    h = F.relu(F.conv2d_same(x, w1) + b1)
    h = F.relu(F.conv2d_same(h, w2) + b2)
    h = F.relu(F.conv2d_same(h, w3) + b3)
    h = F.max_pool2(h)
    return F.matmul(F.reshape(h, (x.shape[0], -1)), wd) + bd


# --- the workloads ---------------------------------------------------------------------

@dataclass
class Workload:
    key: str
    title: str
    size: str
    fn: Callable[..., Any]
    shapes: dict[str, tuple[int, ...]]   # input name -> shape, in argument order
    metric: str                          # "GB/s", "GFLOP/s" or "calls/s"
    work: float                          # bytes or flops per call (unused for calls/s)
    tol: float                           # max |got - ref| / max |ref|
    rotate: int = 1                      # input sets cycled through (defeats warm caches)
    timeout_s: float = 180.0
    budget_s: float = 8.0                # timed-loop budget per framework
    inner_target_s: float = 0.0          # >0: each sample averages calls for about this long
    scale: dict[str, float] = field(default_factory=dict)  # input name -> std (default 1)
    note: str = ""
    train: bool = False                  # a training step (tools/bench/workloads_train.py)
    frameworks: tuple[str, ...] | None = None  # None: every framework but tfc-eager

    def runs_on(self, fw: str) -> bool:
        return fw in self.frameworks if self.frameworks is not None else fw != "tfc-eager"

    def make_inputs(self, seed: int, set_index: int = 0) -> dict[str, np.ndarray]:
        rng = np.random.default_rng([seed, set_index])
        out = {}
        for name, shape in self.shapes.items():
            std = self.scale.get(name, 1.0)
            out[name] = np.array(rng.standard_normal(shape, dtype=np.float32) * np.float32(std),
                                 dtype=np.float32)
        return out


def _dense(fan_in: int) -> float:
    return 1.0 / math.sqrt(fan_in)


def all_workloads(quick: bool = False) -> list[Workload]:
    q = quick
    ws: list[Workload] = []

    n = 1 << (16 if q else 24)
    ws.append(Workload("W1", "gelu_tanh(x*a + b)", f"x: 2^{int(math.log2(n))} (a, b: f32 scalars)",
                       gelu_affine, {"x": (n,), "a": (), "b": ()}, "GB/s", 2 * 4 * n, 1e-4,
                       rotate=3, scale={"a": 0.5, "b": 0.5},
                       note="a and b are rank-0 float32 inputs; bytes = read x + write y"))
    r, c = (256, 128) if q else (8192, 1024)
    ws.append(Workload("W2", "row softmax", f"{r}x{c}", softmax_rows, {"x": (r, c)}, "GB/s",
                       2 * 4 * r * c, 1e-4, rotate=3, note="bytes = read x + write y"))
    ws.append(Workload("W3", "layer norm (gamma, beta)", f"{r}x{c}", layer_norm,
                       {"x": (r, c), "gamma": (c,), "beta": (c,)}, "GB/s", 2 * 4 * r * c + 8 * c, 1e-4,
                       rotate=3, note="epsilon 1e-5; bytes = read x, gamma, beta + write y"))
    for m in ((64, 128) if q else (1024, 4096)):
        ws.append(Workload(f"W4-{m}", "matmul", f"{m}^3", matmul, {"a": (m, m), "b": (m, m)}, "GFLOP/s",
                           2.0 * m ** 3, 1e-4 if m <= 1024 else 2e-4, scale={"b": _dense(m)},
                           timeout_s=(120.0 if m >= 4096 else 180.0)))
    b, i, h, o = (16, 64, 64, 10) if q else (512, 784, 1024, 10)
    ws.append(Workload("W5", "MLP forward (relu)", f"{b}x{i}->{h}->{h}->{o}", mlp,
                       {"x": (b, i), "w1": (i, h), "b1": (h,), "w2": (h, h), "b2": (h,), "w3": (h, o),
                        "b3": (o,)}, "GFLOP/s", 2.0 * b * (i * h + h * h + h * o), 2e-4,
                       scale={"w1": _dense(i), "w2": _dense(h), "w3": _dense(h), "b1": 0.1, "b2": 0.1,
                              "b3": 0.1}))
    from .workloads_train import TRAIN_FRAMEWORKS

    ws.append(Workload("W5-train", "MLP training step (relu, softmax CE, SGD)",
                       f"{b}x{i}->{h}->{h}->{o}", None,
                       {"x": (b, i), "w1": (i, h), "b1": (h,), "w2": (h, h), "b2": (h,), "w3": (h, o),
                        "b3": (o,)}, "GFLOP/s", 6.0 * b * (i * h + h * h + h * o), 1e-4,
                       scale={"w1": _dense(i), "w2": _dense(h), "w3": _dense(h), "b1": 0.1, "b2": 0.1,
                              "b3": 0.1}, train=True, frameworks=TRAIN_FRAMEWORKS,
                       note="forward, sparse softmax cross-entropy (int labels) averaged over the batch, "
                       "backward, SGD lr 0.01 on all six variables in place; tfc: a @tf.function step "
                       "(GradientTape, assign_sub) and the same step eager; torch: autograd.grad + "
                       "in-place sub_ under no_grad; jax: jit(value_and_grad) + functional SGD; "
                       "flops = 6 per multiply-add of the three matmuls (forward + backward); "
                       "checked: the losses of 3 steps from the same weights against float64 NumPy"))
    ws.append(Workload("W6", "100 x (x*1.0001 + 0.001)", "64x64", chain, {"x": (64, 64)}, "calls/s", 0,
                       1e-4, rotate=3, inner_target_s=0.02,
                       note="time per call of the whole 100-step program (call overhead)"))
    bsz, seq, d, f = (1, 16, 64, 256) if q else (8, 128, 512, 2048)
    heads = 4 if q else 8
    sd, sf = _dense(d), _dense(f)
    enc = {"x": (bsz, seq, d), "ln1_g": (d,), "ln1_b": (d,), "wq": (d, d), "bq": (d,), "wk": (d, d),
           "bk": (d,), "wv": (d, d), "bv": (d,), "wo": (d, d), "bo": (d,), "ln2_g": (d,), "ln2_b": (d,),
           "w1": (d, f), "b1": (f,), "w2": (f, d), "b2": (d,)}
    flops = 2.0 * bsz * seq * (4 * d * d + 2 * d * f) + 2.0 * 2 * bsz * seq * seq * d
    ws.append(Workload("W7", "transformer encoder block (pre-LN)",
                       f"b{bsz} s{seq} d{d} h{heads} mlp{f}",
                       (lambda F, *a: encoder_block(F, *a, heads=heads)), enc, "GFLOP/s", flops, 5e-4,
                       scale={"wq": sd, "wk": sd, "wv": sd, "wo": sd, "w1": sd, "w2": sf, "ln1_b": 0.1,
                              "ln2_b": 0.1, "bq": 0.1, "bk": 0.1, "bv": 0.1, "bo": 0.1, "b1": 0.1,
                              "b2": 0.1},
                       note="GELU tanh form; LN epsilon 1e-5; flops count the matmuls only"))
    n, hw = (2, 8) if q else (64, 32)
    conv = {"x": (n, hw, hw, 3), "w1": (3, 3, 3, 32), "b1": (32,), "w2": (3, 3, 32, 64), "b2": (64,),
            "w3": (3, 3, 64, 64), "b3": (64,), "wd": ((hw // 2) ** 2 * 64, 10), "bd": (10,)}
    cflops = 2.0 * n * hw * hw * 9 * (3 * 32 + 32 * 64 + 64 * 64) + 2.0 * n * (hw // 2) ** 2 * 64 * 10
    ws.append(Workload("W8", "conv net (3x conv3x3+relu, maxpool, dense)",
                       f"b{n} {hw}x{hw}x3 -> 32/64/64 -> 10", convnet, conv, "GFLOP/s", cflops, 5e-4,
                       scale={"w1": _dense(27), "w2": _dense(288), "w3": _dense(576),
                              "wd": _dense((hw // 2) ** 2 * 64), "b1": 0.1, "b2": 0.1, "b3": 0.1,
                              "bd": 0.1},
                       note="NHWC/HWIO, SAME padding, stride 1; torch runs channels-last views"))
    if q:
        for w in ws:
            w.timeout_s, w.budget_s = 120.0, 1.0
    return ws


def select(keys: str | None, quick: bool) -> list[Workload]:
    ws = all_workloads(quick)
    if not keys:
        return ws
    wanted = [k.strip().upper() for k in keys.split(",") if k.strip()]

    def hit(w, k):  # W4 = W4-1024 and W4-4096; W5 is only the forward (W5-train by its name)
        head, _, tail = w.key.upper().partition("-")
        return w.key.upper() == k or (head == k and tail.isdigit())

    picked = [w for w in ws if any(hit(w, k) for k in wanted)]
    unknown = [k for k in wanted if not any(hit(w, k) for w in ws)]
    if unknown:
        raise SystemExit(f"unknown workload(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(w.key for w in ws)}")
    return picked
