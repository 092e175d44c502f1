"""Adam and AdamW (Keras 3's rules, including its epsilon placement)."""

from __future__ import annotations

import tfc as tf
from tfc.keras.optimizers.optimizer import Optimizer


class Adam(Optimizer):
    """t = iterations + 1
    m += (g - m) * (1 - beta_1);  v += (g^2 - v) * (1 - beta_2)
    var -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)
    (amsgrad: v is replaced by the running maximum of v.)"""

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, name="adam", **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.amsgrad = bool(amsgrad)

    def build_slots(self, var):
        self.add_slot(var, "m")
        self.add_slot(var, "v")
        if self.amsgrad:
            self.add_slot(var, "vhat")

    def update_step(self, grad, var, lr):
        t = tf.cast(self.iterations + 1, var.dtype)
        alpha = lr * tf.sqrt(1.0 - tf.pow(self.beta_2, t)) / (1.0 - tf.pow(self.beta_1, t))
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        m_new = m + (grad - m) * (1.0 - self.beta_1)
        v_new = v + (tf.square(grad) - v) * (1.0 - self.beta_2)
        m.assign(m_new)
        v.assign(v_new)
        if self.amsgrad:
            vhat = self.get_slot(var, "vhat")
            v_new = tf.maximum(vhat, v_new)
            vhat.assign(v_new)
        var.assign_sub(m_new * alpha / (tf.sqrt(v_new) + self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay: before each update, var -= var * lr * weight_decay."""

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False,
                 name="adamw", **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: weight_decay must be a number")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, name=name,
                         weight_decay=weight_decay, **kwargs)
