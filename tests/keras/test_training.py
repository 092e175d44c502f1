"""Training: fit (compiled and eager), custom loops, eager-vs-compiled losses, callbacks, saving."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

import tfc as tf
from tfc.errors import ShapeError

keras = tf.keras
layers = keras.layers


def _blobs(n=96, seed=0):
    """Three separable Gaussian blobs in 4-D: a small classification problem."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((3, 4)).astype(np.float32) * 3
    y = rng.integers(0, 3, n).astype(np.int32)
    x = (centers[y] + rng.standard_normal((n, 4)).astype(np.float32) * 0.5).astype(np.float32)
    return x, y


def _mlp(seed=0, units=8):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape=(4,)), layers.Dense(units, activation="relu"),
                             layers.Dense(3)])


def _compile(model, optimizer, run_eagerly=False):
    model.compile(optimizer=optimizer,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], run_eagerly=run_eagerly)
    return model


def test_fit_converges_compiled_with_validation_and_history(capsys):
    x, y = _blobs(128)
    model = _compile(_mlp(), keras.optimizers.Adam(0.05))
    hist = model.fit(x, y, batch_size=32, epochs=6, validation_split=0.25, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/6" in out and "Epoch 6/6" in out
    assert re.search(r"3/3 \[=+\] - .* - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: ", out)
    h = hist.history
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(h["loss"]) == 6 and hist.epoch == list(range(6))
    assert h["loss"][-1] < h["loss"][0] * 0.5
    assert h["accuracy"][-1] > 0.9 and h["val_accuracy"][-1] > 0.9
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.9 and loss == pytest.approx(model.evaluate(x, y, verbose=0, return_dict=True)["loss"])
    probs = model.predict(x[:10], verbose=0)
    assert probs.shape == (10, 3)
    # One trace per batch shape: train 32, test 32 (96 train / 32 val examples).
    assert model.make_train_function().compiled is not None


def test_fit_on_a_dataset_and_run_eagerly():
    x, y = _blobs(64)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64, seed=0).batch(16)
    model = _compile(_mlp(), keras.optimizers.SGD(0.1, momentum=0.9), run_eagerly=True)
    hist = model.fit(ds, epochs=3, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]


def _bn_dropout_mlp(seed):
    keras.utils.set_random_seed(seed)
    # No bias before BatchNorm: its gradient is zero up to rounding, which Adam would amplify.
    return keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8, use_bias=False),
                             layers.BatchNormalization(),
                             layers.ReLU(), layers.Dropout(0.25), layers.Dense(3)])


def _eager_vs_compiled(optimizer_factory):
    """The same model, data and optimizer, stepped eagerly and compiled: per-step losses.

    The model has BatchNormalization (moving statistics updated in the step) and
    Dropout (host-fed noise in the compiled step, the same stream as eager)."""
    x, y = _blobs(64, seed=3)
    batches = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)] * 2
    losses = {}
    for eager in (True, False):
        model = _compile(_bn_dropout_mlp(seed=7), optimizer_factory(), run_eagerly=eager)
        model._prepare_for_training(batches[0])
        step = model.make_train_function()
        out = []
        for b in batches:
            model.reset_metrics()
            out.append(float(np.asarray(step(b)["loss"])))
        losses[eager] = (out, [w.copy() for w in model.get_weights()])
    return losses[True], losses[False]


@pytest.mark.parametrize("factory", [lambda: keras.optimizers.SGD(0.1, momentum=0.9),
                                     lambda: keras.optimizers.Adam(0.01)],
                         ids=["sgd_momentum", "adam"])
def test_compiled_step_losses_equal_eager_losses(factory):
    (eager, w_eager), (compiled, w_compiled) = _eager_vs_compiled(factory)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5, atol=1e-6)
    assert eager[-1] < eager[0]
    for a, b in zip(w_compiled, w_eager):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_custom_training_loop_with_gradient_tape_and_tf_function():
    x, y = _blobs(64, seed=1)
    keras.utils.set_random_seed(0)

    class MLP(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(16, activation="relu")
            self.out = layers.Dense(3)

        def call(self, inputs, training=False):
            return self.out(self.hidden(inputs))

    model = MLP()
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    opt = keras.optimizers.Adam(0.05)
    acc = keras.metrics.SparseCategoricalAccuracy()

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            logits = model(xb, training=True)
            loss = loss_fn(yb, logits)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        acc.update_state(yb, logits)
        return loss

    losses = []
    for epoch in range(8):
        acc.reset_state()
        for i in range(0, 64, 16):
            losses.append(float(train_step(x[i:i + 16], y[i:i + 16])))
    assert losses[-1] < losses[0] * 0.5
    assert float(acc.result()) > 0.9
    assert train_step.experimental_get_tracing_count() == 1
    assert int(opt.iterations.numpy()) == 32
    assert len(model.trainable_variables) == 4


def test_early_stopping_stops_and_restores_best_weights():
    x, y = _blobs(64)
    # Learning rate 0: val_loss never improves. (The rate is a variable, an input of the
    # compiled step, so this is the same program as the Adam(0.05) fits: one compile.)
    model = _compile(_mlp(), keras.optimizers.Adam(0.0))
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2,
                                         restore_best_weights=True)
    hist = model.fit(x, y, batch_size=32, epochs=20, validation_data=(x, y), callbacks=[stop],
                     verbose=0)
    assert len(hist.epoch) == 3  # the first epoch sets the best, then two without improvement
    assert stop.stopped_epoch == 2

    model = _compile(_mlp(), keras.optimizers.Adam(0.05))
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=10.0)
    hist = model.fit(x, y, batch_size=32, epochs=10, callbacks=[stop], verbose=0)
    assert len(hist.epoch) == 2


