# Inline SVG charts for the HTML report: ring (mirrors the device), timeline, phase bars, trends.
# ruff: noqa: UP031  (SVG/HTML templates: %-formatting with %.1f coordinates reads best here)
"""SVG snippets as strings (no xmlns or external reference: they live inline in one HTML file)."""

from __future__ import annotations

import math
from html import escape

from talktoken import report_fmt as f
from talktoken.labels import seat_name

LEDS = 24
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
    size, c = 480, 240
    out = [
        '<svg id="ring" class="ring" viewBox="0 0 %d %d" role="img" aria-labelledby="ring-t">'
        % (size, size),
        '<title id="ring-t">Talk share by seat, arranged like the device ring</title>',
    ]
    for r in rows:
        s = r["seat"]
        a, b = seat_start(s, seats), seat_start(s + 1, seats)
        a0, a1 = -90 + a * 15, -90 + b * 15
        out.append(f'<path class="track" d="{_sector(c, c, 66, 132, a0 + 0.8, a1 - 0.8)}"/>')
        if r["share"]:
            rr = 66 + 66 * r["share"] / top
            out.append(
                '<path class="seat s%d%s" d="%s"><title>%s: %s of talk</title></path>'
                % (
                    s % SEAT_COLORS,
                    " fac" if r["facilitator"] else "",
                    _sector(c, c, 66, rr, a0 + 0.8, a1 - 0.8),
                    escape(seat_name(labels, s, r["facilitator"])),
                    f.pct(r["share"]),
                )
            )
        lit, cat = (1, "facmark") if r["facilitator"] else (0, "under")
        if not r["facilitator"]:
            lit, cat = balance_leds(r["member_share"], members, b - a)
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
            f"{escape(name[:12])}</text>"
        )
        out.append(
            f'<text class="sub" x="{x:.1f}" y="{y + 16:.1f}" text-anchor="{anchor}">'
            f"{f.pct(r['share'])}</text>"
        )
    out.append(
        '<text class="big" x="%d" y="%d" text-anchor="middle">%s</text>'
        % (c, c + 4, f.duration(summary["talk_ms"]))
    )
    out.append(
        '<text class="cap" x="%d" y="%d" text-anchor="middle">talk time</text>' % (c, c + 24)
    )
    out.append("</svg>")
    return "".join(out)


def _ticks(total_ms: int) -> list[int]:
    for step_min in (1, 2, 5, 10, 15, 20, 30, 60, 120):
        if total_ms / (step_min * 60_000) <= 10:
            return list(range(0, total_ms + 1, step_min * 60_000))
    return [0, total_ms]


def timeline(summary: dict, tl, labels: dict[int, str] | None) -> str:
    """Turns by seat (rows) over session time, phases as bands, pauses hatched, power cuts."""
    seats = summary["seats_n"]
    total = max(tl.end_ms, 1)
    left, width, row, top = 118, 820, 20, 34
    height = top + seats * row + 26
    sx = width / total

    def x(t: float) -> float:
        return left + t * sx

    out = [
        '<svg id="timeline" class="timeline" viewBox="0 0 %d %d" role="img" '
        'aria-labelledby="tl-t">' % (left + width + 30, height),
        '<title id="tl-t">Turns by seat over the session, with phases</title>',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect class="hatchbg" width="6" height="6"/>'
        '<line class="hatchln" x1="0" y1="0" x2="0" y2="6"/></pattern></defs>',
    ]
    for i, p in enumerate(summary["phases"]):
        if not p["ran"]:
            continue
        x0, x1 = x(p["start_ms"]), x(p["end_ms"])
        out.append(
            '<rect class="band b%d" x="%.1f" y="%d" width="%.1f" height="%d"/>'
            % (i % 2, x0, top, max(x1 - x0, 0.5), seats * row)
        )
        out.append(
            '<text class="ph" x="%.1f" y="%d"><title>%s</title>%s</text>'
            % (x0 + 3, top - 8, escape(p["name"]), escape(p["name"][: max(1, int((x1 - x0) / 7))]))
        )
    for s in range(seats):
        y = top + s * row
        fac = s in summary["facilitators"]
        out.append(
            '<text class="lbl" x="%d" y="%d" text-anchor="end">%s</text>'
            % (left - 8, y + 14, escape(seat_name(labels, s, fac)[:16]))
        )
        out.append(
            '<line class="grid" x1="%d" x2="%d" y1="%d" y2="%d"/>'
            % (left, left + width, y + row, y + row)
        )
    for a, b in tl.pauses:
        out.append(
            '<rect class="pause" x="%.1f" y="%d" width="%.1f" height="%d" fill="url(#hatch)">'
            "<title>paused %s</title></rect>"
            % (x(a), top, max(x(b) - x(a), 1), seats * row, f.duration(b - a))
        )
    for t in tl.turns:
        if not 0 <= t.seat < seats:
            continue
        y = top + t.seat * row + 3
        if t.kind == "pass":
            out.append(
                '<path class="pass" d="M%.1f %dl5 7l-5 7l-5 -7z"><title>pass</title></path>'
                % (x(t.start_ms), y)
            )
            continue
        out.append(
            '<rect class="turn s%d%s" x="%.1f" y="%d" width="%.1f" height="%d">'
            "<title>%s %s at %s</title></rect>"
            % (
                t.seat % SEAT_COLORS,
                " cut" if t.cut else "",
                x(t.start_ms),
                y,
                max((t.end_ms - t.start_ms) * sx, 1.2),
                row - 6,
                escape(seat_name(labels, t.seat)),
                f.duration(t.talk_ms),
                f.duration(t.start_ms),
            )
        )
    for g in tl.gaps:
        out.append(
            '<line class="gap" x1="%.1f" x2="%.1f" y1="%d" y2="%d"><title>power cut: '
            "resumed here</title></line>" % (x(g), x(g), top - 4, top + seats * row)
        )
    ay = top + seats * row + 16
    for t in _ticks(total):
        out.append(
            '<text class="sub" x="%.1f" y="%d" text-anchor="middle">%s</text>'
            % (x(t), ay, f.duration(t))
        )
    out.append("</svg>")
    return "".join(out)


