"""The TensorFlow 2 front end: `import tfc as tf`.

    tensor.py     tf.Tensor (eager NumPy value or traced value), TensorShape, constant
    variables.py  tf.Variable (in-place updates, double-buffered under tf.function)
    module.py     tf.Module (attribute tracking), tf.name_scope
    tape.py       tf.GradientTape and the reverse-mode engine (the op registry's vjp rules)
    autodiff.py   tfc.grad / tfc.value_and_grad
    function.py   tf.function (trace per signature, compile once, variables as in/outputs)
    random.py     tf.random (seeded, host-drawn; program inputs under tf.function)
    ops.py        TF's op functions generated over tfc.ops.api, plus TF's own names
    namespaces.py tf.math, tf.nn, tf.linalg, tf.random, tf.config, tf.dtypes, tf.errors
    context.py    per-thread state: the traced function, active tapes, name scopes

The module docstrings of tape.py, function.py and variables.py describe the design:
how the tape records eager and traced ops, and how variables flow through
compiled functions.
"""

from tfc.frontend.autodiff import grad, value_and_grad
from tfc.frontend.context import executing_eagerly, init_scope
from tfc.frontend.function import ConcreteFunction, Function, TensorSpec, function
from tfc.frontend.module import Module, name_scope
from tfc.frontend.tape import GradientTape, NotDifferentiableError, UnconnectedGradients, stop_gradient
from tfc.frontend.tensor import Tensor, TensorShape, constant, convert_to_tensor, is_tensor
from tfc.frontend.variables import Variable

__all__ = ["Tensor", "TensorShape", "TensorSpec", "Variable", "Module", "name_scope",
           "GradientTape", "UnconnectedGradients", "NotDifferentiableError", "stop_gradient",
           "function", "Function", "ConcreteFunction", "grad", "value_and_grad", "constant",
           "convert_to_tensor", "is_tensor", "init_scope", "executing_eagerly"]
