"""The demo command: a thin wrapper over talktoken.demo.flow.run."""

from __future__ import annotations

import json

import click

from talktoken.cli.output import options, shared
from talktoken.cli.sim import vm_option


@click.command()
@vm_option
@click.option(
    "--flash", type=click.Path(dir_okay=False), help="Keep the device's flash image here."
)
@click.option("--quiet", "-q", is_flag=True, help="Only the summary, no captions.")
@shared("json", "archive")
@click.pass_context
def demo(ctx: click.Context, vm: str | None, flash: str | None, quiet: bool) -> None:
    """Play a scripted 8-seat session of the default agenda on a simulated device.

    The agenda is pushed over the serial protocol; the session (a check-in round with a pass,
    open floor with uneven talkers, a pause, an extension and an overrun) runs at high virtual
    speed; the log is pulled, verified and read back; an HTML report is written. The archive is
    a fresh temporary directory unless --archive is given.
    """
    from talktoken.demo.flow import first_events, run
    from talktoken.sim.summary import as_dict, as_text

    opts = options(ctx)
    as_json = opts.json
    say = None if quiet or as_json else (lambda text: click.echo(f"- {text}"))
    result = run(vm=vm, flash=flash, archive_dir=opts.archive, say=say)
    if as_json:
        out = as_dict(result.played)
        out.update(
            wall_s=round(result.wall_s, 3),
            steps_s=result.steps_s,
            archive=result.archive_dir,
            report=result.report_path,
            pulled=result.pulled,
        )
        click.echo(json.dumps(out, indent=2))
        return
    click.echo("")
    click.echo(as_text(result.played))
    click.echo("\nThe first events in the device's log (seat numbers only, nothing else):")
    for line in first_events(result.log):
        click.echo("  " + line)
    click.echo(f"\nArchive: {result.archive_dir}")
    click.echo(f"HTML report: {result.report_path}")
    click.echo(f"(done in {result.wall_s:.1f} s of wall time on {result.vm})")
