"""Contractions and neural-network ops: matmul, conv2d, pooling, and their gradients.

All of them lower to one `linalg.generic` with reduction iterators whose
indexing maps carry the contraction (the canonical (b, m, k) x (b, k, n) ->
(b, m, n) of matmul, the strided/dilated window reads of convolution and
pooling), so later passes recognise the pattern from the maps alone.
Padding is a `tensor.insert_slice` into a filled tensor. Data layout is NHWC
for activations and HWIO for filters, as in `tf.nn`.

Half types (f16, bf16) accumulate in an f32 tensor that one elementwise
generic casts back at the end.
"""

from __future__ import annotations

import itertools

import numpy as np
from xdsl.dialects import tensor
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, Float32Type, IntegerType, TensorType
from xdsl.ir import SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap

from tfc.errors import ShapeError
from tfc.ops.base import AttrSpec, TfcOp, dtype_of, same_dtype, shape_of, tensor_type, tfc_op, type_str
from tfc.ops.dispatch import _located, apply
from tfc.ops.lowering import PARALLEL, REDUCTION, compute_type
from tfc.tracing import find_trace

# --- shared helpers -------------------------------------------------------------


def _types(in_types) -> str:
    return ", ".join(type_str(t) for t in in_types)


def _check_numeric(op: str, in_types, float_only: bool = False) -> None:
    d = same_dtype(op, *in_types)
    if d.is_bool or (float_only and not d.is_float):
        want = "a float" if float_only else "a numeric"
        raise ShapeError(f"{op}: expects {want} dtype, got {_types(in_types)}")


def _check_rank(op: str, t: TensorType, rank: int, what: str) -> None:
    if len(shape_of(t)) != rank:
        raise ShapeError(f"{op}: {what} must have rank {rank}, got {type_str(t)}")


def _pair(op: str, name: str, value, in_types) -> tuple[int, int]:
    """An attribute given for the two spatial dims: positive ints (h, w)."""
    vals = tuple(int(v) for v in value)
    if len(vals) != 2 or any(v < 1 for v in vals):
        raise ShapeError(f"{op}: {name} must be two positive ints, got {list(vals)} "
                         f"(operands: {_types(in_types)})")
    return vals


def _spatial_arg(op: str, name: str, value) -> tuple[int, int]:
    """TF's spellings of strides/dilations/ksize: an int, or a list of 1, 2 or 4 ints (NHWC)."""
    if value is None:
        return (1, 1)
    if isinstance(value, (int, np.integer)):
        return (int(value), int(value))
    vals = [int(v) for v in value]
    if len(vals) == 1:
        return (vals[0], vals[0])
    if len(vals) == 2:
        return (vals[0], vals[1])
    if len(vals) == 4:
        if vals[0] != 1 or vals[3] != 1:
            raise ShapeError(f"{op}: {name} over the batch and channel dims must be 1, got {vals}")
        return (vals[1], vals[2])
    raise ShapeError(f"{op}: {name} must be an int or a list of 1, 2 or 4 ints, got {vals}")


def _padding_arg(op: str, padding) -> tuple[str, tuple[int, ...]]:
    """'VALID' / 'SAME', or explicit pads as [top, bottom, left, right] or TF's
    [[0, 0], [top, bottom], [left, right], [0, 0]] -> (padding, explicit_paddings)."""
    if isinstance(padding, str):
        p = padding.upper()
        if p not in ("VALID", "SAME"):
            raise ShapeError(f"{op}: padding must be 'VALID', 'SAME' or explicit pads, got {padding!r}")
        return p, ()
    vals = list(padding)
    if len(vals) == 4 and all(isinstance(v, (list, tuple)) for v in vals):
        if tuple(vals[0]) != (0, 0) or tuple(vals[3]) != (0, 0):
            raise ShapeError(f"{op}: explicit padding of the batch and channel dims must be 0, got {vals}")
        flat = (*vals[1], *vals[2])
    else:
        flat = tuple(vals)
    flat = tuple(int(v) for v in flat)
    if len(flat) != 4 or any(v < 0 for v in flat):
        raise ShapeError(f"{op}: explicit padding must be 4 non-negative ints "
                         f"[top, bottom, left, right], got {list(padding)}")
    return "EXPLICIT", flat


def _check_format(op: str, data_format) -> None:
    if data_format not in (None, "NHWC"):
        raise ShapeError(f"{op}: only data_format='NHWC' is supported, got {data_format!r}")


