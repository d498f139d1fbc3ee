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
# The whole view fits an 80x24 terminal: header 2 + ring 15 + status 4 + keys 2 + message 1.
WIDTH = 80
HEIGHT = 24
ROWS = 6  # ring radius in terminal rows (cells are about twice as tall as wide)
COLS = 14  # ring radius in terminal columns
MARGIN_ROWS = 1  # room for the seat numbers around the ring
MARGIN_COLS = 6
OFF = (40, 40, 40)  # an unlit LED, so the ring's shape stays visible
DIMMEST = 80  # the faintest lit LED on a screen: the room's brightness cap is not the screen's

# What each key does, in the order the help lists them: (keys, meaning). KEYS below maps each
# key to its action; a new key goes in both, and help_lines() wraps the list to the width.
HELP = [
    ("\u2190/\u2192 a/d", "turn"),
    ("space/k", "knob"),
    ("K", "knob long"),
    ("p/P", "phase short/long"),
    ("h/H", "hold short/long"),
    ("[/]", "shorten/extend"),
    ("j", "queue"),
    ("m", "marker"),
    ("q", "quit"),
]

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
    """An LED's colour for a screen: the room's cap is full scale, dim arcs are lifted.

    Brightness follows a square-root curve of the brightest channel (a dim arc of 6/96 shows
    at about a third of full scale, not a sixteenth) and never falls below DIMMEST; the ratio
    of the channels, the hue, is kept.
    """
    top = max(rgb)
    if top <= 0:
        return OFF
    target = max(DIMMEST, round(255 * min(1.0, top / MAX_LEVEL) ** 0.5))
    return tuple(min(255, round(v * target / top)) for v in rgb)  # type: ignore


def help_lines(width: int = WIDTH) -> list[str]:
    """The keys, as many to a line as fit in `width` columns."""
    lines: list[str] = []
    line = "keys:"
    first = True
    for keys, meaning in HELP:
        item = f"{keys} {meaning}"
        if not first and len(line) + 3 + len(item) > width:
            lines.append(line)
            line, first = "     ", True
        line += (" " if first else "   ") + item
        first = False
    lines.append(line)
    return lines


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
        row = MARGIN_ROWS + ROWS - round((ROWS + MARGIN_ROWS) * math.cos(a))
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
            flags.append("turn over")
        elif st["turn_warning"]:
            flags.append("turn ending")
        lines.append(
            f"phase {st['phase'] + 1}/{st['phases']}: {st['phase_name'][:24]} ({st['phase_mode']})"
            f"  {fmt_ms(st['phase_elapsed_ms'])}/{fmt_ms(st['phase_planned_ms'])}"
            + (f"  [{', '.join(flags)}]" if flags else "")
        )
        who = f"seat {st['speaker']}" if st["speaker"] >= 0 else "nobody (open floor)"
        turn = ""
        if st["speaker"] >= 0:
            turn = f" for {fmt_ms(st['turn_elapsed_ms'])}"
            if st["turn_budget_ms"]:
                turn += f" of {fmt_ms(st['turn_budget_ms'])}"
        lines.append(f"speaking: {who}{turn}   knob points at seat {st['ui']['cursor']}")
    else:
        lines.append(f"knob points at seat {st['ui']['cursor']}   P (long PHASE) starts")
    # The queue and the reveal share one line, so the view stays within 24 rows.
    extra = []
    queue = st.get("queue") or []
    if queue and st["state"] in ("running", "paused"):
        extra.append(
            f"queue: {' '.join(f'seat {q}' for q in queue)}   next: seat {st['queue_next']}"
        )
    if st["ui"].get("revealing"):
        extra.append("balance revealed (the phase ended)")
    if extra:
        lines.append("   ".join(extra))
    lines.append(f"session time {fmt_ms(st['session_ms'])}   {clock_text(st)}")
    return [line[:WIDTH] for line in lines]


def clock_text(st: dict) -> str:
    """What the device's clock says: its wall time (UTC) once set, else that it is not set."""
    from datetime import datetime, timezone

    if not st.get("clock_set"):
        return "device clock not set (agenda push or clock sync sets it)"
    when = datetime.fromtimestamp(st.get("rtc", 0), timezone.utc)
    return f"device clock {when:%Y-%m-%d %H:%M:%S} UTC"


def model_text(st: dict) -> str:
    """The simulated hardware as the device reports it: knob counting, flash stalls, RTC module."""
    knob = {"pio": "knob counted by PIO", "polled": "knob polled"}.get(
        str(st.get("knob")), "knob ?"
    )
    stall = st.get("flash_stall", "none")
    stalls = "no flash stalls" if stall == "none" else f"{stall} flash stalls (datasheet)"
    rtc = "RTC module fitted" if st.get("rtc_module") else "no RTC module"
    return f"{knob}, {stalls}, {rtc}"


def frame_lines(
    leds: list[tuple[int, int, int]], st: dict, header: str = "", message: str = ""
) -> list[str]:
    """The whole screen as lines with ANSI colour codes (no cursor movement), at most 80x24.

    `header` is at most two lines (split at a newline).
    """
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
    lines = [line[:WIDTH] for line in header.split("\n")[:2]] if header else []
    lines += ["".join(row).rstrip() for row in grid]
    lines += status_lines(st)
    lines += help_lines()
    if message:
        lines.append(f"\x1b[1m{message[:WIDTH]}\x1b[0m")
    return lines


def quit_question(st: dict, flash: str | None) -> str | None:
    """What to ask before q quits, or None when nothing would be lost (no session running)."""
    if st.get("state") not in ("running", "paused") or st.get("off"):
        return None
    if flash:
        name = os.path.basename(flash)
        return f"Quit? The session stays in {name} as at a power cut. q: quit, other key: stay"
    return "Quit? The running session is lost (no --flash FILE). q: quit, other key: stay"


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
        """Redraw the screen from the top with these lines (no newline after the last one, so a
        screen exactly as tall as the lines never scrolls)."""
        self.out.write("\x1b[H" + "\r\n".join(line + "\x1b[K" for line in lines) + "\x1b[J")
        self.out.flush()

    def keys(self, timeout: float) -> list[str]:
        """Keys pressed within `timeout` seconds ([] if none)."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return []
        return parse_keys(os.read(self.fd, 1024))


def run(dev, header: str = "", fps: float = 20.0, flash: str | None = None) -> None:
    """Draw the device and feed it keys until q (asked first while a session runs)."""
    period = 1.0 / fps
    asking: str | None = None
    with Screen() as screen:
        running = True
        while running:
            started = time.monotonic()
            st = dev.state()
            screen.draw(frame_lines(dev.leds(), st, header, asking or ""))
            left = period - (time.monotonic() - started)
            for key in screen.keys(max(0.0, left)):
                if asking is not None:
                    running = KEYS.get(key, ("", None))[0] != "quit"
                    asking = None
                    if not running:
                        break
                    continue
                if key not in KEYS:
                    continue
                action, arg = KEYS[key]
                if action == "quit":
                    asking = quit_question(st, flash)
                    if asking is None:
                        running = False
                        break
                    continue
                apply_action(dev, action, arg)
