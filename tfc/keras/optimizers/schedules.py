"""Learning-rate schedules: `schedule(step) -> learning rate`, written with tfc ops.

The step may be a Python int (host) or the optimizer's iteration variable
inside a compiled train step, where the schedule becomes part of the program.
"""

from __future__ import annotations

import math

import tfc as tf


def _f32(step):
    if isinstance(step, (int, float)):
        return float(step)
    return tf.cast(step, "float32")


def _floor(x):
    """floor for x >= 0 (steps are never negative); tfc has no floor op."""
    if isinstance(x, float):
        return float(math.floor(x))
    return tf.cast(tf.cast(x, "int64"), "float32")


class LearningRateSchedule:
    def __call__(self, step):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}


class ExponentialDecay(LearningRateSchedule):
    """lr * decay_rate ^ (step / decay_steps)   (staircase: an integer exponent)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        if decay_steps <= 0:
            raise ValueError(f"ExponentialDecay: decay_steps must be > 0, got {decay_steps}")
        self.initial_learning_rate, self.decay_steps = float(initial_learning_rate), decay_steps
        self.decay_rate, self.staircase = float(decay_rate), staircase

    def __call__(self, step):
        p = _f32(step) / float(self.decay_steps)
        if self.staircase:
            p = _floor(p)
        return self.initial_learning_rate * tf.pow(self.decay_rate, p)


class InverseTimeDecay(LearningRateSchedule):
    """lr / (1 + decay_rate * step / decay_steps)   (staircase: an integer ratio)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        self.initial_learning_rate, self.decay_steps = float(initial_learning_rate), decay_steps
        self.decay_rate, self.staircase = float(decay_rate), staircase

    def __call__(self, step):
        p = _f32(step) / float(self.decay_steps)
        if self.staircase:
            p = _floor(p)
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[i] while boundaries[i-1] < step <= boundaries[i]."""

    def __init__(self, boundaries, values, name=None):
        if len(values) != len(boundaries) + 1:
            raise ValueError("PiecewiseConstantDecay: need len(values) == len(boundaries) + 1, got "
                             f"{len(values)} values for {len(boundaries)} boundaries")
        self.boundaries, self.values = list(boundaries), [float(v) for v in values]

    def __call__(self, step):
        s = _f32(step)
        pairs = list(zip(self.boundaries, self.values[:-1]))
        if isinstance(s, float):
            return next((v for b, v in pairs if s <= b), self.values[-1])
        out = tf.zeros_like(s) + self.values[-1]
        for b, v in reversed(pairs):  # the smallest boundary the step is under wins
            out = tf.where(s <= float(b), v, out)
        return out


class PolynomialDecay(LearningRateSchedule):
    """(lr - end) * (1 - min(step, decay_steps) / decay_steps) ^ power + end."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name=None):
        if cycle:
            raise NotImplementedError("PolynomialDecay(cycle=True) is not supported")
        self.initial_learning_rate, self.decay_steps = float(initial_learning_rate), decay_steps
        self.end_learning_rate, self.power = float(end_learning_rate), float(power)

    def __call__(self, step):
        s = tf.minimum(_f32(step), float(self.decay_steps))
        frac = 1.0 - s / float(self.decay_steps)
        span = self.initial_learning_rate - self.end_learning_rate
        return span * tf.pow(frac, self.power) + self.end_learning_rate


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup to `warmup_target`, then cosine decay to alpha * peak:
    peak * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step', decay_steps) / decay_steps)) + alpha)."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None,
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate, self.decay_steps = float(initial_learning_rate), decay_steps
        self.alpha, self.warmup_target, self.warmup_steps = float(alpha), warmup_target, warmup_steps

    def __call__(self, step):
        s = _f32(step)
        peak = self.initial_learning_rate if self.warmup_target is None else float(self.warmup_target)
        d = tf.minimum(tf.maximum(s - float(self.warmup_steps), 0.0), float(self.decay_steps))
        cosine = 0.5 * (1.0 + tf.cos(math.pi * d / float(self.decay_steps)))
        decayed = peak * ((1.0 - self.alpha) * cosine + self.alpha)
        if not self.warmup_steps:
            return decayed
        start = self.initial_learning_rate
        warm = start + (peak - start) * tf.minimum(s, float(self.warmup_steps)) / float(self.warmup_steps)
        return tf.where(s < float(self.warmup_steps), warm, decayed)


def serialize(schedule: LearningRateSchedule) -> dict:
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}
