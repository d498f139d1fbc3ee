"""`talktoken logs list | pull [--delete] [--no-progress] | dates | date SESSION_ID DATE`."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import click

from talktoken.cli.output import connect, emit, options, shared, table


@click.group()
@shared("json", "port", "archive")
def logs() -> None:
    """List and pull session logs into the archive."""


def _started(epoch) -> str:
    if not epoch:
        return "-"
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M")


def _list_text(rows: list[dict]) -> str:
    if not rows:
        return "no sessions on the device"
    body = [
        (
            r["name"],
            str(r.get("id") or "-"),
            str(r["size"]),
            "yes" if r.get("complete") else "no",
            _started(r.get("started_at")),
        )
        for r in rows
    ]
    return table(body, ("file", "session", "bytes", "complete", "started (UTC)"))


@logs.command("list")
@shared("json", "port")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """List the session files stored on the device."""
    with connect(ctx) as client:
        rows = client.sessions()
    emit(ctx, rows, _list_text)


def open_archive(ctx: click.Context, lazy: bool = False):
    """The archive of --archive / TALKTOKEN_ARCHIVE, else the per-user one (`lazy`: imports
    decode only the header; the metrics are computed once, on the first report)."""
    from talktoken.archive.store import Archive

    return Archive(options(ctx).archive, lazy=lazy)


class _Bar:
    """A one-line progress display on stderr (used only when stderr is a terminal)."""

    def __init__(self) -> None:
        self.last = ""

    def __call__(self, name: str, done: int, total: int) -> None:
        pct = 100 * done // total if total else 100
        filled = pct // 5
        line = f"\r{name} [{'#' * filled}{'.' * (20 - filled)}] {pct:3d}%"
        if line != self.last:
            self.last = line
            sys.stderr.write(line)
            sys.stderr.flush()

    def done(self) -> None:
        if self.last:
            sys.stderr.write("\r" + " " * (len(self.last) - 1) + "\r")
            sys.stderr.flush()


def _pull_text(d: dict) -> str:
    lines = list(f"warning: {w}" for w in d["warnings"])
    counts: dict[str, int] = {}
    for s in d["sessions"]:
        counts[s["status"]] = counts.get(s["status"], 0) + 1
        if s["status"] == "failed":
            lines.append(f"{s['name']}: failed: {s['error']}")
        elif s["status"] == "new":
            lines.append(f"{s['name']}: pulled session {s['session_id']}")
    deleted = sum(1 for s in d["sessions"] if s["deleted"])
    lines.append(f"archive: {d['archive']}")
    lines.append(
        f"{counts.get('new', 0)} new, {counts.get('archived', 0)} already archived, "
        f"{counts.get('running', 0)} running (not pulled), {counts.get('failed', 0)} failed"
        + (f"; {deleted} deleted from the device" if deleted else "")
    )
    return "\n".join(lines)


@logs.command()
@click.option("--delete", is_flag=True, help="Remove pulled sessions the archive holds verified.")
@click.option("--no-progress", is_flag=True, help="Never show a progress bar.")
@shared("json", "port", "archive")
@click.pass_context
def pull(ctx: click.Context, delete: bool, no_progress: bool) -> None:
    """Copy finished sessions into the archive, each verified by SHA-256."""
    from talktoken.device.pull import pull_sessions

    bar = _Bar() if (not no_progress and sys.stderr.isatty()) else None
    archive = open_archive(ctx, lazy=True)
    try:
        with connect(ctx) as client:
            result = pull_sessions(client, archive, delete=delete, progress=bar)
    finally:
        if bar is not None:
            bar.done()
        archive.close()
    emit(ctx, {**result.as_dict(), "archive": str(archive.dir)}, _pull_text)
    if result.failed:
        from talktoken.device.pull import PullFailed

        raise PullFailed(
            f"{len(result.failed)} session(s) could not be pulled (see above); nothing of "
            "them was kept or deleted; run `talktoken logs pull` again"
        )


def _dates_text(rows: list[dict]) -> str:
    if not rows:
        return "no sessions in the archive"
    return table(
        [(r["session_id"][:12], r["agenda"], r["text"]) for r in rows],
        ("session", "agenda", "date (UTC)"),
    )


@logs.command("dates")
@shared("json", "archive")
@click.pass_context
def dates(ctx: click.Context) -> None:
    """List archived sessions with their dates (unknown ones with the bounds known)."""
    from talktoken.archive.dating import session_dates

    archive = open_archive(ctx)
    try:
        known = session_dates(archive.dating_rows(), archive.hand_dates())
        agendas = {
            r[0]: r[1] for r in archive.db.execute("SELECT session_id, agenda_name FROM sessions")
        }
        out = []
        for sid, d in known.items():
            out.append(
                {
                    "session_id": sid,
                    "agenda": agendas.get(sid, ""),
                    "kind": d.kind,
                    "date": d.date,
                    "after": d.after,
                    "before": d.before,
                    "text": d.text(),
                }
            )
    finally:
        archive.close()
    emit(ctx, out, _dates_text)


@logs.command("date")
@shared("json", "archive")
@click.argument("session_id")
@click.argument("when")
@click.pass_context
def date(ctx: click.Context, session_id: str, when: str) -> None:
    """Set the date of an archived session the device could not date (YYYY-MM-DD[THH:MM], UTC)."""
    from talktoken.archive.dating import parse_date, session_dates

    iso = parse_date(when)
    archive = open_archive(ctx)
    try:
        sid = archive.find(session_id)
        archive.set_date(sid, iso)
        d = session_dates(archive.dating_rows(), archive.hand_dates())[sid]
    finally:
        archive.close()
    note = "" if d.kind == "hand" else " (the device's own clock dates it; that is what counts)"
    emit(
        ctx,
        {"session_id": sid, "date": iso, "kind": d.kind},
        lambda r: f"{sid[:12]}: {d.text()}{note}",
    )
