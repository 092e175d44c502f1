"""`python tools/bench.py`: every workload on tfc and its peers, written to docs/benchmarks.md.

    python tools/bench.py                          # all workloads, all frameworks (~10 min)
    python tools/bench.py --workloads W1,W4 --repeats 5
    python tools/bench.py --quick --no-peers --out /tmp/bench.md   # smoke test, seconds

For each workload: the float64 NumPy reference (once), then each framework in
its own subprocess (timings, peak memory, a correctness check); for tfc first
a cold compile in a fresh process with an empty cache, then the timing process
on that (now warm) cache.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from . import machine, report
from .workloads import select

ENTRY = Path(__file__).resolve().parent.parent / "bench.py"
ALL_FRAMEWORKS = ("numpy", "torch", "torch.compile", "jax", "tfc-eager", "tfc")  # tfc-eager: W5-train


def available(fw: str) -> bool:
    module = {"numpy": "numpy", "torch": "torch", "torch.compile": "torch", "jax": "jax", "tfc": "tfc",
              "tfc-eager": "tfc"}[fw]
    return importlib.util.find_spec(module) is not None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tools/bench.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--workloads", default=None, help="comma-separated keys: W1,...,W8, W5-train (W4 = both sizes, "
                   "W4-1024 / W4-4096 one)")
    p.add_argument("--repeats", type=int, default=10, help="timed calls per framework (each workload "
                   "also has a time budget)")
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test in seconds")
    p.add_argument("--no-peers", action="store_true", help="tfc only")
    p.add_argument("--frameworks", default=None, help=f"subset of {','.join(ALL_FRAMEWORKS)}")
    p.add_argument("--out", default="docs/benchmarks.md", help="markdown report to write")
    p.add_argument("--json", default=None, help="also write the raw results here")
    p.add_argument("--render", default=None, metavar="JSON",
                   help="measure nothing: write --out from the raw results a --json run saved")
    p.add_argument("--timeout", type=float, default=None, help="override every workload's per-framework "
                   "timeout (seconds)")
    return p


def _run_job(job: dict, tmp: Path, env: dict, timeout: float) -> dict:
    name = f"{job['kind']}-{job['workload']}-{job.get('framework', 'ref')}".replace(".", "_")
    job_path, result_path = tmp / f"{name}.job.json", tmp / f"{name}.result.json"
    job = dict(job, result=str(result_path))
    job_path.write_text(json.dumps(job))
    cmd = [sys.executable, str(ENTRY), "--_worker", str(job_path)]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout (>{timeout:.0f} s)"}
    if proc.returncode != 0 or not result_path.exists():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"error": f"error (exit {proc.returncode})", "detail": " | ".join(tail)[-500:]}
    return json.loads(result_path.read_text())


def fusion_note(rows: list[dict]) -> str:
    """Say so when tfc ran a single fusible elementwise chain as several kernels."""
    for row in rows:
        if row["workload"]["key"] in ("W1", "W6"):
            k = (row.get("cold") or {}).get("kernels") or (row["results"].get("tfc") or {}).get("kernels")
            if k and k > 1:
                return (f"Pre-fusion numbers: tfc compiled {row['workload']['key']} (one elementwise "
                        f"chain) into {k} kernels. Regenerate after the fusion work lands.")
    return ""


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.render:
        try:
            run = json.loads(Path(args.render).read_text())
        except (OSError, ValueError) as e:
            raise SystemExit(f"bench: cannot read {args.render} ({e}); give the file a "
                             "`python tools/bench.py --json FILE` run wrote") from None
        Path(args.out).write_text(report.render(run))
        print(f"bench: wrote {args.out} from {args.render}", flush=True)
        return 0
    workloads = select(args.workloads, args.quick)
    if args.no_peers:
        frameworks = ["tfc"]
    elif args.frameworks:
        frameworks = [f.strip() for f in args.frameworks.split(",") if f.strip()]
        bad = [f for f in frameworks if f not in ALL_FRAMEWORKS]
        if bad:
            raise SystemExit(f"unknown framework(s) {bad}; choose from {', '.join(ALL_FRAMEWORKS)}")
    else:
        frameworks = list(ALL_FRAMEWORKS)
    skipped = [f for f in frameworks if not available(f)]
    frameworks = [f for f in frameworks if f not in skipped]
    for f in skipped:
        print(f"bench: {f} is not installed; skipping it (pip install -e .[bench] adds jax)", file=sys.stderr)

    t_start = time.monotonic()
    loadavg_start = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="tfc-bench-"))
    base_env = dict(os.environ, OMP_NUM_THREADS="2", JAX_PLATFORMS="cpu",
                    TORCHINDUCTOR_COMPILE_THREADS="1", PYTHONUNBUFFERED="1",
                    # Python's default, as on an ordinary install: modules compiled to
                    # bytecode once (here in the run's own directory), not from source in
                    # every new process (some machines set PYTHONDONTWRITEBYTECODE=1,
                    # which adds ~10 ms of compiling tfc's lazily imported modules to
                    # each warm start).
                    PYTHONPYCACHEPREFIX=str(tmp / "pycache"))
    base_env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        info = machine.describe()
        stream = machine.stream_copy(n=1 << (20 if args.quick else 24), reps=10 if args.quick else 30)
        print(f"bench: {info['cpu']}, {info['cores']} cores, copy {stream['best_gbs']:.1f} GB/s best "
              f"({stream['median_gbs']:.1f} median), load {loadavg_start[0]:.2f}", flush=True)
        rows = []
        for w in workloads:
            timeout = args.timeout or w.timeout_s
            env = dict(base_env, TFC_CACHE_DIR=str(tmp / f"cache-{w.key}"),
                       TORCHINDUCTOR_CACHE_DIR=str(tmp / f"inductor-{w.key}"))
            common = {"workload": w.key, "quick": args.quick, "repeats": args.repeats}
            ref_path = str(tmp / f"ref-{w.key}.npy")
            ref = _run_job({**common, "kind": "reference", "ref": ref_path}, tmp, env, max(timeout, 300))
            if "error" in ref:
                ref_path = None
                print(f"  {w.key} reference: {ref['error']} {ref.get('detail', '')}", flush=True)
            row = {"workload": {k: v for k, v in dataclasses.asdict(w).items() if k != "fn"},
                   "results": {}, "reference": ref}
            for fw in frameworks:
                if not w.runs_on(fw):  # numpy has no training step; tfc-eager only trains
                    continue
                if fw == "tfc":
                    row["cold"] = _run_job({**common, "kind": "cold"}, tmp, env, timeout)
                r = _run_job({**common, "kind": "framework", "framework": fw, "ref": ref_path},
                             tmp, env, timeout)
                row["results"][fw] = r
                shown = r.get("error") or report.cell(r, variant=(fw == "tfc"))
                print(f"  {w.key:8} {fw:14} {shown}", flush=True)
            rows.append(row)
            if ref_path:
                Path(ref_path).unlink(missing_ok=True)
        # The copy again at the end: on a shared machine one measurement can hit a busy moment.
        again = machine.stream_copy(n=stream["n"], reps=stream["reps"])
        stream = dict(max(stream, again, key=lambda s: s["best_gbs"]),
                      runs=[{k: s[k] for k in ("best_gbs", "median_gbs")} for s in (stream, again)])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    given = list(argv if argv is not None else sys.argv[1:])
    if "--json" in given:  # where the raw dump went is not part of the measurement
        i = given.index("--json")
        del given[i:i + 2]
    command = "python tools/bench.py " + " ".join(shlex.quote(a) for a in given)
    run = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "command": command.strip(),
           "machine": info, "stream": stream, "rows": rows, "frameworks": frameworks,
           "loadavg_start": loadavg_start, "loadavg_end": os.getloadavg(), "quick": args.quick,
           "elapsed_s": time.monotonic() - t_start}
    run["fusion_note"] = fusion_note(rows)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report.render(run))
    if args.json:
        Path(args.json).write_text(json.dumps(run, indent=1, default=str))
    print(f"bench: wrote {out} in {run['elapsed_s']:.0f} s", flush=True)
    return 0
