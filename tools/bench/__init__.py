"""tfc's benchmark harness: workloads.py (what), worker.py (one measurement per process),
machine.py (where), report.py (the markdown page), cli.py (the run). Entry: tools/bench.py."""
