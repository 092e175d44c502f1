"""The C target: a `loops`-level module -> one C source file.

The file holds the constants (`memref.global` -> `static const` arrays), one
`static void` function per kernel (memref arguments -> `restrict` pointers,
loads and stores -> linear indexing with the memref's constant strides), and
the entry point `int tfc_entry(void **buffers)`, which unpacks the host
function's arguments from `buffers` (inputs, outputs, then the arena) and runs
the host's calls. The scalar ops come from the table in `c_ops.py`; this file
only walks the IR.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

import numpy as np
from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseIntOrFPElementsAttr,
    IndexType,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    StringAttr,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.utils.target import Target

from tfc.codegen import c_math, c_ops
from tfc.codegen.c_ops import UnsupportedOp, c_literal, c_type
from tfc.passes.bufferize import strides_of
from tfc.passes.form_kernels import KERNEL_ATTR, entry_function
from tfc.passes.lower_to_loops import INTRINSIC_ATTR, SIMD_ATTR, THREADS_ATTR, simd_reductions
from tfc.passes.tile import read_schedule

__all__ = ["CTarget", "ENTRY_NAME", "UnsupportedOp", "emit_c"]

ENTRY_NAME = "tfc_entry"
UKERNEL_ATTR = "tfc.ukernel"

# Below this many innermost iterations, a loop nest runs on one thread: waking
# the OpenMP team costs more than the work.
DEFAULT_OMP_MIN_WORK = 1 << 15
# Reduction loops shorter than this are not worth vectorizing.
SIMD_MIN_TRIPS = 16
# Constants with more elements than this are emitted as a byte string, which
# compilers read far faster than an initializer list.
INLINE_CONSTANT_LIMIT = 1024

_C_KEYWORDS = frozenset("""
auto break case char const continue default do double else enum extern float for goto if
inline int long register restrict return short signed sizeof static struct switch typedef
union unsigned void volatile while bool true false NAN INFINITY main memcpy free
aligned_alloc buffers int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t
""".split())

_VIEW_OPS = (memref.SubviewOp, memref.CollapseShapeOp, memref.ExpandShapeOp,
             memref.CastOp, memref.ReinterpretCastOp)


def emit_c(module: ModuleOp, *, omp_min_work: int = DEFAULT_OMP_MIN_WORK) -> str:
    """The C source for a `loops`-level module (see the module docstring)."""
    return _ModuleWriter(module, omp_min_work).write()


@dataclass(frozen=True)
class CTarget(Target):
    """`tfc-opt -t c`: write the module as C."""

    name = "c"
    omp_min_work: int = DEFAULT_OMP_MIN_WORK

    def emit(self, ctx: Context, module: ModuleOp, output: IO[str]) -> None:
        output.write(emit_c(module, omp_min_work=self.omp_min_work))


def _sanitize(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return name if name and not name[0].isdigit() else "v" + name


def _dims(t: MemRefType) -> str:
    return "x".join(str(d) for d in t.get_shape()) or "scalar"


def _dtype_name(t: Attribute) -> str:
    try:
        from tfc import dtypes

        return dtypes.from_ir(t).name
    except Exception:  # i8 (the arena) and other storage-only types
        return str(t)


class _Names:
    """Unique C identifiers within one function."""

    def __init__(self, reserved: Iterable[str]):
        self.used = set(reserved)

    def fresh(self, hint: str | None, default: str) -> str:
        base = _sanitize(hint) if hint else default
        name, n = base, 0
        while name in self.used or name in _C_KEYWORDS:
            n += 1
            name = f"{base}_{n}"
        self.used.add(name)
        return name


class _ModuleWriter:
    def __init__(self, module: ModuleOp, omp_min_work: int):
        self.module = module
        self.omp_min_work = omp_min_work
        self.entry = entry_function(module)
        self.funcs = [op for op in module.ops if isinstance(op, func.FuncOp) and not op.is_declaration]
        self.globals: dict[str, str] = {}  # symbol -> C expression of its data
        self.module_names = {_sanitize(f.sym_name.data) for f in self.funcs} | {ENTRY_NAME}
        self.module_names |= c_ops.LIBM_NAMES | set(c_ops.HELPERS) | set(c_math.MAX_ULP)
        self.ukernels = [op for op in module.ops if isinstance(op, func.FuncOp) and op.is_declaration
                         and isinstance(op.attributes.get(UKERNEL_ATTR), StringAttr)]
        self.module_names |= {_sanitize(u.sym_name.data) for u in self.ukernels}
        # micro-kernel -> role of each argument ("in" | "out" | "inout" | "index"), when declared
        self.ukernel_args = {u.sym_name.data: [a.data for a in u.attributes["tfc.ukernel_args"].data]
                             for u in self.ukernels
                             if isinstance(u.attributes.get("tfc.ukernel_args"), ArrayAttr)}
        self.reductions: set[tuple[str, str]] = set()  # (identifier, C type) declared for omp simd
        self.intrinsics = {op.sym_name.data: op.attributes[INTRINSIC_ATTR].data for op in module.ops
                           if isinstance(op, func.FuncOp) and op.is_declaration
                           and isinstance(op.attributes.get(INTRINSIC_ATTR), StringAttr)}
        self.access: dict[str, list[tuple[bool, bool]]] = {}  # func -> (read, written) per arg

    def write(self) -> str:
        global_text = [self.global_decl(op) for op in self.module.ops if isinstance(op, memref.GlobalOp)]
        for f in self.funcs:
            self.arg_access(f)
        func_text = [self.function(f) for f in self.funcs if f is not self.entry]
        func_text.append(self.function(self.entry))
        body = "\n\n".join(t for t in global_text + func_text if t)
        head = [
            "/* Generated by tfc (C target). Do not edit.",
            f" * Entry point: int {ENTRY_NAME}(void **buffers); see its comment for the buffer order. */",
            "#include <math.h>",
            "#include <stdbool.h>",
            "#include <stdint.h>",
            "#include <stdlib.h>",
            "#include <string.h>",
        ]
        helpers = c_ops.helpers_used(body)
        if "tfc_f32_to_bf16(" in body or "tfc_bf16_to_f32(" in body:
            helpers = [c_ops.HELPERS[n] for n in ("tfc_bf16_to_f32", "tfc_f32_to_bf16")
                       if c_ops.HELPERS[n] not in helpers] + helpers
        math_used = c_math.used(body)
        if math_used:
            helpers.append(c_math.prelude(math_used))
        helpers += [_declare_reduction(name, ctype) for name, ctype in sorted(self.reductions)]
        helpers += self.ukernel_sources()
        return "\n".join(head) + "\n\n" + "".join(h + "\n\n" for h in helpers) + body + "\n"

    def ukernel_sources(self) -> list[str]:
        """The micro-kernels the module declares (`tfc.ukernel`), each once."""
        if not self.ukernels:
            return []
        from tfc.codegen.c_ukernels import ukernel_source

        names = dict.fromkeys(u.attributes[UKERNEL_ATTR].data for u in self.ukernels)
        return [ukernel_source(name) for name in names]

    # -- constants -------------------------------------------------------------

    def global_decl(self, op: memref.GlobalOp) -> str:
        name = _sanitize(op.sym_name.data)
        t = op.type
        elem = c_type(t.get_element_type())
        n = math.prod(t.get_shape())
        qual = "static const" if op.constant is not None else "static"
        value = op.initial_value
        comment = f"/* @{op.sym_name.data}: {_dtype_name(t.get_element_type())}[{_dims(t)}] */"
        if not isinstance(value, DenseIntOrFPElementsAttr):
            self.globals[op.sym_name.data] = name
            return f"{comment}\n{qual} {elem} {name}[{max(n, 1)}] __attribute__((aligned(64)));"
        data = _dense_array(value, t)
        if n <= INLINE_CONSTANT_LIMIT:
            self.globals[op.sym_name.data] = name
            items = [_element_literal(x, t.get_element_type()) for x in data.reshape(-1)]
            lines = [", ".join(items[i:i + 8]) for i in range(0, len(items), 8)]
            init = "{\n  " + ",\n  ".join(lines) + ",\n}" if items else "{0}"
            return f"{comment}\n{qual} {elem} {name}[{max(n, 1)}] __attribute__((aligned(64))) = {init};"
        # Large: the raw little-endian bytes, read through a union of the same storage.
        self.globals[op.sym_name.data] = f"{name}.values"
        raw = data.tobytes()
        chunks = _byte_string_lines(raw)
        return (f"{comment}\n{qual} union {{ unsigned char bytes[{len(raw)}]; {elem} values[{n}]; }} "
                f"{name} __attribute__((aligned(64))) = {{\n  " + "\n  ".join(chunks) + "\n};")

    # -- which arguments a function reads / writes ----------------------------

    def arg_access(self, f: func.FuncOp) -> list[tuple[bool, bool]]:
        key = f.sym_name.data
        if key in self.access:
            return self.access[key]
        self.access[key] = [(True, True)] * len(f.body.block.args)  # recursion guard
        by_name = {g.sym_name.data: g for g in self.funcs}
        result = []
        for arg in f.body.block.args:
            read = written = False
            work = [arg]
            while work:
                v = work.pop()
                for use in v.uses:
                    o = use.operation
                    if isinstance(o, _VIEW_OPS) or isinstance(o, memref.ViewOp):
                        work.extend(o.results)
                    elif isinstance(o, memref.LoadOp):
                        read = True
                    elif isinstance(o, memref.StoreOp):
                        written = written or use.index == 1
                    elif isinstance(o, func.CallOp) and o.callee.root_reference.data in self.intrinsics:
                        pass  # a prefetch neither reads nor writes a value
                    elif isinstance(o, func.CallOp) and o.callee.root_reference.data in self.ukernel_args:
                        role = self.ukernel_args[o.callee.root_reference.data][use.index]
                        read = read or role in ("in", "inout")
                        written = written or role in ("out", "inout")
                    elif isinstance(o, func.CallOp):
                        callee = by_name.get(o.callee.root_reference.data)
                        r, w = (self.arg_access(callee)[use.index] if callee is not None else (True, True))
                        read, written = read or r, written or w
                    elif isinstance(o, memref.CopyOp):
                        read = read or use.index == 0
                        written = written or use.index == 1
                    else:
                        read = True
            result.append((read, written))
        self.access[key] = result
        return result

    # -- functions ---------------------------------------------------------------

    def function(self, f: func.FuncOp) -> str:
        return _FunctionWriter(self, f).write()


class _FunctionWriter:
    def __init__(self, mod: _ModuleWriter, f: func.FuncOp):
        self.mod, self.f = mod, f
        self.is_entry = f is mod.entry
        self.names = _Names(mod.module_names | {g.split(".")[0] for g in mod.globals.values()})
        self.expr: dict[SSAValue, str] = {}   # scalars: C expression (local or literal)
        self.ints: dict[SSAValue, int] = {}   # integer constants
        self.ptr: dict[SSAValue, str] = {}    # memrefs: C pointer to the underlying buffer
        self.lines: list[str] = []
        self.depth = 1
        self.allocs: list[str] = []

    def line(self, text: str) -> None:
        self.lines.append("  " * self.depth + text)

    # -- signature -------------------------------------------------------------

    def write(self) -> str:
        f = self.f
        args = f.body.block.args
        access = self.mod.access[f.sym_name.data]
        params, doc = [], []
        for i, (arg, (read, written)) in enumerate(zip(args, access)):
            name = self.names.fresh(arg.name_hint, f"arg{i}")
            t = arg.type
            if isinstance(t, MemRefType):
                elem = c_type(t.get_element_type())
                const = "" if written else "const "
                self.ptr[arg] = name
                role = "inout" if read and written else ("out" if written else "in")
                params.append((name, f"{const}{elem} *", role, t))
                doc.append(f"{name}: {role} {_dtype_name(t.get_element_type())}[{_dims(t)}]")
            else:
                self.expr[arg] = name
                params.append((name, f"{c_type(t)} ", "in", t))
                doc.append(f"{name}: {c_type(t)}")
        self.block(f.body.block)
        body = "\n".join(self.lines)
        if self.is_entry:
            return self.entry_text(params, body)
        title = f.sym_name.data
        ops = f.attributes.get("tfc.ops")
        if isinstance(ops, ArrayAttr):
            title += " (" + ", ".join(a.data for a in ops.data if isinstance(a, StringAttr)) + ")"
        kind = "kernel" if KERNEL_ATTR in f.attributes else "function"
        schedule = _schedule_line(f)
        comment = (f"/* {kind} {title}\n" + "".join(f" *   {d}\n" for d in doc)
                   + (f" * {schedule}\n" if schedule else "") + " */")
        aliased = _inplace_args(f)
        sig = ", ".join(f"{ctype}{'' if i in aliased else 'restrict '}{name}" if ctype.endswith("*")
                        else f"{ctype}{name}" for i, (name, ctype, _, _) in enumerate(params))
        return f"{comment}\nstatic void {_sanitize(f.sym_name.data)}({sig or 'void'}) {{\n{body}\n}}"

    def entry_text(self, params, body: str) -> str:
        n = len(params)
        doc = [f"/* Entry point for @{self.f.sym_name.data}. buffers[i] points to:"]
        unpack = []
        args = self.f.body.block.args
        for i, (name, ctype, role, t) in enumerate(params):
            what = ("arena" if i == n - 1 and self.f.attributes.get("tfc.arena_size") is not None
                    else {"in": "input", "out": "output", "inout": "output"}[role])
            if not args[i].uses:
                what += " (unused)"
            if isinstance(t, MemRefType):
                doc.append(f" *   [{i}] {name}: {what}, {_dtype_name(t.get_element_type())}[{_dims(t)}]")
                if args[i].uses:
                    unpack.append(f"  {ctype}{name} = ({ctype.strip()})buffers[{i}];")
            else:
                doc.append(f" *   [{i}] {name}: {what} scalar {ctype.strip()}")
                if args[i].uses:
                    unpack.append(f"  {ctype}{name} = *({ctype.strip()} *)buffers[{i}];")
        arena = self.f.attributes.get("tfc.arena_size")
        if isinstance(arena, IntegerAttr):
            doc.append(f" * The arena needs {arena.value.data} bytes, 64-byte aligned.")
        doc.append(" * Returns 0. */")
        return "\n".join(doc) + f"\nint {ENTRY_NAME}(void **buffers) {{\n" + \
            "\n".join(unpack) + ("\n" if unpack else "") + body + "\n}"

    # -- bodies ---------------------------------------------------------------------

    def block(self, block: Block) -> None:
        for op in block.ops:
            self.op(op)

    def value(self, v: SSAValue) -> str:
        if v in self.expr:
            return self.expr[v]
        raise UnsupportedOp(f"C target: value {v} used before its definition is known")

    def local(self, v: SSAValue, expr: str, default: str = "v") -> None:
        name = self.names.fresh(v.name_hint, default)
        self.line(f"const {c_type(v.type)} {name} = {expr};")
        self.expr[v] = name

    def index_expr(self, ref: SSAValue, indices: Iterable[SSAValue]) -> str:
        t = ref.type
        assert isinstance(t, MemRefType)
        strides, offset = strides_of(t)
        terms: list[str] = []
        for idx, stride, size in zip(indices, strides, t.get_shape()):
            if idx in self.ints:
                offset += self.ints[idx] * stride
            elif size != 1:
                x = self.value(idx)
                terms.append(x if stride == 1 else f"{x} * {stride}")
        if offset or not terms:
            terms.append(str(offset))
        return " + ".join(terms)

    def op(self, op: Operation) -> None:  # noqa: C901 - one dispatch over the op kinds
        if isinstance(op, arith.ConstantOp):
            v = op.result
            if isinstance(op.value, IntegerAttr):
                self.ints[v] = op.value.value.data
            self.expr[v] = c_literal(op.value, v.type)
        elif isinstance(op, memref.LoadOp):
            ref = op.memref
            ptr = self.ptr[ref].split(".")[0]
            self.local(op.res, f"{self.ptr[ref]}[{self.index_expr(ref, op.indices)}]", f"{ptr}_val")
        elif isinstance(op, memref.StoreOp):
            ref = op.memref
            self.line(f"{self.ptr[ref]}[{self.index_expr(ref, op.indices)}] = {self.value(op.value)};")
        elif isinstance(op, scf.ForOp):
            self.for_loop(op)
        elif isinstance(op, scf.ParallelOp):
            self.parallel_loop(op)
        elif isinstance(op, _VIEW_OPS):
            self.ptr[op.results[0]] = self.ptr[op.operands[0]]
        elif isinstance(op, memref.GetGlobalOp):
            self.ptr[op.memref] = self.mod.globals[op.name_.root_reference.data]
        elif isinstance(op, memref.ViewOp):
            elem = c_type(op.result.type.get_element_type())
            name = self.names.fresh(op.result.name_hint, "buf")
            shift = self.ints.get(op.byte_shift)
            shift_text = str(shift) if shift is not None else self.value(op.byte_shift)
            self.line(f"{elem} *{name} = ({elem} *)((char *){self.ptr[op.source]} + {shift_text});")
            self.ptr[op.result] = name
        elif isinstance(op, memref.AllocOp | memref.AllocaOp):
            t = op.results[0].type
            elem = c_type(t.get_element_type())
            nbytes = max(64, -(-math.prod(t.get_shape()) * _sizeof(t.get_element_type()) // 64) * 64)
            name = self.names.fresh(op.results[0].name_hint, "buf")
            self.line(f"{elem} *{name} = ({elem} *)aligned_alloc(64, {nbytes});")
            self.ptr[op.results[0]] = name
            self.allocs.append(name)
        elif isinstance(op, memref.DeallocOp):
            name = self.ptr[op.memref]
            self.line(f"free({name});")
            if name in self.allocs:
                self.allocs.remove(name)
        elif isinstance(op, func.CallOp):
            if op.res:
                raise UnsupportedOp("C target: calls with results are not supported")
            args = [self.ptr[a] if isinstance(a.type, MemRefType) else self.value(a) for a in op.arguments]
            intrinsic = self.mod.intrinsics.get(op.callee.root_reference.data)
            if intrinsic == "prefetch":  # (buffer, element offset, element count)
                t = op.arguments[0].type
                size = f"sizeof({c_type(t.get_element_type())})"
                self.line(f"tfc_prefetch({args[0]} + {args[1]}, {args[2]} * {size});")
            elif intrinsic is not None:
                raise UnsupportedOp(f"C target: unknown intrinsic {intrinsic!r}")
            else:
                self.line(f"{_sanitize(op.callee.root_reference.data)}({', '.join(args)});")
        elif isinstance(op, func.ReturnOp):
            if op.operands:
                raise UnsupportedOp("C target: functions returning values are not supported; "
                                    "run tfc-bufferize first")
            for name in reversed(self.allocs):
                self.line(f"free({name});")
            if self.is_entry:
                self.line("return 0;")
            elif op.next_op is not None or op.parent_op() is not self.f:
                self.line("return;")
        elif isinstance(op, scf.YieldOp | scf.ReduceOp):
            pass  # handled by the enclosing loop
        elif c_ops.is_supported(op):
            if len(op.results) != 1:
                raise UnsupportedOp(f"C target: {op.name} with {len(op.results)} results")
            self.local(op.results[0], c_ops.render(op, [self.value(v) for v in op.operands]),
                       op.name.split(".")[-1])
        elif op.name == "linalg.generic":
            raise UnsupportedOp("C target: linalg.generic left in the IR; run tfc-lower-to-loops first")
        else:
            raise UnsupportedOp(f"C target: unsupported op {op.name}")

    # -- loops -------------------------------------------------------------------------

    def loop_header(self, iv: SSAValue, lb: SSAValue, ub: SSAValue, step: SSAValue, default: str) -> str:
        name = self.names.fresh(iv.name_hint, default)
        self.expr[iv] = name
        inc = f"++{name}" if self.ints.get(step) == 1 else f"{name} += {self.value(step)}"
        return f"for (int64_t {name} = {self.value(lb)}; {name} < {self.value(ub)}; {inc}) {{"

    def for_loop(self, op: scf.ForOp) -> None:
        body = op.body.block
        carried = body.args[1:]
        for arg, init, res in zip(carried, op.iter_args, op.res):
            name = self.names.fresh(arg.name_hint, "acc")
            self.line(f"{c_type(arg.type)} {name} = {self.value(init)};")
            self.expr[arg] = self.expr[res] = name
        simd = simd_reductions(op)
        trips = self.trip_count(op.lb, op.ub, op.step)
        threads = op.attributes.get(THREADS_ATTR)
        split = isinstance(threads, IntegerAttr) and threads.value.data > 1 and bool(simd)
        if SIMD_ATTR in op.attributes or split or (simd and (trips is None or trips >= SIMD_MIN_TRIPS)):
            by_symbol: dict[str, list[str]] = {}
            for a, sym in simd:
                if sym.startswith("tfc_"):
                    self.mod.reductions.add((sym, c_type(a.type)))
                by_symbol.setdefault(sym, []).append(self.expr[a])
            clauses = [f"reduction({sym}:{', '.join(names)})" for sym, names in by_symbol.items()]
            head = ("#pragma omp parallel for" + (" simd" if SIMD_ATTR in op.attributes else "")
                    + " schedule(static)") if split else "#pragma omp simd"
            self.line(" ".join([head, *clauses]))
        self.line(self.loop_header(body.args[0], op.lb, op.ub, op.step, "i"))
        self.depth += 1
        self.block(body)
        yield_op = body.last_op
        if isinstance(yield_op, scf.YieldOp) and carried:
            values = [self.value(v) for v in yield_op.operands]
            targets = [self.expr[a] for a in carried]
            clash = any(v in targets and v != t for v, t in zip(values, targets))
            if clash:  # a swap: go through temporaries
                temps = []
                for v, a in zip(values, carried):
                    tmp = self.names.fresh("next", "next")
                    self.line(f"const {c_type(a.type)} {tmp} = {v};")
                    temps.append(tmp)
                values = temps
            for v, t in zip(values, targets):
                if v != t:
                    self.line(f"{t} = {v};")
        self.depth -= 1
        self.line("}")

    def parallel_loop(self, op: scf.ParallelOp) -> None:
        if op.initVals:
            raise UnsupportedOp("C target: scf.parallel with reductions is not supported")
        body = op.body.block
        n = len(body.args)
        trips = [self.trip_count(lb, ub, st) for lb, ub, st in zip(op.lowerBound, op.upperBound, op.step)]
        outer_trips = math.prod(t if t is not None else 1 << 20 for t in trips)
        threads = op.attributes.get(THREADS_ATTR)
        if isinstance(threads, IntegerAttr):  # the schedule decided
            parallel = threads.value.data > 1 and outer_trips > 1
        else:
            work = _block_work(body, self.ints) * outer_trips
            parallel = work >= self.mod.omp_min_work and outer_trips > 1
        if parallel:
            self.line("#pragma omp parallel for" + (f" collapse({n})" if n > 1 else "")
                      + f" schedule({_parallel_schedule(trips)})")
        for iv, lb, ub, st in zip(body.args, op.lowerBound, op.upperBound, op.step):
            self.line(self.loop_header(iv, lb, ub, st, "i"))
            self.depth += 1
        self.block(body)
        for _ in range(n):
            self.depth -= 1
            self.line("}")

    def trip_count(self, lb: SSAValue, ub: SSAValue, step: SSAValue) -> int | None:
        if lb in self.ints and ub in self.ints and step in self.ints and self.ints[step] > 0:
            return max(0, -(-(self.ints[ub] - self.ints[lb]) // self.ints[step]))
        return None


# Chunks per scf.parallel loop when its trip count is known. Iterations of an
# scf.parallel are independent (no reductions), so which thread runs a chunk
# cannot change the result, and dynamic hand-out keeps both cores busy when one
# of them is descheduled by other work on the machine: with `static` the team
# waits at the barrier for the late half (measured under a competing process: W1
# 6.7 -> 6.2 ms, W2 3.97 -> 3.89 ms; equal when the machine is quiet). 64 chunks
# cost 64 atomic increments, nothing next to a kernel worth splitting.
DYNAMIC_CHUNKS = 64


def _parallel_schedule(trips: list[int | None]) -> str:
    if any(t is None for t in trips):
        return "static"
    total = math.prod(trips)
    if total < 2 * DYNAMIC_CHUNKS:
        return "static"
    return f"dynamic, {total // DYNAMIC_CHUNKS}"


# NaN-propagating max / min (like NumPy) as OpenMP reductions, so that
# `omp simd` can keep one running value per lane and combine them at the end.
_REDUCTION_DECLS = {
    "tfc_max": "omp_out = ((omp_out > omp_in || omp_out != omp_out) ? omp_out : omp_in)",
    "tfc_min": "omp_out = ((omp_out < omp_in || omp_out != omp_out) ? omp_out : omp_in)",
}


def _declare_reduction(name: str, ctype: str) -> str:
    init = "-INFINITY" if name == "tfc_max" else "INFINITY"
    return (f"#pragma omp declare reduction({name} : {ctype} : {_REDUCTION_DECLS[name]}) "
            f"initializer(omp_priv = {init})")


def _inplace_args(f: func.FuncOp) -> set[int]:
    """Arguments that share memory with another (`tfc.inplace = [[in, out], ...]`):
    they must not be `restrict`."""
    attr = f.attributes.get("tfc.inplace")
    out: set[int] = set()
    if isinstance(attr, ArrayAttr):
        for pair in attr.data:
            items = pair.data if isinstance(pair, ArrayAttr) else [pair]
            out.update(x.value.data for x in items if isinstance(x, IntegerAttr))
    return out


def _schedule_line(f: func.FuncOp) -> str:
    """The kernel's schedule in a few words, for its comment."""
    s = read_schedule(f)
    if not s:
        return ""
    parts = [f"schedule: {s.get('kind', '?')}"]
    threads = s.get("threads")
    if threads is not None:
        parts.append(f"{threads} thread{'s' if threads != 1 else ''}")
    for key in ("parallel_dims", "row_dims", "vector_width", "tile", "interleave", "reduce", "isa",
                "mr", "nr", "mc", "nc", "kc"):
        if key in s and s[key] not in ([], None) and not (key == "isa" and "mr" not in s):
            parts.append(f"{key} {s[key]}")
    return ", ".join(parts)


