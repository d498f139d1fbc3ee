"""The sim command: run a SimDevice in real time, with a terminal view or headless."""

from __future__ import annotations

import signal
import sys
import time

import click

from talktoken.errors import TalktokenError

vm_option = click.option(
    "--vm",
    type=click.Choice(["micropython", "cpython"]),
    default=None,
    help="VM for the firmware (default: micropython when installed).",
)


class NoTerminal(TalktokenError):
    """The terminal view needs a terminal."""

    exit_code = 44


def run_headless(dev, out=None, stop_after: float | None = None) -> None:
    """Keep the device running until SIGTERM/SIGINT (or stop_after seconds); watch it lives."""
    stop = {"now": False}

    def _stop(signum, frame) -> None:
        stop["now"] = True

    old = {s: signal.signal(s, _stop) for s in (signal.SIGTERM, signal.SIGINT)}
    started = time.monotonic()
    try:
        while not stop["now"]:
            if stop_after is not None and time.monotonic() - started >= stop_after:
                break
            dev.ping()  # raises SimCrashed with the device's stderr if it died
            time.sleep(0.2)
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def run_sim(
    vm: str | None,
    speed: float,
    link: str | None,
    flash: str | None,
    headless: bool,
    seconds: float | None = None,
) -> None:
    """Start a real-time SimDevice and serve it until the person (or a signal) stops it."""
    from talktoken.sim import SimDevice

    if speed <= 0:
        raise click.BadParameter("must be > 0", param_hint="--speed")
    if not headless and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise NoTerminal("the terminal view needs a terminal; use --headless for scripts")
    with SimDevice(vm=vm, flash=flash, realtime=True, speed=speed, link=link) as dev:
        line = f"talktoken sim: device on {dev.port} ({dev.vm}, speed x{speed:g})"
        if headless:
            click.echo(line, err=False)
            sys.stdout.flush()
            run_headless(dev, stop_after=seconds)
        else:
            from talktoken.sim import term

            term.run(dev, header=line, flash=flash)


@click.command()
@vm_option
@click.option("--speed", type=float, default=1.0, show_default=True, help="Clock speed-up.")
@click.option(
    "--link",
    type=click.Path(dir_okay=False),
    help="Make PATH a symlink to the device's serial port (use it with --port PATH).",
)
@click.option("--flash", type=click.Path(dir_okay=False), help="Flash image file to keep.")
@click.option("--headless", is_flag=True, help="No terminal drawing (for scripts).")
@click.option("--seconds", type=float, default=None, help="Headless: stop after this long.")
def sim(
    vm: str | None,
    speed: float,
    link: str | None,
    flash: str | None,
    headless: bool,
    seconds: float | None,
) -> None:
    """Run a simulated device in real time and draw its LED ring in this terminal.

    Keys: left/right or a/d turn the knob; space or k presses it (K: long press); p/P PHASE
    short/long; h/H HOLD short/long; [ and ] shorten/extend the phase; q quits. With --link
    PATH, other talktoken commands reach the device with --port PATH.
    """
    run_sim(vm, speed, link, flash, headless, seconds)