def _window(op: str, in_hw, k_hw, strides, dilations, padding, explicit, in_types):
    """Output spatial size and pads (top, bottom, left, right), computed as TF does.

    SAME: out = ceil(in / stride), and the total padding
    max((out - 1) * stride + dilated_k - in, 0) is split with the extra row at the bottom.
    """
    if padding not in ("VALID", "SAME", "EXPLICIT"):
        raise ShapeError(f"{op}: padding must be 'VALID', 'SAME' or 'EXPLICIT', got {padding!r}")
    if padding == "EXPLICIT":
        if len(explicit) != 4 or any(p < 0 for p in explicit):
            raise ShapeError(f"{op}: explicit_paddings must be 4 non-negative ints "
                             f"[top, bottom, left, right], got {list(explicit)}")
    elif explicit:
        raise ShapeError(f"{op}: explicit_paddings given with padding {padding!r}")
    out, pads = [], []
    for i in range(2):
        n, k, s, d = in_hw[i], k_hw[i], strides[i], dilations[i]
        eff = (k - 1) * d + 1
        if padding == "SAME":
            o = -(-n // s)
            total = max((o - 1) * s + eff - n, 0)
            lo, hi = total // 2, total - total // 2
        else:
            lo, hi = (explicit[2 * i], explicit[2 * i + 1]) if padding == "EXPLICIT" else (0, 0)
            if n + lo + hi < eff:
                size = "x".join(map(str, k_hw))
                what = (f"window ({size})" if "pool" in op
                        else f"filter ({size}, dilations {list(dilations)})")
                raise ShapeError(f"{op}: the {what} is larger than the padded input: {_types(in_types)}")
            o = (n + lo + hi - eff) // s + 1
        out.append(o)
        pads.append((lo, hi))
    return tuple(out), (*pads[0], *pads[1])


def _half_to_f32(*arrays):
    """Reference arithmetic for half types runs in f32, as the compiled code accumulates."""
    return [a.astype(np.float32) if a.dtype.itemsize == 2 and a.dtype.kind != "i" else a
            for a in arrays]


def _acc_type(t: TensorType) -> TensorType:
    """The accumulator type: f32 for f16/bf16, else `t` itself."""
    if isinstance(compute_type(t.element_type), Float32Type) and not isinstance(t.element_type, Float32Type):
        return TensorType(Float32Type(), t.get_shape())
    return t


def _finish(b, acc: SSAValue, out_type: TensorType) -> SSAValue:
    """Cast an f32 accumulator back to the result's half type (elementwise generic)."""
    if acc.type == out_type:
        return acc
    return b.elementwise([acc], out_type, lambda s, a: a)


def _dims(n: int) -> list[AffineExpr]:
    return [AffineExpr.dimension(i) for i in range(n)]


def _map(n: int, exprs) -> AffineMap:
    return AffineMap(n, 0, tuple(exprs))


def _place(b, src: SSAValue, shape, offsets, strides, value) -> SSAValue:
    """A tensor of `shape` filled with `value`, with `src` written at `offsets` every
    `strides` elements (tensor.insert_slice). Rows of `src` that fall outside are
    dropped first (tensor.extract_slice)."""
    t = src.type
    src_shape = list(t.get_shape())
    dest = b.fill(TensorType(t.element_type, list(shape)), value)
    lo_hi = []
    for n, L, off, s in zip(src_shape, shape, offsets, strides):
        lo = 0 if off >= 0 else (-off + s - 1) // s  # the first i with off + i*s >= 0
        hi = min(n - 1, (L - 1 - off) // s)
        if lo > hi:
            return dest
        lo_hi.append((lo, hi))
    if any((lo, hi) != (0, n - 1) for (lo, hi), n in zip(lo_hi, src_shape)):
        sizes = [hi - lo + 1 for lo, hi in lo_hi]
        src = b.insert(tensor.ExtractSliceOp(
            src, [lo for lo, _ in lo_hi], sizes, [1] * len(sizes),
            TensorType(t.element_type, sizes))).results[0]
    sizes = list(src.type.get_shape())
    offs = [off + lo * s for (lo, _), off, s in zip(lo_hi, offsets, strides)]
    if sizes == list(shape):
        return src
    return b.insert(tensor.InsertSliceOp.get(src, dest, sizes, offs, list(strides))).results[0]


def _pad_spatial(b, x: SSAValue, pads, value) -> SSAValue:
    """Pad the H and W dims of an NHWC tensor by (top, bottom, left, right) with `value`."""
    if not any(pads):
        return x
    n, h, w, c = x.type.get_shape()
    pt, pb, pl, pr = pads
    return _place(b, x, [n, h + pt + pb, w + pl + pr, c], [0, pt, pl, 0], [1, 1, 1, 1], value)


def _lowest(t: TensorType):
    """The identity of max for the element type: -inf, or the smallest integer."""
    d = dtype_of(t)
    return float("-inf") if d.is_float else int(np.iinfo(d.numpy).min)


def _window_index(s, kw: int, ih: int, iw: int):
    """kh * KW + kw (an i32) from the loop indices of the window dims."""
    i32 = IntegerType(32)
    kh = s.cast(s.index(ih), i32)
    kwv = s.cast(s.index(iw), i32)
    return s.add(s.mul(kh, s.const(kw, i32)), kwv)


# --- matmul -----------------------------------------------------------------------


@tfc_op
class MatmulOp(TfcOp):
    """Batched matrix product with NumPy batch broadcasting (tf.linalg.matmul).

    `%r = tfc.matmul %a, %b {transpose_b = true} : (tensor<2x4x8xf32>, tensor<3x8xf32>) -> tensor<2x4x3xf32>`

    Operands have rank >= 2; the leading (batch) dims broadcast. f16 and bf16
    accumulate in f32 (the lowering computes into an f32 tensor and casts the
    result back); i32 and i64 wrap around like NumPy.
    """

    name = "tfc.matmul"
    ARITY = 2
    ATTRS = {"transpose_a": AttrSpec("bool", False), "transpose_b": AttrSpec("bool", False)}

    @classmethod
    def infer(cls, in_types, attrs):
        a, b = in_types
        _check_numeric(cls.name, in_types)
        sa, sb = shape_of(a), shape_of(b)
        if len(sa) < 2 or len(sb) < 2:
            raise ShapeError(f"{cls.name}: operands must have rank >= 2: lhs {type_str(a)}, "
                             f"rhs {type_str(b)}")
        m, ka = (sa[-1], sa[-2]) if attrs["transpose_a"] else (sa[-2], sa[-1])
        kb, n = (sb[-1], sb[-2]) if attrs["transpose_b"] else (sb[-2], sb[-1])
        if ka != kb:
            note = "".join(f" ({k}=True)" for k in ("transpose_a", "transpose_b") if attrs[k])
            raise ShapeError(f"{cls.name}: inner dimensions differ: lhs {type_str(a)}, "
                             f"rhs {type_str(b)}{note}")
        batch = cls.batch_shape(a, b)
        return [tensor_type((*batch, m, n), dtype_of(a))]

    @classmethod
    def batch_shape(cls, a: TensorType, b: TensorType) -> tuple[int, ...]:
        ba, bb = shape_of(a)[:-2], shape_of(b)[:-2]
        rank = max(len(ba), len(bb))
        out = []
        for i in range(rank):
            dims = {s[len(s) - rank + i] for s in (ba, bb) if len(s) - rank + i >= 0}
            dims.discard(1)
            if len(dims) > 1:
                raise ShapeError(f"{cls.name}: batch dimensions are not broadcast-compatible: "
                                 f"lhs {type_str(a)}, rhs {type_str(b)}")
            out.append(dims.pop() if dims else 1)
        return tuple(out)

    @classmethod
    def reference(cls, attrs, a, b):
        dt = a.dtype
        a, b = _half_to_f32(a, b)
        if attrs["transpose_a"]:
            a = np.swapaxes(a, -1, -2)
        if attrs["transpose_b"]:
            b = np.swapaxes(b, -1, -2)
        return np.matmul(a, b).astype(dt)

    def lower(self, b):
        lhs, rhs = self.inputs
        attrs = self.py_attrs()
        out_t = self.outputs[0].type
        out_shape = out_t.get_shape()
        nb = len(out_shape) - 2
        d = _dims(nb + 3)
        m, n, k = d[nb], d[nb + 1], d[nb + 2]

        def batch(t):
            shape = t.get_shape()[:-2]
            off = nb - len(shape)
            return [AffineExpr.constant(0) if s == 1 and out_shape[off + i] != 1 else d[off + i]
                    for i, s in enumerate(shape)]

        maps = [
            _map(nb + 3, batch(lhs.type) + ([k, m] if attrs["transpose_a"] else [m, k])),
            _map(nb + 3, batch(rhs.type) + ([n, k] if attrs["transpose_b"] else [k, n])),
            _map(nb + 3, d[:nb] + [m, n]),
        ]
        acc_t = _acc_type(out_t)
        init = b.fill(acc_t, 0)
        (acc,) = b.generic([lhs, rhs], [init], maps, [PARALLEL] * (nb + 2) + [REDUCTION],
                           lambda s, x, y, c: s.add(c, s.mul(x, y)))
        return [_finish(b, acc, out_t)]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        from tfc.ops.grad_utils import unbroadcast

        a, b = inputs
        (g,) = grads
        if g is None or not _is_float(a):
            return [None, None]
        ta, tb = attrs["transpose_a"], attrs["transpose_b"]
        if not ta and not tb:
            ga, gb = matmul(g, b, transpose_b=True), matmul(a, g, transpose_a=True)
        elif not ta and tb:
            ga, gb = matmul(g, b), matmul(g, a, transpose_a=True)
        elif ta and not tb:
            ga, gb = matmul(b, g, transpose_b=True), matmul(a, g)
        else:
            ga = matmul(b, g, transpose_a=True, transpose_b=True)
            gb = matmul(g, a, transpose_a=True, transpose_b=True)
        return [unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)]


def _is_float(x) -> bool:
    dt = getattr(x, "dtype", None)
    if hasattr(dt, "is_float"):
        return dt.is_float
    return np.asarray(x).dtype.kind == "f" or np.asarray(x).dtype.name == "bfloat16"


# --- convolution ------------------------------------------------------------------

_CONV_ATTRS = {
    "strides": AttrSpec("ints", (1, 1)),
    "padding": AttrSpec("str", "VALID"),
    "explicit_paddings": AttrSpec("ints", ()),
    "dilations": AttrSpec("ints", (1, 1)),
}


def _conv_geometry(op, in_types, in_shape, f_shape, attrs):
    """(strides, dilations, out (oh, ow), pads) for an NHWC input and HWIO filter."""
    strides = _pair(op, "strides", attrs["strides"], in_types)
    dilations = _pair(op, "dilations", attrs["dilations"], in_types)
    if in_shape[3] != f_shape[2]:
        raise ShapeError(f"{op}: input channels differ from the filter's input channels: "
                         f"{_types(in_types)}")
    out_hw, pads = _window(op, in_shape[1:3], f_shape[0:2], strides, dilations,
                           attrs["padding"], attrs["explicit_paddings"], in_types)
    return strides, dilations, out_hw, pads


def _conv_ref(x, f, strides, dilations, out_hw, pads):
    (sh, sw), (dh, dw), (oh, ow), (pt, pb, pl, pr) = strides, dilations, out_hw, pads
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    out = np.zeros((x.shape[0], oh, ow, f.shape[3]), dtype=np.result_type(x, f))
    for kh, kw in itertools.product(range(f.shape[0]), range(f.shape[1])):
        patch = xp[:, kh * dh: kh * dh + (oh - 1) * sh + 1: sh, kw * dw: kw * dw + (ow - 1) * sw + 1: sw]
        out += np.tensordot(patch, f[kh, kw], axes=([3], [0]))
    return out


def _conv_attrs_fn(op, strides, padding, data_format, dilations):
    _check_format(op, data_format)
    pad, explicit = _padding_arg(op, padding)
    return {"strides": _spatial_arg(op, "strides", strides), "padding": pad,
            "explicit_paddings": explicit, "dilations": _spatial_arg(op, "dilations", dilations)}


def _conv_vjp(attrs, inputs, outputs, grads):
    x, f = inputs
    (g,) = grads
    if g is None or not _is_float(x):
        return [None, None]
    kw = _conv_kwargs(attrs)
    return [conv2d_backprop_input(tuple(x.shape), f, g, **kw),
            conv2d_backprop_filter(x, tuple(f.shape), g, **kw)]


def _conv_kwargs(attrs) -> dict:
    """The op-function keyword arguments that rebuild a conv op's attributes."""
    padding = attrs["padding"]
    return {"strides": attrs["strides"], "dilations": attrs["dilations"],
            "padding": list(attrs["explicit_paddings"]) if padding == "EXPLICIT" else padding}


@tfc_op
class Conv2dOp(TfcOp):
    """2-D convolution, NHWC input and HWIO filter (tf.nn.conv2d).

    `%r = tfc.conv2d %x, %f {strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x8x8x3xf32>, tensor<3x3x3x4xf32>) -> tensor<1x4x4x4xf32>`

    padding is "VALID", "SAME" (TF's rule, extra row/column at the bottom/right)
    or "EXPLICIT" with explicit_paddings = [top, bottom, left, right].
    Lowered to a zero-padding insert_slice and one generic over
    (n, oh, ow, oc, kh, kw, ic) reading the input at (n, oh*sh + kh*dh, ow*sw + kw*dw, ic).
    """

    name = "tfc.conv2d"
    ARITY = 2
    ATTRS = dict(_CONV_ATTRS)

    @classmethod
    def infer(cls, in_types, attrs):
        x, f = in_types
        _check_numeric(cls.name, in_types)
        _check_rank(cls.name, x, 4, "the input (NHWC)")
        _check_rank(cls.name, f, 4, "the filter (HWIO)")
        sx, sf = shape_of(x), shape_of(f)
        _, _, (oh, ow), _ = _conv_geometry(cls.name, in_types, sx, sf, attrs)
        return [tensor_type((sx[0], oh, ow, sf[3]), dtype_of(x))]

    @classmethod
    def reference(cls, attrs, x, f):
        dt = x.dtype
        in_types = [tensor_type(x.shape, dt), tensor_type(f.shape, dt)]
        strides, dilations, out_hw, pads = _conv_geometry(cls.name, in_types, x.shape, f.shape, attrs)
        x, f = _half_to_f32(x, f)
        return _conv_ref(x, f, strides, dilations, out_hw, pads).astype(dt)

    def lower(self, b):
        x, f = self.inputs
        out_t = self.outputs[0].type
        (sh, sw), (dh, dw), _, pads = _conv_geometry(
            self.name, [x.type, f.type], x.type.get_shape(), f.type.get_shape(), self.py_attrs())
        xp = _pad_spatial(b, x, pads, 0)
        n, oh, ow, oc, kh, kw, ic = _dims(7)
        maps = [_map(7, [n, oh * sh + kh * dh, ow * sw + kw * dw, ic]),
                _map(7, [kh, kw, ic, oc]),
                _map(7, [n, oh, ow, oc])]
        acc_t = _acc_type(out_t)
        (acc,) = b.generic([xp, f], [b.fill(acc_t, 0)], maps, [PARALLEL] * 4 + [REDUCTION] * 3,
                           lambda s, v, w, c: s.add(c, s.mul(v, w)))
        return [_finish(b, acc, out_t)]

    vjp = staticmethod(_conv_vjp)


@tfc_op
class Conv2dBackpropInputOp(TfcOp):
    """The gradient of tfc.conv2d w.r.t. its input (tf.raw_ops.Conv2DBackpropInput).

    `%dx = tfc.conv2d_backprop_input %f, %dy {input_sizes = array<i64: 1, 8, 8, 3>} : (tensor<3x3x3x4xf32>, tensor<1x6x6x4xf32>) -> tensor<1x8x8x3xf32>`

    Operands: the HWIO filter and the output gradient; `input_sizes` is the
    NHWC input shape. Lowered as a transposed convolution: the gradient is
    spread with stride (sh, sw) into a zero tensor (strided insert_slice),
    then one generic over (n, h, w, ic, kh, kw, oc) reads it at
    (n, h + (KH-1-kh)*dh, w + (KW-1-kw)*dw, oc). It is bilinear in (filter,
    gradient), so its own VJP is a conv2d and a conv2d_backprop_filter.
    """

    name = "tfc.conv2d_backprop_input"
    ARITY = 2
    ATTRS = {"input_sizes": AttrSpec("ints"), **_CONV_ATTRS}

    @classmethod
    def geometry(cls, in_types, attrs):
        f, g = in_types
        _check_rank(cls.name, f, 4, "the filter (HWIO)")
        _check_rank(cls.name, g, 4, "the output gradient (NHWC)")
        sizes = tuple(attrs["input_sizes"])
        if len(sizes) != 4 or any(s < 1 for s in sizes):
            raise ShapeError(f"{cls.name}: input_sizes must be 4 positive ints (NHWC), got {list(sizes)}")
        geo = _conv_geometry(cls.name, in_types, sizes, shape_of(f), attrs)
        want = (sizes[0], *geo[2], shape_of(f)[3])
        if shape_of(g) != want:
            raise ShapeError(
                f"{cls.name}: the output gradient must have shape {list(want)} for input_sizes "
                f"{list(sizes)}: {_types(in_types)}")
        return sizes, geo

    @classmethod
    def infer(cls, in_types, attrs):
        _check_numeric(cls.name, in_types)
        sizes, _ = cls.geometry(in_types, attrs)
        return [tensor_type(sizes, dtype_of(in_types[0]))]

    @classmethod
    def reference(cls, attrs, f, g):
        dt = f.dtype
        sizes, (strides, dilations, (oh, ow), pads) = cls.geometry(
            [tensor_type(f.shape, dt), tensor_type(g.shape, dt)], attrs)
        f, g = _half_to_f32(f, g)
        (sh, sw), (dh, dw), (pt, pb, pl, pr) = strides, dilations, pads
        n, h, w, c = sizes
        dxp = np.zeros((n, h + pt + pb, w + pl + pr, c), dtype=np.result_type(f, g))
        for kh, kw in itertools.product(range(f.shape[0]), range(f.shape[1])):
            dxp[:, kh * dh: kh * dh + (oh - 1) * sh + 1: sh, kw * dw: kw * dw + (ow - 1) * sw + 1: sw] += \
                np.tensordot(g, f[kh, kw], axes=([3], [1]))
        return dxp[:, pt: pt + h, pl: pl + w].astype(dt)

    def lower(self, b):
        f, g = self.inputs
        out_t = self.outputs[0].type
        (n_, h_, w_, _), ((sh, sw), (dh, dw), _, (pt, _pb, pl, _pr)) = self.geometry(
            [f.type, g.type], self.py_attrs())
        kh_, kw_, _, oc_ = f.type.get_shape()
        eh, ew = (kh_ - 1) * dh, (kw_ - 1) * dw
        gd = _place(b, g, [n_, h_ + eh, w_ + ew, oc_], [0, eh - pt, ew - pl, 0], [1, sh, sw, 1], 0)
        n, h, w, ic, kh, kw, oc = _dims(7)
        maps = [_map(7, [n, h + eh - kh * dh, w + ew - kw * dw, oc]),
                _map(7, [kh, kw, ic, oc]),
                _map(7, [n, h, w, ic])]
        acc_t = _acc_type(out_t)
        (acc,) = b.generic([gd, f], [b.fill(acc_t, 0)], maps, [PARALLEL] * 4 + [REDUCTION] * 3,
                           lambda s, v, w, c: s.add(c, s.mul(v, w)))
        return [_finish(b, acc, out_t)]


    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        # <u, dx(f, g)> = <conv2d(u, f), g>: bilinear in (f, g).
        f, g = inputs
        (u,) = grads
        if u is None or not _is_float(f):
            return [None, None]
        kw = _conv_kwargs(attrs)
        return [conv2d_backprop_filter(u, tuple(f.shape), g, **kw), conv2d(u, f, **kw)]


@tfc_op
class Conv2dBackpropFilterOp(TfcOp):
    """The gradient of tfc.conv2d w.r.t. its filter (tf.raw_ops.Conv2DBackpropFilter).

    `%df = tfc.conv2d_backprop_filter %x, %dy {filter_sizes = array<i64: 3, 3, 3, 4>} : (tensor<1x8x8x3xf32>, tensor<1x6x6x4xf32>) -> tensor<3x3x3x4xf32>`

    Operands: the NHWC input and the output gradient; `filter_sizes` is the
    HWIO filter shape. One generic over (kh, kw, ic, oc, n, oh, ow) reading the
    padded input at (n, oh*sh + kh*dh, ow*sw + kw*dw, ic). It is bilinear in
    (input, gradient), so its own VJP is a conv2d_backprop_input and a conv2d.
    """

    name = "tfc.conv2d_backprop_filter"
    ARITY = 2
    ATTRS = {"filter_sizes": AttrSpec("ints"), **_CONV_ATTRS}

    @classmethod
    def geometry(cls, in_types, attrs):
        x, g = in_types
        _check_rank(cls.name, x, 4, "the input (NHWC)")
        _check_rank(cls.name, g, 4, "the output gradient (NHWC)")
        sizes = tuple(attrs["filter_sizes"])
        if len(sizes) != 4 or any(s < 1 for s in sizes):
            raise ShapeError(f"{cls.name}: filter_sizes must be 4 positive ints (HWIO), got {list(sizes)}")
        geo = _conv_geometry(cls.name, in_types, shape_of(x), sizes, attrs)
        want = (shape_of(x)[0], *geo[2], sizes[3])
        if shape_of(g) != want:
            raise ShapeError(
                f"{cls.name}: the output gradient must have shape {list(want)} for filter_sizes "
                f"{list(sizes)}: {_types(in_types)}")
        return sizes, geo

    @classmethod
    def infer(cls, in_types, attrs):
        _check_numeric(cls.name, in_types)
        sizes, _ = cls.geometry(in_types, attrs)
        return [tensor_type(sizes, dtype_of(in_types[0]))]

    @classmethod
    def reference(cls, attrs, x, g):
        dt = x.dtype
        sizes, (strides, dilations, (oh, ow), pads) = cls.geometry(
            [tensor_type(x.shape, dt), tensor_type(g.shape, dt)], attrs)
        x, g = _half_to_f32(x, g)
        (sh, sw), (dh, dw), (pt, pb, pl, pr) = strides, dilations, pads
        xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
        df = np.zeros(sizes, dtype=np.result_type(x, g))
        for kh, kw in itertools.product(range(sizes[0]), range(sizes[1])):
            patch = xp[:, kh * dh: kh * dh + (oh - 1) * sh + 1: sh, kw * dw: kw * dw + (ow - 1) * sw + 1: sw]
            df[kh, kw] = np.tensordot(patch, g, axes=([0, 1, 2], [0, 1, 2]))
        return df.astype(dt)

    def lower(self, b):
        x, g = self.inputs
        out_t = self.outputs[0].type
        _, ((sh, sw), (dh, dw), _, pads) = self.geometry([x.type, g.type], self.py_attrs())
        xp = _pad_spatial(b, x, pads, 0)
        kh, kw, ic, oc, n, oh, ow = _dims(7)
        maps = [_map(7, [n, oh * sh + kh * dh, ow * sw + kw * dw, ic]),
                _map(7, [n, oh, ow, oc]),
                _map(7, [kh, kw, ic, oc])]
        acc_t = _acc_type(out_t)
        (acc,) = b.generic([xp, g], [b.fill(acc_t, 0)], maps, [PARALLEL] * 4 + [REDUCTION] * 3,
                           lambda s, v, w, c: s.add(c, s.mul(v, w)))
        return [_finish(b, acc, out_t)]


    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        # <v, df(x, g)> = <conv2d(x, v), g>: bilinear in (x, g).
        x, g = inputs
        (v,) = grads
        if v is None or not _is_float(x):
            return [None, None]
        kw = _conv_kwargs(attrs)
        return [conv2d_backprop_input(tuple(x.shape), v, g, **kw), conv2d(x, v, **kw)]


# --- pooling ----------------------------------------------------------------------

_POOL_ATTRS = {
    "ksize": AttrSpec("ints"),
    "strides": AttrSpec("ints", (1, 1)),
    "padding": AttrSpec("str", "VALID"),
}


def _pool_geometry(op, in_types, in_shape, attrs):
    """(ksize, strides, out (oh, ow), pads) for NHWC pooling."""
    ksize = _pair(op, "ksize", attrs["ksize"], in_types)
    strides = _pair(op, "strides", attrs["strides"], in_types)
    if attrs["padding"] not in ("VALID", "SAME"):
        raise ShapeError(f"{op}: padding must be 'VALID' or 'SAME', got {attrs['padding']!r}")
    out_hw, pads = _window(op, in_shape[1:3], ksize, strides, (1, 1), attrs["padding"], (), in_types)
    return ksize, strides, out_hw, pads


def _windows(xp, ksize, strides, out_hw):
    """A (N, OH, OW, C, KH, KW) view of the windows of a padded NHWC array."""
    v = np.lib.stride_tricks.sliding_window_view(xp, ksize, axis=(1, 2))
    return v[:, : (out_hw[0] - 1) * strides[0] + 1: strides[0], : (out_hw[1] - 1) * strides[1] + 1: strides[1]]


def _avg_counts(in_hw, ksize, strides, out_hw, pads) -> np.ndarray:
    """How many real (unpadded) elements each output window covers, shape (OH, OW)."""
    rows = [min(o * strides[0] - pads[0] + ksize[0], in_hw[0]) - max(o * strides[0] - pads[0], 0)
            for o in range(out_hw[0])]
    cols = [min(o * strides[1] - pads[2] + ksize[1], in_hw[1]) - max(o * strides[1] - pads[2], 0)
            for o in range(out_hw[1])]
    return np.outer(rows, cols).astype(np.float64)


def _pool_attrs_fn(op, ksize, strides, padding, data_format):
    _check_format(op, data_format)
    if not isinstance(padding, str) or padding.upper() not in ("VALID", "SAME"):
        raise ShapeError(f"{op}: padding must be 'VALID' or 'SAME', got {padding!r}")
    return {"ksize": _spatial_arg(op, "ksize", ksize), "strides": _spatial_arg(op, "strides", strides),
            "padding": padding.upper()}


def _pool_loop_maps(sh, sw):
    """Maps of a pooling generic over (n, oh, ow, c, kh, kw): the padded input's
    strided window read, the window operand (which gives kh, kw their bounds), the output."""
    n, oh, ow, c, kh, kw = _dims(6)
    return [_map(6, [n, oh * sh + kh, ow * sw + kw, c]), _map(6, [kh, kw]), _map(6, [n, oh, ow, c])]


def _window_operand(b, ksize, t: TensorType) -> SSAValue:
    return b.empty(TensorType(t.element_type, list(ksize)))


def _transposed_window_maps(kh_, kw_):
    """Maps of a gather over (n, h, w, c, kh, kw) that sums, for each input position, the
    contributions of the windows covering it: reads a spread tensor at (n, h + KH-1-kh,
    w + KW-1-kw, c) (see `_spread`), the window operand, writes (n, h, w, c)."""
    n, h, w, c, kh, kw = _dims(6)
    return [_map(6, [n, h + (kh_ - 1) - kh, w + (kw_ - 1) - kw, c]), _map(6, [kh, kw]),
            _map(6, [n, h, w, c])]


def _spread(b, v, in_shape, ksize, strides, pads, value):
    """Spread per-window values v (N, OH, OW, C) so that the window at (oh, ow) sits at
    (KH-1 - pt + oh*sh, KW-1 - pl + ow*sw): a strided insert_slice into a `value` fill."""
    n, h, w, c = in_shape
    (kh, kw), (sh, sw), (pt, _, pl, _) = ksize, strides, pads
    return _place(b, v, [n, h + kh - 1, w + kw - 1, c], [0, kh - 1 - pt, kw - 1 - pl, 0],
                  [1, sh, sw, 1], value)


@tfc_op
class MaxPool2dOp(TfcOp):
    """Max pooling over NHWC windows (tf.nn.max_pool2d).

    `%r = tfc.max_pool2d %x {ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x8x3xf32>) -> tensor<1x4x4x3xf32>`

    SAME padding pads with -inf (the smallest integer for integer types), so
    padded positions never win. Lowered to one generic over
    (n, oh, ow, c, kh, kw) with a KHxKW window operand that bounds kh and kw.
    """

    name = "tfc.max_pool2d"
    ARITY = 1
    ATTRS = dict(_POOL_ATTRS)

    @classmethod
    def infer(cls, in_types, attrs):
        (x,) = in_types
        _check_numeric(cls.name, in_types)
        _check_rank(cls.name, x, 4, "the input (NHWC)")
        _, _, (oh, ow), _ = _pool_geometry(cls.name, in_types, shape_of(x), attrs)
        s = shape_of(x)
        return [tensor_type((s[0], oh, ow, s[3]), dtype_of(x))]

    @classmethod
    def reference(cls, attrs, x):
        ksize, strides, out_hw, (pt, pb, pl, pr) = _pool_geometry(
            cls.name, [tensor_type(x.shape, x.dtype)], x.shape, attrs)
        low = -np.inf if x.dtype.kind == "f" or x.dtype.name == "bfloat16" else np.iinfo(x.dtype).min
        xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=np.asarray(low).astype(x.dtype))
        return _windows(xp, ksize, strides, out_hw).max(axis=(4, 5))

    def lower(self, b):
        (x,) = self.inputs
        out_t = self.outputs[0].type
        ksize, (sh, sw), _, pads = _pool_geometry(self.name, [x.type], x.type.get_shape(), self.py_attrs())
        low = _lowest(x.type)
        xp = _pad_spatial(b, x, pads, low)
        (r,) = b.generic([xp, _window_operand(b, ksize, x.type)], [b.fill(out_t, low)],
                         _pool_loop_maps(sh, sw), [PARALLEL] * 4 + [REDUCTION] * 2,
                         lambda s, v, _w, acc: s.max(acc, v))
        return [r]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        (x,), (y,), (g,) = inputs, outputs, grads
        if g is None or not _is_float(x):
            return [None]
        return [max_pool2d_grad(x, y, g, attrs["ksize"], attrs["strides"], attrs["padding"])]


