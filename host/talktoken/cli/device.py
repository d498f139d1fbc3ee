"""`talktoken ports | info | clock [sync] | watch`."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import click

from talktoken.cli.output import connect, emit, shared, table


def _when(epoch: int | None) -> str:
    if not epoch:
        return "-"
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def port_rows() -> list[dict]:
    """Serial ports as plain dicts (for --json and the table)."""
    from talktoken.device.link import list_ports

    return [
        {
            "port": p.device,
            "talktoken": p.talktoken,
            "description": p.description,
            "vid": p.vid,
            "pid": p.pid,
            "serial_number": p.serial_number,
        }
        for p in list_ports()
    ]


def _ports_text(rows: list[dict]) -> str:
    if not rows:
        return "no serial ports found"
    body = [(r["port"], "yes" if r["talktoken"] else "", r["description"] or "") for r in rows]
    return table(body, ("port", "pico", "description"))


@click.command()
@shared("json")
@click.pass_context
def ports(ctx: click.Context) -> None:
    """List serial ports; a Pico (USB VID 2E8A) is marked."""
    emit(ctx, port_rows(), _ports_text)


def _info_text(info: dict) -> str:
    kb = 1024
    rows = [
        ("device", info.get("device", "?")),
        ("firmware", f"{info.get('fw', '?')} (protocol {info.get('proto', '?')})"),
        ("state", f"{info.get('state')} (phase {info.get('phase', 0) + 1})"),
        ("agenda", f"{info['agenda']['name']} [{info['agenda']['hash']}]"),
        (
            "clock",
            _when(info.get("clock")) + ("" if info.get("clock_set") else " (not set since boot)"),
        ),
    ]
    if "rtc_module" in info:
        if info["rtc_module"]:
            src = info.get("clock_source")
            how = {"rtc": "the clock came from it at boot", "host": "set by a host since boot"}
            rtc = "fitted" + (f" ({how[src]})" if src in how else " (not set yet: clock sync)")
        else:
            rtc = "not fitted (sessions get dates only after clock sync since boot)"
        rows.append(("rtc module", rtc))
    if "sessions" in info:
        rows.append(("sessions", str(info["sessions"])))
        rows.append(
            ("storage", f"{info['used'] / kb:.1f} KiB used, {info['free'] / kb:.1f} KiB free")
        )
        rows.append(
            ("storage id", f"{info.get('fs_id')}" + (" (new)" if info.get("fresh") else ""))
        )
    if info.get("battery_mv", -1) >= 0:
        rows.append(("battery", f"{info['battery_mv']} mV"))
    return "\n".join(f"{k:<11} {v}" for k, v in rows)


@click.command()
@shared("json", "port")
@click.pass_context
def info(ctx: click.Context) -> None:
    """Show the device: firmware, clock, storage, state, agenda."""
    with connect(ctx) as client:
        data = client.info()
    emit(ctx, data, _info_text)


def _clock_text(d: dict) -> str:
    set_note = "" if d.get("clock_set") else " (not set since boot: run `talktoken clock sync`)"
    return (
        f"device   {_when(d['device_clock'])}{set_note}\n"
        f"computer {_when(d['host_clock'])}\n"
        f"offset   {d['offset_s']:+d} s"
    )


@click.group(invoke_without_command=True)
@shared("json", "port")
@click.pass_context
def clock(ctx: click.Context) -> None:
    """Show the device clock; `clock sync` sets it from this computer."""
    if ctx.invoked_subcommand is not None:
        return
    with connect(ctx) as client:
        data = client.info()
    now = int(time.time())
    out = {
        "device_clock": data["clock"],
        "host_clock": now,
        "offset_s": data["clock"] - now,
        "clock_set": data.get("clock_set", False),
    }
    emit(ctx, out, _clock_text)


@clock.command("sync")
@shared("json", "port")
@click.pass_context
def clock_sync(ctx: click.Context) -> None:
    """Set the device clock to this computer's time (UTC)."""
    with connect(ctx) as client:
        got = client.clock_set()
    now = int(time.time())
    out = {"device_clock": got["clock"], "host_clock": now, "offset_s": got["clock"] - now}
    emit(ctx, out, lambda d: f"device clock set to {_when(d['device_clock'])}")


def _event_text(ev: dict, phases: list[str]) -> str:
    t = int(ev.get("t", 0)) // 1000
    stamp = f"{t // 3600:d}:{t % 3600 // 60:02d}:{t % 60:02d}"
    ph = int(ev.get("phase", 0))
    phase = phases[ph] if 0 <= ph < len(phases) else f"phase {ph + 1}"
    seat = ev.get("seat", -1)
    who = f" seat {seat}" if isinstance(seat, int) and seat >= 0 else ""
    kind = str(ev.get("ev", "?")).replace("_", " ")
    arg = f" {ev['arg']:+d} min" if ev.get("ev") == "extend" else ""
    return f"{stamp}  {phase:<24} {kind}{who}{arg}"


def watch_events(client, count: int | None, seconds: float | None, on_event, started=None) -> int:
    """Stream live events to on_event until count events, seconds elapsed, or Ctrl-C."""
    client.watch(True)
    if started is not None:
        started()
    seen = 0
    deadline = None if seconds is None else time.monotonic() + seconds
    try:
        while count is None or seen < count:
            left = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
            if left <= 0:
                break
            ev = client.next_event(left)
            if ev is not None:
                seen += 1
                on_event(ev)
    finally:
        try:
            client.watch(False)
        except Exception:  # the link may already be gone; nothing else to undo
            pass
    return seen


@click.command()
@click.option("--count", type=click.IntRange(min=1), help="Stop after this many events.")
@click.option("--seconds", type=click.FloatRange(min=0), help="Stop after this many seconds.")
@shared("json", "port")
@click.pass_context
def watch(ctx: click.Context, count: int | None, seconds: float | None) -> None:
    """Print live events of the running session until Ctrl-C."""
    import json

    from talktoken.cli.output import options

    as_json = options(ctx).json
    with connect(ctx) as client:
        info = client.info()
        phases = [p["name"] for p in client.agenda_get()["agenda"]["phases"]]

        def started() -> None:
            click.echo(
                f"watching {info['agenda']['name']} ({info['state']}); Ctrl-C to stop", err=True
            )

        def show(ev: dict) -> None:
            if as_json:
                click.echo(json.dumps(ev, sort_keys=True))
            else:
                click.echo(_event_text(ev, phases))

        try:
            watch_events(client, count, seconds, show, started)
        except KeyboardInterrupt:
            pass
