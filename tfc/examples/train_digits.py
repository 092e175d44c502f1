"""The main demo: train a digit classifier on the shipped 8x8 digits, compiled.

Run: python -m tfc.examples.train_digits

A Keras-style MLP is trained with `model.fit`, whose train step (forward,
loss, backward, Adam update, metrics) is traced once and compiled to C as one
executable. The demo prints the data split, a progress bar per epoch, the test
accuracy, and the time of one compiled train step beside the same step run
eagerly. It exits with status 1 if the test accuracy is below 95%.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np

import tfc as tf
from tfc.datasets import digits

EPOCHS = 20
BATCH = 64
LEARNING_RATE = 0.01
TARGET_ACCURACY = 0.95


def load():
    """Pixels scaled to [0, 1] and flattened; a validation part split off the training data."""
    (x_train, y_train), (x_test, y_test) = digits.load_data(test_split=0.2, seed=0)
    x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0
    x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0
    n_val = len(x_train) // 10
    return ((x_train[n_val:], y_train[n_val:]), (x_train[:n_val], y_train[:n_val]),
            (x_test, y_test))


def build_model(steps_per_epoch: int):
    layers = tf.keras.layers
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(64,)),
        layers.Dense(128, use_bias=False),  # BatchNorm supplies the shift
        layers.BatchNormalization(),   # batch statistics in training, moving averages in test
        layers.ReLU(),
        layers.Dropout(0.2),           # its mask is drawn on the host for every compiled step
        layers.Dense(10),
    ], name="digits_mlp")
    schedule = tf.keras.optimizers.schedules.CosineDecay(LEARNING_RATE, EPOCHS * steps_per_epoch)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=schedule),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def _median_ms(step, batch, repeats: int) -> float:
    step(batch)  # warm up (and, for the compiled step, make sure nothing is left to compile)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step(batch)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main() -> int:
    t_start = time.perf_counter()
    tf.keras.utils.set_random_seed(0)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = load()
    print(f"digits: {digits.NUM_EXAMPLES} images of 8x8 pixels, 10 classes -> "
          f"train {len(x_train)} / validation {len(x_val)} / test {len(x_test)}")

    model = build_model(steps_per_epoch=len(x_train) // BATCH)
    model.summary()
    # One batch shape for training (drop_remainder), one batch for validation and for test:
    # each shape is one trace and one compiled executable.
    train_ds = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
                .shuffle(len(x_train), seed=0)
                .batch(BATCH, drop_remainder=True))
    model.fit(train_ds, epochs=EPOCHS, validation_data=(x_val, y_val),
              validation_batch_size=len(x_val), verbose=2)

    _, test_accuracy = model.evaluate(x_test, y_test, batch_size=len(x_test), verbose=0)
    print(f"test accuracy: {test_accuracy:.2%} ({round(test_accuracy * len(x_test))}/{len(x_test)})")

    # The same train step, compiled (as fit ran it) and eagerly (NumPy, op by op).
    batch = (x_train[:BATCH], y_train[:BATCH])
    compiled_ms = _median_ms(model.make_train_function(), batch, repeats=50)
    eager_ms = _median_ms(model.train_step, batch, repeats=10)
    total_s = time.perf_counter() - t_start
    ratio = eager_ms / compiled_ms
    speedup = f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x"
    print(f"compiled train step: {compiled_ms:.2f} ms/step vs eager {eager_ms:.1f} ms/step "
          f"({speedup}); total {total_s:.1f} s including compilation")
    if test_accuracy < TARGET_ACCURACY:
        print(f"FAILED: test accuracy {test_accuracy:.2%} is below {TARGET_ACCURACY:.0%}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
