"""The archive's life cycle: `verify` (re-hash and check the index), `purge` (remove old
sessions durably) and `info` (where, how many, how large, oldest and newest)."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from talktoken.archive import origins
from talktoken.archive.errors import ArchiveError
from talktoken.archive.schema import version
from talktoken.archive.store import DB_NAME, SUFFIX, Archive


class ArchiveDamagedError(ArchiveError):
    """`archive verify` found sessions whose bytes or index rows do not agree."""

    exit_code = 91


@dataclass
class VerifyReport:
    """What `verify` checked: sessions that agree, damaged (session id, reason), and
    problems of the database or the folder that belong to no one session."""

    ok: list[str] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when every session and the index agree."""
        return not self.damaged and not self.problems

    def as_dict(self) -> dict:
        """Plain data for --json."""
        return {
            "clean": self.clean,
            "checked": len(self.ok) + len(self.damaged),
            "ok": len(self.ok),
            "damaged": [{"session_id": s, "reason": r} for s, r in self.damaged],
            "problems": list(self.problems),
        }


def _header_id(arc: Archive, raw: bytes) -> str:
    from talktoken.logfile import read as logread

    return logread.parse_header(raw).session_id


def verify(arc: Archive) -> VerifyReport:
    """Re-hash every stored session against its recorded SHA-256, check that its header names
    it and that its index rows and cached summary are whole; check the database itself."""
    report = VerifyReport()
    integrity = [r[0] for r in arc.db.execute("PRAGMA integrity_check").fetchall()]
    if integrity != ["ok"]:
        report.problems.extend(f"database: {line}" for line in integrity)
    for table, rowid, parent, _ in arc.db.execute("PRAGMA foreign_key_check").fetchall():
        report.problems.append(f"database: row {rowid} of {table} points at no {parent} row")
    rows = arc.db.execute(
        "SELECT sessions.session_id, sessions.sha256, sessions.summarized, sessions.summary,"
        " b.raw, (SELECT COUNT(*) FROM seat_stats t WHERE t.session_id = sessions.session_id),"
        " sessions.seats"
        " FROM sessions LEFT JOIN blobs b USING (session_id) ORDER BY sessions.sort_at, "
        + origins.DEVICE_ORDER_SQL
    ).fetchall()
    for sid, sha, summarized, summary, raw, n_stats, seats in rows:
        if raw is None:
            report.damaged.append((sid, "indexed, but its bytes are missing"))
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if digest != sha:
            report.damaged.append((sid, f"its bytes hash to {digest[:16]}, recorded {sha[:16]}"))
            continue
        try:
            named = _header_id(arc, bytes(raw))
        except Exception as exc:  # a decoder failure of any kind: the bytes cannot be trusted
            report.damaged.append((sid, f"its bytes do not decode: {exc}"))
            continue
        if named != sid:
            report.damaged.append((sid, f"its bytes are session {named}"))
            continue
        if summarized:
            try:
                whole = json.loads(summary).get("session_id") == sid
            except ValueError:
                whole = False
            if not whole or n_stats != seats:
                report.damaged.append((sid, "its cached summary is damaged (archive rebuild)"))
                continue
        report.ok.append(sid)
    orphans = arc.db.execute(
        "SELECT session_id FROM blobs WHERE session_id NOT IN (SELECT session_id FROM sessions)"
    ).fetchall()
    for (sid,) in orphans:
        report.damaged.append((sid, "stored, but not in the index (archive rebuild)"))
    loose = sorted(p.name for p in arc.files.glob("*" + SUFFIX))
    if loose:
        report.problems.append(
            f"{len(loose)} file(s) in {arc.files} are not in the archive ({', '.join(loose[:3])}"
            f"{', ...' if len(loose) > 3 else ''}): `talktoken archive rebuild` takes them in"
        )
    return report


def cutoff(
    before: str | None = None, older_than_days: int | None = None, now: datetime | None = None
) -> str:
    """The ISO time (UTC) before which sessions are purged: `before` (YYYY-MM-DD, midnight
    UTC, or an ISO date-time) or `older_than_days` days before `now`."""
    if (before is None) == (older_than_days is None):
        raise ArchiveError("give one of --before DATE or --older-than DAYS")
    if older_than_days is not None:
        if older_than_days < 0:
            raise ArchiveError("--older-than wants a number of days, 0 or more")
        when = (now or datetime.now(timezone.utc)) - timedelta(days=older_than_days)
    else:
        assert before is not None
        try:
            if len(before) == 10:
                d = date.fromisoformat(before)
                when = datetime(d.year, d.month, d.day, tzinfo=timezone.utc)
            else:
                when = datetime.fromisoformat(before)
        except ValueError as exc:
            raise ArchiveError(f"--before wants a date like 2025-03-04, not {before!r}") from exc
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def purge_candidates(arc: Archive, before_iso: str) -> list[tuple[str, str]]:
    """(session id, sort time) of the sessions that started (else were imported) before
    `before_iso`, oldest first."""
    return arc.db.execute(
        "SELECT session_id, sort_at FROM sessions WHERE sort_at < ? ORDER BY sort_at, "
        + origins.DEVICE_ORDER_SQL,
        (before_iso,),
    ).fetchall()


def purge(arc: Archive, ids: list[str]) -> int:
    """Remove these sessions (bytes, index rows, cached metrics, hand dates, device file names)
    in ONE transaction: a kill at any moment leaves each of them whole or gone, never half.
    Returns how many were removed. Freed pages are overwritten (secure_delete), and any loose
    `.ttl` file of theirs in sessions/ goes after the commit."""
    removed = 0
    with arc.db:
        for sid in ids:
            arc.db.execute("DELETE FROM seat_stats WHERE session_id = ?", (sid,))
            removed += arc.db.execute("DELETE FROM sessions WHERE session_id = ?", (sid,)).rowcount
            arc.db.execute("DELETE FROM blobs WHERE session_id = ?", (sid,))
            arc.db.execute("DELETE FROM session_dates WHERE session_id = ?", (sid,))
            arc.db.execute("DELETE FROM session_origins WHERE session_id = ?", (sid,))
    for sid in ids:
        with contextlib.suppress(OSError, ArchiveError):
            arc.path_of(sid).unlink()
    return removed


def info(arc: Archive) -> dict:
    """Where the archive is, how many sessions, how large (bytes), the oldest and newest."""
    n, raw_bytes, oldest, newest = arc.db.execute(
        "SELECT COUNT(*), COALESCE(SUM(LENGTH(b.raw)), 0), MIN(s.sort_at), MAX(s.sort_at)"
        " FROM sessions s LEFT JOIN blobs b USING (session_id)"
    ).fetchone()
    db_bytes = sum(p.stat().st_size for p in arc.dir.glob(DB_NAME + "*") if p.is_file())
    return {
        "path": str(arc.dir),
        "database": str(arc.dir / DB_NAME),
        "schema_version": version(arc.db),
        "sessions": n,
        "raw_bytes": raw_bytes,
        "size_bytes": db_bytes,
        "oldest": oldest,
        "newest": newest,
    }
