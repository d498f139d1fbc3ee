"""Print command results as JSON (--json) or as human text; open the device from options."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import click


def options(ctx: click.Context) -> Any:
    """The global Options object of the CLI (a default one when a command runs on its own)."""
    obj = ctx.find_root().obj
    if obj is None:
        from talktoken.cli.root import Options

        obj = Options()
    return obj


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
