# `talktoken sim`: the terminal view driven by keys in tmux, headless mode, and the drawing code.
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import serial
from talktoken.sim import term

BIN = Path(sys.executable).parent
TALKTOKEN = str(BIN / "talktoken")


def test_parse_keys() -> None:
    assert term.parse_keys(b"ad \x1b[C\x1b[DkKq") == [
        "a",
        "d",
        " ",
        "right",
        "left",
        "k",
        "K",
        "q",
    ]
    assert term.parse_keys(b"\x1b[Ax") == ["x"]  # other escapes are ignored
    assert term.KEYS["P"] == ("long", "phase") and term.KEYS["h"] == ("press", "hold")


def _state(**over) -> dict:
    st = {
        "state": "running",
        "off": False,
        "agenda": "Test",
        "seats": 6,
        "phase": 1,
        "phases": 3,
        "phase_name": "Open",
        "phase_mode": "open",
        "phase_elapsed_ms": 61_000,
        "phase_planned_ms": 600_000,
        "phase_warning": False,
        "phase_overrun": True,
        "turn_warning": False,
        "turn_overrun": False,
        "speaker": 4,
        "turn_elapsed_ms": 5_000,
        "turn_budget_ms": 0,
        "session_ms": 100_000,
        "vt": 120_000,
        "ui": {"cursor": 2},
    }
    st.update(over)
    return st


def test_frame_shows_every_led_and_the_status() -> None:
    leds = [(0, 0, 0)] * 24
    leds[5] = (96, 0, 0)
    lines = term.frame_lines(leds, _state())
    text = "\n".join(lines)
    assert text.count("\u2588\u2588") == 24
    assert "\x1b[38;2;255;0;0m" in text  # the capped red shown at full scale
    assert "\x1b[38;2;40;40;40m" in text  # unlit LEDs stay visible as grey
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert "phase 2/3: Open (open)" in plain and "OVERRUN" in plain
    assert "speaking: seat 4" in plain and "knob points at seat 2" in plain
    ring_rows = "\n".join(plain.splitlines()[: 2 * (term.ROWS + term.MARGIN_ROWS) + 1])
    for seat in range(6):
        assert re.search(rf"(^|\s){seat}(\s|$)", ring_rows), seat  # every seat is labelled


def test_ring_cells_go_clockwise_from_the_top() -> None:
    cells = term.ring_cells()
    assert len(set(cells)) == 24
    top = min(r for r, _ in cells)
    assert cells[0][0] == top
    assert cells[6][1] > cells[0][1] and cells[18][1] < cells[0][1]  # right, then left


def test_terminal_view_needs_a_terminal() -> None:
    proc = subprocess.run(
        [TALKTOKEN, "sim"], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60
    )
    assert proc.returncode == 44
    assert "--headless" in proc.stderr


