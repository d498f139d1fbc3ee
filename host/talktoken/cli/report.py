"""The `report` command: click options around `talktoken.report.make.make_report`."""

from __future__ import annotations

import click

from talktoken.archive.store import Archive
from talktoken.cli.output import options, sessions_chosen, shared
from talktoken.report.make import CSV_TABLES, FORMATS, PartialReportError, make_report

LABELS_HELP = """TOML or JSON file naming seats, for this report only (never stored).
Example seats.toml: [seats] then lines like 0 = "Dr. Lee" and 3 = "Sam" (seat numbers as
on the device, names up to 40 characters). Facilitator seats keep "(fac.)" beside the name.
A labelled report is written outside the archive: --out, or the current directory."""


@click.command("report")
@sessions_chosen
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table (terminal), csv (one table per file: turns, and seats beside it), json, or "
    "html (one file).",
)
@click.option(
    "--csv-table",
    type=click.Choice(CSV_TABLES),
    help="CSV: write only this table (default with --out: both, as two files; else turns).",
)
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(dir_okay=False),
    help=LABELS_HELP,
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--force", is_flag=True, help="Replace a file that --out (or the default) names.")
@shared("json", "archive")
@click.pass_context
def report(ctx, session_id, last, since, all_, fmt, csv_table, labels_path, out, force):
    """Review sessions: tables, CSV, JSON or HTML (--json is --format json).

    Sessions whose archived file is missing or damaged are left out and listed; the exit code
    is then 80 (a partial report)."""
    opts = options(ctx)
    if opts.json:
        typed = ctx.get_parameter_source("fmt") == click.core.ParameterSource.COMMANDLINE
        if typed and fmt != "json":
            raise click.UsageError(f"--json asks for JSON but --format asks for {fmt}; give one")
        fmt = "json"
    with Archive(opts.archive) as archive:
        result = make_report(
            archive,
            fmt,
            last=last,
            session_id=session_id,
            since=since,
            all_=all_,
            labels_path=labels_path,
            out=out,
            force=force,
            csv_table=csv_table,
        )
    if result.text:
        click.echo(result.text, nl=False)
    for p in result.paths:
        click.echo(f"wrote {p}")
    if result.damaged:
        raise PartialReportError(
            "partial report: {} session(s) left out: {}".format(
                len(result.damaged), "; ".join(result.damaged.values())
            )
        )