def _block_work(block: Block, ints: dict[SSAValue, int]) -> int:
    """Innermost iterations of the loops nested in `block` (1 when there are none)."""
    total = 0
    for op in block.ops:
        if isinstance(op, scf.ForOp):
            trips = _trips(op.lb, op.ub, op.step, ints)
            total += trips * _block_work(op.body.block, ints)
        elif isinstance(op, scf.ParallelOp):
            trips = math.prod(_trips(lb, ub, st, ints) for lb, ub, st in
                              zip(op.lowerBound, op.upperBound, op.step))
            total += trips * _block_work(op.body.block, ints)
    return max(total, 1)


def _trips(lb: SSAValue, ub: SSAValue, step: SSAValue, ints: dict[SSAValue, int]) -> int:
    vals = [_const_int(v, ints) for v in (lb, ub, step)]
    if None in vals or vals[2] <= 0:
        return 1 << 20
    return max(0, -(-(vals[1] - vals[0]) // vals[2]))


def _const_int(v: SSAValue, ints: dict[SSAValue, int]) -> int | None:
    if v in ints:
        return ints[v]
    if isinstance(v.owner, arith.ConstantOp) and isinstance(v.owner.value, IntegerAttr):
        return v.owner.value.value.data
    return None


def _sizeof(t: Attribute) -> int:
    if isinstance(t, IndexType):
        return 8
    from tfc.passes.plan_memory import element_bytes

    return element_bytes(t)


_STORAGE = {"f32": "<f4", "f64": "<f8", "f16": "<f2", "bf16": "<u2", "i32": "<i4", "i64": "<i8",
            "i1": "i1"}
_HEX_ESCAPES = np.array([b"\\x%02x" % i for i in range(256)], dtype="S4")


def _dense_array(value: DenseIntOrFPElementsAttr, t: MemRefType) -> np.ndarray:
    """The constant's elements in their C storage representation (bf16 as bits,
    i1 as 0/1 bytes), read straight from the attribute's packed bytes."""
    from tfc import dtypes

    elem = t.get_element_type()
    n = math.prod(t.get_shape())
    name = "i64" if isinstance(elem, IndexType) else dtypes.from_ir(elem).name
    arr = np.frombuffer(value.data.data, dtype=np.dtype(_STORAGE[name]))
    if name == "i1":
        arr = (arr != 0).astype(np.bool_)
    if arr.size == 1 and n != 1:
        arr = np.full(n, arr[0], dtype=arr.dtype)
    return arr.astype(arr.dtype.newbyteorder("=")).reshape(-1)


def _byte_string_lines(raw: bytes, per_line: int = 32) -> list[str]:
    """`raw` as C string literals of `\\xHH` escapes, `per_line` bytes each."""
    text = _HEX_ESCAPES[np.frombuffer(raw, dtype=np.uint8)].tobytes().decode("ascii")
    width = 4 * per_line
    return ['"' + text[i:i + width] + '"' for i in range(0, len(text), width)]


def _element_literal(x, elem: Attribute) -> str:
    ctype = c_type(elem)
    if ctype == "uint16_t":  # bf16 bits
        return f"0x{int(x):04x}"
    if ctype == "bool":
        return "1" if x else "0"
    if ctype in ("float", "double", "_Float16"):
        # A float literal converts exactly to the _Float16 it came from.
        return c_ops._float_literal(float(x), ctype == "double")
    return c_ops.int_literal(int(x), elem)