@tfc_op
class AvgPool2dOp(TfcOp):
    """Average pooling over NHWC windows (tf.nn.avg_pool2d).

    `%r = tfc.avg_pool2d %x {ksize = array<i64: 3, 3>, padding = "SAME"} : (tensor<1x5x5x2xf32>) -> tensor<1x5x5x2xf32>`

    With SAME padding each window's sum is divided by the number of real
    (unpadded) elements it covers, as TF does. Lowered to a summing generic
    over (n, oh, ow, c, kh, kw) into a zero fill, then an elementwise division
    by the window count (a scalar, or a constant (OH, OW, 1) tensor of counts).
    """

    name = "tfc.avg_pool2d"
    ARITY = 1
    ATTRS = dict(_POOL_ATTRS)

    @classmethod
    def infer(cls, in_types, attrs):
        (x,) = in_types
        _check_numeric(cls.name, in_types, float_only=True)
        _check_rank(cls.name, x, 4, "the input (NHWC)")
        _, _, (oh, ow), _ = _pool_geometry(cls.name, in_types, shape_of(x), attrs)
        s = shape_of(x)
        return [tensor_type((s[0], oh, ow, s[3]), dtype_of(x))]

    @classmethod
    def reference(cls, attrs, x):
        dt = x.dtype
        ksize, strides, out_hw, pads = _pool_geometry(cls.name, [tensor_type(x.shape, dt)], x.shape, attrs)
        (x,) = _half_to_f32(x)
        pt, pb, pl, pr = pads
        xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
        sums = _windows(xp, ksize, strides, out_hw).sum(axis=(4, 5))
        counts = _avg_counts(x.shape[1:3], ksize, strides, out_hw, pads)
        return (sums / counts[None, :, :, None].astype(sums.dtype)).astype(dt)

    def lower(self, b):
        (x,) = self.inputs
        out_t = self.outputs[0].type
        ksize, strides, out_hw, pads = _pool_geometry(self.name, [x.type], x.type.get_shape(), self.py_attrs())
        acc_t = _acc_type(out_t)
        xp = _pad_spatial(b, x, pads, 0)
        (acc,) = b.generic([xp, _window_operand(b, ksize, x.type)], [b.fill(acc_t, 0)],
                           _pool_loop_maps(*strides), [PARALLEL] * 4 + [REDUCTION] * 2,
                           lambda s, v, _w, a: s.add(a, v))
        return [_divide_by_counts(b, acc, out_t, x.type.get_shape()[1:3], ksize, strides, out_hw, pads)]

    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        (x,), (g,) = inputs, grads
        if g is None:
            return [None]
        return [avg_pool2d_grad(tuple(x.shape), g, attrs["ksize"], attrs["strides"], attrs["padding"])]


