"""Writing exports: one format for each selected session into a directory, or a zip bundle."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from talktoken.archive.files import write_durable
from talktoken.errors import TalktokenError
from talktoken.export import codebook as codebook_mod
from talktoken.export import eaf, rttm, talkr, textgrid, uem
from talktoken.export.spans import spans

FORMATS = {"rttm": rttm, "uem": uem, "eaf": eaf, "textgrid": textgrid, "csv": talkr}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same sessions give the same bundle bytes


class ExportError(TalktokenError):
    """An export cannot be written where it was asked to go, or in the format asked for."""

    exit_code = 90


def versions() -> dict:
    """talktoken's version and the log format version this talktoken reads."""
    from importlib import metadata

    from talktoken.logfile.read import logfmt

    try:
        own = metadata.version("talktoken")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        own = "unknown"
    return {"talktoken_version": own, "log_format_version": int(logfmt.VERSION)}


def render(fmt: str, log, labels: dict[int, str] | None = None) -> str:
    """The text of one session `log` in format `fmt` (a key of FORMATS)."""
    if fmt not in FORMATS:
        raise ExportError("unknown format {!r} (choose {})".format(fmt, ", ".join(FORMATS)))
    sp = spans(log)
    if fmt == "eaf":
        return eaf.render(sp, labels, date=log.started_at.isoformat() if log.started_at else "")
    return FORMATS[fmt].render(sp, labels)


def file_name(fmt: str, session_id: str) -> str:
    """`<session_id>.<ext>` of a format."""
    return session_id + FORMATS[fmt].EXT


def _write_private(path: Path, data: bytes) -> None:
    try:
        write_durable(path.parent, [(path, data)])
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc}") from exc


def write_files(logs: list, fmt: str, out_dir, labels: dict[int, str] | None = None) -> list:
    """Write `<session_id>.<ext>` of each log into `out_dir` (made if missing; owner-only files,
    since exports may carry labels). Returns the paths written."""
    if fmt not in FORMATS:
        raise ExportError("unknown format {!r} (choose {})".format(fmt, ", ".join(FORMATS)))
    out = Path(out_dir).expanduser()
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} is not a directory; --out names the folder to write into")
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot make {out}: {exc}") from exc
    paths = []
    for log in logs:
        path = out / file_name(fmt, log.session_id)
        _write_private(path, render(fmt, log, labels).encode("utf-8"))
        paths.append(path)
    return paths


def bundle_bytes(
    logs: list, labels: dict[int, str] | None = None, labels_file: str | None = None
) -> bytes:
    """The zip of every format of every log plus codebook.json."""
    import io

    files: dict[str, list[str]] = {}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:

        def put(name: str, text: str) -> None:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, text.encode("utf-8"))

        for log in logs:
            names = files.setdefault(log.session_id, [])
            for fmt in FORMATS:
                name = file_name(fmt, log.session_id)
                put(name, render(fmt, log, labels))
                names.append(name)
        book = codebook_mod.codebook(logs, files, labels, labels_file, versions())
        put("codebook.json", json.dumps(book, indent=1, ensure_ascii=False) + "\n")
    return buf.getvalue()


def write_bundle(
    logs: list, path, labels: dict[int, str] | None = None, labels_file: str | None = None
) -> Path:
    """Write the bundle of `logs` to `path` (owner-only, atomically). Returns the path."""
    p = Path(path).expanduser()
    if p.is_dir():
        raise ExportError(f"{p} is a directory; --bundle names the .zip file to write")
    _write_private(p, bundle_bytes(logs, labels, labels_file))
    return p
