# `talktoken sim` hardware switches: --rtc-module, --knob and --stall reach the simulated device.
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from talktoken.sim import term

BIN = Path(sys.executable).parent
TALKTOKEN = str(BIN / "talktoken")


def _start(link: Path, *flags: str, seconds: float = 60) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [TALKTOKEN, "sim", "--headless", "--seconds", str(seconds), "--link", str(link), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = proc.stdout.readline()
    if f"device on {link}" not in first:
        proc.kill()
        raise AssertionError(f"no startup line: {first!r} {proc.stderr.read()}")
    return proc, first


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(20)
    assert proc.returncode == 0, proc.stderr.read()


def _info(link: Path) -> dict:
    out = subprocess.run(
        [TALKTOKEN, "info", "--port", str(link), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    ("flags", "fitted"), [(("--rtc-module",), True), ((), False), (("--no-rtc-module",), False)]
)
def test_rtc_module_switch_reaches_info(tmp_path, flags, fitted) -> None:
    link = tmp_path / "tt"
    proc, first = _start(link, *flags)
    try:
        assert _info(link)["rtc_module"] is fitted
        assert ("RTC module fitted" in first) is fitted
    finally:
        _stop(proc)


def test_rtc_module_keeps_the_time_in_the_flash_file(tmp_path) -> None:
    link, flash = tmp_path / "tt", tmp_path / "flash.img"
    proc, _ = _start(link, "--rtc-module", "--flash", str(flash))
    try:
        out = subprocess.run(
            [TALKTOKEN, "clock", "sync", "--port", str(link)], capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
    finally:
        _stop(proc)
    proc, _ = _start(link, "--rtc-module", "--flash", str(flash))
    try:
        info = _info(link)
        assert info["clock_source"] == "rtc" and info["clock_set"] is True
    finally:
        _stop(proc)


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        ((), "knob counted by PIO, typical flash stalls (datasheet), no RTC module"),
        (("--knob", "polled"), "knob polled, typical flash stalls"),
        (("--stall", "worst"), "knob counted by PIO, worst flash stalls"),
        (("--stall", "none", "--knob", "pio"), "knob counted by PIO, no flash stalls"),
    ],
)
def test_startup_line_names_the_model_the_device_reports(tmp_path, flags, said) -> None:
    link = tmp_path / "tt"
    proc, first = _start(link, *flags, seconds=3)
    proc.wait(60)  # --seconds: it stops by itself
    assert proc.returncode == 0, proc.stderr.read()
    assert said in first


def test_model_text_comes_from_the_device_state() -> None:
    st = {"knob": "polled", "flash_stall": "worst", "rtc_module": True}
    assert term.model_text(st) == "knob polled, worst flash stalls (datasheet), RTC module fitted"
    assert term.model_text({}) == "knob ?, no flash stalls, no RTC module"


def test_stepped_device_reports_its_model(tmp_path) -> None:
    from talktoken.sim.device import SimDevice

    with SimDevice(vm="micropython", stall="worst", knob="polled") as dev:
        st = dev.state()
    assert (st["flash_stall"], st["knob"], st["rtc_module"]) == ("worst", "polled", False)


@pytest.mark.parametrize(
    ("flags", "named"),
    [(("--stall", "slow"), "--stall"), (("--knob", "optical"), "--knob"), (("--rtc",), "--rtc")],
)
def test_bad_values_are_usage_errors(flags, named) -> None:
    out = subprocess.run(
        [TALKTOKEN, "sim", "--headless", *flags], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    assert "Usage:" in out.stderr and named in out.stderr
    assert "Traceback" not in out.stderr


def test_help_explains_the_switches() -> None:
    out = subprocess.run([TALKTOKEN, "sim", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    for words in ("[typical|worst|none]", "[pio|polled]", "--rtc-module / --no-rtc-module"):
        assert words in text
    assert "datasheet" in text and "DS3231" in text


def test_frame_takes_a_two_line_header() -> None:
    from test_sim_term import _state

    header = "talktoken sim: device on /dev/pts/12 (micropython, speed x20)\n" + term.model_text(
        {"knob": "pio", "flash_stall": "typical", "rtc_module": True}
    )
    st = _state(seats=12, phase_name="x" * 32, turn_overrun=True)
    lines = term.frame_lines([(6, 6, 0)] * 24, st, header, term.quit_question(st, None))
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    assert len(plain) <= term.HEIGHT and max(map(len, plain)) <= term.WIDTH
    assert plain[1] == "knob counted by PIO, typical flash stalls (datasheet), RTC module fitted"
    assert plain[2].strip() == "0"  # seat 0 at the top, under the header


@pytest.mark.usefixtures("tmux")  # skips with the install line when tmux is missing
def test_terminal_view_takes_the_switches() -> None:
    from test_sim_term import Tmux

    tmux = Tmux(
        f"{TALKTOKEN} sim --knob polled --stall worst --rtc-module; echo SIM-EXIT=$?; sleep 30"
    )
    try:
        text = tmux.wait_for(r"state: ready")
        assert text.splitlines()[1] == (
            "knob polled, worst flash stalls (datasheet), RTC module fitted"
        ), text
        tmux.keys("d")  # the polled knob still turns the cursor outside a stall
        tmux.wait_for(r"knob points at seat 1")
        tmux.keys("q")
        tmux.wait_for(r"SIM-EXIT=0")
    finally:
        tmux.kill()