def test_headless_with_link_serves_the_port(tmp_path) -> None:
    link = tmp_path / "tt"
    proc = subprocess.Popen(
        [TALKTOKEN, "sim", "--headless", "--link", str(link), "--vm", "micropython"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        assert f"device on {link}" in first, proc.stderr.read() if proc.poll() else first
        with serial.Serial(str(link), 115200, timeout=5) as port:
            port.write(b"@1 hello {}\n")
            assert port.readline().startswith(b"TT:1 ok ")
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0
    assert not os.path.lexists(link)


class Tmux:
    """A private tmux server running one command in a fixed-size pane."""

    def __init__(self, command: str, width: int = 80, height: int = 24) -> None:
        self.sock = f"tt-{uuid.uuid4().hex[:8]}"
        self.run("new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height), command)

    def run(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.sock, *args], capture_output=True, text=True, check=True
        ).stdout

    def screen(self, colours: bool = False) -> str:
        return self.run("capture-pane", "-p", *(["-e"] if colours else []), "-t", "t")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "t", *keys)

    def wait_for(self, pattern: str, timeout: float = 20, gone: bool = False) -> str:
        """The screen once `pattern` is on it (or, with `gone`, once it has left it)."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if bool(re.search(pattern, text)) != gone:
                return text
            if time.monotonic() > deadline:
                seen = "still saw" if gone else "never saw"
                raise AssertionError(f"{seen} {pattern!r} on the screen:\n{text}")
            time.sleep(0.1)

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.sock, "kill-server"], capture_output=True)


@pytest.mark.usefixtures("tmux")  # skips with the install line when tmux is missing
def test_sim_in_tmux_is_driven_by_keys() -> None:
    tmux = Tmux(f"{TALKTOKEN} sim --speed 20; echo SIM-EXIT=$?; sleep 30")
    try:
        text = tmux.wait_for(r"state: ready")
        rows = text.splitlines()
        # All of it on an 80x24 screen: the header on the first row, the simulated hardware on
        # the second, seat 0 right under it, the clock line saying what it shows, the keys on
        # their own rows.
        assert rows[0].startswith("talktoken sim: device on "), text
        assert rows[1] == "knob counted by PIO, typical flash stalls (datasheet), no RTC module"
        assert rows[2].strip() == "0", text
        assert "device clock not set" in text and re.search(r"^keys: .* turn ", text, re.M)
        assert re.search(r"^\s+.*q quit$", text, re.M), text
        ready_colours = tmux.screen(colours=True)
        tmux.keys("P")  # PHASE long: the session starts
        tmux.wait_for(r"state: running")
        tmux.wait_for(r"phase 1/5: Check-in")
        tmux.keys("d", "d", "Right")  # three detents clockwise
        tmux.wait_for(r"knob points at seat 3")
        tmux.keys("a")
        tmux.wait_for(r"knob points at seat 2")
        tmux.keys("k")  # the knob press gives seat 2 the floor
        text = tmux.wait_for(r"speaking: seat 2")
        assert "knob points at seat 3" in text
        running_colours = tmux.screen(colours=True)
        ring = re.compile(r"\x1b\[38;2;\d+;\d+;\d+m")
        assert ring.findall(running_colours) != ring.findall(ready_colours)
        tmux.keys("K")  # seat 2 passes: the token moves to seat 3
        tmux.wait_for(r"speaking: seat 3")
        tmux.keys("h")
        tmux.wait_for(r"state: paused")
        tmux.keys("h")
        tmux.wait_for(r"state: running")
        tmux.keys("q")  # a running session: q asks first, any other key stays
        tmux.wait_for(r"Quit\? The running session is lost \(no --flash FILE\)")
        tmux.keys("x")
        # The redraw after the key is asynchronous: wait for the question to leave the screen,
        # then the session must still be running.
        text = tmux.wait_for(r"Quit\?", gone=True)
        assert "state: running" in text, text
        tmux.keys("H")  # HOLD long: the session ends
        tmux.wait_for(r"state: ended")
        tmux.keys("q")
        tmux.wait_for(r"SIM-EXIT=0")
    finally:
        tmux.kill()


class _Recorder:
    """The SimDevice calls a key makes, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __getattr__(self, name: str):
        return lambda *args: self.calls.append((name, *args))


def test_queue_and_marker_keys_are_chords_listed_on_screen() -> None:
    for key, what in (("j", "queue"), ("m", "marker")):
        assert any(k == key and m.startswith(what) for k, m in term.HELP), (key, term.HELP)
    dev = _Recorder()
    assert term.apply_action(dev, *term.KEYS["j"])
    assert dev.calls == [("down", "phase"), ("press", "knob"), ("up", "phase")]
    dev = _Recorder()
    assert term.apply_action(dev, *term.KEYS["m"])
    assert dev.calls == [("down", "hold"), ("press", "knob"), ("up", "hold")]
    actions = {term.KEYS[k][0] for k in term.KEYS}
    assert {"chord", "extend", "long", "press", "turn", "quit"} == actions


def test_status_shows_the_queue_and_the_reveal() -> None:
    st = {
        "off": False,
        "state": "running",
        "agenda": "A",
        "seats": 8,
        "phase_overrun": False,
        "phase_warning": False,
        "turn_overrun": False,
        "turn_warning": False,
        "phase": 1,
        "phases": 5,
        "phase_name": "Open",
        "phase_mode": "open",
        "phase_elapsed_ms": 1000,
        "phase_planned_ms": 60000,
        "speaker": 2,
        "turn_elapsed_ms": 500,
        "turn_budget_ms": 0,
        "ui": {"cursor": 3, "revealing": True},
        "queue": [5, 1],
        "queue_next": 1,
        "session_ms": 2000,
        "vt": 3000,
        "clock_set": False,
    }
    text = "\n".join(term.status_lines(st))
    assert "queue: seat 5 seat 1   next: seat 1" in text
    assert "balance revealed" in text


@pytest.mark.usefixtures("tmux")
def test_q_q_quits_a_running_session_kept_in_flash(tmp_path) -> None:
    flash = tmp_path / "f.img"
    tmux = Tmux(f"{TALKTOKEN} sim --speed 20 --flash {flash}; echo SIM-EXIT=$?; sleep 30")
    try:
        tmux.wait_for(r"state: ready")
        tmux.keys("P")
        tmux.wait_for(r"state: running")
        tmux.keys("q")
        tmux.wait_for(r"Quit\? The session stays in f\.img as at a power cut")
        tmux.keys("q")
        tmux.wait_for(r"SIM-EXIT=0")
    finally:
        tmux.kill()
    assert flash.stat().st_size > 0


def test_frame_fits_80x24_with_twelve_seats_and_a_question() -> None:
    st = _state(seats=12, phase_name="x" * 32, turn_overrun=True, phase_planned_ms=7_200_000)
    header = "talktoken sim: device on /dev/pts/12 (micropython, speed x20)"
    lines = term.frame_lines([(6, 6, 0)] * 24, st, header, term.quit_question(st, None))
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    assert len(plain) <= term.HEIGHT and max(map(len, plain)) <= term.WIDTH
    assert plain[1].strip() == "0"  # seat 0 at the top, under the header
    assert plain[-1].startswith("Quit?")


def test_help_lines_fit_and_list_every_key() -> None:
    for width in (60, 80, 120):
        lines = term.help_lines(width)
        assert all(len(line) <= width for line in lines)
        text = " ".join(lines)
        assert all(f"{keys} {meaning}" in text for keys, meaning in term.HELP)
    assert len(term.help_lines(80)) == 2


def test_screen_colours_lift_dim_arcs_and_keep_the_hue() -> None:
    assert term.shown((96, 0, 0)) == (255, 0, 0)
    dim = term.shown((6, 6, 0))
    assert dim[0] == dim[1] >= term.DIMMEST and dim[2] == 0
    r, g, _ = term.shown((24, 8, 0))
    assert r > 100 and abs(r / g - 3) < 0.1
    assert term.shown((0, 0, 0)) == term.OFF


def test_quit_question_only_while_a_session_runs() -> None:
    assert term.quit_question(_state(state="ready"), None) is None
    assert term.quit_question(_state(state="ended"), "f.img") is None
    assert "lost" in term.quit_question(_state(), None)
    assert "f.img" in term.quit_question(_state(state="paused"), "f.img")


def test_clock_line_says_what_it_shows() -> None:
    assert "device clock not set" in term.clock_text(_state(clock_set=False))
    text = term.clock_text(_state(clock_set=True, rtc=1_800_000_000))
    assert text == "device clock 2027-01-15 08:00:00 UTC"
