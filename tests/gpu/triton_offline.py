"""Compile generated Triton modules for a CUDA target with no GPU present (the real
compiler, down to cubin): catches what Triton's interpreter lets through.

    TRITON_INTERPRET=0 python tests/gpu/triton_offline.py JOB.json

JOB.json is a list of {"source": path to a generated module, "inputs": [[shape,
dtype], ...], "outputs": [...], "all_configs": bool}; `--stop-after=ttgir` ends
each compile after Triton's own IRs (front end and layouts: where generated code
goes wrong; LLVM and ptxas are half the time). Each module's `program`
runs on CPU tensors with `launch` replaced by a recorder: every kernel launch
is compiled (for each of its configurations, or the default one) instead of
run. Prints one JSON object: {"compiled": N, "failures": [...]}. Must run in a
process where Triton is not in interpreter mode (hence a separate process).
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import sys
import traceback

_TORCH_TO_TRITON = {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16", "float64": "fp64",
                    "int32": "i32", "int64": "i64", "bool": "i1", "uint8": "u8", "int16": "i16"}


def _signature(fn, args, kwargs):
    import inspect

    import torch

    params = list(inspect.signature(fn.fn).parameters.values())
    bound = dict(zip([p.name for p in params], args))
    bound.update(kwargs)
    sig, constexprs = {}, {}
    for p in params:
        v = bound[p.name]
        annotation = p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", "")
        if "constexpr" in str(annotation):
            sig[p.name] = "constexpr"
            constexprs[p.name] = v
        elif isinstance(v, torch.Tensor):
            sig[p.name] = "*" + _TORCH_TO_TRITON[str(v.dtype).removeprefix("torch.")]
        elif isinstance(v, bool):
            sig[p.name] = "i1"
        elif isinstance(v, int):
            sig[p.name] = "i32" if -2**31 <= v < 2**31 else "i64"
        elif isinstance(v, float):
            sig[p.name] = "fp32"
        else:
            raise TypeError(f"{p.name}: cannot type {v!r}")
    return sig, constexprs


class _Stop(Exception):
    """Raised after the last stage asked for: the kernel got that far."""


def stop_after(stage: str) -> None:
    from triton.backends.nvidia.compiler import CUDABackend

    original = CUDABackend.add_stages

    def add_stages(self, stages, options, *rest):
        original(self, stages, options, *rest)
        names = list(stages)
        for name in names[names.index(stage) + 1:]:
            del stages[name]

        def stop(src, metadata):
            raise _Stop()

        stages["stop"] = stop

    CUDABackend.add_stages = add_stages


def check(job: dict, arch: int = 90) -> tuple[int, list[str]]:
    import torch
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource
    from triton.runtime.jit import JITFunction

    path = job["source"]
    spec = importlib.util.spec_from_file_location(f"offline_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    target = GPUTarget("cuda", arch, 32)
    compiled, failures = 0, []
    recorded = []

    def getitem(self, grid):
        return lambda *a, **kw: recorded.append((self, a, kw))

    def launch(name, *buffers):
        nonlocal compiled
        launcher = module.KERNELS[name][0]
        configs = module.CONFIGS[name] if job.get("all_configs") else module.CONFIGS[name][:1]
        for cfg in configs:
            recorded.clear()
            launcher(*buffers, dict(cfg))
            for fn, a, kw in recorded:
                options = {k: kw.pop(k) for k in ("num_warps", "num_stages") if k in kw}
                try:
                    sig, constexprs = _signature(fn, a, kw)
                    triton.compile(ASTSource(fn=fn, signature=sig, constexprs=constexprs), target=target,
                                   options=options)
                    compiled += 1
                except _Stop:
                    compiled += 1
                except Exception as e:
                    msg = "".join(traceback.format_exception_only(type(e), e)).strip()
                    failures.append(f"{path}: {name} {cfg}: {msg[-1500:]}")

    def tensor(shape, dtype):
        return torch.zeros(shape, dtype=getattr(torch, dtype))

    old = JITFunction.__getitem__
    JITFunction.__getitem__ = getitem
    try:
        ins = [tensor(s, d) for s, d in job["inputs"]]
        outs = [tensor(s, d) for s, d in job["outputs"]]
        arena = torch.zeros(max(module.ARENA_BYTES, 1), dtype=torch.uint8)
        consts = {k: torch.zeros(max(math.prod(shape), 1), dtype=dt)
                  for k, (dt, shape, _) in module.CONSTANTS.items()}
        module.program(*ins, *outs, arena, consts, launch)
    finally:
        JITFunction.__getitem__ = old
    return compiled, failures


def main(argv: list[str]) -> int:
    if os.environ.get("TRITON_INTERPRET", "0") not in ("", "0"):
        print(json.dumps({"compiled": 0, "failures": ["TRITON_INTERPRET is set: cannot compile"]}))
        return 1
    args = [a for a in argv if not a.startswith("--stop-after=")]
    for a in argv:
        if a.startswith("--stop-after="):
            stop_after(a.split("=", 1)[1])
    jobs = json.loads(open(args[0]).read())
    total, failures = 0, []
    for job in jobs:
        try:
            n, f = check(job)
        except Exception as e:
            n, f = 0, [f"{job['source']}: {''.join(traceback.format_exception_only(type(e), e)).strip()}"]
        total += n
        failures += f
    print(json.dumps({"compiled": total, "failures": failures}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
