"""`python tools/fuzz.py`: generate, compile, compare, shrink, write reproducers.

    python tools/fuzz.py --seed 7 --count 200 --time-budget 600 --out-dir /tmp/fuzz
    python tools/fuzz.py --seed 7 --index 42            # regenerate and check one program
    python tools/fuzz.py --replay tests/fuzz_repros/x.mlir

Every program runs in a worker process (a crash is a finding, not the end of
the run) against its own artifact cache (a fresh temporary TFC_CACHE_DIR unless
--cache-dir says otherwise). Each new failure is shrunk and written as a
tfc-level MLIR file whose header says the seed, the failure and how to replay
it; failures like one already shrunk are counted as duplicates.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from .generate import generate
from .program import Program
from .shrink import shrink, size
from .worker import Worker

ERROR_KINDS = ("trace-error", "compile-error", "runtime-error", "reference-error")


def signature(result: dict) -> tuple[str, str]:
    """What must stay the same while shrinking: the kind, and the exception type for errors."""
    kind = result.get("kind", "")
    if kind in ERROR_KINDS:
        return kind, result.get("message", "").split(":", 1)[0]
    return kind, ""


def normalized(message: str) -> str:
    """A failure message without the numbers and types that vary between programs."""
    m = re.sub(r"tensor<[^>]*>", "tensor<T>", message)
    m = re.sub(r"\b(f16|bf16|f32|f64|i1|i32|i64)\b", "T", m)
    m = re.sub(r"\d+", "N", m)
    return m[:160]


def header(result: dict, *, seed: int, index: int, path: str, original: Program,
           program: Program, replayed: dict | None) -> str:
    lines = [f"tfc fuzz reproducer: {result['kind']}"]
    lines += [f"failure: {ln}" for ln in result["message"].splitlines()[:6]]
    lines.append(f"found by: python tools/fuzz.py --seed {seed} --index {index} "
                 f"(shrunk from {len(original.nodes)} to {len(program.nodes)} nodes)")
    lines.append(f"replay:   python tools/fuzz.py --replay {path}")
    lines.append(f"          tfc-opt {path} --emit=c")
    if replayed is not None and replayed.get("status") != "fail":
        lines.append(f"note: replaying this text gave {replayed.get('status')!r} "
                     f"({replayed.get('message', '')[:100]}); the traced program above still fails")
    lines.append("program (tools/fuzz/program.py kinds):")
    lines += ["  " + ln for ln in program.describe().splitlines()]
    return "".join(f"// {ln}\n" for ln in lines)


class Run:
    def __init__(self, args, out_dir: Path, worker: Worker):
        self.args = args
        self.out_dir = out_dir
        self.worker = worker
        self.stats = {"programs": 0, "pass": 0, "fail": 0, "invalid": 0, "discard": 0,
                      "by_kind": {}, "shrink_evals": 0, "duplicates": 0}
        self.bugs: list[dict] = []
        self.seen_raw: set[tuple] = set()
        self.seen_min: set[tuple] = set()
        self.log_file = open(out_dir / "log.txt", "a", encoding="utf-8")

    def log(self, text: str) -> None:
        print(text, flush=True)
        self.log_file.write(text + "\n")
        self.log_file.flush()

    def check(self, program: Program, job_seed: int, emit: bool = False) -> dict:
        return self.worker.call({"op": "check", "program": program.to_json(), "seed": job_seed,
                                 "emit": emit}, timeout=self.args.timeout)

    def one(self, index: int) -> dict:
        seed = self.args.seed
        program = generate(seed, index, max_nodes=self.args.max_nodes,
                           dtypes_=tuple(self.args.dtypes.split(",")))
        result = self.check(program, seed * 1_000_003 + index)
        st = result["status"]
        self.stats["programs"] += 1
        self.stats[st] = self.stats.get(st, 0) + 1
        if st != "fail":
            return result
        kind = result["kind"]
        self.stats["by_kind"][kind] = self.stats["by_kind"].get(kind, 0) + 1
        self.log(f"[{index}] FAIL {kind}: {result['message'][:300]}")
        raw = (*signature(result), normalized(result["message"]) if kind in ERROR_KINDS + ("crash",) else "")
        if kind != "mismatch" and raw in self.seen_raw:
            self.stats["duplicates"] += 1
            self.log(f"[{index}]   duplicate of a failure already shrunk")
            return result
        if len(self.bugs) >= self.args.max_shrinks:
            self.log(f"[{index}]   not shrunk (--max-shrinks {self.args.max_shrinks} reached)")
            return result
        self.seen_raw.add(raw)
        self._shrink_and_write(program, index, result)
        return result

    def _shrink_and_write(self, program: Program, index: int, result: dict) -> None:
        want = signature(result)
        seed = self.args.seed
        last = {"result": result}

        def still_fails(cand: Program) -> bool:
            r = self.check(cand, seed * 1_000_003 + index)
            if r["status"] == "fail" and signature(r) == want:
                last["result"] = r
                return True
            return False

        t0 = time.monotonic()
        small, tested = shrink(program, still_fails, budget_s=self.args.shrink_budget, log=self.log)
        self.stats["shrink_evals"] += tested
        final = self.check(small, seed * 1_000_003 + index, emit=True)
        if final["status"] != "fail" or "mlir" not in final:
            small, final = program, self.check(program, seed * 1_000_003 + index, emit=True)
        if "mlir" not in final:
            self.log(f"[{index}]   could not print the program: {final.get('message', '')}")
            return
        kinds = tuple(sorted({n.kind for n in small.nodes}))
        key = (*signature(final), kinds)
        if key in self.seen_min:
            self.stats["duplicates"] += 1
            self.log(f"[{index}]   shrinks to a known reproducer ({', '.join(kinds)})")
            return
        self.seen_min.add(key)
        name = f"{final['kind']}-s{seed}-i{index}.mlir"
        path = self.out_dir / name
        replayed = self.worker.call({"op": "replay", "mlir": final["mlir"], "seed": index, "trials": 2,
                                     "filename": str(path)}, timeout=self.args.timeout)
        path.write_text(header(final, seed=seed, index=index, path=str(path), original=program,
                               program=small, replayed=replayed) + final["mlir"])
        bug = {"file": str(path), "kind": final["kind"], "message": final["message"],
               "seed": seed, "index": index, "nodes_before": len(program.nodes),
               "nodes_after": len(small.nodes), "inputs": [list(s) for s, _ in small.inputs],
               "shrink_s": round(time.monotonic() - t0, 1), "replay": replayed.get("status")}
        self.bugs.append(bug)
        self.log(f"[{index}]   reproducer ({len(small.nodes)} nodes, {size(small)[1]} input elements, "
                 f"{bug['shrink_s']} s): {path}")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tools/fuzz.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=None, help="run seed (default: random, printed)")
    p.add_argument("--count", type=int, default=None, help="programs to run (default: 100, or "
                   "unbounded with --time-budget)")
    p.add_argument("--index", type=int, default=None, help="run only program INDEX of --seed")
    p.add_argument("--time-budget", type=float, default=None, help="stop starting programs after SECONDS")
    p.add_argument("--out-dir", default=str(Path(tempfile.gettempdir()) / "tfc-fuzz"), help="where reproducers, log.txt and summary.json go")
    p.add_argument("--max-nodes", type=int, default=12)
    p.add_argument("--dtypes", default="f32,f64,i32", help="main dtypes programs are drawn in")
    p.add_argument("--shrink-budget", type=float, default=180.0, help="seconds per failure")
    p.add_argument("--max-shrinks", type=int, default=8, help="failures shrunk per run")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds one program may take")
    p.add_argument("--cache-dir", default=None, help="TFC_CACHE_DIR for compiled programs "
                   "(default: a fresh temporary one)")
    p.add_argument("--replay", nargs="+", metavar="FILE", help="compile and compare MLIR reproducers")
    p.add_argument("--trials", type=int, default=2, help="fresh-input trials per replay")
    p.add_argument("--show", action="store_true", help="with --index: print the program and its MLIR")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    tmp_cache = None
    cache = args.cache_dir
    if cache is None:
        tmp_cache = tempfile.mkdtemp(prefix="tfc-fuzz-cache-")
        cache = tmp_cache
    try:
        if args.replay:
            return _replay(args, cache)
        return _fuzz(args, cache)
    finally:
        if tmp_cache:
            shutil.rmtree(tmp_cache, ignore_errors=True)


def _replay(args, cache: str) -> int:
    worker = Worker({"TFC_CACHE_DIR": cache})
    failed = 0
    try:
        for f in args.replay:
            seed = int.from_bytes(os.urandom(4), "little") if args.seed is None else args.seed
            r = worker.call({"op": "replay", "mlir": Path(f).read_text(), "seed": seed,
                             "trials": args.trials, "filename": f}, timeout=args.timeout)
            ok = r["status"] == "pass"
            failed += not ok
            print(f"{'PASS' if ok else r['status'].upper()} {f}"
                  + ("" if ok else f" (input seed {seed}): {r.get('kind', '')}: {r.get('message', '')}"))
    finally:
        worker.close()
    return 1 if failed else 0


def _fuzz(args, cache: str) -> int:
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(3), "little")
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    worker = Worker({"TFC_CACHE_DIR": cache}, log_path=out_dir / "worker-stderr.log")
    run = Run(args, out_dir, worker)
    run.log(f"tfc fuzz: seed {args.seed}, out-dir {out_dir}, cache {cache}")
    t0 = time.monotonic()
    if args.index is not None:
        indices = iter([args.index])
    else:
        count = args.count if args.count is not None else (10**9 if args.time_budget else 100)
        indices = iter(range(count))
    try:
        for index in indices:
            if args.time_budget is not None and time.monotonic() - t0 > args.time_budget:
                break
            result = run.one(index)
            if args.index is not None:
                program = generate(args.seed, index, max_nodes=args.max_nodes,
                                   dtypes_=tuple(args.dtypes.split(",")))
                print(program.describe())
                print(json.dumps({k: v for k, v in result.items() if k != "detail"}, indent=1))
                if args.show:
                    print(run.check(program, 0, emit=True).get("mlir", ""))
            elif run.stats["programs"] % 25 == 0:
                run.log(f"... {run.stats['programs']} programs, {run.stats['fail']} failing, "
                        f"{time.monotonic() - t0:.0f} s")
    finally:
        worker.close()
    elapsed = time.monotonic() - t0
    summary = {"seed": args.seed, "elapsed_s": round(elapsed, 1), **run.stats, "bugs": run.bugs,
               "worker_starts": worker.started}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1))
    run.log(f"done: {run.stats['programs']} programs in {elapsed:.0f} s: {run.stats['pass']} pass, "
            f"{run.stats['fail']} fail {run.stats['by_kind']}, {run.stats['invalid']} invalid, "
            f"{run.stats['discard']} discarded; {len(run.bugs)} reproducers, "
            f"{run.stats['duplicates']} duplicates (seed {args.seed})")
    return 1 if run.stats["fail"] else 0
