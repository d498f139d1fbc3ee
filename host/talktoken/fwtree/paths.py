"""Where the firmware sources live, and how CPython imports them without shadowing host modules."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
SHIM_DIR = _HERE / "vmshim"


def firmware_dir() -> Path:
    """Directory holding the device's .py files (firmware/ in a checkout)."""
    candidate = _HERE.parents[2] / "firmware"
    if (candidate / "events.py").is_file():
        return candidate
    import talktoken.firmware as packaged  # installed as package data

    return Path(next(iter(packaged.__path__)))


class _FirmwareFinder(importlib.machinery.PathFinder):
    """Finds exactly the firmware's own modules and the `micropython` shim, nothing else.

    The firmware imports its modules by bare name (`import events`), as on the device. Putting
    firmware/ on sys.path would let every one of those names (app, board, events, ui, ...)
    shadow other modules for the whole host process; this finder answers only for the names
    the firmware tree defines, so any other import resolves as if the firmware were not there.
    """

    def __init__(self, fw: Path) -> None:
        self.dirs = [str(SHIM_DIR), str(fw)]
        self.names = {p.stem for p in fw.glob("*.py") if p.stem != "__init__"} | {"micropython"}

    def find_spec(self, fullname, path=None, target=None):  # type: ignore[override]
        """A spec for a firmware module or the shim; None for every other name."""
        if path is not None or fullname not in self.names:
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, self.dirs)


_finder: _FirmwareFinder | None = None


def enable_firmware_imports() -> Path:
    """Let CPython import the firmware's modules by their bare names; return the firmware dir."""
    global _finder
    if _finder is None:
        _finder = _FirmwareFinder(firmware_dir())
        sys.meta_path.insert(0, _finder)
    return firmware_dir()
