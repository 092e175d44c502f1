"""A structural digest of an IR module: the artifact cache key without printing the IR.

Printing the tfc-level IR with xDSL's printer to key the cache cost ~15 ms for
a program of 400 ops (W6) on every warm start; walking the ops costs ~1 ms.
The digest covers everything the stored artifact depends on:

- op order and names, and which value feeds which operand (values are numbered
  in definition order: block arguments, then results, as the printer does);
- every result and block-argument type, and the SSA name hints (the printed
  per-level IR in the manifest and the runtime's argument names show them);
- every attribute and property, by value: constants by their exact bytes
  (cheaper than formatting each element, and exact for every dtype), floats
  by `float.hex`; other attributes by their printed text, printed once per
  distinct attribute;
- regions, blocks and successors.

Source locations are left out on purpose: nothing the artifact holds shows
them (each level's IR is stored printed without debuginfo, the C source has
no locations), so two functions with the same ops rightly share one artifact,
and editing an unrelated line above a function does not miss the cache.
tests/runtime/test_ir_hash.py checks that the stored levels carry no `loc(`;
if they ever do, locations must join this digest.

Deterministic across processes: no `hash()` or `id()` reaches the output (ids
only number values inside one walk); attribute texts come from the printer or
from the values themselves.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from xdsl.dialects.builtin import (
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    NoneAttr,
    TensorType,
)
from xdsl.ir import Attribute, Block, Operation

# Attribute -> its text, shared by all digests of this process. Attributes are
# immutable values (equal attributes print the same), so the printer runs once
# per distinct attribute. Bounded: a long-running process tracing many
# different programs would otherwise keep every attribute it ever saw.
_TEXT: dict[Attribute, str] = {}
_TEXT_LIMIT = 4096
_BIG = 256  # constant data longer than this goes in as its sha256


def attr_text(attr: Attribute) -> str:
    """A text that determines `attr` exactly (equal texts <=> equal attributes)."""
    t = type(attr)
    if t is TensorType and type(attr.encoding) is NoneAttr:
        shape = "x".join(str(d.data) for d in attr.shape.data)
        return f"tensor<{shape};{attr_text(attr.element_type)}>"
    if t is DenseIntOrFPElementsAttr:
        return f"dense<{_bytes_text(attr.data.data)}>:{attr_text(attr.type)}"
    try:
        return _TEXT[attr]
    except KeyError:
        pass
    except TypeError:  # an unhashable attribute (none in xDSL today): print it every time
        return _exact_text(attr)
    text = _exact_text(attr)
    if len(_TEXT) >= _TEXT_LIMIT:
        _TEXT.clear()
    _TEXT[attr] = text
    return text


def _bytes_text(data: bytes) -> str:
    if len(data) > _BIG:
        return f"sha256:{len(data)}:{hashlib.sha256(data).hexdigest()}"
    return data.hex()


def _exact_text(attr: Attribute) -> str:
    # Values straight from their bits: no reliance on how the printer formats them.
    kind = _kind(type(attr))
    if kind == "float":
        return f"float<{float(attr.value.data).hex()}>:{attr_text(attr.type)}"
    if kind == "array":
        return f"array<{attr_text(attr.elt_type)}:{_bytes_text(attr.data.data)}>"
    if kind == "bytes":
        return f"bytes<{_bytes_text(attr.data)}>"
    if kind == "dense":  # a subclass: same meaning
        return f"dense<{_bytes_text(attr.data.data)}>:{attr_text(attr.type)}"
    return f"{type(attr).__module__}.{type(attr).__qualname__}:{attr}"


_KINDS: dict[type, str] = {}


def _kind(t: type) -> str:
    """Which exact spelling an attribute class gets. By its MRO, not isinstance: these
    are generic ABCs, and the first isinstance against each costs ~0.1 ms."""
    kind = _KINDS.get(t)
    if kind is None:
        mro = t.__mro__
        kind = ("float" if FloatAttr in mro else "array" if DenseArrayBase in mro
                else "bytes" if BytesAttr in mro else "dense" if DenseIntOrFPElementsAttr in mro
                else "other")
        _KINDS[t] = kind
    return kind


def ir_digest(op: Operation) -> str:
    """sha256 hex of `op`'s structure (usually a `builtin.module`); see the module doc."""
    tokens: list[Any] = []
    _walk_op(op, tokens, {})
    data = json.dumps(tokens, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _walk_op(op: Operation, out: list, numbers: dict[int, int]) -> None:
    out.append(op.name)
    out.append(len(op.operands))
    for v in op.operands:
        n = numbers.get(id(v))
        # A value from outside the walked op (the verifier rejects those):
        # keyed by its type so the digest is still deterministic.
        out.append(n if n is not None else "ext:" + attr_text(v.type))
    out.append(len(op.results))
    for r in op.results:
        numbers[id(r)] = len(numbers)
        out.append(attr_text(r.type))
        out.append(r.name_hint or "")
    for tag, attrs in (("a", op.attributes), ("p", op.properties)):
        out.append(tag)
        out.append(len(attrs))
        for key in sorted(attrs):
            out.append(key)
            out.append(attr_text(attrs[key]))
    out.append(len(op.regions))
    for region in op.regions:
        blocks = list(region.blocks)
        out.append(len(blocks))
        for block in blocks:
            _walk_block(block, out, numbers)
    out.append(len(op.successors))
    for s in op.successors:
        out.append(_block_index(s))


def _walk_block(block: Block, out: list, numbers: dict[int, int]) -> None:
    out.append(len(block.args))
    for a in block.args:
        numbers[id(a)] = len(numbers)
        out.append(attr_text(a.type))
        out.append(a.name_hint or "")
    ops = list(block.ops)
    out.append(len(ops))
    for child in ops:
        _walk_op(child, out, numbers)


def _block_index(block: Block) -> int:
    """A successor's position in its region (a branch targets a block of its own region)."""
    region = block.parent
    if region is None:
        return -1
    for i, b in enumerate(region.blocks):
        if b is block:
            return i
    return -1