def _divide_by_counts(b, v, out_t, in_hw, ksize, strides, out_hw, pads):
    """v / (window element count), elementwise into `out_t`."""
    counts = _avg_counts(in_hw, ksize, strides, out_hw, pads)
    ct = compute_type(v.type.element_type)
    if np.all(counts == counts.flat[0]):
        c = float(counts.flat[0])
        return b.elementwise([v], out_t, lambda s, a: s.div(a, s.const(c, ct)))
    attr = DenseIntOrFPElementsAttr.from_list(
        TensorType(ct, [out_hw[0], out_hw[1], 1]), [float(c) for c in counts.reshape(-1)])
    return b.elementwise([v, b.dense(attr)], out_t, lambda s, a, n: s.div(a, n))


@tfc_op
class MaxPool2dGradOp(TfcOp):
    """The gradient of tfc.max_pool2d w.r.t. its input (tf.raw_ops.MaxPoolGrad).

    `%dx = tfc.max_pool2d_grad %x, %y, %dy {ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x4x1xf32>, tensor<1x2x2x1xf32>, tensor<1x2x2x1xf32>) -> tensor<1x4x4x1xf32>`

    Operands: the pooling's input, its output and the output gradient. Each
    window's gradient goes to the first position (row-major within the window)
    where the input equals the window's output, as TF does. Lowered to: a
    generic reducing each window to that position's index kh*KW + kw (min over
    matches), then a gather over (n, h, w, c, kh, kw) that adds the gradients of
    the windows whose chosen position is (h, w). Its own VJP is not defined
    (TF's MaxPoolGradGrad is not provided): second derivatives through
    max_pool2d are not supported.
    """

    name = "tfc.max_pool2d_grad"
    ARITY = 3
    ATTRS = dict(_POOL_ATTRS)

    @classmethod
    def infer(cls, in_types, attrs):
        x, y, g = in_types
        _check_numeric(cls.name, in_types, float_only=True)
        _check_rank(cls.name, x, 4, "the input (NHWC)")
        _, _, (oh, ow), _ = _pool_geometry(cls.name, in_types, shape_of(x), attrs)
        s = shape_of(x)
        want = (s[0], oh, ow, s[3])
        if shape_of(y) != want or shape_of(g) != want:
            raise ShapeError(f"{cls.name}: the pooled output and its gradient must have shape "
                             f"{list(want)}: {_types(in_types)}")
        return [tensor_type(s, dtype_of(x))]

    @classmethod
    def reference(cls, attrs, x, y, g):
        dt = x.dtype
        ksize, (sh, sw), (oh, ow), (pt, pb, pl, pr) = _pool_geometry(
            cls.name, [tensor_type(x.shape, dt)], x.shape, attrs)
        x, y, g = _half_to_f32(x, y, g)
        xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=-np.inf)
        win = _windows(xp, ksize, (sh, sw), (oh, ow))
        eq = (win == y[..., None, None]).reshape(*win.shape[:4], -1)
        first = np.where(eq.any(-1), eq.argmax(-1), -1)
        dxp = np.zeros(xp.shape, dtype=np.result_type(x, g))
        for kh, kw in itertools.product(range(ksize[0]), range(ksize[1])):
            hit = first == kh * ksize[1] + kw
            dxp[:, kh: kh + (oh - 1) * sh + 1: sh, kw: kw + (ow - 1) * sw + 1: sw] += np.where(hit, g, 0)
        return dxp[:, pt: pt + x.shape[1], pl: pl + x.shape[2]].astype(dt)

    def lower(self, b):
        x, y, g = self.inputs
        out_t = self.outputs[0].type
        ksize, strides, _, pads = _pool_geometry(self.name, [x.type], x.type.get_shape(), self.py_attrs())
        kh_, kw_ = ksize
        i32 = IntegerType(32)
        none = kh_ * kw_  # larger than every window index: "no match"
        xp = _pad_spatial(b, x, pads, _lowest(x.type))
        idx_t = TensorType(i32, y.type.get_shape())

        def first_match(s, v, ym, _w, acc):
            k = _window_index(s, kw_, 4, 5)
            return s.min(acc, s.select(s.cmp("eq", v, ym), k, s.const(none, i32)))

        n, oh, ow, c, kh, kw = _dims(6)
        xmap, wmap, omap = _pool_loop_maps(*strides)
        (idx,) = b.generic([xp, y, _window_operand(b, ksize, x.type)], [b.fill(idx_t, none)],
                           [xmap, omap, wmap, omap], [PARALLEL] * 4 + [REDUCTION] * 2, first_match)
        shape = x.type.get_shape()
        idx_s = _spread(b, idx, shape, ksize, strides, pads, -1)
        g_s = _spread(b, g, shape, ksize, strides, pads, 0)

        def gather(s, i, gv, _w, acc):
            hit = s.cmp("eq", i, _window_index(s, kw_, 4, 5))
            return s.add(acc, s.select(hit, gv, s.const(0, gv.type)))

        smap, wmap2, outmap = _transposed_window_maps(kh_, kw_)
        acc_t = _acc_type(out_t)
        (acc,) = b.generic([idx_s, g_s, _window_operand(b, ksize, x.type)], [b.fill(acc_t, 0)],
                           [smap, smap, wmap2, outmap], [PARALLEL] * 4 + [REDUCTION] * 2, gather)
        return [_finish(b, acc, out_t)]


