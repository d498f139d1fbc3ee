"""Atomic, durable, owner-only writes (raw sessions, reports, exports) and the sweep of leftovers.

`write_durable(dir, items)` keeps the order that makes a crash harmless:
  1. every file is written to `<name>.tmp` and its data fsync'ed (a name never points at data
     that is not on disk: a torn `.ttl` could still decode as a shorter session);
  2. each `.tmp` is renamed over its final name;
  3. the directory is fsync'ed once, so every rename is on disk.
A crash leaves whole files or `.tmp` files (removed by `sweep_tmp`), never a torn `.ttl`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

TMP = ".tmp"


def same_file(path: Path, digest: str) -> bool:
    """True when `path` exists and holds bytes with this SHA-256 (hex)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == digest
    except OSError:
        return False


def _fsync_dir(directory: Path) -> None:
    dfd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def write_durable(directory: Path, items: Iterable[tuple[Path, bytes]]) -> int:
    """Write every (path in `directory`, data) atomically and durably (see module docstring).

    Files are created mode 0600. On an error nothing is renamed that was not fully written,
    leftover `.tmp` files are removed, and the error is raised. Returns the files written.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in items:
            tmp = path.with_name(path.name + TMP)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            staged.append((tmp, path))
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    if staged:
        _fsync_dir(directory)
    return len(staged)


def sweep_tmp(directory: Path) -> None:
    """Remove `.tmp` files a crashed write left behind (they were never renamed: not kept)."""
    for tmp in directory.glob("*" + TMP):
        with contextlib.suppress(OSError):
            tmp.unlink()
