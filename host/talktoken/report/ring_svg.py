# ruff: noqa: UP031  (SVG/HTML templates: %-formatting with %.1f coordinates reads best here)
"""SVG snippets as strings (no xmlns or external reference: they live inline in one HTML file).

The other charts (timeline, phase bars, trends) are in `svg_charts`; `SEAT_COLORS` is shared."""

from __future__ import annotations

import math
from html import escape

from talktoken.report import fmt as f
from talktoken.report.labels import seat_name

LEDS = 24
# Balance classes as text marks beside each share, so no meaning rests on colour alone.
MARKS = {"under": "▼", "fair": "≈", "over": "▲", "facmark": "◆"}
SEAT_COLORS = 12  # CSS classes s0..s11 carry the colours (light and dark themes)


def seat_start(seat: int, seats: int) -> int:
    """First LED of a seat's arc, exactly as the firmware's ledring.seat_start."""
    return seat * LEDS // seats


def balance_leds(member_share: float | None, members: int, arc: int) -> tuple[int, str]:
    """How many LEDs of a member's arc the device's balance view lights, and its category.

    Mirrors firmware/ledring.py: ratio r = share x members (1 = fair); a fair share fills half
    the arc and twice fair the whole arc; under < 0.7 <= fair <= 1.4 < over.
    """
    if member_share is None or members <= 0:
        return 0, "under"
    r = min(member_share * members, 2.0)
    cat = "under" if r < 180 / 256 else ("fair" if r <= 360 / 256 else "over")
    return round(arc * r / 2), cat


def _pt(cx: float, cy: float, r: float, deg: float) -> tuple[float, float]:
    a = math.radians(deg)
    return cx + r * math.cos(a), cy + r * math.sin(a)


def _sector(cx: float, cy: float, r0: float, r1: float, a0: float, a1: float) -> str:
    large = 1 if a1 - a0 > 180 else 0
    x0, y0 = _pt(cx, cy, r1, a0)
    x1, y1 = _pt(cx, cy, r1, a1)
    x2, y2 = _pt(cx, cy, r0, a1)
    x3, y3 = _pt(cx, cy, r0, a0)
    return "M%.1f %.1fA%.1f %.1f 0 %d 1 %.1f %.1fL%.1f %.1fA%.1f %.1f 0 %d 0 %.1f %.1fZ" % (
        x0,
        y0,
        r1,
        r1,
        large,
        x1,
        y1,
        x2,
        y2,
        r0,
        r0,
        large,
        x3,
        y3,
    )


def ring(summary: dict, labels: dict[int, str] | None) -> str:
    """The device ring: 24 LEDs showing the balance view, and each seat's share as a sector."""
    seats = summary["seats_n"]
    rows = summary["seats"]
    members = sum(1 for r in rows if not r["facilitator"])
    top = max((r["share"] or 0) for r in rows) or 1
    c = 240
    out = [
        '<svg id="ring" class="ring" viewBox="-80 -10 640 500" role="img" '
        'aria-labelledby="ring-t">',
        '<title id="ring-t">Talk share by seat, arranged like the device ring</title>',
    ]
    for r in rows:
        s = r["seat"]
        a, b = seat_start(s, seats), seat_start(s + 1, seats)
        lit, cat = (1, "facmark") if r["facilitator"] else (0, "under")
        if not r["facilitator"]:
            lit, cat = balance_leds(r["member_share"], members, b - a)
        a0, a1 = -90 + a * 15, -90 + b * 15
        out.append(f'<path class="track" d="{_sector(c, c, 66, 132, a0 + 0.8, a1 - 0.8)}"/>')
        if r["share"]:
            rr = 66 + 66 * r["share"] / top
            out.append(
                '<path class="seat b-%s%s" d="%s"><title>%s: %s of talk</title></path>'
                % (
                    cat,
                    " fac" if r["facilitator"] else "",
                    _sector(c, c, 66, rr, a0 + 0.8, a1 - 0.8),
                    escape(seat_name(labels, s, r["facilitator"])),
                    f.pct(r["share"]),
                )
            )
        for i in range(a, b):
            x, y = _pt(c, c, 148, -90 + (i + 0.5) * 15)
            cls = f"led {cat}" if i - a < lit else "led off"
            if lit == 0 and i == a and not r["facilitator"]:
                cls = f"led {cat} dim"  # the device keeps a quiet seat visible
            out.append(f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="6"/>')
        mid = -90 + (a + b) * 7.5
        x, y = _pt(c, c, 174, mid)
        anchor = (
            "middle"
            if abs(math.cos(math.radians(mid))) < 0.3
            else ("start" if math.cos(math.radians(mid)) > 0 else "end")
        )
        name = seat_name(labels, s) if labels and s in labels else "S%d" % s
        out.append(
            f'<text class="lbl" x="{x:.1f}" y="{y - 1:.1f}" text-anchor="{anchor}">'
            f"{escape(name[:10])}</text>"
        )
        out.append(
            f'<text class="sub" x="{x:.1f}" y="{y + 16:.1f}" text-anchor="{anchor}">'
            f"{f.pct(r['share'])} {MARKS[cat]}</text>"
        )
    out.append(
        '<text class="big" x="%d" y="%d" text-anchor="middle">%s</text>'
        % (c, c + 2, f.duration(summary["talk_ms"]))
    )
    out.append(
        '<text class="cap" x="%d" y="%d" text-anchor="middle">talk time</text>' % (c, c + 22)
    )
    out.append("</svg>")
    return "".join(out)
