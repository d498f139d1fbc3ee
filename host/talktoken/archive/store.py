"""SQLite archive of session logs (owner-only files), idempotent import, device reformat checks.

Layout of the archive directory (mode 0700):
  archive.sqlite3            index + cached metrics (mode 0600), schema versioned and migrated
  sessions/<session_id>.ttl  the raw log files exactly as pulled (mode 0600), written atomically
The raw files are the truth: `rebuild()` recreates the index from them.

Import keeps a verified file and its index row from the header alone; each session's metrics
(`summary`, seat_stats) are computed on first use (`sessions()`) and cached in the same database.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

from talktoken.archive import importing as archive_import
from talktoken.archive import summaries as archive_summaries
from talktoken.archive.errors import ArchiveError as ArchiveError
from talktoken.archive.errors import CorruptSessionError as CorruptSessionError
from talktoken.archive.files import same_file as same_file
from talktoken.archive.files import sweep_tmp
from talktoken.archive.files import write_durable as write_durable
from talktoken.archive.importing import _default_header as _default_header
from talktoken.archive.importing import _default_parser, _header_parser, _now, _read
from talktoken.archive.rows import ImportReport, SessionRow, insert_row, note_device
from talktoken.archive.rows import ImportResult as ImportResult
from talktoken.archive.rows import insert_unsummarized as insert_unsummarized
from talktoken.archive.schema import migrate
from talktoken.errors import TalktokenError as TalktokenError
from talktoken.metrics import summary as metrics

DB_NAME = "archive.sqlite3"
SESSIONS_DIR = "sessions"
SUFFIX = ".ttl"


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
            migrate(self.db)
            if self._meta("metrics_version") != str(metrics.METRICS_VERSION):
                with self.db:  # metrics changed: every summary is recomputed on first use
                    self.db.execute("UPDATE sessions SET summarized = 0")
                    self._set_meta("metrics_version", str(metrics.METRICS_VERSION))
        except sqlite3.Error as exc:
            self.db.close()
            raise ArchiveError(
                f"the archive database {self.dir / DB_NAME} cannot be used ({exc}); "
                "it is damaged or not talktoken's: move it away (the session files in "
                f"{self.files} are kept) and run the command again"
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
        return archive_import.decode(self, raw, expected_sha256)

    def _import_all(self, items: Iterable[tuple[bytes | OSError, str | None]]) -> list:
        return archive_import.import_all(self, items)

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
        others are kept). The new files are written and made durable (fsync of each file, one
        of the directory) before the index commit, so `has()` never names a file that a crash
        could lose, and a crash at any point leaves no partial or duplicate session.
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
        """Recreate the index from the raw files in sessions/ (bad files reported, not indexed)."""
        report = ImportReport()
        with self.db:
            self.db.execute("DELETE FROM seat_stats")
            self.db.execute("DELETE FROM sessions")
            for path in sorted(self.files.glob("*" + SUFFIX)):
                try:
                    log, digest = self._decode(path.read_bytes(), None)
                    if path.stem != log.session_id:
                        raise CorruptSessionError("file name does not match its session id")
                except (ArchiveError, OSError) as exc:
                    report.skipped.append((path.name, str(exc)))
                    continue
                insert_row(self.db, log, digest, _now())
                report.new.append(log.session_id)
            self._set_meta("metrics_version", str(metrics.METRICS_VERSION))
        return report

    def refresh_summaries(self) -> None:
        """Recompute the cached metrics of every session now (a metrics change alone only
        marks them missing: `sessions()` recomputes them on first use)."""
        archive_summaries.refresh_summaries(self)

    def summarize_missing(self, ids: Iterable[str] | None = None) -> int:
        """Compute and cache the metrics of the sessions (of `ids`, default all) whose summary
        is missing, in one transaction; returns how many. Each file is checked against its
        archived SHA-256 first; a file that fails raises CorruptSessionError (nothing cached)."""
        return archive_summaries.summarize_missing(self, ids)

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
    ) -> list[SessionRow]:
        """Archived sessions, oldest first (by wall-clock start, else import time).

        since/until_sort: ISO dates compared with that sort time; ids: only these sessions.
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
        sql += " ORDER BY sort_at, session_id"
        rows = self.db.execute(sql, args).fetchall()
        missing = [r[0] for r in rows if not r[9]]
        if missing:  # summaries computed on first use, cached for the next
            self.summarize_missing(missing)
            rows = self.db.execute(sql, args).fetchall()
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
        log, _ = self._decode(self.path_of(session_id).read_bytes(), row[0])
        return log

    # -- devices ---------------------------------------------------------------------------
    def note_device(self, device_id: str, fs_id: str, session_names: Iterable[str]) -> list[str]:
        """Remember the device's filesystem marker; warn when it changed (a reformat).

        Returns human-readable warnings (empty when all is as last seen).
        """
        with self.db:
            return note_device(self.db, device_id, fs_id, session_names, _now())
