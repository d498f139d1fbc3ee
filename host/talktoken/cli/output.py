"""The shared options (--json, --port, --archive) and printing results as JSON or human text."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import click


@dataclass
class Options:
    """Global options every command can read from click's context object."""

    port: str | None = None
    json: bool = False
    archive: str | None = None
    extra: dict = field(default_factory=dict)


def options(ctx: click.Context) -> Any:
    """The global Options object of the CLI (made on first use, also for a command run alone)."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = Options()
    return root.obj


def _merge(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Put a shared option's value into the root Options, wherever on the line it was typed."""
    if value is None or value is False:
        return value
    opts = options(ctx)
    name = param.name or ""
    source = ctx.get_parameter_source(name)
    # A value from the environment never overrides one typed on the line at another level.
    if source == click.core.ParameterSource.ENVIRONMENT and getattr(opts, name) is not None:
        return value
    setattr(opts, name, value)
    return value


# The one definition of each shared option: the root group and every command add them from here.
SHARED: dict[str, Callable[[Callable], Callable]] = {
    "port": click.option(
        "--port",
        "port",
        envvar="TALKTOKEN_PORT",
        expose_value=False,
        callback=_merge,
        help="Serial port of the device (default: TALKTOKEN_PORT, else the one Pico found).",
    ),
    "json": click.option(
        "--json",
        "json",
        is_flag=True,
        expose_value=False,
        callback=_merge,
        help="Print data as JSON.",
    ),
    "archive": click.option(
        "--archive",
        "archive",
        envvar="TALKTOKEN_ARCHIVE",
        type=click.Path(file_okay=False),
        expose_value=False,
        callback=_merge,
        help="Archive directory (default: TALKTOKEN_ARCHIVE, else your user data directory).",
    ),
}


def shared(*names: str) -> Callable[[Callable], Callable]:
    """Decorator: add the named shared options (json, port, archive) to a command or group.

    They may then be typed before or after the sub-command (`talktoken --json info` and
    `talktoken info --json`); either way the value lands in the root Options.
    """

    def wrap(f: Callable) -> Callable:
        for name in reversed(names):
            f = SHARED[name](f)
        return f

    return wrap


def emit(ctx: click.Context, data: Any, human: Callable[[Any], str]) -> None:
    """Print data as JSON when --json was given, else the human text."""
    if options(ctx).json:
        click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))
    else:
        text = human(data)
        if text:
            click.echo(text)


def connect(ctx: click.Context, timeout: float = 5.0):
    """A Client for --port / TALKTOKEN_PORT / the one attached Pico, after the handshake."""
    from talktoken.device.client import Client

    return Client.connect(options(ctx).port, timeout=timeout)


def table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    """A plain aligned text table."""
    cols = [header, *rows]
    widths = [max(len(str(r[i])) for r in cols) for i in range(len(header))]
    lines = [
        "  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cols
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def sessions_chosen(command: Callable) -> Callable:
    """The archived sessions a command works on: SESSION_ID, --last, --since DATE or --all
    (the arguments session_id, last, since, all_; `report.data.select` reads them)."""
    for decorate in reversed(
        (
            click.argument("session_id", required=False),
            click.option("--last", is_flag=True, help="The most recent session (the default)."),
            click.option(
                "--since", metavar="DATE", help="Every session from DATE (YYYY-MM-DD) on."
            ),
            click.option("--all", "all_", is_flag=True, help="Every archived session."),
        )
    ):
        command = decorate(command)
    return command
