"""One talktoken command per serial port: a lock file, keyed by the port's real path.

The file (in the user runtime directory) is held with an OS lock while a command has the
port open, and names the holder's pid and command, so a second command can say who has it.
The OS drops the lock when the holder exits, even after a crash: a stale file locks nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from talktoken.errors import TalktokenError

command = ""  # the talktoken sub-command running in this process (set by the CLI)
_held: dict[str, list[Any]] = {}  # key -> [file object, count]: re-entrant within one process


class PortBusyError(TalktokenError):
    """Another talktoken command (or another program) has the port open."""

    exit_code = 60


def lock_dir() -> Path:
    """Where the lock files live: the user runtime directory (the cache directory if none)."""
    import platformdirs

    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return Path(runtime) / "talktoken" / "ports"
    return Path(platformdirs.user_cache_dir("talktoken")) / "ports"


def port_key(port: str) -> str:
    """The identity of a port: its real path (symlinks resolved), or its name (COM3, URLs)."""
    if re.match(r"(?i)^(\\\\\.\\)?com\d+$", port):
        return port.upper().removeprefix("\\\\.\\")
    if "://" in port:
        return port
    return os.path.realpath(port)


def _lock_path(key: str) -> Path:
    tail = re.sub(r"[^A-Za-z0-9]+", "_", key)[-32:].strip("_")
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return lock_dir() / f"{tail}-{digest}.lock"


def _try_lock(f: Any) -> bool:
    try:
        if os.name == "nt":
            import msvcrt

            f.seek(1 << 16)  # lock a byte past the text, so others can still read who holds it
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def holder(port: str) -> dict:
    """{"pid", "command"} of the talktoken command holding `port`; {} if unknown."""
    try:
        data = json.loads(_lock_path(port_key(port)).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def busy_message(port: str) -> str:
    """The sentence for a port another command holds."""
    who = holder(port)
    if who.get("pid") and who.get("pid") != os.getpid():
        return (
            f"{port} is in use by another talktoken command (pid {who['pid']}, "
            f"{who.get('command') or '?'}); wait for it to end or stop it, then try again"
        )
    return (
        f"{port} is in use by another program (a terminal, Thonny, mpremote?); "
        "close it, then try again"
    )


def acquire(port: str) -> str:
    """Lock `port` for this process (PortBusyError if another talktoken command has it).

    Returns the key to pass to `release`. A directory for the lock that cannot be made
    (read-only home) leaves only the exclusive open of the port itself as the guard.
    """
    key = port_key(port)
    if key in _held:
        _held[key][1] += 1
        return key
    path = _lock_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        f = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
    except OSError:
        return key
    if not _try_lock(f):
        f.close()
        raise PortBusyError(busy_message(port))
    f.seek(0)
    f.truncate()
    name = command or Path(sys.argv[0]).name
    f.write(json.dumps({"pid": os.getpid(), "command": name, "port": port}))
    f.flush()
    _held[key] = [f, 1]
    return key


def release(key: str) -> None:
    """Undo one `acquire`; the last one empties the file and drops the OS lock."""
    entry = _held.get(key)
    if entry is None:
        return
    entry[1] -= 1
    if entry[1] > 0:
        return
    del _held[key]
    f = entry[0]
    try:
        f.seek(0)
        f.truncate()
    except OSError:
        pass
    f.close()


def sim_marker_path(slave: str) -> Path:
    """Where a running simulator notes that it serves this pty (read by `deploy`)."""
    return lock_dir().parent / "sims" / (port_key(slave).replace("/", "_") + ".json")


def is_sim_port(port: str) -> bool:
    """True when `port` (any path or symlink to it) is served by a running simulator."""
    try:
        path = sim_marker_path(port)
        pid = int(json.loads(path.read_text(encoding="utf-8"))["pid"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True
