"""Draw the 24-LED ring as a circle of coloured cells and map keys to the device's controls."""

from __future__ import annotations

import math
import os
import select
import sys
import termios
import time
import tty

RING = 24
MAX_LEVEL = 96  # firmware hwconfig.MAX_LEVEL: the brightest channel the ring ever shows
ROWS = 9  # ring radius in terminal rows (cells are about twice as tall as wide)
COLS = 20  # ring radius in terminal columns
MARGIN_ROWS = 2  # room for the seat numbers around the ring
MARGIN_COLS = 7
OFF = (40, 40, 40)  # an unlit LED, so the ring's shape stays visible

HELP = (
    "keys: \u2190/\u2192 or a/d turn   space/k knob   K knob long (pass / next queued / open)   "
    "p/P phase short/long   h/H hold short/long   [/] shorten/extend   "
    "j queue the seat (PHASE+knob)   m marker (HOLD+knob)   q quit"
)

# key -> (action, argument) ; actions are SimDevice calls, see apply_action()
KEYS = {
    "a": ("turn", -1),
    "d": ("turn", 1),
    "left": ("turn", -1),
    "right": ("turn", 1),
    " ": ("press", "knob"),
    "k": ("press", "knob"),
    "K": ("long", "knob"),
    "p": ("press", "phase"),
    "P": ("long", "phase"),
    "h": ("press", "hold"),
    "H": ("long", "hold"),
    "]": ("extend", 1),
    "[": ("extend", -1),
    "j": ("chord", "phase"),
    "m": ("chord", "hold"),
    "q": ("quit", None),
    "Q": ("quit", None),
}


def parse_keys(data: bytes) -> list[str]:
    """Key names from raw terminal input: single characters, "left" and "right" for arrows."""
    out: list[str] = []
    i = 0
    while i < len(data):
        if data[i : i + 3] in (b"\x1b[D", b"\x1bOD"):
            out.append("left")
            i += 3
        elif data[i : i + 3] in (b"\x1b[C", b"\x1bOC"):
            out.append("right")
            i += 3
        elif data[i] == 0x1B:
            i += 3 if data[i + 1 : i + 2] in (b"[", b"O") else 1  # other escapes: ignored
        else:
            out.append(chr(data[i]))
            i += 1
    return out


def apply_action(dev, action: str, arg) -> bool:
    """Do what a key means on the device; False for quit."""
    if action == "quit":
        return False
    if action == "turn":
        dev.turn(arg)
    elif action == "press":
        dev.press(arg)
    elif action == "long":
        dev.long_press(arg)
    elif action == "extend":
        dev.down("phase")
        dev.turn(arg)
        dev.up("phase")
    elif action == "chord":
        dev.down(arg)
        dev.press("knob")
        dev.up(arg)
    return True


