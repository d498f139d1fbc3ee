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
    stall: str = "typical",
    knob: str = "pio",
    rtc_module: bool = False,
) -> None:
    """Start a real-time SimDevice and serve it until the person (or a signal) stops it.

    The startup line (the terminal view's header) names the hardware model as the device
    reports it: how the knob is counted, the flash stall figures and whether an RTC module is
    fitted.
    """
    from talktoken.sim import SimDevice, term

    if speed <= 0:
        raise click.BadParameter("must be > 0", param_hint="--speed")
    if not headless and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise NoTerminal("the terminal view needs a terminal; use --headless for scripts")
    with SimDevice(
        vm=vm,
        flash=flash,
        realtime=True,
        speed=speed,
        link=link,
        stall=stall,
        knob=knob,
        rtc_module=rtc_module,
    ) as dev:
        line = f"talktoken sim: device on {dev.port} ({dev.vm}, speed x{speed:g})"
        model = term.model_text(dev.state())
        if headless:
            click.echo(f"{line}; {model}", err=False)
            sys.stdout.flush()
            run_headless(dev, stop_after=seconds)
        else:
            term.run(dev, header=f"{line}\n{model}", flash=flash)


@click.command()
@vm_option
@click.option("--speed", type=float, default=1.0, show_default=True, help="Clock speed-up.")
@click.option(
    "--link",
    type=click.Path(dir_okay=False),
    help="Make PATH a symlink to the device's serial port (use it with --port PATH).",
)
@click.option("--flash", type=click.Path(dir_okay=False), help="Flash image file to keep.")
@click.option(
    "--stall",
    type=click.Choice(["typical", "worst", "none"]),
    default="typical",
    show_default=True,
    help="How long each flash erase and write stops the device, as on a Pico: the flash chip "
    "datasheet's typical times (a 4 KB erase 45 ms), its worst case (400 ms), or none.",
)
@click.option(
    "--knob",
    type=click.Choice(["pio", "polled"]),
    default="pio",
    show_default=True,
    help="How the firmware counts the knob: pio (in hardware, it keeps counting while flash "
    "stalls the device; the default build) or polled (the fallback for a board without PIO, "
    "which loses turns during stalls).",
)
@click.option(
    "--rtc-module/--no-rtc-module",
    default=False,
    show_default=True,
    help="Fit the optional battery-backed clock module (DS3231 on I2C): the device keeps the "
    "time set by clock sync through a restart, so sessions get dates without a host. Its time "
    "is kept beside the --flash FILE.",
)
@click.option("--headless", is_flag=True, help="No terminal drawing (for scripts).")
@click.option("--seconds", type=float, default=None, help="Headless: stop after this long.")
def sim(
    vm: str | None,
    speed: float,
    link: str | None,
    flash: str | None,
    stall: str,
    knob: str,
    rtc_module: bool,
    headless: bool,
    seconds: float | None,
) -> None:
    """Run a simulated device in real time and draw its LED ring in this terminal.

    Keys: left/right or a/d turn the knob; space or k presses it (K: long press); p/P PHASE
    short/long; h/H HOLD short/long; [ and ] shorten/extend the phase; q quits. With --link
    PATH, other talktoken commands reach the device with --port PATH. --stall, --knob and
    --rtc-module choose the hardware being simulated; the first line says which.
    """
    run_sim(vm, speed, link, flash, headless, seconds, stall, knob, rtc_module)