def test_model_checkpoint_and_callback_hooks(tmp_path):
    x, y = _blobs(64)
    model = _compile(_mlp(), keras.optimizers.Adam(0.05))
    events = []
    log = keras.callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda e, logs: events.append(f"epoch_begin{e}"),
        on_train_batch_end=lambda b, logs: events.append(f"batch{b}"),
        on_epoch_end=lambda e, logs: events.append(f"epoch_end{e}:{sorted(logs)}"),
        on_train_end=lambda logs: events.append("train_end"))
    path = str(tmp_path / "ckpt-{epoch:02d}.weights.npz")
    best = str(tmp_path / "best.weights.npz")
    ckpt = keras.callbacks.ModelCheckpoint(path, save_weights_only=True)
    ckpt_best = keras.callbacks.ModelCheckpoint(best, monitor="loss", save_best_only=True)
    model.fit(x, y, batch_size=32, epochs=2, callbacks=[log, ckpt, ckpt_best], verbose=0)
    assert events == ["train_begin", "epoch_begin0", "batch0", "batch1",
                      "epoch_end0:['accuracy', 'loss']", "epoch_begin1", "batch0", "batch1",
                      "epoch_end1:['accuracy', 'loss']", "train_end"]
    assert sorted(os.listdir(tmp_path)) == ["best.weights.npz", "ckpt-01.weights.npz",
                                            "ckpt-02.weights.npz"]
    other = _mlp(seed=5)
    other.load_weights(str(tmp_path / "ckpt-02.weights.npz"))
    for a, b in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_save_load_round_trip_and_mismatch(tmp_path):
    x, _ = _blobs(8)
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(5), layers.BatchNormalization(),
                              layers.Dense(3)])
    model(x, training=True)  # moves the BatchNorm statistics away from their initial values
    path = tmp_path / "m.weights.npz"
    model.save_weights(path)
    with np.load(path, allow_pickle=False) as archive:
        assert len(archive.files) == len(model.weights) + 1
    clone = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(5),
                              layers.BatchNormalization(), layers.Dense(3)])
    clone.load_weights(path)
    for a, b in zip(clone.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.asarray(clone(x)), np.asarray(model(x)))
    wrong = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(6),
                              layers.BatchNormalization(), layers.Dense(3)])
    with pytest.raises(ShapeError, match=r"\(4, 5\).*\(4, 6\)"):
        wrong.load_weights(path)


def test_loss_shape_mismatch_names_loss_shapes_and_line():
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with pytest.raises(ShapeError) as e:
        loss(np.zeros((4, 2), np.int32), np.zeros((4, 3), np.float32))
    msg = str(e.value)
    assert "sparse_categorical_crossentropy" in msg and "(4, 2)" in msg and "(4, 3)" in msg
    assert re.search(r"test_training\.py:\d+", msg)
    with pytest.raises(ShapeError, match=r"mean_squared_error.*\(4, 2\).*\(4, 3\)"):
        keras.losses.MeanSquaredError()(np.zeros((4, 2)), np.zeros((4, 3)))
    # The same error from inside fit, pointing at the user's fit line.
    model = _compile(_mlp(), "sgd")
    with pytest.raises(ShapeError, match=r"labels of shape \(8, 2\)"):
        model.fit(np.zeros((8, 4), np.float32), np.zeros((8, 2), np.int32), verbose=0)


def _conv_model(seed):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape=(6, 6, 1)), layers.Conv2D(3, 3, padding="same",
                                                                          activation="relu"),
                             layers.MaxPooling2D(), layers.AveragePooling2D(pool_size=1),
                             layers.Flatten(), layers.Dense(3)])


def _embedding_model(seed):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape=(5,)), layers.Embedding(10, 4),
                             layers.LayerNormalization(), layers.Flatten(), layers.Dense(3)])


@pytest.mark.parametrize("kind", ["conv", "embedding"])
def test_compiled_step_equals_eager_for_conv_and_embedding_models(kind):
    rng = np.random.default_rng(0)
    if kind == "conv":
        x, make = rng.standard_normal((8, 6, 6, 1)).astype(np.float32), _conv_model
    else:
        x, make = rng.integers(0, 10, (8, 5)).astype(np.int32), _embedding_model
    y = rng.integers(0, 3, 8).astype(np.int32)
    runs = {}
    for eager in (True, False):
        model = _compile(make(3), keras.optimizers.SGD(0.1, momentum=0.9), run_eagerly=eager)
        step = model.make_train_function()
        runs[eager] = [float(np.asarray(step((x, y))["loss"])) for _ in range(3)]
    np.testing.assert_allclose(runs[False], runs[True], rtol=1e-5, atol=1e-6)
    assert runs[True][-1] < runs[True][0]
