"""The `tfc` dialect: TensorFlow-named ops over static `tensor<...>` values.

Each op's class lives with its family in `tfc/ops/` (it is that op's single
definition: verification, NumPy reference, lowering, gradient); this file
gathers them into the dialect.
"""

from __future__ import annotations

from xdsl.ir import Dialect

from tfc.ops import registry

TFC = Dialect("tfc", registry.all_op_classes(), [])
