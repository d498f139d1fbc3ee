"""`talktoken archive info | verify | purge | rebuild | export-raw`."""

from __future__ import annotations

import click

from talktoken.cli.output import emit, options, shared


def _open(ctx: click.Context):
    from talktoken.archive.store import Archive

    return Archive(options(ctx).archive)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    size = float(n)
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{size:.1f} {unit}"


@click.group()
@shared("json", "archive")
def archive() -> None:
    """Check, purge and inspect the archive of pulled sessions."""


@archive.command("info")
@shared("json", "archive")
@click.pass_context
def info(ctx: click.Context) -> None:
    """Where the archive is, how many sessions, how large, the oldest and newest."""
    from talktoken.archive import upkeep

    with _open(ctx) as arc:
        data = upkeep.info(arc)

    def text(d: dict) -> str:
        return "\n".join(
            [
                f"archive   {d['path']}",
                f"sessions  {d['sessions']}",
                f"size      {_size(d['size_bytes'])} ({_size(d['raw_bytes'])} of session logs)",
                f"oldest    {d['oldest'] or '-'}",
                f"newest    {d['newest'] or '-'}",
            ]
        )

    emit(ctx, data, text)


@archive.command("verify")
@shared("json", "archive")
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Re-hash every stored session against its recorded SHA-256 and check the index."""
    from talktoken.archive import upkeep

    with _open(ctx) as arc:
        report = upkeep.verify(arc)

    def text(d: dict) -> str:
        lines = [f"{d['ok']} of {d['checked']} session(s) agree with their recorded SHA-256"]
        lines += [f"DAMAGED {x['session_id']}: {x['reason']}" for x in d["damaged"]]
        lines += [f"problem: {p}" for p in d["problems"]]
        return "\n".join(lines)

    emit(ctx, report.as_dict(), text)
    if not report.clean:
        names = ", ".join(s for s, _ in report.damaged) or "none"
        raise upkeep.ArchiveDamagedError(
            f"the archive does not agree with itself: damaged session(s): {names}"
            + (f"; {len(report.problems)} other problem(s)" if report.problems else "")
            + "; restore them from a backup or pull them again"
        )


@archive.command("purge")
@shared("json", "archive")
@click.option("--before", metavar="DATE", help="Remove sessions that started before DATE.")
@click.option(
    "--older-than",
    "older_than",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Remove sessions that started more than DAYS days ago.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@click.pass_context
def purge(ctx: click.Context, before: str | None, older_than: int | None, yes: bool) -> None:
    """Remove old sessions for good (asks first; nothing is ever purged by itself)."""
    from talktoken.archive import upkeep

    when = upkeep.cutoff(before, older_than)
    with _open(ctx) as arc:
        doomed = upkeep.purge_candidates(arc, when)
        if not doomed:
            click.echo(f"no archived session started before {when}")
            return
        span = f"{doomed[0][1]} to {doomed[-1][1]}"
        if not yes:
            click.confirm(
                f"Remove {len(doomed)} session(s) ({span}) from {arc.dir} for good?",
                abort=True,
            )
        removed = upkeep.purge(arc, [sid for sid, _ in doomed])
    click.echo(f"removed {removed} session(s) ({span})")


@archive.command("rebuild")
@shared("json", "archive")
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """Recreate the index from the stored session bytes (and .ttl files in sessions/)."""
    with _open(ctx) as arc:
        report = arc.rebuild()
    click.echo(f"indexed {len(report.new)} new session(s)")
    for name, why in report.skipped:
        click.echo(f"skipped {name}: {why}")


@archive.command("export-raw")
@shared("json", "archive")
@click.argument("directory", type=click.Path(file_okay=False))
@click.pass_context
def export_raw(ctx: click.Context, directory: str) -> None:
    """Write every stored session as the raw <session_id>.ttl file the device held."""
    with _open(ctx) as arc:
        paths = arc.export_raw(directory)
    click.echo(f"wrote {len(paths)} file(s) to {directory}")
