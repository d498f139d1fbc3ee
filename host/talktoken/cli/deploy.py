"""`talktoken deploy [--port] [--dry-run] [--force]`."""

from __future__ import annotations

import click

from talktoken.cli.output import emit, options, shared


def _text(data: dict) -> str:
    lines = []
    if data.get("resumed_switch"):
        lines.append("finished the switch-over of an earlier deploy that was cut short")
    verb = "would copy" if data["dry_run"] else "copied"
    for name in data["copy"]:
        tag = "new" if name in data["new"] else "changed"
        lines.append(f"{verb} {name} ({tag})")
    verb = "would remove" if data["dry_run"] else "removed"
    lines += [f"{verb} {name}" for name in data["remove"]]
    if not data["copy"] and not data["remove"]:
        lines.append("the device already has this firmware; nothing to change")
    lines.append(f"{len(data['unchanged'])} files unchanged")
    if data["forced"]:
        lines.append(f"the running session was flushed first (it was {data['session_state']})")
    if not data["dry_run"]:
        lines.append(
            f"firmware {data['fw_version']} verified on the device by SHA-256 in "
            f"{data['seconds']:.1f} s; the device was reset"
        )
    return "\n".join(lines)


@click.command()
@shared("json", "port")
@click.option("--dry-run", is_flag=True, help="List what would change; change nothing.")
@click.option("--force", is_flag=True, help="Deploy even while a session runs (log flushed).")
@click.option("--device-root", default="/", hidden=True, help="Firmware directory on the device.")
@click.pass_context
def deploy(ctx: click.Context, dry_run: bool, force: bool, device_root: str) -> None:
    """Compile the firmware and copy it to the device, verified by hash on the device.

    Only files that changed are copied; firmware files that are no longer used are removed;
    session logs and other files are never touched. Refuses while a session runs unless
    --force.
    """
    from talktoken.deploy import update as deploy_mod
    from talktoken.device.link import resolve_port

    name = resolve_port(options(ctx).port)
    quiet = options(ctx).json

    def log(msg: str) -> None:
        # Per-file steps are summarised on stdout at the end; only the rest goes to stderr.
        if not quiet and not msg.startswith(("copy ", "remove ")):
            click.echo(msg, err=True)

    result = deploy_mod.deploy(name, dry_run=dry_run, force=force, root=device_root, log=log)
    emit(ctx, result.to_dict(), _text)