@tfc_op
class AvgPool2dGradOp(TfcOp):
    """The gradient of tfc.avg_pool2d w.r.t. its input (tf.raw_ops.AvgPoolGrad).

    `%dx = tfc.avg_pool2d_grad %dy {orig_input_shape = array<i64: 1, 4, 4, 1>, ksize = array<i64: 2, 2>} : (tensor<1x3x3x1xf32>) -> tensor<1x4x4x1xf32>`

    Each window's gradient, divided by its element count, is added to every real
    position of the window. Lowered to an elementwise division, a strided
    insert_slice spreading the windows, and a gather over (n, h, w, c, kh, kw).
    It is linear in the gradient: its VJP is an avg_pool2d.
    """

    name = "tfc.avg_pool2d_grad"
    ARITY = 1
    ATTRS = {"orig_input_shape": AttrSpec("ints"), **_POOL_ATTRS}

    @classmethod
    def geometry(cls, in_types, attrs):
        (g,) = in_types
        shape = tuple(attrs["orig_input_shape"])
        if len(shape) != 4 or any(s < 1 for s in shape):
            raise ShapeError(f"{cls.name}: orig_input_shape must be 4 positive ints (NHWC), "
                             f"got {list(shape)}")
        geo = _pool_geometry(cls.name, in_types, shape, attrs)
        want = (shape[0], *geo[2], shape[3])
        if shape_of(g) != want:
            raise ShapeError(f"{cls.name}: the gradient must have shape {list(want)} for "
                             f"orig_input_shape {list(shape)}: {_types(in_types)}")
        return shape, geo

    @classmethod
    def infer(cls, in_types, attrs):
        _check_numeric(cls.name, in_types, float_only=True)
        shape, _ = cls.geometry(in_types, attrs)
        return [tensor_type(shape, dtype_of(in_types[0]))]

    @classmethod
    def reference(cls, attrs, g):
        dt = g.dtype
        shape, (ksize, (sh, sw), (oh, ow), pads) = cls.geometry([tensor_type(g.shape, dt)], attrs)
        (g,) = _half_to_f32(g)
        pt, pb, pl, pr = pads
        z = g / _avg_counts(shape[1:3], ksize, (sh, sw), (oh, ow), pads)[None, :, :, None].astype(g.dtype)
        dxp = np.zeros((shape[0], shape[1] + pt + pb, shape[2] + pl + pr, shape[3]), dtype=g.dtype)
        for kh, kw in itertools.product(range(ksize[0]), range(ksize[1])):
            dxp[:, kh: kh + (oh - 1) * sh + 1: sh, kw: kw + (ow - 1) * sw + 1: sw] += z
        return dxp[:, pt: pt + shape[1], pl: pl + shape[2]].astype(dt)

    def lower(self, b):
        (g,) = self.inputs
        out_t = self.outputs[0].type
        shape, (ksize, strides, out_hw, pads) = self.geometry([g.type], self.py_attrs())
        acc_t = _acc_type(out_t)
        z = _divide_by_counts(b, g, _acc_type(g.type), shape[1:3], ksize, strides, out_hw, pads)
        zs = _spread(b, z, shape, ksize, strides, pads, 0)
        (acc,) = b.generic([zs, _window_operand(b, ksize, g.type)], [b.fill(acc_t, 0)],
                           _transposed_window_maps(*ksize), [PARALLEL] * 4 + [REDUCTION] * 2,
                           lambda s, v, _w, a: s.add(a, v))
        return [_finish(b, acc, out_t)]


    @staticmethod
    def vjp(attrs, inputs, outputs, grads):
        (u,) = grads
        if u is None:
            return [None]
        return [avg_pool2d(u, attrs["ksize"], attrs["strides"], attrs["padding"])]


