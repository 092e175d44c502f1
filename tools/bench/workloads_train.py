"""W5-train: one MLP training step (forward, sparse softmax cross-entropy averaged over the
batch, backward, plain SGD updating all six weight/bias variables in place), written once
per framework the way that framework's users write it.

Every framework starts from the same float32 weights and data (`train_inputs`). The check:
3 steps from those weights; each framework's 3 losses must match the float64 NumPy oracle
(`reference_losses`, hand-written backprop) within the workload's tolerance, so tfc compiled,
tfc eager, torch, torch.compile and jax also match each other.
"""

from __future__ import annotations

import numpy as np

LR = 0.01
CHECK_STEPS = 3
PARAMS = ("w1", "b1", "w2", "b2", "w3", "b3")


def train_inputs(w, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """(initial params, x float32, labels int32) for workload `w` (shapes in w.shapes)."""
    arrays = w.make_inputs(seed, 0)
    params = {n: arrays[n] for n in PARAMS}
    rng = np.random.default_rng([seed, 99])
    labels = rng.integers(0, w.shapes["w3"][1], size=w.shapes["x"][0]).astype(np.int32)
    return params, arrays["x"], labels


def reference_losses(params: dict, x: np.ndarray, labels: np.ndarray, steps: int = CHECK_STEPS,
                     dtype=np.float64) -> np.ndarray:
    """NumPy forward + hand-written backward + SGD, `steps` times; the losses before each update."""
    p = {k: v.astype(dtype) for k, v in params.items()}
    x = x.astype(dtype)
    n = x.shape[0]
    losses = []
    for _ in range(steps):
        z1 = x @ p["w1"] + p["b1"]
        h1 = np.maximum(z1, 0)
        z2 = h1 @ p["w2"] + p["b2"]
        h2 = np.maximum(z2, 0)
        logits = h2 @ p["w3"] + p["b3"]
        m = logits.max(axis=1, keepdims=True)
        e = np.exp(logits - m)
        s = e.sum(axis=1, keepdims=True)
        logp = logits - m - np.log(s)
        losses.append(-logp[np.arange(n), labels].mean())
        d = e / s
        d[np.arange(n), labels] -= 1.0
        d /= n
        g = {"w3": h2.T @ d, "b3": d.sum(0)}
        d = (d @ p["w3"].T) * (z2 > 0)
        g.update(w2=h1.T @ d, b2=d.sum(0))
        d = (d @ p["w2"].T) * (z1 > 0)
        g.update(w1=x.T @ d, b1=d.sum(0))
        for k in PARAMS:
            p[k] = p[k] - LR * g[k]
    return np.array(losses, dtype=np.float64)


# --- one step per framework: make_step(params, x, labels) -> (step() -> loss as float) ----------

def tfc_step(params, x, labels, *, compiled: bool):
    import tfc as tf

    vs = [tf.Variable(params[n].copy(), name=n) for n in PARAMS]
    xt, yt = tf.constant(x), tf.constant(labels)

    def train_step(x, y):
        w1, b1, w2, b2, w3, b3 = vs
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.matmul(x, w1) + b1)
            h = tf.nn.relu(tf.matmul(h, w2) + b2)
            logits = tf.matmul(h, w3) + b3
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        grads = tape.gradient(loss, vs)
        for v, g in zip(vs, grads):
            v.assign_sub(LR * g)
        return loss

    fn = tf.function(train_step) if compiled else train_step

    def step():
        return fn(xt, yt)

    def concrete():  # tfc compiled: trace + compile (or load from the cache) without running
        return fn.get_concrete_function(xt, yt)

    return step, (concrete if compiled else None), (lambda: [v.numpy() for v in vs])


def torch_step(params, x, labels, *, compiled: bool):
    import torch
    import torch.nn.functional as F

    torch.set_grad_enabled(True)
    ps = [torch.tensor(params[n], requires_grad=True) for n in PARAMS]
    xt, yt = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))

    def train_step(x, y):
        w1, b1, w2, b2, w3, b3 = ps
        h = torch.relu(x @ w1 + b1)
        h = torch.relu(h @ w2 + b2)
        loss = F.cross_entropy(h @ w3 + b3, y)
        grads = torch.autograd.grad(loss, ps)
        with torch.no_grad():
            for p, g in zip(ps, grads):
                p.sub_(LR * g)
        return loss.detach()

    fn = torch.compile(train_step) if compiled else train_step
    return (lambda: fn(xt, yt)), None, (lambda: [p.detach().numpy() for p in ps])


def jax_step(params, x, labels):
    import jax
    import jax.numpy as jnp

    def loss_fn(p, x, y):
        w1, b1, w2, b2, w3, b3 = p
        h = jax.nn.relu(x @ w1 + b1)
        h = jax.nn.relu(h @ w2 + b2)
        logp = jax.nn.log_softmax(h @ w3 + b3, axis=-1)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    @jax.jit
    def train_step(p, x, y):
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        return loss, tuple(a - LR * b for a, b in zip(p, g))

    state = {"p": tuple(jax.device_put(params[n]) for n in PARAMS)}
    xt, yt = jax.device_put(x), jax.device_put(labels)

    def step():
        loss, state["p"] = train_step(state["p"], xt, yt)
        return loss.block_until_ready()

    return step, None, (lambda: [np.asarray(a) for a in state["p"]])


def make_step(fw: str, params, x, labels):
    """(step, concrete-or-None, read_params) for framework `fw`; each run owns fresh copies."""
    if fw in ("tfc", "tfc-eager"):
        return tfc_step(params, x, labels, compiled=(fw == "tfc"))
    if fw in ("torch", "torch.compile"):
        return torch_step(params, x, labels, compiled=(fw == "torch.compile"))
    if fw == "jax":
        return jax_step(params, x, labels)
    raise ValueError(f"{fw} has no training step")


TRAIN_FRAMEWORKS = ("torch", "torch.compile", "jax", "tfc-eager", "tfc")
