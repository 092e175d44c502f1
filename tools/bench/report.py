"""docs/benchmarks.md from a bench run's results (one dict per workload)."""

from __future__ import annotations

PEERS = ("numpy", "torch", "torch.compile", "jax")
SHORT = {"numpy": "np", "torch": "pt", "torch.compile": "tc", "jax": "jax", "tfc": "tfc", "tfc-eager": "tfe"}


def fmt_time(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def _range(r: dict) -> str:
    return f"{fmt_time(r['median'])} ({fmt_time(r['min'])}–{fmt_time(r['max'])})"


def ok(r: dict | None) -> bool:
    return bool(r) and "median" in r and r.get("check", {}).get("ok") is not False


def cell(r: dict | None, *, variant: bool = False) -> str:
    if r is None:
        return "—"
    if "error" in r:
        return r["error"]
    text = _range(r)
    if variant and r.get("best_variant"):
        text += f" [{r['best_variant']}]"
    chk = r.get("check", {})
    if chk.get("ok") is False:
        text = f"**MISMATCH** {text}"
    elif chk.get("ok") is None:
        text += " (unchecked)"
    return text


def best_peer(row: dict) -> tuple[str, dict] | tuple[None, None]:
    peers = [(fw, row["results"].get(fw)) for fw in PEERS]
    peers = [(fw, r) for fw, r in peers if ok(r)]
    if not peers:
        return None, None
    return min(peers, key=lambda p: p[1]["median"])


def rate(w: dict, r: dict | None) -> str:
    if not ok(r):
        return "—"
    if w["metric"] == "calls/s":
        return f"{1.0 / r['median']:,.0f} calls/s"
    value = w["work"] / r["median"] / 1e9
    return f"{value:.1f} {w['metric']}"


def peak(row: dict, frameworks: list[str]) -> str:
    parts = []
    for fw in frameworks:
        r = row["results"].get(fw)
        if r is None and fw not in row["results"]:  # not run for this workload
            continue
        mb = r.get("peak_bytes") / 2**20 if r and r.get("peak_bytes") is not None else None
        parts.append(f"{SHORT[fw]} {mb:.0f}" if mb is not None else f"{SHORT[fw]} —")
    return " · ".join(parts)


def main_table(rows: list[dict], frameworks: list[str]) -> list[str]:
    eager = any("tfc-eager" in row["results"] for row in rows)  # only training workloads have it
    head = ["workload", "size", "numpy", "torch", "torch.compile", "jax", "tfc"] + (["tfc eager"] if eager else [])
    head += ["tfc / best peer", "GB/s or GFLOP/s: tfc (best peer)", "tfc cold compile", "warm",
            "peak MB per framework"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        w, res = row["workload"], row["results"]
        tfc = res.get("tfc")
        fw_best, r_best = best_peer(row)
        ratio = f"{tfc['median'] / r_best['median']:.2f}x ({fw_best})" if ok(tfc) and r_best else "—"
        rates = f"{rate(w, tfc)} ({rate(w, r_best)})" if r_best else rate(w, tfc)
        cold = row.get("cold") or {}
        if "cold_s" in cold:
            parts = [f"trace {cold['trace_s']:.2f}"]
            if cold.get("passes_s") is not None:
                parts.append(f"passes {cold['passes_s'] + (cold.get('codegen_s') or 0):.2f}")
            if cold.get("cc_s") is not None:
                parts.append(f"cc {cold['cc_s']:.2f}")
            cold_text = f"{cold['cold_s']:.2f} s ({' + '.join(parts)})"
        else:
            cold_text = cold.get("error", "—")
        warm = f"{tfc['compile_s']:.2f} s" if tfc and "compile_s" in tfc else "—"
        if tfc and cold.get("artifact") and tfc.get("artifact") and cold["artifact"] != tfc["artifact"]:
            warm += " (cache miss: tfc's code changed between the two processes)"
        cells = [f"{w['key']} {w['title']}", w["size"]]
        cells += [cell(res.get(fw)) if fw in frameworks else "n/a" for fw in PEERS]
        cells += [cell(tfc, variant=True)] + ([cell(res.get("tfc-eager"))] if eager else [])
        cells += [ratio, rates, cold_text, warm, peak(row, frameworks)]
        out.append("| " + " | ".join(cells) + " |")
    return out


def ceiling_table(rows: list[dict], stream: dict) -> list[str]:
    gbs = stream["best_gbs"]
    out = ["| workload | bytes moved (min) | tfc | copy of those bytes, same process, right after "
           "tfc (median) | **tfc / copy** (median over repetitions) | best-of-run copy "
           f"({gbs:.1f} GB/s) | tfc / best-of-run copy | best peer / best-of-run copy |",
           "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        w = row["workload"]
        if w["metric"] != "GB/s":
            continue
        ceil = w["work"] / (gbs * 1e9)
        tfc = row["results"].get("tfc")
        fw_best, r_best = best_peer(row)
        t_ratio = f"{tfc['median'] / ceil:.1f}x" if ok(tfc) else "—"
        p_ratio = f"{r_best['median'] / ceil:.1f}x ({fw_best})" if r_best else "—"
        inter = tfc.get("copy_interleaved") if ok(tfc) else None
        i_time = fmt_time(inter["median"]) if inter else "—"
        i_ratio = (f"**{tfc['copy_ratio'][tfc['best_variant']]:.2f}x**"
                   if inter and tfc.get("copy_ratio") else "—")
        out.append(f"| {w['key']} | {w['work'] / 2**20:.0f} MiB | "
                   f"{fmt_time(tfc['median']) if ok(tfc) else cell(tfc)} | {i_time} | {i_ratio} | "
                   f"{fmt_time(ceil)} | {t_ratio} | {p_ratio} |")
    return out


def compile_table(rows: list[dict]) -> list[str]:
    out = ["| workload | tfc kernels | cold: total | trace | passes | C codegen | cc (gcc) | other "
           "| `import tfc` | warm | tfc alloc vs out= (median) | torch.compile first-call compile "
           "| jax.jit first-call compile |", "|" + "---|" * 13]

    def s(v):
        return "—" if v is None else f"{v:.2f} s"

    for row in rows:
        w, cold, res = row["workload"], row.get("cold") or {}, row["results"]
        tfc = res.get("tfc") or {}
        var = tfc.get("variants", {})
        variants = " / ".join(f"{k} {fmt_time(v['median'])}" for k, v in var.items()) or "—"
        cells = [w["key"], str(cold.get("kernels", tfc.get("kernels", "—"))),
                 s(cold.get("cold_s")) if "cold_s" in cold else cold.get("error", "—"),
                 s(cold.get("trace_s")), s(cold.get("passes_s")), s(cold.get("codegen_s")),
                 s(cold.get("cc_s")), s(cold.get("other_s")), s(cold.get("import_s")),
                 s(tfc.get("compile_s")), variants,
                 s((res.get("torch.compile") or {}).get("compile_s")),
                 s((res.get("jax") or {}).get("compile_s"))]
        out.append("| " + " | ".join(cells) + " |")
    return out


def problems(rows: list[dict]) -> list[str]:
    out = []
    for row in rows:
        for fw, r in row["results"].items():
            if r is None:
                continue
            if "error" in r:
                out.append(f"- {row['workload']['key']} {fw}: {r['error']}"
                           + (f" — {r['detail']}" if r.get("detail") else ""))
            elif r.get("check", {}).get("ok") is False:
                out.append(f"- **MISMATCH** {row['workload']['key']} {fw}: {r['check']['detail']}")
        out += loss_cross_check(row)
        cold = row.get("cold") or {}
        if "error" in cold:
            out.append(f"- {row['workload']['key']} tfc cold compile: {cold['error']}"
                       + (f" — {cold['detail']}" if cold.get("detail") else ""))
    return out


def loss_cross_check(row: dict) -> list[str]:
    """Training workloads: tfc compiled's losses against tfc eager's and torch's, directly."""
    res, w = row["results"], row["workload"]
    mine = (res.get("tfc") or {}).get("losses")
    if not w.get("train") or not mine:
        return []
    out = []
    for fw in ("tfc-eager", "torch"):
        theirs = (res.get(fw) or {}).get("losses")
        if not theirs:
            continue
        err = max(abs(a - b) for a, b in zip(mine, theirs)) / max(max(abs(b) for b in theirs), 1e-30)
        if len(mine) != len(theirs) or err > 2 * w["tol"]:
            out.append(f"- **MISMATCH** {w['key']} tfc vs {fw} losses: {mine} vs {theirs} "
                       f"(max |diff| / max |loss| = {err:.3g} > {2 * w['tol']:g})")
    return out


def losses_lines(rows: list[dict]) -> list[str]:
    out = []
    for row in rows:
        if not row["workload"].get("train"):
            continue
        parts = [f"{fw} {', '.join(f'{v:.6f}' for v in r['losses'])}"
                 for fw, r in row["results"].items() if r and r.get("losses")]
        if parts:
            out.append(f"{row['workload']['key']} losses over the checked steps: " + "; ".join(parts)
                       + ". tfc eager is tfc without tf.function, not a peer (it is never the best peer).")
    return out


def render(run: dict) -> str:
    m, stream, rows = run["machine"], run["stream"], run["rows"]
    la0, la1 = run["loadavg_start"], run["loadavg_end"]
    worker_loads = [r.get("loadavg_start", [None])[0] for row in rows for r in row["results"].values()
                    if r and r.get("loadavg_start")]
    v = m["versions"]
    lines = ["# tfc benchmarks", ""]
    lines += [f"Generated by `tools/bench.py` on {run['date']}. Regenerate with:", "",
              f"    {run['command']}", ""]
    if run.get("fusion_note"):
        lines += [f"> **{run['fusion_note']}**", ""]
    kernels = [f"{row['workload']['key']} {k}" for row in rows
               if (k := (row.get("cold") or {}).get("kernels") or (row["results"].get("tfc") or {}).get("kernels"))]
    if kernels:
        lines += [f"tfc's code at this run (tree {m['git']}) compiled the workloads into this many "
                  f"kernels: {', '.join(kernels)}.", ""]
    if run.get("quick"):
        lines += ["> **--quick run: tiny sizes for a smoke test; the numbers mean nothing.**", ""]
    lines += ["## Machine", "",
              f"- CPU: {m['cpu']}, {m['cores']} cores ({m.get('threads_per_core') or '?'} thread(s) per core), "
              f"L3 {m.get('l3') or '?'}, {m['mem_gib']:.1f} GiB RAM, Linux {m['kernel']}",
              f"- Copy bandwidth (tools/stream_copy.c, 2^{stream['n'].bit_length() - 1} floats, "
              f"{stream['threads']} OpenMP threads, {stream['reps']} reps): best {stream['best_gbs']:.1f} GB/s "
              f"({fmt_time(stream['best_s'])}), median {stream['median_gbs']:.1f} GB/s "
              f"({fmt_time(stream['median_s'])}); counting read + write"
              + (f" (run at the start and at the end of the benchmark, best/median GB/s: "
                 + ", ".join(f"{r['best_gbs']:.1f}/{r['median_gbs']:.1f}" for r in stream["runs"])
                 + "; the better run is shown and is the ceiling below)" if stream.get("runs") else ""),
              f"- C compiler (tfc's, and the copy's): {m['compiler']}; flags `{m['flags']}`",
              f"- Versions: Python {v['python']}, NumPy {v['numpy']}, torch {v['torch']}, jax {v['jax']}, "
              f"xDSL {v['xdsl']}, tfc {v['tfc']} (tree {m['git']})",
              f"- Load average (1/5/15 min) at start {la0[0]:.2f} / {la0[1]:.2f} / {la0[2]:.2f}, at end "
              f"{la1[0]:.2f} / {la1[1]:.2f} / {la1[2]:.2f}"
              + (f"; 1-min load when each measurement started: {min(worker_loads):.2f}–{max(worker_loads):.2f}"
                 if worker_loads else "")
              + f" on {m['cores']} cores. The machine is shared: other work running during the benchmark "
              "slows every framework and widens the spreads."
              + (" With the load above the core count, OpenMP-parallel code (tfc, torch, torch.compile) "
                 "also waits at its barriers for threads the OS has descheduled, so its medians suffer "
                 "more than single-threaded NumPy's; the minimum is closer to what an idle machine gives."
                 if max([la0[0], la1[0], *[x for x in worker_loads if x is not None]]) > m["cores"] else ""),
              ""]
    lines += ["## Results", "",
              "Median wall time per call (min–max over the timed calls), float32 throughout. "
              "`tfc / best peer` is tfc's median over the fastest correct peer's (above 1: tfc is slower). "
              "`[alloc]` / `[out=]`: the faster of tfc's two calling conventions (outputs allocated "
              "per call, or written into preallocated `out=` buffers). Peak MB: np = NumPy, pt = torch "
              "eager, tc = torch.compile.", ""]
    lines += main_table(rows, run["frameworks"]) + [""]
    if losses_lines(rows):
        lines += losses_lines(rows) + [""]
    if any(row["workload"]["metric"] == "GB/s" for row in rows):
        lines += ["### Memory-bound workloads against the copy ceiling", "",
                  "**tfc / copy** times tools/stream_copy.c's copy loop (built as a library with "
                  "tfc's flags) on the workload's number of bytes in tfc's own process, called right "
                  "after tfc in every repetition, and is the median over repetitions of tfc's time "
                  "over the copy's: both see the same moment of this shared machine. The last three "
                  "columns use the best copy bandwidth of the whole run instead (the better of a "
                  "standalone copy at its start and at its end): this machine's memory bandwidth "
                  "is bimodal (41-98 GB/s for the same copy on the same day, between runs and "
                  "within one), so that ceiling may come from a faster moment than the workload's.",
                  ""]
        lines += ceiling_table(rows, stream) + [""]
    lines += ["### Compile times and tfc details", "",
              "tfc cold compile: `tfc.compile` in a fresh process with an empty `TFC_CACHE_DIR` "
              "(passes = the lowering pipeline, C codegen = emitting C, cc = the C compiler including its "
              "one-time flag probe, other = cache and load); `import tfc` is that process's import time. "
              "Warm: `tfc.compile` in a new process with the cache present (bytecode caching on, "
              "Python's default). torch.compile and jax.jit: "
              "first call minus a steady-state call (torch's inductor cache is a fresh directory per "
              "workload).", ""]
    lines += compile_table(rows) + [""]
    probs = problems(rows)
    lines += ["## Mismatches, timeouts and errors", ""]
    lines += probs if probs else ["None: every measured output matched the float64 NumPy reference."]
    lines += ["", "## Workloads", ""]
    for row in rows:
        w = row["workload"]
        lines.append(f"- **{w['key']}** {w['title']}, {w['size']}"
                     + (f": {w['note']}" if w.get("note") else ""))
    lines += ["", "## Method", ""] + [f"- {t}" for t in METHOD] + [""]
    return "\n".join(lines)


METHOD = [
    "Every framework runs each workload in its own fresh subprocess, one after another. NumPy, "
    "torch eager (`torch.set_num_threads(2)`), torch.compile (default mode, inductor compile "
    "threads 1), jax.jit (CPU) and tfc compute the same function from the same float32 inputs; "
    "each uses its own building blocks (torch.softmax, F.layer_norm, jax.nn.gelu, tfc.softmax, ...). "
    "GELU is the tanh approximation everywhere; layer norm uses epsilon 1e-5 and the biased variance. "
    "OMP_NUM_THREADS=2.",
    "Timing: each variant is called once to warm up (compile, JIT, first-touch of buffers), then "
    "timed call by call with `time.perf_counter` (jax results are waited for with "
    "`block_until_ready`) up to `--repeats` times or until the workload's time budget is spent "
    "(at least one timed call). W6 averages many calls per sample. Memory-bound workloads (W1–W3, "
    "W6) cycle through 3 input sets, and tfc's `out=` variant through 3 output buffers, so no call "
    "finds its data in cache from the previous one.",
    "Checking: each framework's first output is compared with the NumPy float64 result on the same "
    "inputs: max |got − ref| / max |ref| must stay under the workload's tolerance (1e-4 for "
    "W1–W4 and W6, 2e-4 to 5e-4 for the deeper W5, W7, W8); non-finite values fail. tfc's `out=` "
    "buffers start as NaN, so unwritten elements fail too. A failing framework is marked "
    "**MISMATCH** and never counts as the best peer.",
    "Peak memory: in each framework's process, the resident set after imports and input setup is "
    "the baseline; the high-water mark is reset there (`/proc/self/clear_refs`) and read after "
    "compile, warm-up and the timed calls. Peak MB = high-water mark − baseline: outputs, "
    "intermediates, workspaces, compiled code and the compiler's own memory, not the inputs "
    "(jax's device copies of the inputs are made before the baseline) and not the preallocated "
    "buffers tfc's `out=` variant writes into (caller memory, like the inputs). tfc's process "
    "compiles from a warm cache, torch.compile and jax compile from scratch.",
    "Rates: GB/s counts the minimal traffic (W1: read x + write y; W2: read x + write y; W3: also "
    "gamma and beta); GFLOP/s counts 2 flops per multiply-add of the matmuls and convolutions only.",
    "Training step (W5-train): each framework's own idiom (tfc: a `@tf.function` step with "
    "GradientTape and `assign_sub`, and the same step eager; torch: autograd + in-place SGD under "
    "`no_grad`, also under torch.compile; jax: `jit(value_and_grad)` + functional SGD), from the same "
    "float32 weights, data and int labels. Checked: the losses of the first 3 steps against a float64 "
    "NumPy forward/backward/SGD, and tfc compiled's directly against tfc eager's and torch's; then the "
    "timed steps keep training. Per-step time; GFLOP/s counts 6 flops per multiply-add of the three "
    "matmuls (forward + backward). tfc cold compile: the train step's trace (with the gradient), "
    "passes and cc; warm: the same in a new process with the cache present.",
    "A framework that exceeds its per-workload timeout is reported as `timeout` and the run "
    "moves on.",
]
