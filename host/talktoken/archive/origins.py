"""Where each session lay on its device (file name, storage marker), and the device's order."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

_NAME = re.compile(r"s(\d+)\.ttl")


# SQL for ORDER BY after the sort time, on the `sessions` table: sessions with the same sort
# time (undated ones pulled together share their import time) in the device's order (the
# first pull that saw each, then its file number), then import order.
DEVICE_ORDER_SQL = (
    "(SELECT o.pull FROM session_origins o WHERE o.session_id = sessions.session_id),"
    " (SELECT o.number FROM session_origins o WHERE o.session_id = sessions.session_id),"
    " sessions.rowid"
)


def file_number(name: str) -> int | None:
    """The sequence number in a device file name (`s00042.ttl` or `/tt/s00042.ttl` -> 42), or
    None for a name that is not the device's."""
    m = _NAME.fullmatch(name.rsplit("/", 1)[-1])
    return int(m.group(1)) if m else None


def note_origins(
    db: sqlite3.Connection,
    device_id: str,
    fs_id: str,
    pairs: Iterable[tuple[str, str]],
    now: str,
) -> int:
    """Record (session_id, file name) pairs seen on `device_id` with storage marker `fs_id`.

    Each call is one `pull` (numbered up from 1; the lowest of an fs_id says which storage
    the archive saw first) at `seen_at` = `now`; for an indexed session, `device_id` and
    `imported_at` are the ones of its index row (the id its bytes name, its import time).
    The first record of a session stays (a later pull sees the same file). Returns how many
    were recorded now."""
    before = db.total_changes
    (pull,) = db.execute("SELECT COALESCE(MAX(pull), 0) + 1 FROM session_origins").fetchone()
    db.executemany(
        "INSERT OR IGNORE INTO session_origins(session_id, device_id, fs_id, name, number,"
        " pull, seen_at, imported_at) SELECT ?1, COALESCE(s.device_id, ?2), ?3, ?4, ?5, ?6, ?7,"
        " s.imported_at FROM (SELECT 1) LEFT JOIN sessions s ON s.session_id = ?1",
        [(sid, device_id, fs_id, name, file_number(name), pull, now) for sid, name in pairs],
    )
    return db.total_changes - before


def order_key(first_pull: int, fs_id: str, number: int) -> tuple[int, str, int]:
    """Sort key of a named session within its device: the first pull that saw its storage (a
    reformat starts a later storage), then the file number (it only goes up on one storage)."""
    return (first_pull, fs_id, number)


def device_order(rows: list[tuple]) -> list[tuple]:
    """Rows (..., device_id at index 1, ..., key) in import order -> the device's order.

    `key` (the last item) is `order_key(...)` for a session whose file name a pull recorded,
    None otherwise. Within each device, the sessions with a key are sorted by it in the places
    they hold in import order; the others keep their place (import order is all that is known
    of them, e.g. sessions of an archive older than schema 7). Returns the rows without `key`.
    """
    slots: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        if row[-1] is not None:
            slots.setdefault(row[1], []).append(i)
    out = list(rows)
    for places in slots.values():
        ranked = sorted((rows[i] for i in places), key=lambda r: r[-1])
        for i, row in zip(places, ranked, strict=True):
            out[i] = row
    return [row[:-1] for row in out]
