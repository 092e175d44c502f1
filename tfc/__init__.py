"""tfc: a TensorFlow-style ML system whose engine is an MLIR-style compiler on xDSL.

    import tfc
    @tfc.function
    def f(x, w):
        return tfc.softmax(tfc.matmul(x, w))

`tfc.<op>` functions run eagerly on NumPy arrays and build IR when traced.
"""

__version__ = "0.1.0"

from tfc.api import CompileOptions, Executable, Function, TensorSpec, compile, compile_mlir, function  # noqa: E402
from tfc.errors import CompileError, ShapeError, TfcError  # noqa: E402
from tfc.ops.api import *  # noqa: E402,F401,F403
from tfc.ops.api import __all__ as _op_names  # noqa: E402
from tfc import reference  # noqa: E402

__all__ = ["compile", "compile_mlir", "function", "Function", "Executable", "TensorSpec",
           "CompileOptions", "ShapeError", "CompileError", "TfcError", "reference", *_op_names]
