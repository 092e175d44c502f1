"""RMSprop (Keras 3's rule: epsilon inside the square root)."""

from __future__ import annotations

import tfc as tf
from tfc.keras.optimizers.optimizer import Optimizer


class RMSprop(Optimizer):
    """v = rho * v + (1 - rho) * g^2
    centered: a = rho * a + (1 - rho) * g;  denom = v - a^2 + epsilon,  else denom = v + epsilon
    step = lr * g / sqrt(denom)
    momentum > 0: mom = momentum * mom + step; var -= mom,  else var -= step"""

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, name="rmsprop", **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        self.rho, self.momentum, self.epsilon = float(rho), float(momentum), float(epsilon)
        self.centered = bool(centered)

    def build_slots(self, var):
        self.add_slot(var, "velocity")
        if self.momentum > 0:
            self.add_slot(var, "momentum")
        if self.centered:
            self.add_slot(var, "average_gradient")

    def update_step(self, grad, var, lr):
        rho = self.rho
        v = self.get_slot(var, "velocity")
        v_new = v * rho + tf.square(grad) * (1.0 - rho)
        v.assign(v_new)
        if self.centered:
            a = self.get_slot(var, "average_gradient")
            a_new = a * rho + grad * (1.0 - rho)
            a.assign(a_new)
            denom = v_new - tf.square(a_new) + self.epsilon
        else:
            denom = v_new + self.epsilon
        step = lr * grad / tf.sqrt(denom)
        if self.momentum > 0:
            mom = self.get_slot(var, "momentum")
            mom_new = mom * self.momentum + step
            mom.assign(mom_new)
            var.assign_sub(mom_new)
        else:
            var.assign_sub(step)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