def phase_bars(summary: dict) -> str:
    """Planned (outline, incl. extensions) against actual unpaused time per phase; overrun red."""
    phases = summary["phases"]
    scale_ms = max(
        [p["planned_ms"] + p["extended_ms"] for p in phases]
        + [p["actual_ms"] for p in phases]
        + [1]
    )
    left, width, row = 200, 560, 30
    sx = width / scale_ms
    h = len(phases) * row + 10
    out = [
        '<svg id="phases" class="bars" viewBox="0 0 %d %d" role="img" aria-labelledby="ph-t">'
        % (left + width + 170, h),
        '<title id="ph-t">Planned against actual time per phase</title>',
    ]
    for i, p in enumerate(phases):
        y = 6 + i * row
        target = p["planned_ms"] + p["extended_ms"]
        actual = p["actual_ms"]
        out.append(
            '<text class="lbl" x="%d" y="%d" text-anchor="end">%s</text>'
            % (left - 10, y + 15, escape(p["name"][:26]))
        )
        out.append(
            '<rect class="actual" x="%d" y="%d" width="%.1f" height="16"/>'
            % (left, y + 3, min(actual, target) * sx)
        )
        if actual > target:
            out.append(
                '<rect class="over" x="%.1f" y="%d" width="%.1f" height="16"/>'
                % (left + target * sx, y + 3, (actual - target) * sx)
            )
        out.append(
            '<rect class="plan" x="%d" y="%d" width="%.1f" height="20"/>'
            % (left, y + 1, target * sx)
        )
        note = f"{f.duration(actual)} of {f.duration(target)}" if p["ran"] else "not run"
        if p["overrun_ms"]:
            note += " · +{} over".format(f.duration(p["overrun_ms"]))
        out.append(
            '<text class="sub" x="%.1f" y="%d">%s</text>'
            % (left + max(actual, target) * sx + 8, y + 16, escape(note))
        )
    out.append("</svg>")
    return "".join(out)


def trend(entry: dict, fair: float | None, label: str) -> str:
    """One seat's share across sessions (oldest to newest) as a small line chart."""
    pts = [p["share"] for p in entry["points"]]
    w, h, pad = 220, 64, 6
    top = max([v for v in pts if v is not None] + [fair or 0, 0.05])
    n = len(pts)

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + (w - 2 * pad) * (i / (n - 1) if n > 1 else 0.5), h - pad - (
            h - 2 * pad
        ) * v / top

    out = [
        '<svg class="trend" viewBox="0 0 %d %d" role="img"><title>%s</title>'
        % (w, h, escape(label))
    ]
    out.append(
        '<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>' % (pad, w - pad, h - pad, h - pad)
    )
    if fair:
        fy = xy(0, fair)[1]
        out.append(
            '<line class="fair" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>' % (pad, w - pad, fy, fy)
        )
    line = " ".join("{:.1f},{:.1f}".format(*xy(i, v)) for i, v in enumerate(pts) if v is not None)
    out.append('<polyline class="tline s%d" points="%s"/>' % (entry["seat"] % SEAT_COLORS, line))
    if n <= 60:
        for i, v in enumerate(pts):
            if v is not None:
                out.append(
                    '<circle class="tpt s%d" cx="%.1f" cy="%.1f" r="2.6"/>'
                    % ((entry["seat"] % SEAT_COLORS,) + xy(i, v))
                )
    out.append("</svg>")
    return "".join(out)
