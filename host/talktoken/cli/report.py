"""The `report` command: click options around `talktoken.report.make.make_report`."""

from __future__ import annotations

import click

from talktoken.archive.store import Archive
from talktoken.report.make import FORMATS, make_report


@click.command("report")
@click.argument("session_id", required=False)
@click.option("--last", is_flag=True, help="The most recent session (the default).")
@click.option("--since", metavar="DATE", help="Every session from DATE (YYYY-MM-DD) on.")
@click.option("--all", "all_", is_flag=True, help="Every archived session.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table (terminal), csv (one row per turn + seat summary), json, or html (one file).",
)
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(dir_okay=False),
    help="TOML/JSON file mapping seat numbers to names, applied to this report only.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file.")
@click.pass_context
def report(ctx, session_id, last, since, all_, fmt, labels_path, out):
    """Review sessions: tables, CSV, JSON or HTML."""
    opts = ctx.obj
    with Archive(getattr(opts, "archive", None)) as archive:
        result = make_report(
            archive,
            fmt,
            last=last,
            session_id=session_id,
            since=since,
            all_=all_,
            labels_path=labels_path,
            out=out,
        )
    if result.text:
        click.echo(result.text, nl=False)
    for p in result.paths:
        click.echo(f"wrote {p}")
