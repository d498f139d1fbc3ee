"""SQLite archive of session logs (owner-only files), idempotent import, device reformat checks.

Layout of the archive directory (mode 0700):
  archive.sqlite3            the raw session bytes exactly as pulled (table `blobs`), their
                             index and cached metrics (mode 0600), schema versioned and migrated
  sessions/                  raw `.ttl` files of archives before schema 5 (moved into the
                             database when it is opened) and of `rebuild()` input
The raw bytes are the truth: `rebuild()` recreates the index from them, and `export_raw()`
writes them out as the files the device held. A pull's sessions go in one transaction with one
sync (small blobs are faster inside SQLite than as files); deletions use `secure_delete`, so a
purged session's bytes do not linger in free pages.

Import verifies each file's SHA-256, decodes the whole session and caches its metrics (`summary`,
seat_stats) in the same transaction as its index row. `Archive(..., lazy=True)` (what a pull
uses) decodes only the header at import and computes the metrics once, for every session still
without them, on first use (`sessions()`); summaries missing for any reason (a lazy import, a
new metrics version) are computed then and cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

from talktoken.archive import origins
from talktoken.archive.errors import ArchiveError, CorruptSessionError
from talktoken.archive.files import sweep_tmp, write_durable
from talktoken.archive.origins import device_order, note_origins, order_key
from talktoken.archive.rows import (
    ImportReport,
    ImportResult,
    SessionRow,
    insert_row,
    insert_unsummarized,
    note_device,
)
from talktoken.archive.schema import migrate
from talktoken.metrics import summary as metrics

__all__ = [
    "Archive",
    "ArchiveError",
    "CorruptSessionError",
    "ImportReport",
    "ImportResult",
    "SessionRow",
    "default_dir",
]

DB_NAME = "archive.sqlite3"
SESSIONS_DIR = "sessions"
SUFFIX = ".ttl"


def _default_parser(raw: bytes):
    from talktoken.logfile import read as logread

    return logread.parse(raw)


def _default_header(raw: bytes):
    from talktoken.logfile import read as logread

    return logread.parse_header(raw)


def _header_parser(parser: Callable | None) -> Callable | None:
    """The header-only decoder that accepts exactly what `parser` accepts (None: unknown)."""
    if parser is None or (
        getattr(parser, "__module__", "") == "talktoken.logfile.read"
        and getattr(parser, "__name__", "") == "parse"
    ):
        return _default_header
    return None


def _read(name: str) -> bytes | OSError:
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        return exc


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def default_dir() -> Path:
    """The per-user archive directory (platformdirs user data dir for "talktoken")."""
    import platformdirs

    return Path(platformdirs.user_data_dir("talktoken"))


class Archive:
    """The session archive in directory `path` (default: `default_dir()`).

    `parser(raw) -> SessionLog` defaults to `talktoken.logfile.read.parse`. An import decodes the
    whole session and caches its metrics, so reports read them ready-made. With `lazy=True`
    (and the default parser) it decodes only the header and leaves the metrics to the first
    `sessions()`: a faster import, a slower first report. Summaries missing for any reason (a
    new metrics version, a lazy import) are computed on first use either way.
    """

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        parser: Callable | None = None,
        lazy: bool = False,
    ):
        self.dir = Path(path) if path else default_dir()
        self.parse = parser or _default_parser
        self.parse_header = _header_parser(parser) if lazy else None
        self.files = self.dir / SESSIONS_DIR
        old = os.umask(0o077)  # the db, its journal and every file in here: owner only
        try:
            if self.dir.exists() and not self.dir.is_dir():
                raise ArchiveError(
                    f"the archive {self.dir} is a file, not a folder; give --archive a folder"
                )
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.files.mkdir(mode=0o700, exist_ok=True)
            sweep_tmp(self.files)
            db = self.dir / DB_NAME
            if not db.exists():
                os.close(os.open(db, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            self.db = sqlite3.connect(db)
        except OSError as exc:
            raise ArchiveError(
                f"cannot open the archive {self.dir}: {exc.strerror or exc}; "
                "give --archive a folder you may write to"
            ) from None
        finally:
            os.umask(old)
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA secure_delete = ON")  # purged bytes are overwritten
            migrate(self.db, files_dir=self.files)
            if self._meta("metrics_version") != str(metrics.METRICS_VERSION):
                with self.db:  # metrics changed: every summary is recomputed on first use
                    self.db.execute("UPDATE sessions SET summarized = 0")
                    self._set_meta("metrics_version", str(metrics.METRICS_VERSION))
        except sqlite3.Error as exc:
            self.db.close()
            raise ArchiveError(
                f"the archive database {self.dir / DB_NAME} cannot be used ({exc}); "
                "it is damaged or not talktoken's. Keep a copy of it (it holds the pulled "
                "sessions), then pull into a new --archive"
            ) from None

    # -- small helpers -------------------------------------------------------------------
    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def path_of(self, session_id: str) -> Path:
        """Where the raw file of `session_id` is kept."""
        if not session_id or not all(c in "0123456789abcdef" for c in session_id):
            raise ArchiveError(f"not a session id: {session_id!r}")
        return self.files / (session_id + SUFFIX)

    # -- import ----------------------------------------------------------------------------
    def _decode(self, raw: bytes, expected_sha256: str | None):
        """(SessionLog, sha256 hex) of `raw`, fully decoded with `self.parse`; raises
        CorruptSessionError on a hash mismatch or any decoder failure."""
        digest = hashlib.sha256(raw).hexdigest()
        if expected_sha256 is not None and digest != expected_sha256.lower():
            raise CorruptSessionError(
                f"hash mismatch (got {digest[:16]}, expected {expected_sha256[:16]}): "
                "the file was damaged in transfer; pull it again"
            )
        try:
            log = self.parse(raw)
        except Exception as exc:  # any decoder failure means the file cannot be trusted
            raise CorruptSessionError(f"cannot decode the session file: {exc}") from exc
        return log, digest

    def _decode_header(self, raw: bytes, digest: str, expected_sha256: str | None):
        if expected_sha256 is not None and digest != expected_sha256.lower():
            self._decode(raw, expected_sha256)  # raises the hash mismatch
        assert self.parse_header is not None
        try:
            return self.parse_header(raw), digest
        except Exception as exc:  # a broken header: the file cannot be trusted
            raise CorruptSessionError(f"cannot decode the session file: {exc}") from exc

    def _import_one(self, raw: bytes, expected_sha256: str | None) -> ImportResult:
        """Verify, decode (all, or the header when lazy), store and index one file inside the
        open transaction."""
        digest = hashlib.sha256(raw).hexdigest()
        if expected_sha256 is None or digest == expected_sha256.lower():
            # Fast path: these exact bytes are archived already (the hash covers the session id).
            same = self.db.execute(
                "SELECT session_id FROM sessions WHERE sha256 = ?", (digest,)
            ).fetchone()
            if same:
                return ImportResult(same[0], False)
        if self.parse_header is not None:
            log, digest = self._decode_header(raw, digest, expected_sha256)
        else:
            log, digest = self._decode(raw, expected_sha256)
        known = self.db.execute(
            "SELECT sha256 FROM sessions WHERE session_id = ?", (log.session_id,)
        ).fetchone()
        if known:
            if known[0] == digest:
                return ImportResult(log.session_id, False)
            raise ArchiveError(
                f"session {log.session_id} is already archived with a different hash "
                f"({known[0][:16]}, now {digest[:16]}); kept the archived copy"
            )
        self.db.execute(
            "INSERT OR REPLACE INTO blobs(session_id, raw) VALUES (?, ?)", (log.session_id, raw)
        )
        if self.parse_header is not None:
            insert_unsummarized(self.db, log, digest, _now())
        else:
            insert_row(self.db, log, digest, _now())
        return ImportResult(log.session_id, True)

    def _import_all(self, items: Iterable[tuple[bytes | OSError, str | None]]) -> list:
        """One transaction for every (raw, sha256): results (ImportResult or the
        ArchiveError / OSError of that item); one commit (one sync) for them all."""
        results: list = []
        with self.db:  # rolls back on any other error: nothing of the batch is kept
            for raw, sha in items:
                try:
                    if isinstance(raw, OSError):
                        raise raw
                    results.append(self._import_one(raw, sha))
                except (ArchiveError, OSError) as exc:
                    results.append(exc)
        return results

    def import_raw(self, raw: bytes, expected_sha256: str | None = None) -> ImportResult:
        """Verify `raw` against its sha256 (hex), decode it, keep the file, index it.

        Idempotent: the same session with the same hash changes nothing (`new=False`).
        Raises CorruptSessionError (hash or decode failure, nothing stored) or ArchiveError
        (the same session id already archived with a different hash).
        """
        (result,) = self.import_many([(raw, expected_sha256)])
        if isinstance(result, Exception):
            raise result
        return result

    def import_many(self, items: Iterable[tuple[bytes, str | None]]) -> list:
        """Import many (raw, sha256) pairs as `import_raw` does, in ONE transaction.

        Returns one item per pair: an ImportResult, or the ArchiveError that refused it (the
        others are kept). The bytes and the index rows are committed together (SQLite's
        journal), so `has()` never names a session a crash could lose, and a crash at any point
        leaves every session of the batch either archived and verified or absent.
        """
        return self._import_all(items)

    def import_files(self, paths: Iterable[str | os.PathLike]) -> ImportReport:
        """Import log files in one transaction; corrupted or conflicting files are skipped."""
        report = ImportReport()
        names = [os.fspath(p) for p in paths]
        results = self._import_all((_read(n), None) for n in names)
        for name, result in zip(names, results, strict=True):
            if isinstance(result, Exception):
                report.skipped.append((name, str(result)))
            else:
                (report.new if result.new else report.unchanged).append(result.session_id)
        return report

    def rebuild(self) -> ImportReport:
        """Recreate the index from the stored raw bytes, and take in any `.ttl` files put in
        sessions/ (e.g. from `export_raw` or a backup); bad ones are reported, not indexed.

        Sessions that were indexed keep their import time and import order; the others take
        the time a pull first recorded them (`note_origins`), else now."""
        report = ImportReport()
        with self.db:
            before = self.db.execute(
                "SELECT session_id, imported_at FROM sessions ORDER BY rowid"
            ).fetchall()
            place = {sid: i for i, (sid, _) in enumerate(before)}
            imported = dict(
                self.db.execute(
                    "SELECT session_id, COALESCE(imported_at, seen_at) FROM session_origins"
                ).fetchall()
            )
            imported.update(before)
            self.db.execute("DELETE FROM seat_stats")
            self.db.execute("DELETE FROM sessions")
            stored = self.db.execute("SELECT session_id, raw FROM blobs ORDER BY 1").fetchall()
            stored.sort(key=lambda r: (place.get(r[0], len(place)), r[0]))
            files: list[tuple[str, str, bytes, Path | None]] = [
                (sid, sid, bytes(raw), None) for sid, raw in stored
            ]
            for path in sorted(self.files.glob("*" + SUFFIX)):
                try:
                    files.append((path.name, path.stem, path.read_bytes(), path))
                except OSError as exc:
                    report.skipped.append((path.name, str(exc)))
            taken = []
            for name, sid, raw, source in files:
                try:
                    log, digest = self._decode(raw, None)
                    if sid != log.session_id:
                        raise CorruptSessionError("its name does not match its session id")
                except ArchiveError as exc:
                    report.skipped.append((name if source else f"{name} (stored)", str(exc)))
                    continue
                known = self.db.execute(
                    "SELECT sha256 FROM sessions WHERE session_id = ?", (sid,)
                ).fetchone()
                if known and known[0] != digest:
                    report.skipped.append((name, "a different copy of this session is stored"))
                    continue
                if known:  # the same bytes again (a loose copy): indexed already, in its place
                    if source is not None:
                        taken.append(source)
                    continue
                self.db.execute(
                    "INSERT OR REPLACE INTO blobs(session_id, raw) VALUES (?, ?)", (sid, raw)
                )
                insert_row(self.db, log, digest, imported.get(sid) or _now())
                report.new.append(sid)
                if source is not None:
                    taken.append(source)
            self._set_meta("metrics_version", str(metrics.METRICS_VERSION))
        for path in taken:  # committed: the database holds these bytes now
            with contextlib.suppress(OSError):
                path.unlink()
        return report

    def refresh_summaries(self) -> None:
        """Recompute the cached metrics of every session now (unreadable files are left as they
        are; a metrics change alone only marks them missing: `sessions()` recomputes them)."""
        with self.db:
            rows = self.db.execute("SELECT session_id, imported_at FROM sessions").fetchall()
            for sid, imported_at in rows:
                with contextlib.suppress(ArchiveError, OSError):
                    log, digest = self._decode(self.raw(sid), None)
                    insert_row(self.db, log, digest, imported_at)
            self._set_meta("metrics_version", str(metrics.METRICS_VERSION))

    def summarize_missing(self, ids: Iterable[str] | None = None) -> int:
        """Compute and cache the metrics of the sessions (of `ids`, default all) whose summary
        is missing, in one transaction; returns how many. Each file is checked against its
        archived SHA-256 first; a file that fails raises CorruptSessionError (nothing cached)."""
        sql = "SELECT session_id, sha256, imported_at FROM sessions WHERE summarized = 0"
        rows = self.db.execute(sql).fetchall()
        if ids is not None:
            wanted = set(ids)
            rows = [r for r in rows if r[0] in wanted]
        with self.db:
            for sid, sha, imported_at in rows:
                try:
                    log, digest = self._decode(self.raw(sid), sha)
                except (ArchiveError, OSError) as exc:
                    raise CorruptSessionError(
                        f"session {sid}: its archived bytes fail their check ({exc}); "
                        "restore the archive from a backup or pull the session again"
                    ) from exc
                insert_row(self.db, log, digest, imported_at)
        return len(rows)

    # -- queries ---------------------------------------------------------------------------
    def has(self, session_id: str, sha256: str) -> bool:
        """True when this session is archived with exactly this hash."""
        row = self.db.execute(
            "SELECT 1 FROM sessions WHERE session_id = ? AND sha256 = ?",
            (session_id, sha256.lower()),
        ).fetchone()
        return row is not None

    def hashes(self, ids: Iterable[str]) -> dict[str, str]:
        """session id -> archived sha256, for those of `ids` the archive holds."""
        wanted = list(ids)
        out: dict[str, str] = {}
        for i in range(0, len(wanted), 500):  # SQLite limits the variables of one statement
            part = wanted[i : i + 500]
            sql = "SELECT session_id, sha256 FROM sessions WHERE session_id IN ({})"
            out.update(self.db.execute(sql.format(",".join("?" * len(part))), part).fetchall())
        return out

    def sessions(
        self,
        since: str | None = None,
        ids: Iterable[str] | None = None,
        agenda_name: str | None = None,
        until_sort: str | None = None,
        damaged: dict[str, str] | None = None,
    ) -> list[SessionRow]:
        """Archived sessions, oldest first (by wall-clock start, else import time).

        since/until_sort: ISO dates compared with that sort time; ids: only these sessions.
        With `damaged` (a dict), a session whose summary must be recomputed but whose file is
        missing or fails its check is left out and recorded there ({session_id: problem});
        without it such a session raises CorruptSessionError.
        """
        sql = (
            "SELECT session_id, sha256, agenda_name, started_at, imported_at, device_id,"
            " complete, duration_ms, summary, summarized FROM sessions WHERE 1=1"
        )
        args: list = []
        if since:
            sql += " AND sort_at >= ?"
            args.append(since)
        if until_sort:
            sql += " AND sort_at <= ?"
            args.append(until_sort)
        if agenda_name is not None:
            sql += " AND agenda_name = ?"
            args.append(agenda_name)
        if ids is not None:
            wanted = list(ids)
            sql += " AND session_id IN ({})".format(",".join("?" * len(wanted)))
            args.extend(wanted)
        sql += " ORDER BY sort_at, " + origins.DEVICE_ORDER_SQL
        rows = self.db.execute(sql, args).fetchall()
        missing = [r[0] for r in rows if not r[9]]
        if missing and damaged is None:  # summaries computed on first use, cached for the next
            self.summarize_missing(missing)
            rows = self.db.execute(sql, args).fetchall()
        elif missing and damaged is not None:
            for sid in missing:  # one at a time: one bad file does not spoil the others
                try:
                    self.summarize_missing([sid])
                except CorruptSessionError as exc:
                    damaged[sid] = str(exc)
            rows = [r for r in self.db.execute(sql, args).fetchall() if r[0] not in damaged]
        return [
            SessionRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], json.loads(r[8]))
            for r in rows
        ]

    def find(self, prefix: str) -> str:
        """The one session id starting with `prefix` (at least 4 hex characters)."""
        prefix = prefix.lower()
        if len(prefix) < 4:
            raise ArchiveError("give at least 4 characters of the session id")
        rows = self.db.execute(
            "SELECT session_id FROM sessions WHERE substr(session_id, 1, ?) = ?",
            (len(prefix), prefix),
        ).fetchall()
        if not rows:
            raise ArchiveError(f"no archived session starts with {prefix}")
        if len(rows) > 1:
            raise ArchiveError(f"{prefix} matches {len(rows)} sessions; give more characters")
        return rows[0][0]

    def load(self, session_id: str):
        """The decoded SessionLog of an archived session, re-read from its raw file."""
        row = self.db.execute(
            "SELECT sha256 FROM sessions WHERE session_id = ?", (session_id,)
        ).fetchone()
        if not row:
            raise ArchiveError(f"session {session_id} is not in the archive")
        log, _ = self._decode(self.raw(session_id), row[0])
        return log

    def raw(self, session_id: str) -> bytes:
        """The stored raw bytes of an archived session, exactly as pulled."""
        row = self.db.execute(
            "SELECT raw FROM blobs WHERE session_id = ?", (session_id,)
        ).fetchone()
        if not row:
            raise ArchiveError(f"session {session_id} has no stored bytes in the archive")
        return bytes(row[0])

    def export_raw(self, directory: str | os.PathLike, ids: Iterable[str] | None = None) -> list:
        """Write each stored session (of `ids`, default all) as `<session_id>.ttl` into
        `directory`, atomically and durably, owner-only; returns the paths written."""
        out = Path(directory)
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        if ids is None:
            wanted = [r[0] for r in self.db.execute("SELECT session_id FROM sessions ORDER BY 1")]
        else:
            wanted = list(ids)
        items = [(out / (sid + SUFFIX), self.raw(sid)) for sid in wanted]
        write_durable(out, items)
        return [p for p, _ in items]

    # -- dates set by hand ----------------------------------------------------------------
    def set_date(self, session_id: str, date_iso: str) -> None:
        """Store the facilitator's date for a session (replacing an earlier one)."""
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO session_dates(session_id, date, set_at) VALUES (?, ?, ?)",
                (session_id, date_iso, _now()),
            )

    def hand_dates(self) -> dict[str, str]:
        """session_id -> the date set by hand (ISO), for the sessions that have one."""
        return dict(self.db.execute("SELECT session_id, date FROM session_dates").fetchall())

    def dating_rows(self) -> list[tuple[str, str, str | None, str]]:
        """(session_id, device_id, started_at, imported_at) of every session, each device's in
        the order the device recorded them: by storage (the one pulls saw earlier first; a
        reformat starts a new one), then file number, as pulls recorded them (`note_origins`).
        Sessions without a recorded file name keep their place in import order."""
        rows = self.db.execute(
            "SELECT s.session_id, s.device_id, s.started_at, s.imported_at, o.fs_id, o.number,"
            " (SELECT MIN(e.pull) FROM session_origins e WHERE e.fs_id = o.fs_id)"
            " FROM sessions s LEFT JOIN session_origins o"
            " ON o.session_id = s.session_id AND o.number IS NOT NULL"
            " ORDER BY s.rowid"
        ).fetchall()
        keyed = [
            (sid, dev, started, imported, None if fs is None else order_key(epoch, fs, number))
            for sid, dev, started, imported, fs, number, epoch in rows
        ]
        return device_order(keyed)

    # -- where sessions lay on their device -------------------------------------------------
    def note_origins(self, device_id: str, fs_id: str, pairs: Iterable[tuple[str, str]]) -> int:
        """Record the device file name of each (session_id, name) pulled from `device_id`,
        whose storage had marker `fs_id` (info's `fs_id`): the device's order of sessions
        (`dating_rows`) then survives `rebuild` and re-imports. A session's first record
        stays. Returns how many were recorded now."""
        try:
            with self.db:
                return note_origins(self.db, device_id, fs_id, pairs, _now())
        except sqlite3.Error as exc:
            raise ArchiveError(f"cannot record the device file names: {exc}") from None

    # -- devices ---------------------------------------------------------------------------
    def note_device(self, device_id: str, fs_id: str, session_names: Iterable[str]) -> list[str]:
        """Remember the device's filesystem marker; warn when it changed (a reformat).

        Returns human-readable warnings (empty when all is as last seen).
        """
        with self.db:
            return note_device(self.db, device_id, fs_id, session_names, _now())
