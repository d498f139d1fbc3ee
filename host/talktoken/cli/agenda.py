"""`talktoken agenda template | check | push | pull`."""

from __future__ import annotations

from pathlib import Path

import click

from talktoken.cli.output import connect, emit, shared


@click.group()
@shared("json", "port")
def agenda() -> None:
    """Write, check, push and pull session agendas (TOML files)."""


@agenda.command()
@click.argument("name", required=False)
@shared("json")
@click.pass_context
def template(ctx: click.Context, name: str | None) -> None:
    """Print a commented agenda for a group type (without NAME: list the types)."""
    from talktoken.agenda import file as agendafile

    if name is None:
        emit(
            ctx,
            list(agendafile.TEMPLATES),
            lambda names: (
                "templates: " + ", ".join(names) + "\n"
                "use: talktoken agenda template interpersonal > my-group.toml"
            ),
        )
        return
    click.echo(agendafile.template_text(name), nl=False)


def check_report(path: str) -> dict:
    """Check an agenda file: {"file", "ok", "problems": [{field, reason, line}], "hash"}."""
    from talktoken.agenda import file as agendafile

    data, problems = agendafile.check(path)
    out = {
        "file": path,
        "ok": not problems,
        "problems": [
            {"field": p.field, "where": p.where, "reason": p.reason, "line": p.line}
            for p in problems
        ],
    }
    if data is not None and not problems:
        out["name"] = data["name"]
        out["hash"] = agendafile.digest(data)
        out["minutes"] = sum(p["minutes"] for p in data["phases"])
        out["phases"] = len(data["phases"])
    return out


@agenda.command()
@click.argument("file", type=click.Path(dir_okay=False))
@shared("json")
@click.pass_context
def check(ctx: click.Context, file: str) -> None:
    """Check an agenda file; list every problem with its field and line."""
    from talktoken.agenda.file import AgendaFileError, Problem

    report = check_report(file)
    if report["ok"]:
        emit(
            ctx,
            report,
            lambda r: (
                f"{file}: ok: {r['name']}, {r['phases']} phases, "
                f"{r['minutes']} minutes [{r['hash']}]"
            ),
        )
        return
    emit(ctx, report, lambda r: "")
    raise AgendaFileError(
        file, [Problem(p["field"], p["reason"], p["line"], p["where"]) for p in report["problems"]]
    )


def push_file(port_ctx: click.Context, file: str, set_clock: bool = True) -> dict:
    """Check the file, send it, set the clock; the device's answer (hash) as a dict."""
    from talktoken.agenda import file as agendafile

    data = agendafile.load(file)
    with connect(port_ctx) as client:
        got = client.agenda_set(data)
        out = {"file": file, "name": got["name"], "hash": got["hash"]}
        if got["hash"] != agendafile.digest(data):
            from talktoken.device.errors import VerifyError

            raise VerifyError(
                f"the device stored {file} with hash {got['hash']}, this computer computes "
                f"{agendafile.digest(data)}; update the firmware with `talktoken deploy`"
            )
        if set_clock:
            out["clock"] = client.clock_set()["clock"]
    return out


@agenda.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--no-clock", is_flag=True, help="Do not set the device clock.")
@shared("json", "port")
@click.pass_context
def push(ctx: click.Context, file: str, no_clock: bool) -> None:
    """Check FILE, store it on the device and set the device clock."""
    out = push_file(ctx, file, set_clock=not no_clock)
    emit(
        ctx,
        out,
        lambda d: (
            f"pushed {d['name']!r} [{d['hash']}]" + ("; device clock set" if "clock" in d else "")
        ),
    )


@agenda.command()
@click.option("-o", "--out", type=click.Path(dir_okay=False), help="Write to this file.")
@shared("json", "port")
@click.pass_context
def pull(ctx: click.Context, out: str | None) -> None:
    """Print the device's agenda as TOML (or JSON with --json)."""
    from talktoken.agenda import file as agendafile
    from talktoken.cli.output import options

    with connect(ctx) as client:
        got = client.agenda_get()
    text = agendafile.to_toml(got["agenda"], comment=f"talktoken agenda pulled [{got['hash']}]")
    if out:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            from talktoken.errors import file_problem

            raise file_problem(exc, out) from None
    if options(ctx).json:
        emit(ctx, got, lambda d: "")
    elif out:
        click.echo(f"wrote {out} [{got['hash']}]")
    else:
        click.echo(text, nl=False)
