"""A child process that compiles and runs programs, so a crash in generated code
(a segfault, an abort, a hang) is a finding about one program rather than the end
of the run. Requests and answers are JSON lines; the child's own stdout goes to
its stderr so nothing but answers reaches the pipe.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

TOOLS = str(Path(__file__).resolve().parent.parent)


def serve() -> None:
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    from .oracle import check_program, replay
    from .program import Program

    for line in sys.stdin:
        job = json.loads(line)
        if job["op"] == "check":
            result = check_program(Program.from_json(job["program"]), job["seed"], emit=job.get("emit", False))
        else:
            result = replay(job["mlir"], job["seed"], job.get("trials", 2), job.get("filename", "<repro>"))
        answers.write(json.dumps(result) + "\n")


class Worker:
    """The parent's handle: `call(job)` answers a dict; crashes and timeouts become failures."""

    def __init__(self, env: dict[str, str] | None = None, log_path: str | os.PathLike | None = None):
        self.env = dict(os.environ, **(env or {}))
        self.log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        self.proc: subprocess.Popen | None = None
        self.started = 0

    def _start(self) -> None:
        code = f"import sys; sys.path.insert(0, {TOOLS!r}); from fuzz.worker import serve; serve()"
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.log, env=self.env,
                                     text=True, bufsize=1)
        self.started += 1

    def call(self, job: dict, timeout: float = 120.0) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        proc = self.proc
        try:
            proc.stdin.write(json.dumps(job) + "\n")
            proc.stdin.flush()
        except BrokenPipeError:
            return self._died(proc)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                proc.kill()
                proc.wait()
                self.proc = None
                return {"status": "fail", "kind": "timeout",
                        "message": f"no answer in {timeout:.0f} s (compile or run hangs)"}
            ready, _, _ = select.select([proc.stdout], [], [], min(left, 1.0))
            if ready:
                line = proc.stdout.readline()
                if not line:
                    return self._died(proc)
                return json.loads(line)

    def _died(self, proc) -> dict:
        code = proc.wait()
        self.proc = None
        what = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
        return {"status": "fail", "kind": "crash", "message": f"the process running the program died ({what})"}

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.log is not subprocess.DEVNULL:
            self.log.close()
