"""The export command: archived sessions as RTTM, UEM, ELAN, TextGrid or talkr CSV files."""

from __future__ import annotations

import click

from talktoken.archive.store import Archive
from talktoken.cli.output import emit, options, sessions_chosen, shared
from talktoken.export import run as export_run
from talktoken.report import data as report_data
from talktoken.report import labels as labels_mod


@click.command("export")
@sessions_chosen
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(export_run.FORMATS)),
    help="rttm, uem, eaf (ELAN), textgrid (Praat) or csv (talkr): one file per session.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Folder for the files (<session_id>.<ext>).",
)
@click.option(
    "--bundle",
    type=click.Path(dir_okay=False),
    help="Write every format of every session plus codebook.json into this .zip instead.",
)
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(dir_okay=False),
    help="TOML/JSON file mapping seat numbers to names (the codebook then says so).",
)
@shared("json", "archive")
@click.pass_context
def export(ctx, session_id, last, since, all_, fmt, out_dir, bundle, labels_path):
    """Export sessions in the formats research tools read (names only with --labels)."""
    if bundle and (fmt or out_dir):
        raise click.UsageError("give either --bundle FILE.zip or --format with --out DIR")
    if not bundle and not (fmt and out_dir):
        raise click.UsageError("give --format and --out DIR, or --bundle FILE.zip")
    labels = labels_mod.load(labels_path) if labels_path else None
    with Archive(options(ctx).archive) as archive:
        rows = report_data.select(archive, last=last, session_id=session_id, since=since, all_=all_)
        logs = [archive.load(r.session_id) for r in rows]
    if bundle:
        path = export_run.write_bundle(logs, bundle, labels, labels_path)
        emit(
            ctx,
            {"bundle": str(path), "sessions": len(logs)},
            lambda d: f"wrote {d['bundle']} ({d['sessions']} session(s), codebook.json)",
        )
        return
    paths = [str(p) for p in export_run.write_files(logs, fmt, out_dir, labels)]
    emit(ctx, {"files": paths}, lambda d: "\n".join(f"wrote {p}" for p in d["files"]))
