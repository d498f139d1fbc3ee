"""`make_report`: select sessions, render one format, return the text or write the file(s)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from talktoken.archive.files import write_durable
from talktoken.archive.store import Archive
from talktoken.errors import TalktokenError
from talktoken.report import data as report_data
from talktoken.report import labels as labels_mod

FORMATS = ("table", "csv", "json", "html")


class ReportError(TalktokenError):
    """The report cannot be written where it was asked to go."""

    exit_code = 10


class PartialReportError(TalktokenError):
    """The report was written, but some sessions were left out: their files are missing or
    damaged (each is listed with its problem)."""

    exit_code = 80


CSV_TABLES = ("turns", "seats")


@dataclass
class Written:
    """What make_report produced: `text` for stdout, or the files it wrote; `damaged` lists the
    sessions left out because their files are missing or damaged ({session_id: problem})."""

    text: str = ""
    paths: list[Path] = field(default_factory=list)
    damaged: dict[str, str] = field(default_factory=dict)


def under(path: Path, folder: Path) -> bool:
    """True if `path` (resolved, symlinks followed) lies inside `folder`."""
    try:
        path.expanduser().resolve().relative_to(folder.expanduser().resolve())
    except ValueError:
        return False
    return True


def write_private(path: Path, text: str, force: bool = True) -> None:
    """Write text atomically as an owner-only file (reports may carry seat labels).

    With force=False an existing file is never replaced: ReportError says so."""
    path = path.expanduser()
    if path.is_dir():
        raise ReportError(f"{path} is a directory; give a file name for --out")
    if not force and path.exists():
        raise ReportError(f"{path} already exists; give another --out, or --force to replace it")
    try:
        write_durable(path.parent, [(path, text.encode("utf-8"))])
    except OSError as exc:
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
    force: bool = False,
    csv_table: str | None = None,
    cwd: str | os.PathLike | None = None,
) -> Written:
    """Select sessions, render them in `fmt`, and return the text or write it to `out`.

    HTML without `out` goes to <archive>/reports/<last session id>[-N].html (owner-only): the
    most recent session selected names the file, -N counts the sessions it covers. A report
    with labels never goes under the archive directory: without `out` its HTML goes to `cwd`
    (default the current directory), and an `out` under the archive is refused.
    A file that exists is replaced only with `force` (the unlabelled HTML kept in the archive
    is regenerated in place). CSV is one table per file: with `out` and no `csv_table` the turns
    go to `out` and the seats beside it (-seats.csv); otherwise `csv_table` (default "turns")
    names the one table written or returned.
    """
    if fmt not in FORMATS:
        raise ReportError("unknown format {!r} (choose {})".format(fmt, ", ".join(FORMATS)))
    if csv_table is not None and csv_table not in CSV_TABLES:
        raise ReportError(f"unknown CSV table {csv_table!r} (choose turns or seats)")
    labels = labels_mod.load(labels_path) if labels_path else None
    if labels and out and under(Path(out), archive.dir):
        raise ReportError(
            f"{out} is inside the archive ({archive.dir}); a report with seat labels is "
            "written outside it: give --out elsewhere"
        )
    damaged: dict[str, str] = {}
    rows = report_data.select(
        archive, last=last, session_id=session_id, since=since, all_=all_, damaged=damaged
    )
    heavy = fmt in ("csv", "json")
    data = report_data.build(archive, rows, details=not heavy, damaged=damaged)
    details = data.details
    if heavy:
        details = report_data.details_of(archive, rows, damaged)
    data.notes += [f"Left out, file missing or damaged: {p}" for p in damaged.values()]
    written = _render(archive, data, details, fmt, labels, out, force, csv_table, cwd)
    written.damaged = dict(damaged)
    return written


def _render(archive, data, details, fmt, labels, out, force, csv_table, cwd) -> Written:
    if fmt == "table":
        from talktoken.report import table as report_table

        text = report_table.render(data, labels)
    elif fmt == "json":
        from talktoken.report import jsonfile as report_json

        text = report_json.render(data, details, labels)
    elif fmt == "csv":
        from talktoken.report import csvfile as report_csv

        turns, seats = report_csv.render(details, labels, data.dates)
        if out and csv_table is None:
            p = Path(out)
            seats_path = p.with_name(p.stem + "-seats" + (p.suffix or ".csv"))
            for target in (p, seats_path):
                if not force and target.exists():
                    raise ReportError(f"{target} already exists; --force replaces it")
            write_private(p, turns)
            write_private(seats_path, seats)
            return Written(paths=[p, seats_path])
        text = seats if csv_table == "seats" else turns
    else:
        from talktoken.report import html as report_html

        text = report_html.render(data, labels)
        if not out:
            name = data.rows[-1].session_id[:8] + (
                "" if len(data.rows) == 1 else f"-{len(data.rows)}"
            )
            if labels:
                folder = Path(cwd) if cwd else Path.cwd()
                name += "-labelled"
            else:
                folder = archive.dir / "reports"
                folder.mkdir(mode=0o700, exist_ok=True)
                force = True  # the archive's own unlabelled copy, regenerated from the same logs
            out = folder / (name + ".html")
    if out:
        write_private(Path(out), text, force)
        return Written(paths=[Path(out)])
    return Written(text=text)
