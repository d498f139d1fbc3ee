# The MicroPython leg of the suite really catches what only MicroPython rejects.
from __future__ import annotations

from pathlib import Path

import pytest
from mpvm import BUILD, FWTEST_SRC, run_micropython
from talktoken.fwtree.mpy import BuildError, compile_file

CPYTHON_ONLY_AT_RUNTIME = """
def test_uses_a_cpython_only_str_method():
    assert "seat-3".removeprefix("seat-") == "3"
"""

CPYTHON_ONLY_SYNTAX = """
def test_match_statement(x=1):
    match x:
        case 1:
            return
"""


def test_a_cpython_only_method_passes_in_cpython_but_fails_in_micropython(tmp_path: Path) -> None:
    src = tmp_path / "harness_probe.py"
    src.write_text(CPYTHON_ONLY_AT_RUNTIME)
    namespace: dict = {}
    exec(compile(src.read_text(), str(src), "exec"), namespace)
    namespace["test_uses_a_cpython_only_str_method"]()  # fine under CPython
    out_dir = BUILD / "harness"
    compile_file(src, out_dir / "harness_probe.mpy")
    mprun = FWTEST_SRC / "mprun.py"
    compile_file(mprun, out_dir / "mprun.mpy")
    proc = run_micropython(["-m", "mprun", "harness_probe"], extra_path=[out_dir])
    out = proc.stdout.decode()
    assert "RESULT test_uses_a_cpython_only_str_method FAIL" in out, out
    assert "removeprefix" in out


def test_syntax_micropython_lacks_fails_the_mpy_build(tmp_path: Path) -> None:
    src = tmp_path / "harness_syntax.py"
    src.write_text(CPYTHON_ONLY_SYNTAX)
    compile(src.read_text(), str(src), "exec")  # CPython accepts it
    with pytest.raises(BuildError, match="harness_syntax"):
        compile_file(src, tmp_path / "harness_syntax.mpy")
