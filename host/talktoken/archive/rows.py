"""Index rows of the archive (talktoken.archive.store re-exports the dataclasses)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from talktoken.metrics import summary as metrics


@dataclass(frozen=True)
class ImportResult:
    """Outcome of one import: `new` is False when the same session and hash were already there."""

    session_id: str
    new: bool


@dataclass
class ImportReport:
    """Outcome of a batch import: new and unchanged session ids, skipped (name, reason) pairs."""

    new: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class SessionRow:
    """One archived session as listed by `Archive.sessions()`; `summary` = metrics.summarize()."""

    session_id: str
    sha256: str
    agenda_name: str
    started_at: str | None
    imported_at: str
    device_id: str
    complete: bool
    duration_ms: int
    summary: dict


def insert_row(db: sqlite3.Connection, log, digest: str, imported_at: str) -> None:
    """Index one decoded session (replacing its rows): sessions + seat_stats, cached metrics."""
    summary = metrics.summarize(log)
    summary["imported_at"] = imported_at
    started = summary["started_at"]
    db.execute(
        "INSERT OR REPLACE INTO sessions(session_id, sha256, device_id, firmware,"
        " format_version, agenda_name, agenda_hash, seats, started_at, imported_at, sort_at,"
        " complete, duration_ms, summary, summarized) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)",
        (
            log.session_id,
            digest,
            log.device_id,
            log.firmware,
            log.format_version,
            log.agenda_name,
            log.agenda_hash,
            log.seats,
            started,
            imported_at,
            started or imported_at,
            int(bool(log.complete)),
            summary["duration_ms"],
            json.dumps(summary, separators=(",", ":")),
        ),
    )
    db.execute("DELETE FROM seat_stats WHERE session_id = ?", (log.session_id,))
    db.executemany(
        "INSERT INTO seat_stats(session_id, seat, facilitator, talk_ms, share, turns, passes)"
        " VALUES (?,?,?,?,?,?,?)",
        [
            (
                log.session_id,
                r["seat"],
                int(r["facilitator"]),
                r["talk_ms"],
                r["share"],
                r["turns"],
                r["passes"],
            )
            for r in summary["seats"]
        ],
    )


def insert_unsummarized(db: sqlite3.Connection, head, digest: str, imported_at: str) -> None:
    """Index one session from its header alone (`head`: a SessionLog without events, e.g.
    logread.parse_header): the row marks its summary missing (`summarized` 0; complete,
    duration_ms and summary are placeholders) until `insert_row` replaces it on first use."""
    started = head.started_at.isoformat() if head.started_at else None
    db.execute(
        "INSERT OR REPLACE INTO sessions(session_id, sha256, device_id, firmware,"
        " format_version, agenda_name, agenda_hash, seats, started_at, imported_at, sort_at,"
        " complete, duration_ms, summary, summarized) VALUES (?,?,?,?,?,?,?,?,?,?,?,0,0,'{}',0)",
        (
            head.session_id,
            digest,
            head.device_id,
            head.firmware,
            head.format_version,
            head.agenda_name,
            head.agenda_hash,
            head.seats,
            started,
            imported_at,
            started or imported_at,
        ),
    )
    db.execute("DELETE FROM seat_stats WHERE session_id = ?", (head.session_id,))


def note_device(
    db: sqlite3.Connection, device_id: str, fs_id: str, session_names: Iterable[str], now: str
) -> list[str]:
    """Record the device's filesystem marker and names; warnings when the marker changed."""
    names = sorted(session_names)
    warnings = []
    row = db.execute(
        "SELECT fs_id, last_seen, names FROM devices WHERE device_id = ?", (device_id,)
    ).fetchone()
    if row and row[0] != fs_id:
        before = json.loads(row[2])
        warnings.append(
            "device {}: its log storage was reformatted since {} (marker {}, now {}); "
            "sessions that were on it and not pulled before then are lost{}".format(
                device_id,
                row[1],
                row[0],
                fs_id,
                f" ({len(before)} session file(s) were listed then)" if before else "",
            )
        )
    db.execute(
        "INSERT INTO devices(device_id, fs_id, first_seen, last_seen, names)"
        " VALUES (?,?,?,?,?) ON CONFLICT(device_id) DO UPDATE SET fs_id = excluded.fs_id,"
        " last_seen = excluded.last_seen, names = excluded.names",
        (device_id, fs_id, now, now, json.dumps(names)),
    )
    return warnings