OPS = [MatmulOp, Conv2dOp, Conv2dBackpropInputOp, Conv2dBackpropFilterOp,
       MaxPool2dOp, AvgPool2dOp, MaxPool2dGradOp, AvgPool2dGradOp]


# --- op functions -------------------------------------------------------------------


def _fail(message: str, values):
    return _located(ShapeError(message), find_trace(values))


def matmul(a, b, transpose_a=False, transpose_b=False):
    """a @ b over the last two dims, batch dims broadcast (tf.linalg.matmul)."""
    return apply(MatmulOp, [a, b], {"transpose_a": bool(transpose_a), "transpose_b": bool(transpose_b)})


def conv2d(input, filters, strides=1, padding="VALID", data_format="NHWC", dilations=None):
    """2-D convolution of an NHWC input with an HWIO filter (tf.nn.conv2d).

    padding: "VALID", "SAME", [top, bottom, left, right], or TF's
    [[0, 0], [top, bottom], [left, right], [0, 0]].
    """
    try:
        attrs = _conv_attrs_fn(Conv2dOp.name, strides, padding, data_format, dilations)
    except ShapeError as e:
        raise _fail(str(e), [input, filters]) from None
    return apply(Conv2dOp, [input, filters], attrs)


def conv2d_backprop_input(input_sizes, filters, out_backprop, strides=1, padding="VALID",
                          data_format="NHWC", dilations=None):
    """The gradient of conv2d w.r.t. its input of shape `input_sizes` (4 ints, NHWC)."""
    try:
        attrs = _conv_attrs_fn(Conv2dBackpropInputOp.name, strides, padding, data_format, dilations)
    except ShapeError as e:
        raise _fail(str(e), [filters, out_backprop]) from None
    attrs["input_sizes"] = tuple(int(v) for v in input_sizes)
    return apply(Conv2dBackpropInputOp, [filters, out_backprop], attrs)


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides=1, padding="VALID",
                           data_format="NHWC", dilations=None):
    """The gradient of conv2d w.r.t. its filter of shape `filter_sizes` (4 ints, HWIO)."""
    try:
        attrs = _conv_attrs_fn(Conv2dBackpropFilterOp.name, strides, padding, data_format, dilations)
    except ShapeError as e:
        raise _fail(str(e), [input, out_backprop]) from None
    attrs["filter_sizes"] = tuple(int(v) for v in filter_sizes)
    return apply(Conv2dBackpropFilterOp, [input, out_backprop], attrs)


