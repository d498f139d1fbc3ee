# The wheel: built without setuptools warnings, carries every package and data file, and the
# installed copy (not the checkout) plays `talktoken demo` from outside the checkout.
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
HOST = ROOT / "host"
WARNING = re.compile(r"Warning|would be ignored|absent from", re.I)

pytestmark = pytest.mark.slow


def _declared() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_directory_of_the_tree_is_a_listed_package():
    found = {
        ".".join(d.relative_to(HOST).parts)
        for d in (HOST / "talktoken").rglob("*")
        if d.is_dir() and d.name != "__pycache__" and any(d.iterdir())
    }
    found |= {"talktoken", "talktoken.firmware"}
    assert set(_declared()["packages"]) == found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    """The wheel built from a copy of the sources (the checkout gets no build/ directory)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(HOST, src / "host", ignore=ignore)
    shutil.copytree(ROOT / "firmware", src / "firmware", ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation"]
    build = subprocess.run(
        [*cmd, "-w", str(out), str(src)], capture_output=True, text=True, timeout=300
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (whl,) = out.glob("talktoken-*.whl")
    return whl, build.stdout + build.stderr


def test_the_build_prints_no_setuptools_warning(wheel):
    _, log = wheel
    noise = ("byte-compiling is disabled",)  # pip's own note on --no-build-isolation builds
    warnings = [
        ln for ln in log.splitlines() if WARNING.search(ln) and not any(n in ln for n in noise)
    ]
    assert warnings == []


def test_the_wheel_carries_firmware_templates_and_shims(wheel):
    names = set(zipfile.ZipFile(wheel[0]).namelist())
    for f in (ROOT / "firmware").glob("*.py"):
        assert f"talktoken/firmware/{f.name}" in names
    for f in (HOST / "talktoken" / "agenda" / "templates").glob("*.toml"):
        assert f"talktoken/agenda/templates/{f.name}" in names
    assert "talktoken/fwtree/vmshim/micropython.py" in names
    for f in (HOST / "talktoken" / "sim" / "vm").glob("*.py"):
        assert f"talktoken/sim/vm/{f.name}" in names


def test_installed_wheel_plays_the_demo_outside_the_checkout(wheel, tmp_path):
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps"]
    got = subprocess.run([*pip, str(wheel[0])], capture_output=True, text=True, timeout=300)
    assert got.returncode == 0, got.stderr
    # The dependencies (click, pyserial, ...) come from this venv's site-packages, added as a
    # plain path: its .pth files (the editable install's finder among them) are not run, so
    # `talktoken` itself can only be the installed copy.
    site = Path(
        subprocess.check_output(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "TALKTOKEN_"))}
    env["PATH"] = os.pathsep.join(
        [str(venv / "bin"), str(Path(sys.executable).parent), env["PATH"]]
    )
    where = subprocess.run(
        [str(py), "-c", "import talktoken.fwtree.paths as p; print(p.__file__, p.firmware_dir())"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    module, firmware = where.stdout.split()
    assert Path(module).is_relative_to(venv) and Path(firmware).is_relative_to(venv)
    assert not Path(module).is_relative_to(ROOT)
    demo = subprocess.run(
        [str(venv / "bin" / "talktoken"), "demo", "--json", "--archive", str(tmp_path / "arc")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    out = json.loads(demo.stdout)
    assert Path(out["report"]).is_file() and out["pulled"]
    assert Path(out["report"]).is_relative_to(tmp_path / "arc")
