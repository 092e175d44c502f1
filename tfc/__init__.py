"""tfc: a TensorFlow-style ML system whose engine is an MLIR-style compiler on xDSL.

    import tfc as tf

    w = tf.Variable(tf.random.normal([4, 2]))

    @tf.function                      # traced once per signature, compiled to C
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
        w.assign_sub(0.1 * tape.gradient(loss, w))
        return loss

`tfc.<op>` functions run eagerly on NumPy (returning `tf.Tensor`s) and build
IR when traced. The compiler's own API is here too: `tfc.compile(fn, *specs)`
and `tfc.compile_mlir(text)` give an `Executable` (NumPy in, NumPy out).
"""

__version__ = "0.1.0"

from tfc.api import CompileOptions, Executable, compile, compile_mlir  # noqa: E402
from tfc.errors import CompileError, ShapeError, TfcError  # noqa: E402
from tfc import reference  # noqa: E402
from tfc.frontend.namespaces import build as _build_namespace  # noqa: E402

globals().update(_build_namespace())
del _build_namespace


def __getattr__(name):
    """`tf.keras` and `tf.data` without importing them with tfc (PEP 562)."""
    if name in ("keras", "data"):
        import importlib

        return importlib.import_module(f"tfc.{name}")
    raise AttributeError(f"module 'tfc' has no attribute {name!r}")


# `from tfc import *`: the public names, without the implementation subpackages and
# without the dtype named `bool` (it would shadow Python's builtin).
__all__ = sorted(
    k for k, v in globals().items()
    if not k.startswith("_") and k != "bool"
    and (type(v).__name__ != "module" or k in ("math", "nn", "linalg", "random", "config",
                                               "dtypes", "errors", "reference")))
