"""tfc-opt's exit codes and error messages: every bad input is a clear message, never a traceback.

Most tests call `main()` in-process (fast); a few run the installed console
script to check the real entry point.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from xdsl.passes import ModulePass
from xdsl.utils.exceptions import PassFailedException

from tfc.cli import opt
from tfc.cli.pass_pipeline import PipelineError, parse
from tfc.passes import registry

GOOD = """\
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = tfc.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
"""

BAD_MATMUL = """\
func.func @main(%a: tensor<4x8xf32>, %b: tensor<9x3xf32>) -> tensor<4x3xf32> {
  %r = tfc.matmul %a, %b : (tensor<4x8xf32>, tensor<9x3xf32>) -> tensor<4x3xf32>
  func.return %r : tensor<4x3xf32>
}
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = opt.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def good(tmp_path: Path) -> Path:
    p = tmp_path / "good.mlir"
    p.write_text(GOOD)
    return p


def write(tmp_path: Path, text: str, name: str = "in.mlir") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def assert_user_error(code: int, err: str) -> None:
    assert code == 1, err
    assert "Traceback" not in err
    assert "internal error" not in err


# --- test passes -------------------------------------------------------------------

@dataclass(frozen=True)
class OptionsPass(ModulePass):
    """A pass with options, to test -p option parsing."""

    name = "test-options"
    tile_sizes: tuple[int, ...] = (32, 32)
    target: str = "cpu"
    unroll: bool = False

    def apply(self, ctx, op) -> None:
        pass


@dataclass(frozen=True)
class FailingPass(ModulePass):
    name = "test-fail"
    with_op: bool = False

    def apply(self, ctx, op) -> None:
        e = PassFailedException("test-fail: cannot handle this op")
        if self.with_op:
            e.op = next(o for o in op.walk() if o.name == "tfc.exp")
        raise e


@dataclass(frozen=True)
class CrashingPass(ModulePass):
    name = "test-crash"

    def apply(self, ctx, op) -> None:
        raise KeyError("oops")


@dataclass(frozen=True)
class BreakingPass(ModulePass):
    """Leaves invalid IR behind: a tfc.exp whose result type is wrong."""

    name = "test-break"

    def apply(self, ctx, op) -> None:
        from xdsl.dialects.builtin import TensorType, i32

        exp = next(o for o in op.walk() if o.name == "tfc.exp")
        exp.results[0]._type = TensorType(i32, [4])


@dataclass(frozen=True)
class FusionLoggingPass(ModulePass):
    """Logs like the fusion pass does (to the `tfc.fusion` logger)."""

    name = "test-fusion-log"

    def apply(self, ctx, op) -> None:
        import logging

        logging.getLogger("tfc.fusion").info("refused k0 -> k1: reduction consumer")


@pytest.fixture
def test_passes(monkeypatch):
    for cls in (OptionsPass, FailingPass, CrashingPass, BreakingPass, FusionLoggingPass):
        monkeypatch.setitem(registry.PASSES, cls.name, lambda cls=cls: cls)


# --- inputs ------------------------------------------------------------------------

def test_good_input(capsys, good):
    code, out, err = run(capsys, str(good))
    assert code == 0, err
    assert "tfc.exp" in out and err == ""


def test_missing_file(capsys, tmp_path):
    code, out, err = run(capsys, str(tmp_path / "x.mlir"))
    assert_user_error(code, err)
    assert f"tfc-opt: error: cannot read '{tmp_path / 'x.mlir'}': No such file or directory" in err


def test_directory_is_not_a_file(capsys, tmp_path):
    code, _, err = run(capsys, str(tmp_path))
    assert_user_error(code, err)
    assert "cannot read" in err


def test_binary_file(capsys, tmp_path):
    p = tmp_path / "bin.mlir"
    p.write_bytes(b"\xff\xfe\x00garbage")
    code, _, err = run(capsys, str(p))
    assert_user_error(code, err)
    assert "not UTF-8" in err


def test_parse_error_is_located(capsys, tmp_path):
    p = write(tmp_path, GOOD.replace("-> tensor<4xf32>\n  func", "-> )\n  func"))
    code, _, err = run(capsys, str(p))
    assert_user_error(code, err)
    first, source, caret = err.splitlines()[:3]
    assert first.startswith(f"{p}:2:")
    assert ": error: " in first
    assert source == "  %r = tfc.exp %x : (tensor<4xf32>) -> )"
    assert caret.strip() == "^"


