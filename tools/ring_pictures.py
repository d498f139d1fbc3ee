"""Each picture is ledring.render() run on a real Session/Ui of the default agenda.

Usage: python tools/ring_pictures.py [OUT_DIR]   (default docs/img)
Writes ring_<state>.svg for every state and ring_states.svg, all of them on one sheet.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "host"))

from talktoken.fwtree.paths import enable_firmware_imports  # noqa: E402

enable_firmware_imports()

import agenda  # noqa: E402
import controls  # noqa: E402
import hwconfig  # noqa: E402
import ledring  # noqa: E402
from session import Session  # noqa: E402
from ui import Ui  # noqa: E402

T0 = 1_000_000
PEAK = 2048  # breathing at its brightest: (now & 4095) == 2048


class _Sink:
    def record(self, ev, seat, phase, t_ms, arg):
        pass


def _running():
    s = Session(agenda.default(), _Sink())
    ui = Ui(s)
    s.start(T0)
    return s, ui


def _at_peak(t: int) -> int:
    """The first tick at or after t where the breathing cycles are at their brightest."""
    return t + ((PEAK - t) % 8192)


def states() -> list[tuple[str, str, object, object, int]]:
    """(file stem, caption, session, ui, now) for every state the README shows."""
    out = []
    s = Session(agenda.default(), _Sink())
    ui = Ui(s)
    ui.cursor = 2
    out.append(("ready", "Ready: seat markers, knob cursor", s, ui, T0))

    s, ui = _running()
    s.give_floor(2, T0 + 1000)
    ui.cursor = 3
    out.append(("speaking", "Check-in: seat 2 speaks, cursor on 3", s, ui, T0 + 20_000))

    s, ui = _running()
    s.give_floor(2, T0 + 1000)
    ui.cursor = 3
    out.append(("turn_warning", "Turn budget nearly used: amber, brighter", s, ui, T0 + 52_000))

    s, ui = _running()
    s.give_floor(2, T0 + 1000)
    ui.cursor = 3
    out.append(("turn_overrun", "Turn overrun: slow red breathing", s, ui, _at_peak(T0 + 75_000)))

    s, ui = _running()
    s.next_phase(T0 + 2000)
    s.give_floor(5, T0 + 3000)
    ui.cursor = 5
    out.append(("phase_progress", "Open floor, 40 % through the phase", s, ui, T0 + 242_000))

    s, ui = _running()
    planned = s.phase_planned_ms()
    out.append(("phase_warning", "Phase ends soon: amber arc", s, ui, T0 + planned - 30_000))
    s, ui = _running()
    out.append(
        (
            "phase_overrun",
            "Phase overrun: whole ring breathes red",
            s,
            ui,
            _at_peak(T0 + planned + 60_000),
        )
    )

    s, ui = _running()
    s.next_phase(T0 + 1000)
    t = T0 + 2000
    for seat, minutes in ((1, 1), (2, 3), (3, 2), (4, 6), (5, 2), (6, 0), (7, 1), (0, 2)):
        s.give_floor(seat, t)
        t += minutes * 60_000
    s.open_floor(t)
    ui.glance_until = t + 6000
    ui.cursor = 0
    out.append(("balance", "Balance glance: colour AND arc length", s, ui, t + 100))

    s, ui = _running()
    s.give_floor(4, T0 + 1000)
    s.pause(T0 + 10_000)
    out.append(("paused", "Paused: whole ring dim, breathing", s, ui, _at_peak(T0 + 30_000)))

    s, ui = _running()
    ui.hold_button = controls.BTN_PHASE
    ui.hold_progress = 150
    out.append(("long_press", "Long press building (PHASE)", s, ui, T0 + 5000))

    s = Session(agenda.default(), _Sink())
    ui = Ui(s)
    ui.battery_pct = 70
    ui.battery_until = T0 + 3000
    out.append(("battery", "Battery gauge: 70 %", s, ui, T0))

    s, ui = _running()
    s.give_floor(2, T0 + 1000)
    ui.handle(controls.G_PRESS_START, controls.BTN_KNOB, T0 + 3000)
    ui.handle(controls.G_PRESS_PROGRESS, controls.pack_progress(controls.BTN_KNOB, 150), T0 + 3900)
    out.append(("pass_grace", "Pass in a turn's first 5 s: on seat 2", s, ui, T0 + 3900))

    s, ui = _running()
    s.give_floor(2, T0 + 1000)
    ui.handle(controls.G_PRESS_START, controls.BTN_KNOB, T0 + 30_000)
    ui.handle(
        controls.G_PRESS_PROGRESS, controls.pack_progress(controls.BTN_KNOB, 150), T0 + 30_900
    )
    out.append(("pass_next", "Later: 2's turn ends, seat 3 passes", s, ui, T0 + 30_900))

    s, ui = _running()
    s.next_phase(T0 + 1000)
    s.give_floor(2, T0 + 2000)
    s.give_floor(4, T0 + 90_000)
    s.open_floor(T0 + 120_000)
    s.give_floor(1, T0 + 121_000)
    for seat in (2, 6, 4):
        s.queue_toggle(seat, T0 + 130_000)
    ui.cursor = 7
    t = T0 + 140_000
    t += (512 - t) % 2048  # the fast mark at its brightest, the slow ones half way
    out.append(("queue", "Queue: 2, 6, 4 breathe; 6 (quietest) faster", s, ui, t))

    a = agenda.parse({**agenda.default().to_dict(), "balance": "phase_end"})
    s = Session(a, _Sink())
    ui = Ui(s)
    s.start(T0)
    s.next_phase(T0 + 1000)
    t = T0 + 2000
    for seat, minutes in ((1, 2), (2, 1), (3, 4), (5, 3), (7, 2), (0, 1)):
        s.give_floor(seat, t)
        t += minutes * 60_000
    s.next_phase(t)
    ui.tick(t)
    out.append(("reveal", "Phase end: balance revealed for 20 s", s, ui, t + 5000))

    s, ui = _running()
    s.give_floor(4, T0 + 1000)
    s.marker(T0 + 5000)
    ui.ack_seat = -2
    ui.ack_until = T0 + 5250
    out.append(("marker", "Marker logged (HOLD + KNOB)", s, ui, T0 + 5100))

    s, ui = _running()
    s.end(T0 + 5000)
    out.append(("ended", "Session ended", s, ui, T0 + 6000))
    return out


def _display(v: int) -> int:
    """LED level (0..MAX_LEVEL) to a screen value: the ring is seen through a diffuser."""
    if v <= 0:
        return 0
    return min(255, round(255 * (v / hwconfig.MAX_LEVEL) ** 0.45))


def ring_svg(frame: bytearray, cx: float, cy: float, r: float = 60) -> str:
    parts = [
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r + 12}" fill="#1b1d22"/>',
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r - 12}" fill="#2a2d34"/>',
    ]
    n = hwconfig.LED_COUNT
    for i in range(n):
        a = 2 * math.pi * i / n - math.pi / 2  # LED 0 at the top, clockwise
        x, y = cx + r * math.cos(a), cy + r * math.sin(a)
        rgb = [_display(frame[3 * i + k]) for k in range(3)]
        if any(rgb):
            col = "#" + "".join(f"{c:02x}" for c in rgb)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="{col}" opacity="0.35"/>')
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{col}"/>')
        else:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#30333a" stroke="#454953"/>'
            )
    parts.append(
        f'<text x="{cx:.1f}" y="{cy - r - 16:.1f}" font-size="9" fill="#9aa0aa" '
        'text-anchor="middle">seat 0</text>'
    )
    return "\n".join(parts)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def picture(frame: bytearray, caption: str) -> str:
    w, h = 200, 200
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}">\n<rect width="{w}" height="{h}" fill="#101216"/>\n'
        + ring_svg(frame, 100, 92)
        + f'\n<text x="100" y="188" font-family="sans-serif" font-size="10" fill="#e6e6e6" '
        f'text-anchor="middle">{_esc(caption)}</text>\n</svg>\n'
    )


def sheet(items: list[tuple[bytearray, str]], cols: int = 4) -> str:
    cw, ch = 220, 210
    rows = (len(items) + cols - 1) // cols
    w, h = cw * cols, ch * rows
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif">',
        f'<rect width="{w}" height="{h}" fill="#101216"/>',
    ]
    for k, (frame, caption) in enumerate(items):
        cx = cw * (k % cols) + cw / 2
        cy = ch * (k // cols) + 95
        parts.append(ring_svg(frame, cx, cy))
        parts.append(
            f'<text x="{cx:.1f}" y="{cy + 100:.1f}" font-size="10" fill="#e6e6e6" '
            f'text-anchor="middle">{_esc(caption)}</text>'
        )
    parts.append("</svg>\n")
    return "\n".join(parts)


def render_all(out_dir: Path) -> list[Path]:
    """Render every state; write one SVG each and the combined sheet; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    items = []
    for stem, caption, s, ui, now in states():
        frame = bytearray(hwconfig.LED_COUNT * 3)
        ledring.render(frame, s, ui, now)
        items.append((frame, caption))
        path = out_dir / f"ring_{stem}.svg"
        path.write_text(picture(frame, caption))
        written.append(path)
    path = out_dir / "ring_states.svg"
    path.write_text(sheet(items))
    written.append(path)
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "img"
    for path in render_all(out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
