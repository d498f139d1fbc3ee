"""`talktoken logs list | pull [--delete] [--no-progress]`."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import click

from talktoken.cli.output import connect, emit, options, table


@click.group()
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
@click.pass_context
def list_(ctx: click.Context) -> None:
    """List the session files stored on the device."""
    with connect(ctx) as client:
        rows = client.sessions()
    emit(ctx, rows, _list_text)


def open_archive(ctx: click.Context):
    """The archive of --archive / TALKTOKEN_ARCHIVE, else the per-user one."""
    from talktoken.archive.store import Archive

    return Archive(options(ctx).archive)


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
@click.pass_context
def pull(ctx: click.Context, delete: bool, no_progress: bool) -> None:
    """Copy finished sessions into the archive, each verified by SHA-256."""
    from talktoken.device.pull import pull_sessions

    bar = _Bar() if (not no_progress and sys.stderr.isatty()) else None
    archive = open_archive(ctx)
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
