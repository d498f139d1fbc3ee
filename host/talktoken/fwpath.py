# Where the firmware sources live, and how CPython imports them (for the simulator and tests).
"""Locate the firmware tree and make its modules importable under CPython."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
SHIM_DIR = _HERE / "vmshim"


def firmware_dir() -> Path:
    """Directory holding the device's .py files (firmware/ in a checkout)."""
    candidate = _HERE.parents[1] / "firmware"
    if (candidate / "events.py").is_file():
        return candidate
    import talktoken.firmware as packaged  # installed as package data

    return Path(next(iter(packaged.__path__)))


def enable_firmware_imports() -> Path:
    """Put the firmware and the CPython `micropython` shim on sys.path; return the firmware dir."""
    fw = firmware_dir()
    for path in (str(SHIM_DIR), str(fw)):
        if path not in sys.path:
            sys.path.insert(0, path)
    return fw
