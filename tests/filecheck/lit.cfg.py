"""lit configuration for tfc's FileCheck tests: `lit tests/filecheck` (or `pytest tests/test_lit.py`).

RUN lines use the installed console scripts: `tfc-opt`, `xdsl-opt`, `filecheck`
(the Python `filecheck` package) and `not` (lit's builtin). Test outputs go to a
scratch directory outside the source tree (override with TFC_LIT_EXEC_ROOT).
"""

import importlib.util
import os
import shutil
import sys
import tempfile

import lit.formats

config.name = "tfc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.excludes = ["lit.cfg.py", "lit.local.cfg", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.environ.get(
    "TFC_LIT_EXEC_ROOT", os.path.join(tempfile.gettempdir(), f"tfc-lit-{os.getuid()}"))

# The console scripts live beside the interpreter running lit.
bindir = os.path.dirname(sys.executable)
config.environment["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])
for var in ("HOME", "TMPDIR", "PYTHONPATH", "TFC_CACHE_DIR"):
    if var in os.environ:
        config.environment[var] = os.environ[var]
# Deterministic output: no colour, no bytecode writes into the tree.
config.environment["NO_COLOR"] = "1"
config.environment["PYTHONDONTWRITEBYTECODE"] = "1"


def _tool(name):
    return shutil.which(name, path=config.environment["PATH"]) or name


config.substitutions.append(("tfc-opt", _tool("tfc-opt")))
config.substitutions.append(("filecheck", _tool("filecheck")))
config.substitutions.append(("xdsl-opt", _tool("xdsl-opt")))
config.substitutions.append(("%python", sys.executable))

# Optional dependencies as lit features, for `// REQUIRES: triton` lines, or a
# folder's lit.local.cfg: `if "triton" not in config.available_features:
# config.unsupported = True`. find_spec does not import (torch takes seconds).
for module in ("triton", "torch"):
    if importlib.util.find_spec(module) is not None:
        config.available_features.add(module)
if shutil.which("cc") or shutil.which("gcc") or shutil.which("clang"):
    config.available_features.add("cc")
