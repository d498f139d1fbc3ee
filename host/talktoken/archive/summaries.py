"""Cached metrics of archived sessions (the thin `Archive` methods call these functions)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from talktoken.archive.errors import ArchiveError, CorruptSessionError
from talktoken.archive.importing import decode
from talktoken.archive.rows import insert_row
from talktoken.metrics import summary as metrics

if TYPE_CHECKING:
    from talktoken.archive.store import Archive


def refresh_summaries(arc: Archive) -> None:
    """Recompute the cached metrics of every session of `arc` now (unreadable files are left
    as they are) and record the current metrics version."""
    with arc.db:
        rows = arc.db.execute("SELECT session_id, imported_at FROM sessions").fetchall()
        for sid, imported_at in rows:
            with contextlib.suppress(ArchiveError, OSError):
                log, digest = decode(arc, arc.path_of(sid).read_bytes(), None)
                insert_row(arc.db, log, digest, imported_at)
        arc._set_meta("metrics_version", str(metrics.METRICS_VERSION))


def summarize_missing(arc: Archive, ids: Iterable[str] | None = None) -> int:
    """Compute and cache the missing summaries (of `ids`, default all) in one transaction;
    returns how many. Raises CorruptSessionError when a file fails its archived SHA-256."""
    sql = "SELECT session_id, sha256, imported_at FROM sessions WHERE summarized = 0"
    rows = arc.db.execute(sql).fetchall()
    if ids is not None:
        wanted = set(ids)
        rows = [r for r in rows if r[0] in wanted]
    with arc.db:
        for sid, sha, imported_at in rows:
            try:
                log, digest = decode(arc, arc.path_of(sid).read_bytes(), sha)
            except (ArchiveError, OSError) as exc:
                raise CorruptSessionError(
                    f"session {sid}: its archived file fails its check ({exc}); "
                    f"restore {arc.path_of(sid)} from a backup or pull the session again"
                ) from exc
            insert_row(arc.db, log, digest, imported_at)
    return len(rows)
