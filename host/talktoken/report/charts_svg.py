# ruff: noqa: UP031  (SVG/HTML templates: %-formatting with %.1f coordinates reads best here)
"""SVG snippets as strings (no xmlns or external reference: they live inline in one HTML file)."""

from __future__ import annotations

from html import escape

from talktoken.report import fmt as f
from talktoken.report.labels import seat_name
from talktoken.report.ring_svg import SEAT_COLORS


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
