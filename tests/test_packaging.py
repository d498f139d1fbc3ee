"""The wheel carries the whole tool: built, installed apart from the checkout, it runs the demo."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
HOST = ROOT / "host" / "talktoken"


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_host_folder_is_a_listed_package():
    folders = {
        "talktoken" + ("." + ".".join(p.relative_to(HOST).parts) if p != HOST else "")
        for p in [HOST, *HOST.rglob("*")]
        if p.is_dir() and p.name != "__pycache__" and any(p.glob("*.*"))
    }
    listed = set(_config()["packages"]) - {"talktoken.firmware"}
    assert folders == listed


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    assert "BuildBackendWarning" not in build.stderr, build.stderr[-3000:]
    assert "is absent from the `packages` configuration" not in build.stderr
    (path,) = out.glob("talktoken-*.whl")
    return path


def test_the_wheel_holds_firmware_templates_shim_stylesheet_and_vm_modules(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    fw = {p.name for p in (ROOT / "firmware").glob("*.py")}
    assert {n.split("/")[-1] for n in names if n.startswith("talktoken/firmware/")} >= fw
    for template in (HOST / "agenda" / "templates").glob("*.toml"):
        assert f"talktoken/agenda/templates/{template.name}" in names
    assert "talktoken/fwtree/vmshim/micropython.py" in names
    assert "talktoken/report/report.css" in names
    for vm in (HOST / "sim" / "vm").glob("*.py"):
        assert f"talktoken/sim/vm/{vm.name}" in names


def test_the_installed_wheel_runs_the_demo_outside_the_checkout(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), wheel],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    env = dict(os.environ, PYTHONPATH=str(target), TALKTOKEN_ARCHIVE=str(tmp_path / "archive"))
    where = subprocess.run(
        [sys.executable, "-c", "import talktoken; print(talktoken.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert where.stdout.startswith(str(target)), where  # the installed copy, not the checkout
    demo = subprocess.run(
        [sys.executable, "-m", "talktoken", "--archive", str(tmp_path / "archive"), "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "HTML report:" in demo.stdout
    assert str(ROOT) not in demo.stdout + demo.stderr
