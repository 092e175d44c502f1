"""Artifacts: a directory of compiled code plus a manifest saying how to call it
and how to tell whether the directory is intact.

Layout (CPU): ``kernel.so``, ``source.c``, ``manifest.json``. The manifest holds
the entry signature, the arena size, the toolchain that built it and a sha256
of every other file, so a damaged directory is caught before anything in it
is loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import tfc
from tfc import dtypes
from tfc.runtime.errors import CorruptArtifactError

FORMAT = 1
MANIFEST = "manifest.json"
TARGETS = ("cpu", "gpu")
# Files an artifact of each target cannot work without (beyond the manifest).
REQUIRED_FILES = {"cpu": ("kernel.so",), "gpu": ()}


@dataclass(frozen=True)
class TensorSpec:
    """One tensor of the entry signature: dense, C-contiguous, static shape."""

    name: str
    shape: tuple[int, ...]
    dtype: str  # tfc short name: "f32", "bf16", "i1", ...

    def __post_init__(self):
        # Accept anything dtypes.from_any understands (np.float32, "float32", DType).
        object.__setattr__(self, "dtype", dtypes.from_any(self.dtype).name)
        shape = tuple(int(d) for d in self.shape)
        if any(d < 0 for d in shape):
            raise ValueError(f"tensor {self.name!r}: negative dimension in shape {shape}")
        object.__setattr__(self, "shape", shape)

    @property
    def dt(self) -> dtypes.DType:
        return dtypes.ALL[self.dtype]

    @property
    def type_str(self) -> str:
        """The IR spelling, ``tensor<4x8xf32>`` (``tensor<f32>`` for 0-d)."""
        return "tensor<" + "".join(f"{d}x" for d in self.shape) + self.dtype + ">"

    @property
    def nbytes(self) -> int:
        n = self.dt.numpy.itemsize
        for d in self.shape:
            n *= d
        return n

    def to_json(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "dtype": self.dtype}

    @classmethod
    def from_json(cls, d: Any) -> "TensorSpec":
        """From ``{name, shape, dtype}``, a ``(name, shape, dtype)`` tuple, or a TensorSpec."""
        if isinstance(d, TensorSpec):
            return d
        if isinstance(d, (tuple, list)):
            name, shape, dtype = d
            return cls(str(name), tuple(shape), dtype)
        return cls(str(d["name"]), tuple(d["shape"]), d["dtype"])


@dataclass
class Manifest:
    """What a loader needs to call an artifact, and what built it."""

    inputs: list[TensorSpec]
    outputs: list[TensorSpec]
    arena_bytes: int = 0
    target: str = "cpu"
    compiler: str = ""          # identity: path and `--version` line (Triton version for GPU)
    flags: list[str] = field(default_factory=list)
    tfc_version: str = field(default_factory=lambda: tfc.__version__)  # late: tfc may still be importing
    host: str = ""              # CPU the code was built for (-march=native)
    checksums: dict[str, str] = field(default_factory=dict)  # file name -> sha256 hex
    extra: dict[str, Any] = field(default_factory=dict)      # backend / planner notes
    entry: str = "tfc_entry"
    format: int = FORMAT

    def __post_init__(self):
        self.inputs = [TensorSpec.from_json(s) for s in self.inputs]
        self.outputs = [TensorSpec.from_json(s) for s in self.outputs]
        self.arena_bytes = int(self.arena_bytes)
        self.flags = list(self.flags)
        if self.arena_bytes < 0:
            raise ValueError(f"arena_bytes must be >= 0, got {self.arena_bytes}")
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}, got {self.target!r}")

    @classmethod
    def for_program(cls, inputs, outputs, arena_bytes: int = 0, target: str = "cpu",
                    extra: dict | None = None) -> "Manifest":
        """A manifest before building: the signature (specs as ``(name, shape, dtype)``
        tuples, dicts or TensorSpecs) and the arena size; the builder fills in the rest."""
        return cls(inputs=list(inputs), outputs=list(outputs), arena_bytes=arena_bytes,
                   target=target, extra=dict(extra or {}))

    def signature(self) -> str:
        """``(x: tensor<4x8xf32>, y: tensor<8xf32>) -> (out0: tensor<4x8xf32>)``"""
        ins = ", ".join(f"{s.name}: {s.type_str}" for s in self.inputs)
        outs = ", ".join(f"{s.name}: {s.type_str}" for s in self.outputs)
        return f"({ins}) -> ({outs})"

    def to_json(self) -> str:
        d = asdict(self)
        d["inputs"] = [s.to_json() for s in self.inputs]
        d["outputs"] = [s.to_json() for s in self.outputs]
        return json.dumps(d, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        """Parse a manifest; ValueError (or KeyError/TypeError) if it is not one."""
        d = json.loads(text)
        if not isinstance(d, dict):
            raise ValueError("manifest is not a JSON object")
        if d.get("format") != FORMAT:
            raise ValueError(f"manifest format {d.get('format')!r}, this tfc reads {FORMAT}")
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown manifest fields {sorted(unknown)}")
        return cls(**d)


def file_sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def seal(directory: Path, manifest: Manifest) -> Manifest:
    """Checksum every file in ``directory`` and write its manifest; return the sealed manifest."""
    directory = Path(directory)
    sums = {}
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if entry.name != MANIFEST and entry.is_file(follow_symlinks=False):
            sums[entry.name] = file_sha256(Path(entry.path))
    missing = [f for f in REQUIRED_FILES[manifest.target] if f not in sums]
    if missing:
        raise ValueError(f"cannot seal {directory}: missing {', '.join(missing)}")
    sealed = replace(manifest, checksums=sums)
    (directory / MANIFEST).write_text(sealed.to_json(), encoding="utf-8")
    return sealed


def verify(directory: Path) -> Manifest:
    """The manifest of an intact artifact; CorruptArtifactError naming the damage otherwise."""
    directory = Path(directory)
    try:
        text = (directory / MANIFEST).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CorruptArtifactError(f"artifact {directory}: {MANIFEST} is missing") from None
    except (OSError, UnicodeDecodeError) as e:
        raise CorruptArtifactError(f"artifact {directory}: cannot read {MANIFEST}: {e}") from None
    try:
        manifest = Manifest.from_json(text)
    except (ValueError, KeyError, TypeError) as e:
        raise CorruptArtifactError(f"artifact {directory}: unreadable {MANIFEST}: {e}") from None
    missing_required = [f for f in REQUIRED_FILES[manifest.target] if f not in manifest.checksums]
    if missing_required:
        raise CorruptArtifactError(
            f"artifact {directory}: manifest has no checksum for {', '.join(missing_required)}")
    for name, expected in manifest.checksums.items():
        if "/" in name or "\\" in name or name in ("", ".", ".."):
            raise CorruptArtifactError(f"artifact {directory}: bad file name {name!r} in {MANIFEST}")
        path = directory / name
        try:
            actual = file_sha256(path)
        except FileNotFoundError:
            raise CorruptArtifactError(f"artifact {directory}: {name} is missing") from None
        except OSError as e:
            raise CorruptArtifactError(f"artifact {directory}: cannot read {name}: {e}") from None
        if actual != expected:
            raise CorruptArtifactError(
                f"artifact {directory}: {name} does not match its checksum (damaged or edited)")
    return manifest
