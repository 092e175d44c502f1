"""Differential tester for tfc: random valid programs, compiled and compared with
`tfc.reference` in float64; failures shrunk to MLIR reproducers. See tools/fuzz/.

    python tools/fuzz.py --seed S --count N --time-budget SECONDS --out-dir DIR
    python tools/fuzz.py --replay repro.mlir
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fuzz.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
