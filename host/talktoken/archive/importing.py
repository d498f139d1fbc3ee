"""Import of raw session files into an `Archive` (its thin methods call these functions).

An import decodes the whole session and caches its summary; a lazy archive (`Archive(...,
lazy=True)`) decodes only the header (`logread.parse_header`) and leaves the metrics to the
first `Archive.sessions()`. New files are made durable before the index commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from talktoken.archive.errors import ArchiveError, CorruptSessionError
from talktoken.archive.files import same_file, write_durable
from talktoken.archive.rows import ImportResult, insert_row, insert_unsummarized

if TYPE_CHECKING:
    from talktoken.archive.store import Archive


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


def decode(arc: Archive, raw: bytes, expected_sha256: str | None):
    """(SessionLog, sha256 hex) of `raw`, fully decoded with `arc.parse`; raises
    CorruptSessionError on a hash mismatch or any decoder failure."""
    digest = hashlib.sha256(raw).hexdigest()
    if expected_sha256 is not None and digest != expected_sha256.lower():
        raise CorruptSessionError(
            f"hash mismatch (got {digest[:16]}, expected {expected_sha256[:16]}): "
            "the file was damaged in transfer; pull it again"
        )
    try:
        log = arc.parse(raw)
    except Exception as exc:  # any decoder failure means the file cannot be trusted
        raise CorruptSessionError(f"cannot decode the session file: {exc}") from exc
    return log, digest


def _decode_header(arc: Archive, raw: bytes, digest: str, expected_sha256: str | None):
    if expected_sha256 is not None and digest != expected_sha256.lower():
        decode(arc, raw, expected_sha256)  # raises the hash mismatch
    assert arc.parse_header is not None
    try:
        return arc.parse_header(raw), digest
    except Exception as exc:  # a broken header: the file cannot be trusted
        raise CorruptSessionError(f"cannot decode the session file: {exc}") from exc


def import_one(arc: Archive, raw: bytes, expected_sha256: str | None, writes: dict) -> ImportResult:
    """Verify, decode (the header, or all with a custom parser) and index one file inside
    the open transaction; its file goes to `writes` (path -> bytes), written by
    `import_all` before the commit."""
    digest = hashlib.sha256(raw).hexdigest()
    if expected_sha256 is None or digest == expected_sha256.lower():
        # Fast path: these exact bytes are archived already (the hash covers the session id).
        same = arc.db.execute(
            "SELECT session_id FROM sessions WHERE sha256 = ?", (digest,)
        ).fetchone()
        if same:
            return ImportResult(same[0], False)
    if arc.parse_header is not None:
        log, digest = _decode_header(arc, raw, digest, expected_sha256)
    else:
        log, digest = decode(arc, raw, expected_sha256)
    known = arc.db.execute(
        "SELECT sha256 FROM sessions WHERE session_id = ?", (log.session_id,)
    ).fetchone()
    if known:
        if known[0] == digest:
            return ImportResult(log.session_id, False)
        raise ArchiveError(
            f"session {log.session_id} is already archived with a different hash "
            f"({known[0][:16]}, now {digest[:16]}); kept the archived copy"
        )
    path = arc.path_of(log.session_id)
    if not same_file(path, digest):
        writes[path] = raw
    if arc.parse_header is not None:
        insert_unsummarized(arc.db, log, digest, _now())
    else:
        insert_row(arc.db, log, digest, _now())
    return ImportResult(log.session_id, True)


def import_all(arc: Archive, items: Iterable[tuple[bytes | OSError, str | None]]) -> list:
    """One transaction for every (raw, sha256): results (ImportResult or the
    ArchiveError / OSError of that item), files made durable before the commit."""
    results: list = []
    writes: dict[Path, bytes] = {}
    with arc.db:  # commits only after write_durable returned; rolls back on any error
        for raw, sha in items:
            try:
                if isinstance(raw, OSError):
                    raise raw
                results.append(import_one(arc, raw, sha, writes))
            except (ArchiveError, OSError) as exc:
                results.append(exc)
        write_durable(arc.files, writes.items())
    return results
