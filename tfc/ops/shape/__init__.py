"""Shape ops: moving, copying and creating elements without arithmetic.

IR ops: broadcast_to, reshape, transpose, expand_dims, squeeze, concat, slice,
pad, gather (+ gather_grad, its gradient), one_hot, iota, fill. Their lowerings
are copy generics whose indexing maps do the work (broadcast, permute, stride),
views (`tensor.collapse_shape` / `expand_shape`), or `tensor.insert_slice`
into a filled tensor. Op functions built on them: `tfc.range`, `tfc.slice`,
`tfc.strided_slice`, `getitem` (Python indexing on traced tensors), `zeros`,
`ones`, `zeros_like`, `ones_like`, `stack`, `unstack`, `split`, `tile`,
`reverse`.

All attributes hold static, normalized values: the op functions resolve `-1`
sizes, negative indices and TF's masks, so the IR never has to.

The family is a package of small modules, re-exported here (the op registry
reads `OPS` and `__all__` of `tfc.ops.shape`; code and tests import names from
it): common.py (shared checks), views.py (broadcast_to, reshape, expand_dims,
squeeze, transpose, tile), slicing.py (slice, pad, concat, stack, split,
reverse), indexing.py (gather, gather_grad, one_hot), python_indexing.py
(getitem, strided_slice, unstack), generators.py (iota / range, fill, zeros,
ones). `OPS` keeps the one order of the dialect (the printed IR and cache keys
do not depend on how the files are split).
"""

from __future__ import annotations

from tfc.ops.shape.generators import FillOp, IotaOp, fill, ones, ones_like, range, zeros, zeros_like
from tfc.ops.shape.indexing import GatherGradOp, GatherOp, OneHotOp, gather, gather_grad, one_hot
from tfc.ops.shape.python_indexing import getitem, strided_slice, unstack
from tfc.ops.shape.slicing import (
    ConcatOp,
    PadOp,
    SliceOp,
    _slice_op,  # noqa: F401 -- the strided slice op without TF's argument forms (tests)
    concat,
    pad,
    reverse,
    slice,
    split,
    stack,
)
from tfc.ops.shape.views import (
    BroadcastToOp,
    ExpandDimsOp,
    ReshapeOp,
    SqueezeOp,
    TransposeOp,
    broadcast_to,
    expand_dims,
    reshape,
    reshape_value,  # noqa: F401 -- a view of a value with another shape, for lowerings
    squeeze,
    tile,
    transpose,
)

OPS = [BroadcastToOp, ReshapeOp, ExpandDimsOp, SqueezeOp, TransposeOp, ConcatOp, SliceOp,
       PadOp, GatherOp, GatherGradOp, OneHotOp, IotaOp, FillOp]

__all__ = [
    "broadcast_to", "reshape", "transpose", "expand_dims", "squeeze", "concat", "stack",
    "unstack", "split", "tile", "reverse", "slice", "strided_slice", "getitem", "pad",
    "gather", "gather_grad", "one_hot", "range", "fill", "zeros", "ones", "zeros_like",
    "ones_like",
]
