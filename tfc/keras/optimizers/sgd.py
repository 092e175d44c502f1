"""SGD with optional momentum and Nesterov momentum (Keras 3's rule)."""

from __future__ import annotations

from tfc.keras.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """momentum == 0:  var -= lr * g
    momentum > 0:   m = momentum * m - lr * g
                    var += m                            (classic)
                    var += momentum * m - lr * g        (nesterov)"""

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False,
                 name="SGD", **kwargs):
        super().__init__(learning_rate, name=name, **kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"SGD: momentum must be in [0, 1], got {momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def build_slots(self, var):
        if self.momentum:
            self.add_slot(var, "momentum")

    def update_step(self, grad, var, lr):
        if not self.momentum:
            var.assign_sub(grad * lr)
            return
        m = self.get_slot(var, "momentum")
        m_new = m * self.momentum - grad * lr
        m.assign(m_new)
        if self.nesterov:
            var.assign_add(m_new * self.momentum - grad * lr)
        else:
            var.assign_add(m_new)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
