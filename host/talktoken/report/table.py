"""Render a ReportData as readable terminal text (the default `talktoken report` format)."""

from __future__ import annotations

from talktoken.report import fmt as f
from talktoken.report.data import Detail, ReportData
from talktoken.report.labels import seat_name

BARS = " ▁▂▃▄▅▆▇█"


def table(headers: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    """Align columns; columns in `right` are right-aligned (numbers)."""
    right = right if right is not None else set(range(1, len(headers)))
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=False)]

    def line(cells: list[str]) -> str:
        out = []
        for i, (c, w) in enumerate(zip(cells, widths, strict=False)):
            out.append(str(c).rjust(w) if i in right else str(c).ljust(w))
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths).rstrip()
    return "\n".join([line(headers), rule] + [line(r) for r in rows])


def spark(values: list[float | None]) -> str:
    """A one-line bar per value, scaled to the largest (blank = no value)."""
    top = max((v for v in values if v is not None), default=0) or 1
    return "".join(
        " " if v is None else BARS[max(1, round(v / top * (len(BARS) - 1)))] for v in values
    )


def _session(d: Detail, labels: dict[int, str] | None) -> str:
    s = d.summary
    head = "Session {} · {} · {} · {}{}".format(
        f.short_id(s["session_id"]),
        s["agenda_name"],
        f.when(s["started_at"], s.get("imported_at")),
        f.duration(s["duration_ms"]),
        "" if s["complete"] else " · INCOMPLETE (no session end in the log)",
    )
    facts = (
        f"Talk {f.duration(s['talk_ms'])} · open-floor silence {f.duration(s['silence_ms'])}"
        f" · paused {f.duration(s['paused_ms'])} · {f.count(s['turns'], 'turn', 'turns')}"
        f" · {f.count(s['passes'], 'pass', 'passes')}"
        f" · overrun {f.duration(s['overrun_ms'])}"
    )
    if s["gaps"]:
        facts += f" · resumed after {s['gaps']} power cut(s)"
    seats = table(
        ["Seat", "Talk", "Share", "Of members", "Turns", "Median", "Longest", "Passes"],
        [
            [
                seat_name(labels, r["seat"], r["facilitator"]),
                f.duration(r["talk_ms"]),
                f.pct(r["share"]),
                f.pct(r["member_share"]),
                str(r["turns"]),
                f.duration(r["median_ms"]),
                f.duration(r["longest_ms"]),
                str(r["passes"]),
            ]
            for r in s["seats"]
        ],
    )
    phases = table(
        ["Phase", "Floor", "Planned", "Actual", "Overrun", "Talk", "Silence", "Turns", "Passes"],
        [
            [
                f.phase_label(i, p["name"]),
                p["floor"],
                f.duration(p["planned_ms"] + p["extended_ms"])
                + (
                    " ({}{})".format(
                        "+" if p["extended_ms"] > 0 else "", f.duration(p["extended_ms"])
                    )
                    if p["extended_ms"]
                    else ""
                ),
                f.duration(p["actual_ms"]) if p["ran"] else "not run",
                f.duration(p["overrun_ms"]) if p["overrun_ms"] else "",
                f.duration(p["talk_ms"]),
                f.duration(p["silence_ms"]),
                str(p["turns"]),
                str(p["passes"]),
            ]
            for i, p in enumerate(s["phases"])
        ],
        right={2, 3, 4, 5, 6, 7, 8},
    )
    b, g = s["balance"], s["groups"]
    lines = [head, facts, "", seats, "", phases, ""]
    lines.append(
        f"Balance of members: Gini {f.num(b['gini'])} · evenness (normalized entropy) "
        f"{f.num(b['entropy'])} · top speaker {f.pct(b['top_share'])} "
        f"(a fair share is {f.pct(b['fair_share'])})"
    )
    lines.append(
        f"Facilitators {f.pct(g['facilitators']['share'])} of talk"
        f" · members {f.pct(g['members']['share'])}"
    )
    if s["transitions"]:
        top = sorted(s["transitions"], key=lambda t: (-t[2], t[0], t[1]))[:8]
        lines.append(
            "Who follows whom (open floor, most frequent): "
            + ", ".join(
                f"{seat_name(labels, a)} → {seat_name(labels, b_)} ×{n}" for a, b_, n in top
            )
        )
    for problem in s["problems"]:
        lines.append(f"Note: {problem}")
    return "\n".join(lines)


def _overview(data: ReportData) -> str:
    rows = [
        [
            f.when(r.started_at, r.imported_at),
            f.short_id(r.session_id),
            r.agenda_name,
            f.duration(r.duration_ms),
            f.duration(r.summary["talk_ms"]),
            str(r.summary["turns"]),
            f.num(r.summary["balance"]["gini"]),
            f.pct(r.summary["balance"]["top_share"]),
            f.duration(r.summary["overrun_ms"]) if r.summary["overrun_ms"] else "",
            "" if r.complete else "incomplete",
        ]
        for r in data.rows
    ]
    return table(
        ["Date", "Session", "Agenda", "Length", "Talk", "Turns", "Gini", "Top", "Overrun", ""],
        rows,
        right={3, 4, 5, 6, 7, 8},
    )


def _trends(data: ReportData, labels: dict[int, str] | None) -> str:
    if len(data.trend_rows) < 2:
        return f"Trends: only one session so far ({data.scope})."
    rows = []
    for e in data.trends:
        shares = [p["share"] for p in e["points"]]
        slope = e["slope_per_week"]
        rows.append(
            [
                seat_name(labels, e["seat"], e["facilitator"]),
                spark(shares[-40:]),
                f.pct(e["mean_share"]),
                f.pct(shares[-1]) if shares else f.DASH,
                f.DASH if slope is None else "%+.1f pts/week" % (100 * slope),
            ]
        )
    title = f"Trends over {data.scope} (share of member talk; facilitators: of all talk):"
    return title + "\n" + table(["Seat", "By date", "Mean", "Last", "Trend"], rows, {2, 3, 4})


def render(data: ReportData, labels: dict[int, str] | None = None) -> str:
    """The whole terminal report as one string (ends with a newline)."""
    parts = []
    if not data.single:
        parts.append(f"{len(data.rows)} sessions\n\n{_overview(data)}")
    parts.extend(_session(d, labels) for d in data.details)
    parts.append(_trends(data, labels))
    parts.extend(data.notes)
    return "\n\n".join(parts) + "\n"