def shown(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """An LED's colour as the eye sees it through the diffuser (the cap mapped to full scale)."""
    if not any(rgb):
        return OFF
    return tuple(min(255, 40 + v * 215 // MAX_LEVEL) if v else 0 for v in rgb)  # type: ignore


def ring_cells(n: int = RING) -> list[tuple[int, int]]:
    """(row, col) of each LED's 2-column cell; LED 0 at the top, clockwise."""
    cells = []
    for i in range(n):
        a = 2 * math.pi * i / n
        row = MARGIN_ROWS + ROWS - round(ROWS * math.cos(a))
        col = MARGIN_COLS + COLS + round(COLS * math.sin(a))
        cells.append((row, col))
    return cells


def seat_labels(seats: int, n: int = RING) -> list[tuple[int, int, str]]:
    """(row, col, text) seat numbers just outside the middle of each seat's arc."""
    out = []
    for s in range(seats):
        first = s * n // seats
        last = (s + 1) * n // seats - 1
        a = 2 * math.pi * ((first + last) / 2) / n
        row = MARGIN_ROWS + ROWS - round((ROWS + 2) * math.cos(a))
        col = MARGIN_COLS + COLS + round((COLS + 5) * math.sin(a))
        out.append((row, col, str(s)))
    return out


def fmt_ms(ms: int) -> str:
    """Milliseconds as m:ss (negative counts as 0)."""
    s = max(0, ms) // 1000
    return f"{s // 60}:{s % 60:02d}"


def status_lines(st: dict) -> list[str]:
    """Plain-text status under the ring: state, phase, times, speaker, cursor."""
    state = "OFF (power lost)" if st.get("off") else st["state"]
    lines = [f"state: {state}   agenda: {st['agenda']} ({st['seats']} seats)"]
    if st["state"] in ("running", "paused"):
        flags = []
        if st["phase_overrun"]:
            flags.append("OVERRUN")
        elif st["phase_warning"]:
            flags.append("warning")
        if st["turn_overrun"]:
            flags.append("turn over budget")
        elif st["turn_warning"]:
            flags.append("turn ending")
        lines.append(
            f"phase {st['phase'] + 1}/{st['phases']}: {st['phase_name']} ({st['phase_mode']})"
            f"   {fmt_ms(st['phase_elapsed_ms'])} of {fmt_ms(st['phase_planned_ms'])}"
            + (f"   [{', '.join(flags)}]" if flags else "")
        )
        who = f"seat {st['speaker']}" if st["speaker"] >= 0 else "nobody (open floor)"
        turn = ""
        if st["speaker"] >= 0:
            turn = f" for {fmt_ms(st['turn_elapsed_ms'])}"
            if st["turn_budget_ms"]:
                turn += f" of {fmt_ms(st['turn_budget_ms'])}"
        lines.append(f"speaking: {who}{turn}   knob points at seat {st['ui']['cursor']}")
        queue = st.get("queue") or []
        if queue:
            lines.append(
                f"queue: {' '.join(f'seat {q}' for q in queue)}   next: seat {st['queue_next']}"
            )
    else:
        lines.append(f"knob points at seat {st['ui']['cursor']}   P (long PHASE) starts")
    if st["ui"].get("revealing"):
        lines.append("balance revealed (the phase ended)")
    lines.append(f"session time {fmt_ms(st['session_ms'])}   device clock {fmt_ms(st['vt'])}")
    return lines


def frame_lines(leds: list[tuple[int, int, int]], st: dict, header: str = "") -> list[str]:
    """The whole screen as lines with ANSI colour codes (no cursor movement)."""
    height = 2 * (ROWS + MARGIN_ROWS) + 1
    width = 2 * (COLS + MARGIN_COLS) + 2
    grid: list[list[str]] = [[" "] * width for _ in range(height)]
    for r, c, text in seat_labels(st["seats"]):
        for k, ch in enumerate(text):
            grid[r][c + k] = f"\x1b[2m{ch}\x1b[0m"
    for i, (r, c) in enumerate(ring_cells()):
        red, green, blue = shown(leds[i])
        grid[r][c] = f"\x1b[38;2;{red};{green};{blue}m\u2588\u2588\x1b[0m"
        grid[r][c + 1] = ""
    lines = [header] if header else []
    lines += ["".join(row).rstrip() for row in grid]
    lines += status_lines(st)
    lines.append(HELP)
    return lines


class Screen:
    """Raw-mode terminal: alternate screen, hidden cursor, restored on exit."""

    def __init__(self, fd_in: int = 0, out=None) -> None:
        self.fd = fd_in
        self.out = out or sys.stdout
        self._saved: list | None = None

    def __enter__(self) -> Screen:
        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        self.out.write("\x1b[?1049h\x1b[?25l\x1b[2J")
        self.out.flush()
        return self

    def __exit__(self, *exc) -> None:
        self.out.write("\x1b[0m\x1b[?25h\x1b[?1049l")
        self.out.flush()
        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def draw(self, lines: list[str]) -> None:
        """Redraw the screen from the top with these lines."""
        self.out.write("\x1b[H" + "".join(line + "\x1b[K\r\n" for line in lines) + "\x1b[J")
        self.out.flush()

    def keys(self, timeout: float) -> list[str]:
        """Keys pressed within `timeout` seconds ([] if none)."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return []
        return parse_keys(os.read(self.fd, 1024))


def run(dev, header: str = "", fps: float = 20.0) -> None:
    """Draw the device and feed it keys until q (or the device stops)."""
    period = 1.0 / fps
    with Screen() as screen:
        running = True
        while running:
            started = time.monotonic()
            screen.draw(frame_lines(dev.leds(), dev.state(), header))
            left = period - (time.monotonic() - started)
            for key in screen.keys(max(0.0, left)):
                if key in KEYS and not apply_action(dev, *KEYS[key]):
                    running = False
                    break
