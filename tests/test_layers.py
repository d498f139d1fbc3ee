"""The import-linter contracts hold, and they catch a layer broken or a cycle made."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).parent / "lint-imports"


def _lint(host: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=host,
        env={"PYTHONPATH": str(host), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


@pytest.fixture
def host_copy(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "host" / "talktoken",
        tmp_path / "talktoken",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return tmp_path


def test_contracts_hold():
    result = _lint(ROOT / "host")
    assert result.returncode == 0, result.stdout + result.stderr


def _add_import(module: Path, line: str) -> None:
    text = module.read_text()
    head, sep, rest = text.partition("from __future__ import annotations\n")
    module.write_text(head + sep + line + "\n" + rest if sep else line + "\n" + text)


def test_a_library_module_importing_the_cli_breaks_the_layers(host_copy: Path):
    _add_import(host_copy / "talktoken" / "metrics" / "summary.py", "import talktoken.cli.root")
    result = _lint(host_copy)
    assert result.returncode != 0
    assert "talktoken.metrics is not allowed to import talktoken.cli" in result.stdout


def test_an_import_inside_a_function_counts(host_copy: Path):
    module = host_copy / "talktoken" / "logfile" / "read.py"
    module.write_text(module.read_text() + "\n\ndef _late():\n    import talktoken.report.fmt\n")
    result = _lint(host_copy)
    assert result.returncode != 0
    assert "talktoken.logfile is not allowed to import talktoken.report" in result.stdout


def test_a_cycle_inside_a_package_is_caught(host_copy: Path):
    # balance is imported by summary; summary imported back by balance makes a cycle.
    _add_import(
        host_copy / "talktoken" / "metrics" / "balance.py", "import talktoken.metrics.summary"
    )
    result = _lint(host_copy)
    assert result.returncode != 0
    assert "No cycles are allowed in talktoken.metrics" in result.stdout