def test_verify_error_is_located_at_the_op(capsys, tmp_path):
    p = write(tmp_path, BAD_MATMUL)
    code, _, err = run(capsys, str(p))
    assert_user_error(code, err)
    assert err.splitlines() == [
        f"{p}:2:8: error: tfc.matmul: inner dimensions differ: lhs tensor<4x8xf32>, "
        "rhs tensor<9x3xf32>",
        "  %r = tfc.matmul %a, %b : (tensor<4x8xf32>, tensor<9x3xf32>) -> tensor<4x3xf32>",
        "       ^",
    ]


def test_stdin(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(BAD_MATMUL))
    code, _, err = run(capsys, "-")
    assert_user_error(code, err)
    assert err.startswith("<stdin>:2:8: error: tfc.matmul")


def test_empty_input_is_an_empty_module(capsys, tmp_path):
    code, out, err = run(capsys, str(write(tmp_path, "// nothing here\n")))
    assert code == 0, err
    assert out.startswith("builtin.module")


def test_split_input_file_keeps_going_and_fails(capsys, tmp_path):
    p = write(tmp_path, BAD_MATMUL + "// -----\n" + GOOD)
    code, out, err = run(capsys, str(p), "--split-input-file")
    assert_user_error(code, err)
    assert f"{p}:2:8: error" in err
    assert out.startswith("// -----\n") and "tfc.exp" in out


def test_output_file(capsys, good, tmp_path):
    out_path = tmp_path / "out.mlir"
    code, out, err = run(capsys, str(good), "-o", str(out_path))
    assert code == 0 and out == ""
    assert "tfc.exp" in out_path.read_text()


def test_unwritable_output(capsys, good, tmp_path):
    code, _, err = run(capsys, str(good), "-o", str(tmp_path / "no" / "such" / "dir.mlir"))
    assert_user_error(code, err)
    assert "tfc-opt: error: cannot write" in err


# --- pipelines -----------------------------------------------------------------------

def test_unknown_pass_suggests(capsys, good):
    code, _, err = run(capsys, str(good), "-p", "canonicalize,tfc-form-kernel")
    assert_user_error(code, err)
    assert err.strip() == ("tfc-opt: error: unknown pass 'tfc-form-kernel'; did you mean "
                           "'tfc-form-kernels'? (see --list-passes)")


def test_unknown_pass_without_suggestion(capsys, good):
    code, _, err = run(capsys, str(good), "-p", "foo")
    assert_user_error(code, err)
    assert err.strip() == "tfc-opt: error: unknown pass 'foo' (see --list-passes)"


def test_pass_options_instantiate_the_dataclass(test_passes):
    (p,) = parse("test-options{tile-sizes=32,64 target=gpu unroll=true}")
    assert p == OptionsPass(tile_sizes=(32, 64), target="gpu", unroll=True)
    (q,) = parse("test-options{tile-sizes=8}")
    assert q == OptionsPass(tile_sizes=(8,))


def test_named_pipeline_and_alias_expand(test_passes):
    passes = parse("tfc-to-buffers,tfc-to-linalg")
    names = [p.name for p in passes]
    assert names == [*registry.PIPELINES["tfc-to-buffers"], "convert-tfc-to-linalg"]


def test_unknown_pass_option(capsys, good, test_passes):
    code, _, err = run(capsys, str(good), "-p", "test-options{tile-size=4}")
    assert_user_error(code, err)
    assert "pass 'test-options' has no option 'tile-size'" in err
    assert "tile-sizes: tuple[int, ...] = 32,32" in err
    assert "target: str = cpu" in err


def test_bad_pass_option_value(capsys, good, test_passes):
    code, _, err = run(capsys, str(good), "-p", "test-options{tile-sizes=big}")
    assert_user_error(code, err)
    assert "pass 'test-options': option 'tile-sizes' expects tuple[int, ...], got 'big'" in err


def test_malformed_pipeline(capsys, good):
    code, _, err = run(capsys, str(good), "-p", "canonicalize{")
    assert_user_error(code, err)
    assert "invalid pass pipeline 'canonicalize{'" in err


def test_pass_failure_is_an_error(capsys, good, test_passes):
    code, _, err = run(capsys, str(good), "-p", "test-fail")
    assert_user_error(code, err)
    assert err.strip() == f"{good}: error: test-fail: cannot handle this op"


def test_pass_failure_with_op_is_located(capsys, good, test_passes):
    code, _, err = run(capsys, str(good), "-p", "test-fail{with-op=true}")
    assert_user_error(code, err)
    assert err.startswith(f"{good}:2:8: error: tfc.exp: test-fail: cannot handle this op")


def test_pass_failure_matches_verify_diagnostics(capsys, tmp_path, test_passes):
    text = GOOD.replace("  %r = tfc.exp", "  // expected-error @+1 {{cannot handle}}\n  %r = tfc.exp")
    code, _, err = run(capsys, str(write(tmp_path, text)), "-p", "test-fail{with-op=true}",
                       "--verify-diagnostics")
    assert code == 0, err


