"""Schema versions of the archive database; `migrate(db)` brings any older file up to date."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from pathlib import Path

from talktoken.errors import TalktokenError

MIGRATIONS: list[tuple[int, str]] = [
    (
        1,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE sessions (
            session_id TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            device_id TEXT NOT NULL,
            firmware TEXT NOT NULL,
            format_version INTEGER NOT NULL,
            agenda_name TEXT NOT NULL,
            agenda_hash TEXT NOT NULL,
            seats INTEGER NOT NULL,
            started_at TEXT,
            imported_at TEXT NOT NULL,
            sort_at TEXT NOT NULL,
            complete INTEGER NOT NULL,
            duration_ms INTEGER NOT NULL,
            summary TEXT NOT NULL
        );
        CREATE INDEX sessions_sort ON sessions(sort_at);
        CREATE TABLE seat_stats (
            session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
            seat INTEGER NOT NULL,
            facilitator INTEGER NOT NULL,
            talk_ms INTEGER NOT NULL,
            share REAL,
            turns INTEGER NOT NULL,
            passes INTEGER NOT NULL,
            PRIMARY KEY (session_id, seat)
        );
        """,
    ),
    (
        2,
        """
        CREATE TABLE devices (
            device_id TEXT PRIMARY KEY,
            fs_id TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            names TEXT NOT NULL
        );
        """,
    ),
    (3, "CREATE INDEX sessions_sha256 ON sessions(sha256);"),
    # 4: summaries computed on first use; 0 = complete, duration_ms, summary and seat_stats
    # are placeholders until Archive.sessions() computes them (older rows have theirs).
    (4, "ALTER TABLE sessions ADD COLUMN summarized INTEGER NOT NULL DEFAULT 1;"),
    # 5: the raw session bytes move into the database (one transaction and one sync a pull,
    # not a file sync each); `move_files_in` below copies the sessions/<id>.ttl files in.
    (
        5,
        """
        CREATE TABLE blobs (session_id TEXT PRIMARY KEY, raw BLOB NOT NULL);
        """,
    ),
    # 6: dates the facilitator gave by hand (`talktoken logs date`) to sessions the device
    # recorded without a wall clock; never overwrite started_at, which stays the device's word.
    # No foreign key: `rebuild` empties `sessions`, and the facilitator's dates must survive it.
    (
        6,
        """
        CREATE TABLE session_dates (
            session_id TEXT PRIMARY KEY,
            date TEXT NOT NULL,
            set_at TEXT NOT NULL
        );
        """,
    ),
    # 7: where each pulled session lay on its device: the file name (`s00042.ttl`; its number
    # only goes up until the storage is reformatted) and the storage's marker `fs_id` then, so
    # the device's order of sessions survives `rebuild` and re-imports. `pull` counts the
    # recording pulls (the lowest of an fs_id says which storage the archive saw first; two
    # pulls can share a second of `seen_at`); `imported_at`: the session's import time then,
    # for `rebuild` of a lost index. No foreign key, as 6.
    (
        7,
        """
        CREATE TABLE session_origins (
            session_id TEXT PRIMARY KEY,
            device_id TEXT NOT NULL,
            fs_id TEXT NOT NULL,
            name TEXT NOT NULL,
            number INTEGER,
            pull INTEGER NOT NULL,
            seen_at TEXT NOT NULL,
            imported_at TEXT
        );
        """,
    ),
]

LATEST = MIGRATIONS[-1][0]


class SchemaError(TalktokenError):
    """The archive was written by a newer talktoken (or is not an archive)."""

    exit_code = 5


def version(db: sqlite3.Connection) -> int:
    """The schema version recorded in the file (0 for an empty database)."""
    has = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if not has:
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] or 0


def move_files_in(db: sqlite3.Connection, files_dir: Path | None) -> list[Path]:
    """Migration 5's data step, inside its transaction: copy each indexed session's
    `<id>.ttl` from `files_dir` into `blobs` when its SHA-256 is the recorded one. Returns the
    files copied (the caller removes them after the commit; a file that fails its check stays
    where it is, and `Archive.verify` names its session)."""
    moved: list[Path] = []
    if files_dir is None:
        return moved
    for sid, sha in db.execute("SELECT session_id, sha256 FROM sessions").fetchall():
        path = files_dir / f"{sid}.ttl"
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(raw).hexdigest() == sha:
            db.execute("INSERT OR REPLACE INTO blobs(session_id, raw) VALUES (?, ?)", (sid, raw))
            moved.append(path)
    return moved


def migrate(db: sqlite3.Connection, upto: int = LATEST, files_dir: Path | None = None) -> int:
    """Apply every migration newer than the file's version (each in its own transaction).

    `files_dir` is the archive's sessions/ folder, whose raw files migration 5 moves into the
    database; the files it moved are removed once that migration is committed."""
    current = version(db)
    if current > LATEST:
        raise SchemaError(
            f"the archive has schema version {current}, newer than this talktoken knows "
            f"({LATEST}); upgrade talktoken"
        )
    for number, sql in MIGRATIONS:
        if current < number <= upto:
            script = (
                "BEGIN;\nCREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);\n"
            )
            script += sql + f"\nINSERT INTO schema_version(version) VALUES ({number});"
            moved: list[Path] = []
            try:
                db.executescript(script)  # leaves the transaction open
                if number == 5:
                    moved = move_files_in(db, files_dir)
                db.commit()
            except (sqlite3.Error, OSError) as exc:
                db.rollback()
                raise SchemaError(f"cannot migrate the archive to version {number}: {exc}") from exc
            for path in moved:  # committed: the database holds these bytes now
                with contextlib.suppress(OSError):
                    path.unlink()
            current = number
    return current
