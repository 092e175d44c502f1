"""The op functions users call (`tfc.add`, `tfc.matmul`, ...), gathered from the families.

They run eagerly on NumPy values and build IR on traced values; the same
functions write decompositions and gradient rules.
"""

from __future__ import annotations

import importlib

from tfc.ops.registry import FAMILIES
from tfc.tracing import Symbolic

__all__: list[str] = []
for _module in FAMILIES:
    _mod = importlib.import_module(_module)
    for _name in _mod.__all__:
        globals()[_name] = getattr(_mod, _name)
        __all__.append(_name)


def _install_operators() -> None:
    """Python operators on traced values, mapped to op functions when they exist."""
    g = globals()

    def binary(fn_name, swap=False):
        def method(self, other):
            fn = g.get(fn_name)
            if fn is None:
                return NotImplemented
            return fn(other, self) if swap else fn(self, other)
        return method

    table = {"add": "add", "sub": "sub", "mul": "mul", "truediv": "div", "pow": "pow",
             "matmul": "matmul", "lt": "less", "le": "less_equal", "gt": "greater",
             "ge": "greater_equal", "and": "logical_and", "or": "logical_or"}
    for dunder, fn_name in table.items():
        setattr(Symbolic, f"__{dunder}__", binary(fn_name))
        if dunder not in ("lt", "le", "gt", "ge"):
            setattr(Symbolic, f"__r{dunder}__", binary(fn_name, swap=True))
    Symbolic.__neg__ = lambda self: g["neg"](self)
    Symbolic.__abs__ = lambda self: g["abs"](self)
    Symbolic.__invert__ = lambda self: g["logical_not"](self)
    Symbolic.__getitem__ = lambda self, key: g["getitem"](self, key)
    Symbolic.T = property(lambda self: g["transpose"](self))


_install_operators()