def test_internal_error_exits_70_without_traceback(capsys, good, test_passes):
    code, _, err = run(capsys, str(good), "-p", "test-crash")
    assert code == 70
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert lines[0] == "tfc-opt: internal error in pass 'test-crash': KeyError: 'oops'"
    assert "please report it with the input file" in lines[1]


def test_debug_traceback_shows_the_traceback(capsys, good, test_passes):
    code, _, err = run(capsys, str(good), "-p", "test-crash", "--debug-traceback")
    assert code == 70
    assert "Traceback" in err and "KeyError" in err


def test_invalid_ir_after_a_pass_is_internal(capsys, good, test_passes):
    code, _, err = run(capsys, str(good), "-p", "test-break")
    assert code == 70
    assert f"{good}:2:8: error: tfc.exp: result type" in err
    assert "internal error (pass 'test-break' produced invalid IR)" in err
    assert "Traceback" not in err


def test_debug_fusion_prints_the_fusion_log(capsys, good, test_passes):
    import logging

    log = logging.getLogger("tfc.fusion")
    saved = (log.level, log.propagate, list(log.handlers))
    try:
        code, _, err = run(capsys, str(good), "-p", "test-fusion-log", "--debug-fusion")
        assert code == 0
        assert "[fusion] refused k0 -> k1: reduction consumer" in err
    finally:
        log.setLevel(saved[0])
        log.propagate = saved[1]
        log.handlers[:] = saved[2]
    code, _, err = run(capsys, str(good), "-p", "test-fusion-log")
    assert code == 0 and "[fusion]" not in err


# --- --emit --------------------------------------------------------------------------

def test_bad_emit_value(capsys, good):
    code, _, err = run(capsys, str(good), "--emit=asm")
    assert_user_error(code, err)
    assert "unknown --emit value 'asm'; choose from tfc, linalg" in err


def test_bad_from_value(capsys, good):
    code, _, err = run(capsys, str(good), "--emit=linalg", "--from=xla")
    assert_user_error(code, err)
    assert "unknown --from level 'xla'" in err


def test_missing_backend_is_clear(capsys, good, monkeypatch):
    monkeypatch.setitem(opt.SOURCE_TARGETS, "triton", ("buffers", "tfc.codegen.no_such_module",
                                                       "emit_triton"))
    code, _, err = run(capsys, str(good), "--emit=triton")
    assert_user_error(code, err)
    assert "--emit=triton: the Triton backend is not available" in err


def test_emit_levels_run_only_what_is_needed(capsys, good):
    assert [p.name for p in opt.emit_passes("kernels", "linalg")] == ["tfc-form-kernels"]
    assert [p.name for p in opt.emit_passes("linalg", "linalg")] == []
    assert [p.name for p in opt.emit_passes("tfc", "tfc")] == ["canonicalize"]


# --- command line ----------------------------------------------------------------------

def test_unknown_flag_is_a_usage_error(capsys, good):
    with pytest.raises(SystemExit) as e:
        opt.main([str(good), "--no-such-flag"])
    assert e.value.code == 2
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err


def test_verify_diagnostics_reports_mismatches(capsys, tmp_path):
    text = BAD_MATMUL.replace("  %r = tfc.matmul",
                              "  // expected-error @+1 {{outer dimensions}}\n  %r = tfc.matmul")
    p = write(tmp_path, text)
    code, _, err = run(capsys, str(p), "--verify-diagnostics")
    assert_user_error(code, err)
    assert f'{p}:2:6: error: expected error "outer dimensions" was not produced at line 3' in err
    assert f"{p}:3:8: error: unexpected error: tfc.matmul: inner dimensions differ" in err


def test_malformed_expectation_is_reported(capsys, tmp_path):
    p = write(tmp_path, "// expected-error @+1 {{oops}\n" + GOOD)
    code, _, err = run(capsys, str(p), "--verify-diagnostics")
    assert_user_error(code, err)
    assert "malformed expected diagnostic" in err


def test_console_script(tmp_path):
    """The installed entry point: exit status and stderr as a user sees them."""
    p = write(tmp_path, BAD_MATMUL)
    exe = Path(sys.executable).parent / "tfc-opt"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "tfc.cli.opt"]
    proc = subprocess.run([*cmd, str(p)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"{p}:2:8: error: tfc.matmul: inner dimensions differ")
    help_proc = subprocess.run([*cmd, "--help"], capture_output=True, text=True, timeout=120)
    assert help_proc.returncode == 0 and "--emit" in help_proc.stdout
