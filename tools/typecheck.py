"""Two mypy runs; exit non-zero on any error.

1. host/talktoken with the normal CPython typeshed (as before).
2. firmware/*.py with the Pico's API: the stdlib of `micropython-stdlib-stubs` as mypy's custom
   typeshed and `micropython-rp2-rpi-pico-stubs` (machine, neopixel, rp2, micropython, time, ...)
   on MYPYPATH, with --check-untyped-defs so calls like `machine.Pin(..., pullup=1)` inside the
   (unannotated) firmware are checked. Only errors in the firmware files count: the stubs
   themselves have a few internal inconsistencies that are not ours to fix.

Usage: python tools/typecheck.py [--host-only | --firmware-only] [FIRMWARE_FILE ...]
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRMWARE = ROOT / "firmware"
STUB_DIR = ROOT / "build" / "pico-stubs"
PICO_STUBS_DIST = "micropython-rp2-rpi_pico-stubs"
STDLIB_STUBS_DIST = "micropython-stdlib-stubs"


class StubsMissing(RuntimeError):
    pass


def _dist_files(name: str) -> list[Path]:
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise StubsMissing(f"{name} is not installed: pip install '.[dev]'") from None
    return [Path(str(dist.locate_file(f))) for f in (dist.files or [])]


def pico_stub_paths() -> tuple[Path, Path]:
    """(typeshed dir holding stdlib/, MYPYPATH dir holding machine.pyi etc.), prepared in build/.

    The Pico stubs are installed straight into site-packages, which mypy refuses on MYPYPATH,
    so their .pyi files (and the shared `_mpy_shed` package) are copied to build/pico-stubs.
    """
    stdlib_versions = [p for p in _dist_files(STDLIB_STUBS_DIST) if p.name == "VERSIONS"]
    if not stdlib_versions:
        raise StubsMissing(f"{STDLIB_STUBS_DIST} has no stdlib/VERSIONS")
    typeshed = stdlib_versions[0].parent.parent
    pico = [p for p in _dist_files(PICO_STUBS_DIST) if p.suffix == ".pyi"]
    shed = [p for p in _dist_files(STDLIB_STUBS_DIST) if "_mpy_shed" in p.parts]
    if not pico:
        raise StubsMissing(f"{PICO_STUBS_DIST} has no .pyi files")
    site = _site_root(pico)
    for src in pico + [p for p in shed if p.suffix == ".pyi"]:
        dst = STUB_DIR / src.relative_to(site)
        data = src.read_bytes()
        if dst.exists() and dst.read_bytes() == data:
            continue  # (copy only what changed: concurrent runs never see a half-made tree)
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f"{dst.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dst)
    return typeshed, STUB_DIR


def _site_root(files: list[Path]) -> Path:
    machine = [p for p in files if p.name == "machine.pyi"]
    if not machine:
        raise StubsMissing(f"{PICO_STUBS_DIST} has no machine.pyi")
    return machine[0].parent


def check_host() -> int:
    cmd = [
        sys.executable,
        "-m",
        "mypy",
        "--ignore-missing-imports",
        "--no-error-summary",
        str(ROOT / "host" / "talktoken"),
    ]
    return subprocess.run(cmd).returncode


def check_firmware(files: list[Path] | None = None) -> tuple[int, str]:
    """mypy the firmware files against the Pico stubs; (number of errors, report text)."""
    typeshed, stubs = pico_stub_paths()
    if files is None:
        files = sorted(p for p in FIRMWARE.glob("*.py") if p.name != "__init__.py")
    wanted = {p.resolve() for p in files}
    env = dict(os.environ, MYPYPATH=os.pathsep.join([str(stubs), str(FIRMWARE)]))
    cmd = [
        sys.executable,
        "-m",
        "mypy",
        "--custom-typeshed-dir",
        str(typeshed),
        "--no-site-packages",
        "--explicit-package-bases",
        "--check-untyped-defs",
        "--no-error-summary",
        "--show-error-codes",
        "--cache-dir",
        str(ROOT / "build" / "mypy-firmware"),
        *[str(p) for p in files],
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(files[0].parent), env=env)
    lines = []
    errors = 0
    for line in (proc.stdout + proc.stderr).splitlines():
        head = line.split(":", 1)[0]
        path = (files[0].parent / head).resolve() if head else None
        if path in wanted:
            lines.append(line)
            if ": error:" in line:
                errors += 1
        elif line.startswith("mypy:") or "Traceback" in line:
            lines.append(line)  # mypy itself failed
            errors += 1
    return errors, "\n".join(lines)


def main(argv: list[str]) -> int:
    host = "--firmware-only" not in argv
    fw = "--host-only" not in argv
    files = [Path(a) for a in argv if not a.startswith("--")] or None
    rc = 0
    if host and files is None and check_host() != 0:
        rc = 1
    if fw:
        try:
            errors, text = check_firmware(files)
        except StubsMissing as exc:
            print(f"typecheck: {exc}", file=sys.stderr)
            return 2
        if text:
            print(text)
        if errors:
            print(f"typecheck: {errors} error(s) in firmware against the Pico stubs")
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
