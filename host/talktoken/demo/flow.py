"""`talktoken demo` as plain functions: everything goes through the real serial protocol.

The simulated device runs the firmware in a VM behind a pseudo-terminal; the host side uses the
same client, pull and archive code as with a Pico on USB.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from talktoken.errors import TalktokenError


class DemoMismatch(TalktokenError):
    """The log read back from the device disagrees with the device's own tallies."""

    exit_code = 9


@dataclass
class DemoResult:
    """What the demo did and found, for printing or JSON."""

    vm: str
    played: Any
    agenda: dict
    archive_dir: str
    pulled: list = field(default_factory=list)
    log: object = None
    report_path: str = ""
    steps_s: dict = field(default_factory=dict)
    wall_s: float = 0.0


def _timed(result: DemoResult, name: str, started: float) -> float:
    now = time.perf_counter()
    result.steps_s[name] = round(now - started, 3)
    return now


def run(
    vm: str | None = None,
    flash: str | None = None,
    archive_dir: str | None = None,
    say: Callable[[str], None] | None = None,
) -> DemoResult:
    """Push the interpersonal agenda, play the demo script, pull and verify the log, report."""
    from talktoken.agenda import file as agendafile
    from talktoken.archive.store import Archive
    from talktoken.device.client import Client
    from talktoken.device.pull import pull_sessions
    from talktoken.report.make import make_report
    from talktoken.sim import SimDevice
    from talktoken.sim.scenario import DEMO, play

    say = say or (lambda _text: None)
    started = t = time.perf_counter()
    archive_path = archive_dir or tempfile.mkdtemp(prefix="talktoken-demo-")
    agenda, problems = agendafile.check_text(agendafile.template_text("interpersonal"))
    if agenda is None or problems:
        raise TalktokenError(f"the interpersonal template is invalid: {problems}")
    with SimDevice(vm=vm, flash=flash) as dev:
        result = DemoResult(vm=dev.vm, played=None, agenda=agenda, archive_dir=archive_path)
        with Client.connect(dev.port) as client:
            hello = client.hello()
            got = client.agenda_set(agenda)
            client.clock_set()
        say(
            f"device {hello.get('device', '?')} on {dev.port}: firmware {hello.get('fw')}, "
            f"agenda {got['name']!r} pushed [{got['hash']}], clock set"
        )
        t = _timed(result, "push", t)
        result.played = play(dev, DEMO, on_caption=say)
        t = _timed(result, "session", t)
        flushes = dev.state().get("log", {}).get("flushes")
        with Client.connect(dev.port) as client:
            listing = client.sessions()
            for entry in listing:
                say(
                    f"device log {entry['name']}: {entry['size']} bytes, "
                    f"{'complete' if entry.get('complete') else 'open'}"
                )
            archive = Archive(archive_path)
            pulled = pull_sessions(client, archive)
        result.pulled = [vars(p) for p in pulled.sessions]
        t = _timed(result, "pull", t)
    new = [p for p in pulled.sessions if p.session_id and p.sha256]
    if not new:
        raise DemoMismatch("the demo session was not pulled from the simulated device")
    session_id, sha = str(new[-1].session_id), str(new[-1].sha256)
    log = archive.load(session_id)
    result.log = log
    say(
        f"pulled over the serial protocol and verified: sha256 {sha[:16]}..., "
        f"{len(log.events)} events decoded, {len(log.problems)} problems"
    )
    if flushes is not None:
        final = result.played.final
        turns = sum(final["turns"]) + sum(final["passes"])
        ckpts = sum(1 for e in log.events if e.kind == "checkpoint")
        say(
            f"written as the session ran: {flushes} commits to flash for {turns} turns and passes "
            f"(at turn boundaries and phase changes, plus {ckpts} checkpoints in the long turns "
            "and the break, so a power cut would lose at most a minute)"
        )
    check_log_matches_device(log, result.played)
    say("the log read back agrees with the device on every seat's talk time, turns and passes")
    written = make_report(archive, "html", session_id=session_id)
    result.report_path = str(Path(written.paths[0]))
    _timed(result, "report", t)
    result.wall_s = time.perf_counter() - started
    return result


def check_log_matches_device(log, played) -> None:
    """Per-seat talk ms, turns and passes from the log must equal the device's own tallies."""
    from talktoken.metrics import summary as metrics

    final = played.final  # type: ignore[attr-defined]
    rows = metrics.seat_stats(log, metrics.timeline(log))
    for row in rows:
        seat = row["seat"]
        device = (final["talk_ms"][seat], final["turns"][seat], final["passes"][seat])
        logged = (row["talk_ms"], row["turns"], row["passes"])
        if device != logged:
            raise DemoMismatch(
                f"seat {seat}: device says talk/turns/passes {device}, the log says {logged}"
            )


def first_events(log, n: int = 8) -> list[str]:
    """The first n events of a log as readable lines (what the file holds, seat numbers only)."""
    lines = []
    for ev in log.events[:n]:
        s, ms = divmod(ev.t_ms, 1000)
        m, s = divmod(s, 60)
        who = f" seat {ev.seat}" if ev.seat is not None else ""
        name = log.phases[ev.phase].name if 0 <= ev.phase < len(log.phases) else "?"
        lines.append(f"{m:3d}:{s:02d}.{ms:03d}  {ev.kind:<13}{who:<8} phase {ev.phase} ({name})")
    return lines
