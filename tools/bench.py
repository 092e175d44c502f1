"""Benchmarks tfc against NumPy, torch, torch.compile and JAX; writes docs/benchmarks.md.
See tools/bench/ (workloads.py: what is measured; worker.py: how; report.py: the page).

    python tools/bench.py [--workloads W1,W2] [--repeats N] [--quick] [--no-peers] [--out FILE]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--_worker":  # one measurement, in its own process
        from bench.worker import main as worker_main

        sys.exit(worker_main(sys.argv[2]))
    from bench.cli import main

    sys.exit(main())