def max_pool2d(input, ksize, strides, padding, data_format="NHWC"):
    """Max pooling (tf.nn.max_pool2d); ksize/strides: an int or a list of 1, 2 or 4 ints."""
    try:
        attrs = _pool_attrs_fn(MaxPool2dOp.name, ksize, strides, padding, data_format)
    except ShapeError as e:
        raise _fail(str(e), [input]) from None
    return apply(MaxPool2dOp, [input], attrs)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC"):
    """Average pooling (tf.nn.avg_pool2d); SAME windows average their real elements only."""
    try:
        attrs = _pool_attrs_fn(AvgPool2dOp.name, ksize, strides, padding, data_format)
    except ShapeError as e:
        raise _fail(str(e), [input]) from None
    return apply(AvgPool2dOp, [input], attrs)


def max_pool2d_grad(orig_input, orig_output, grad, ksize, strides, padding, data_format="NHWC"):
    """The gradient of max_pool2d w.r.t. its input (tf.raw_ops.MaxPoolGrad)."""
    try:
        attrs = _pool_attrs_fn(MaxPool2dGradOp.name, ksize, strides, padding, data_format)
    except ShapeError as e:
        raise _fail(str(e), [orig_input, orig_output, grad]) from None
    return apply(MaxPool2dGradOp, [orig_input, orig_output, grad], attrs)


