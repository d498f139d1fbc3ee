"""`make_report`: select sessions, render one format, return the text or write the file(s)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from talktoken.archive.store import Archive
from talktoken.errors import TalktokenError
from talktoken.report import data as report_data
from talktoken.report import labels as labels_mod

FORMATS = ("table", "csv", "json", "html")


class ReportError(TalktokenError):
    """The report cannot be written where it was asked to go."""

    exit_code = 2


@dataclass
class Written:
    """What make_report produced: `text` for stdout, or the files it wrote."""

    text: str = ""
    paths: list[Path] = field(default_factory=list)


def write_private(path: Path, text: str) -> None:
    """Write text atomically as an owner-only file (reports may carry seat labels)."""
    path = path.expanduser()
    if path.is_dir():
        raise ReportError(f"{path} is a directory; give a file name for --out")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ReportError(f"cannot write {path}: {exc}") from exc


def make_report(
    archive: Archive,
    fmt: str = "table",
    *,
    last: bool = False,
    session_id: str | None = None,
    since: str | None = None,
    all_: bool = False,
    labels_path: str | None = None,
    out: str | os.PathLike | None = None,
) -> Written:
    """Select sessions, render them in `fmt`, and return the text or write it to `out`.

    HTML without `out` goes to <archive>/reports/<last session id>[-N].html (owner-only): the
    most recent session selected names the file, -N counts the sessions it covers.
    CSV with `out` writes the turns to `out` and the per-seat summary beside it (-seats.csv);
    without `out` the text holds the turns, a blank line, then the seat summary.
    """
    if fmt not in FORMATS:
        raise ReportError("unknown format {!r} (choose {})".format(fmt, ", ".join(FORMATS)))
    labels = labels_mod.load(labels_path) if labels_path else None
    rows = report_data.select(archive, last=last, session_id=session_id, since=since, all_=all_)
    heavy = fmt in ("csv", "json")
    data = report_data.build(archive, rows, details=not heavy)
    details = data.details
    if heavy:
        details = [report_data.detail(archive, r) for r in rows]
    if fmt == "table":
        from talktoken.report import table as report_table

        text = report_table.render(data, labels)
    elif fmt == "json":
        from talktoken.report import jsonfile as report_json

        text = report_json.render(data, details, labels)
    elif fmt == "csv":
        from talktoken.report import csvfile as report_csv

        turns, seats = report_csv.render(details, labels)
        if out:
            p = Path(out)
            seats_path = p.with_name(p.stem + "-seats" + (p.suffix or ".csv"))
            write_private(p, turns)
            write_private(seats_path, seats)
            return Written(paths=[p, seats_path])
        return Written(text=turns + "\n" + seats)
    else:
        from talktoken.report import html as report_html

        text = report_html.render(data, labels)
        if not out:
            folder = archive.dir / "reports"
            folder.mkdir(mode=0o700, exist_ok=True)
            name = rows[-1].session_id[:8] + ("" if len(rows) == 1 else f"-{len(rows)}")
            out = folder / (name + ".html")
    if out:
        write_private(Path(out), text)
        return Written(paths=[Path(out)])
    return Written(text=text)
