"""Warm-cache `tfc.compile` time per benchmark workload, in new processes.

    python tools/measure_warm_compile.py                    # this tree, W1..W8, 5 processes each
    python tools/measure_warm_compile.py --workloads W1,W6 -n 7 --pyc
    python tools/measure_warm_compile.py --before /tmp/base  # vs another tree (git archive HEAD~3 | tar -x -C /tmp/base)

Per workload and tree: one cold compile with a fresh TFC_CACHE_DIR, then N new
processes that each import tfc and time the `tfc.compile` call with that cache
present (wall and CPU time; the table shows medians). With --before the trees
take turns, so both see the same machine load. --pyc gives the processes a
bytecode cache (PYTHONPYCACHEPREFIX) as a normal install has; without it they
run as this shell does (PYTHONDONTWRITEBYTECODE=1 compiles every lazily
imported module from source in each process). Measure copies of trees that
nobody edits: the cache key holds a fingerprint of the compiler's source, so
an edit between the cold and the warm process turns the warm compile into a
rebuild.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r'''
import json, sys, time
sys.path.insert(0, sys.argv[1])
import tfc
assert tfc.__file__.startswith(sys.argv[1]), tfc.__file__
from tools.bench.workloads import adapter, all_workloads
(w,) = [x for x in all_workloads() if x.key == sys.argv[2]]
F = adapter("tfc")
specs = [tfc.TensorSpec(w.shapes[n], "f32", n) for n in w.shapes]
t0, c0 = time.perf_counter(), time.process_time()
tfc.compile(lambda *a: w.fn(F, *a), *specs)
print(json.dumps({"s": time.perf_counter() - t0, "cpu": time.process_time() - c0}))
'''


def _run(tree: str, key: str, cache: str, pyc: bool) -> dict:
    env = dict(os.environ, TFC_CACHE_DIR=cache, OMP_NUM_THREADS="2")
    if pyc:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / ("tfc-warm-pyc" + tree.replace("/", "_")))
    p = subprocess.run([sys.executable, "-c", CHILD, tree, key], env=env, capture_output=True,
                       text=True, cwd=tempfile.gettempdir(), timeout=600)
    if p.returncode:
        raise SystemExit(f"{tree} {key}: {p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workloads", default=None, help="comma-separated keys (default: all but training)")
    ap.add_argument("-n", type=int, default=5, help="new processes per workload and tree")
    ap.add_argument("--pyc", action="store_true", help="with a bytecode cache")
    ap.add_argument("--before", default=None, help="another tree to compare with")
    args = ap.parse_args(argv)
    here = str(Path(__file__).resolve().parent.parent)
    trees = {"before": str(Path(args.before).resolve()), "after": here} if args.before else {"tfc": here}
    sys.path.insert(0, here)
    from tools.bench.workloads import all_workloads

    wanted = args.workloads.split(",") if args.workloads else None
    keys = [w.key for w in all_workloads() if not w.train and (wanted is None or w.key in wanted)]
    print(f"warm tfc.compile, median of {args.n} new processes, ms wall (CPU); bytecode cache: "
          f"{'yes' if args.pyc else 'as this shell'}")
    print("| workload | " + " | ".join(trees) + " | load |")
    print("|---|" + "---|" * len(trees) + "---|")
    for key in keys:
        res: dict[str, list] = {t: [] for t in trees}
        with tempfile.TemporaryDirectory(prefix="tfc-warm-") as d:
            caches = {t: os.path.join(d, t) for t in trees}
            for t, tree in trees.items():
                _run(tree, key, caches[t], args.pyc)  # cold: fills the cache
            for _ in range(args.n):
                for t, tree in trees.items():
                    res[t].append(_run(tree, key, caches[t], args.pyc))
        cells = [f"{statistics.median(r['s'] for r in rs) * 1e3:.1f} "
                 f"({statistics.median(r['cpu'] for r in rs) * 1e3:.1f})" for rs in res.values()]
        print(f"| {key} | " + " | ".join(cells) + f" | {os.getloadavg()[0]:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