def avg_pool2d_grad(orig_input_shape, grad, ksize, strides, padding, data_format="NHWC"):
    """The gradient of avg_pool2d w.r.t. its input of shape `orig_input_shape` (tf.raw_ops.AvgPoolGrad)."""
    try:
        attrs = _pool_attrs_fn(AvgPool2dGradOp.name, ksize, strides, padding, data_format)
    except ShapeError as e:
        raise _fail(str(e), [grad]) from None
    attrs["orig_input_shape"] = tuple(int(v) for v in orig_input_shape)
    return apply(AvgPool2dGradOp, [grad], attrs)


def _describe(v) -> str:
    """tensor<...> of an op function operand (traced or NumPy)."""
    from tfc import dtypes
    from tfc.tracing import Symbolic

    shape = np.shape(v)
    try:
        name = v.dtype.name if isinstance(v, Symbolic) else dtypes.from_numpy(np.asarray(v).dtype).name
    except dtypes.DTypeError:
        name = str(np.asarray(v).dtype)
    dims = "x".join(map(str, shape))
    return f"tensor<{dims + 'x' if dims else ''}{name}>"


def bias_add(value, bias, data_format=None):
    """value + bias, where bias is 1-D and matches value's last (channel) dim (tf.nn.bias_add)."""
    from tfc.ops.api import add

    op = "tfc.bias_add"
    if data_format not in (None, "NHWC", "N...C"):
        raise _fail(f"{op}: only channels-last data formats are supported, got {data_format!r}",
                    [value, bias])
    vshape, bshape = np.shape(value), np.shape(bias)
    if len(bshape) != 1 or len(vshape) < 1 or vshape[-1] != bshape[0]:
        raise _fail(f"{op}: bias must be 1-D and match the last dimension of the value: "
                    f"value {_describe(value)}, bias {_describe(bias)}", [value, bias])
    return add(value, bias)


__all__ = ["matmul", "conv2d", "conv2d_backprop_input", "conv2d_backprop_filter",
           "max_pool2d", "avg_pool2d", "max_pool2d_grad", "avg_pool2d_grad", "bias_add"]
