"""TF's namespaces on the `tfc` package: `tf.math`, `tf.nn`, `tf.linalg`, `tf.random`,
`tf.config`, `tf.dtypes`, `tf.errors`, and the top-level names of `import tfc as tf`.

`tfc.dtypes` and `tfc.errors` are core modules; the package attributes of those
names become views that hold every core name plus TF's (`tf.dtypes.float32`,
`tf.errors.InvalidArgumentError`), and fall back to the core module for
anything else, so `from tfc import dtypes` keeps working in core code.
"""

from __future__ import annotations

import sys
import types

from tfc.frontend import dtypes as tf_dtypes
from tfc.frontend import ops as _ops
from tfc.frontend import random as _random
from tfc.frontend.context import functions_run_eagerly, run_functions_eagerly


class _View(types.ModuleType):
    """A module whose missing attributes come from a core module."""

    def __init__(self, name: str, core: types.ModuleType, extra: dict):
        super().__init__(name, core.__doc__)
        self.__dict__.update({k: v for k, v in vars(core).items() if not k.startswith("__")})
        self.__dict__.update(extra)
        self.__dict__["_core"] = core

    def __getattr__(self, name):
        return getattr(self.__dict__["_core"], name)


def _namespace(name: str, doc: str, members: dict) -> types.ModuleType:
    m = types.ModuleType(f"tfc.{name}", doc)
    m.__dict__.update({k: v for k, v in members.items() if v is not None})
    sys.modules.setdefault(m.__name__, m)
    return m


def _dropout(x, rate, noise_shape=None, seed=None, name=None):
    """tf.nn.dropout: zero elements with probability `rate`, scale the rest by 1/(1-rate)."""
    rate = float(rate)
    if not 0 <= rate < 1:
        raise ValueError(f"tf.nn.dropout: rate must be in [0, 1), got {rate}")
    if rate == 0:
        return _ops.identity(x)
    shape = list(noise_shape) if noise_shape is not None else list(_ops.unwrap_shape(x))
    mask = _random.dropout_mask(shape, rate, _ops._dtype(x), seed)
    return _ops.GENERATED["mul"](x, mask)


def _list_physical_devices(device_type=None):
    devices = [types.SimpleNamespace(name="/physical_device:CPU:0", device_type="CPU")]
    if device_type is None or str(device_type).upper() == "CPU":
        return devices
    return []


def build() -> dict:
    """The names `import tfc as tf` adds: namespaces, op functions and classes."""
    from tfc import dtypes as core_dtypes
    from tfc import errors as core_errors
    from tfc.frontend.autodiff import grad, value_and_grad
    from tfc.frontend.context import executing_eagerly, init_scope
    from tfc.frontend.function import Function, TensorSpec, function
    from tfc.frontend.module import Module, name_scope
    from tfc.frontend.tape import GradientTape, NotDifferentiableError, UnconnectedGradients
    from tfc.frontend.tensor import Tensor, TensorShape
    from tfc.frontend.variables import Variable, VariableAggregation, VariableSynchronization

    ops = dict(_ops.GENERATED)
    ops.update(_ops.TF_FUNCTIONS)

    math = _namespace("math", "tf.math: elementwise math, reductions, comparisons.", {
        **ops, **{k: v for k, v in _ops.NN_FUNCTIONS.items()
                  if k in ("sigmoid", "tanh", "softplus", "log_sigmoid", "l2_normalize")},
        "l2_normalize": _ops.l2_normalize,
    })
    from tfc.ops import nn as _nn_family

    nn_members = {k: _ops.GENERATED[k] for k in _nn_family.__all__ if k in _ops.GENERATED}
    nn_members.update(_ops.NN_FUNCTIONS)
    nn_members["dropout"] = _dropout
    nn = _namespace("nn", "tf.nn: activations, losses, convolution and pooling.", nn_members)
    linalg = _namespace("linalg", "tf.linalg: matrix functions.", dict(_ops.LINALG_FUNCTIONS))
    random = _namespace("random", "tf.random: seeded random tensors.",
                        {k: getattr(_random, k) for k in _random.__all__})
    config = _namespace("config", "tf.config: runtime settings.", {
        "run_functions_eagerly": run_functions_eagerly,
        "functions_run_eagerly": functions_run_eagerly,
        "list_physical_devices": _list_physical_devices,
        "list_logical_devices": _list_physical_devices,
        "set_visible_devices": lambda *a, **k: None,
    })
    dtypes = _View("tfc.dtypes", core_dtypes, {
        **{k: getattr(tf_dtypes, k) for k in tf_dtypes.__all__ if k != "DType"},
        "cast": _ops.cast, "as_dtype": tf_dtypes.as_dtype,
    })
    errors = _View("tfc.errors", core_errors, {
        "InvalidArgumentError": core_errors.ShapeError,
        "OpError": core_errors.TfcError,
        "UnimplementedError": NotImplementedError,
        "NotDifferentiableError": NotDifferentiableError,
    })

    names = dict(ops)
    names.update({k: getattr(tf_dtypes, k) for k in tf_dtypes.__all__})
    names.update({
        "math": math, "nn": nn, "linalg": linalg, "random": random, "config": config,
        "dtypes": dtypes, "errors": errors,
        "Tensor": Tensor, "TensorShape": TensorShape, "TensorSpec": TensorSpec,
        "Variable": Variable, "VariableAggregation": VariableAggregation,
        "VariableSynchronization": VariableSynchronization,
        "Module": Module, "name_scope": name_scope, "GradientTape": GradientTape,
        "UnconnectedGradients": UnconnectedGradients, "NotDifferentiableError": NotDifferentiableError,
        "function": function, "Function": Function, "grad": grad, "value_and_grad": value_and_grad,
        "init_scope": init_scope, "executing_eagerly": executing_eagerly,
        "DType": tf_dtypes.DType, "as_dtype": tf_dtypes.as_dtype, "newaxis": None,
        "sigmoid": _ops.GENERATED["sigmoid"], "tanh": _ops.GENERATED["tanh"],
        "dropout": None,
    })
    names.pop("dropout")
    return names
