# ruff: noqa: UP031  (SVG/HTML templates: %-formatting with %.1f coordinates reads best here)
"""SVG snippets as strings (no xmlns or external reference: they live inline in one HTML file)."""

from __future__ import annotations

from html import escape

from talktoken.metrics import balance as balance_mod
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


def trend(
    entry: dict, fair: float | None, label: str, top: float, dates: list[str] | None = None
) -> str:
    """One seat's share across sessions (oldest to newest) on the block's shared y-scale `top`,
    with a labelled y-axis (0 and `top`) and the first and last session dates under it."""
    pts = [p["share"] for p in entry["points"]]
    w, h, left, pad, bottom = 220, 84, 34, 6, 18
    n = len(pts)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (w - left - pad) * (i / (n - 1) if n > 1 else 0.5)
        return x, h - bottom - (h - bottom - pad) * v / top

    out = [
        '<svg class="trend" viewBox="0 0 %d %d" role="img"><title>%s</title>'
        % (w, h, escape(label))
    ]
    y0, y1 = h - bottom, pad
    out.append('<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>' % (left, w - pad, y0, y0))
    out.append('<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>' % (left, left, y1, y0))
    out.append('<text class="sub" x="%d" y="%d" text-anchor="end">0%%</text>' % (left - 3, y0 + 3))
    out.append(
        '<text class="sub" x="%d" y="%d" text-anchor="end">%s</text>'
        % (left - 3, y1 + 8, f.pct(top))
    )
    if dates:
        out.append('<text class="sub" x="%d" y="%d">%s</text>' % (left, h - 3, escape(dates[0])))
        if len(dates) > 1:
            out.append(
                '<text class="sub" x="%d" y="%d" text-anchor="end">%s</text>'
                % (w - pad, h - 3, escape(dates[-1]))
            )
    if fair:
        fy = xy(0, fair)[1]
        out.append(
            '<line class="fair" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>' % (left, w - pad, fy, fy)
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


def lorenz(member_talk_ms: list[int]) -> str:
    """The members' Lorenz curve: quietest first, share of members against share of talk."""
    pts = balance_mod.lorenz(member_talk_ms)
    if not pts:
        return ""
    size, pad = 200, 30
    span = size - 2 * pad

    def xy(x: float, y: float) -> str:
        return "%.1f,%.1f" % (pad + span * x, size - pad - span * y)

    return (
        '<figure style="margin:8px 0 0;max-width:260px"><svg class="lz" viewBox="0 0 %d %d" '
        'role="img"><title>Lorenz curve of member talk</title>'
        '<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>'
        '<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>'
        '<polyline class="even" points="%s %s"/><polyline class="lorenz" points="%s"/>'
        '<text class="sub" x="%d" y="%d" text-anchor="middle">'
        "share of members (quietest first)</text>"
        '<text class="sub" x="10" y="%d" transform="rotate(-90 10 %d)" text-anchor="middle">'
        "share of talk</text>"
        "</svg><figcaption>Lorenz curve: the dashed diagonal is perfectly even talk; the further "
        "the curve sags below it, the more uneven.</figcaption></figure>"
        % (
            size,
            size,
            pad,
            size - pad,
            size - pad,
            size - pad,
            pad,
            size - pad,
            pad,
            pad,
            xy(0, 0),
            xy(1, 1),
            " ".join(xy(x, y) for x, y in pts),
            size // 2,
            size - 8,
            size // 2,
            size // 2,
        )
    )
