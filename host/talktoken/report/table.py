"""Render a ReportData as readable terminal text (the default `talktoken report` format)."""

from __future__ import annotations

from talktoken.metrics import trends
from talktoken.report import fmt as f
from talktoken.report.data import Detail, ReportData, TrendBlock
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


def spark(values: list[float | None], top: float | None = None) -> str:
    """A one-line bar per value, scaled to `top` (default the largest; blank = no value)."""
    top = top or max((v for v in values if v is not None), default=0) or 1
    return "".join(
        " " if v is None else BARS[max(1, round(v / top * (len(BARS) - 1)))] for v in values
    )


def _session(d: Detail, labels: dict[int, str] | None, data: ReportData | None = None) -> str:
    data = data or ReportData(rows=[])
    s = d.summary
    head = "Session {} · {} · {} · {}{}".format(
        f.short_id(s["session_id"]),
        s["agenda_name"],
        f.session_when(data.date_of(s["session_id"], s["started_at"])),
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
        [
            "Seat",
            "Talk",
            "Share",
            "Of members",
            "Turns",
            "Median",
            "Longest",
            "Passes",
            "Over budget",
            "Time over",
            "Worst",
            "Round passes",
            "Round wait",
        ],
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
                str(r["turn_overruns"]),
                f.over(r["turn_overrun_ms"]) if r["turn_overruns"] else "",
                f.over(r["worst_turn_overrun_ms"]) if r["turn_overruns"] else "",
                f.pct(r["round_pass_rate"]),
                f.duration(r["round_wait_median_ms"]),
            ]
            for r in s["seats"]
        ],
    )
    phases = table(
        [
            "Phase",
            "Floor",
            "Planned",
            "Actual",
            "Overrun",
            "Talk",
            "Silence",
            "Turns",
            "Passes",
            "Gini*",
            "Flag",
        ],
        [
            [
                f.phase_label(p["phase"], p["name"]),
                p["floor"],
                f.duration(p["planned_ms"] + p["extended_ms"])
                + (
                    " ({}{})".format(
                        "+" if p["extended_ms"] > 0 else "", f.duration(p["extended_ms"])
                    )
                    if p["extended_ms"]
                    else ""
                )
                + (
                    " (shortened {})".format(f.duration(p["shortened_ms"]))
                    if p["shortened_ms"]
                    else ""
                ),
                f.duration(p["actual_ms"]) if p["ran"] else "–",
                f.duration(p["overrun_ms"]) if p["overrun_ms"] else "",
                f.duration(p["talk_ms"]),
                f.duration(p["silence_ms"]),
                str(p["turns"]),
                str(p["passes"]),
                f.num(p["balance"]["gini_corrected"]),
                f.phase_flag(p),
            ]
            for i, p in enumerate(s["phases"])
        ],
        right={2, 3, 4, 5, 6, 7, 8, 9},
    )
    b, g = s["balance"], s["groups"]
    lines = [head, facts, "", seats, "", phases, ""]
    lines.append(
        f"Balance of members: Gini* {f.num(b['gini_corrected'])} (*small-group corrected, "
        f"times n/(n-1); uncorrected {f.num(b['gini'])}) · evenness (normalized entropy) "
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
            "Who follows whom (open floor, most frequent; a seat speaking twice in a row is "
            "not counted): "
            + ", ".join(
                f"{seat_name(labels, a)} → {seat_name(labels, b_)} ×{n}" for a, b_, n in top
            )
        )
        fl = s["follows"]
        lines.append(
            f"Of these hand-overs: facilitator → member {f.pct(fl['fac_to_member'])}, "
            f"member → member {f.pct(fl['member_to_member'])}, "
            f"member → facilitator {f.pct(fl['member_to_fac'])}"
        )
    for problem in s["problems"]:
        lines.append(f"Note: {problem}")
    return "\n".join(lines)


def _overview(data: ReportData) -> str:
    rows = [
        [
            f.session_when(data.date_of(r.session_id, r.started_at)),
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


def _trend_block(b: TrendBlock, labels: dict[int, str] | None, data: ReportData) -> str:
    top = b.top
    rows = []
    for e in b.trends:
        shares = [p["share"] for p in e["points"]]
        slope = e["slope_per_week"]
        rows.append(
            [
                seat_name(labels, e["seat"], e["facilitator"]),
                spark(shares[-40:], top),
                f.pct(e["mean_share"]),
                f.pct(shares[-1]) if shares else f.DASH,
                f.NO_SLOPE if slope is None else f.signed(100 * slope) + " pts/week",
            ]
        )
    title = (
        f"Trends for agenda {b.agenda!r}: {len(b.rows)} sessions, "
        f"{data.span(b.rows)} (share of member talk; "
        f"facilitators: of all talk). Bars share one scale, 0 to {f.pct(top)}. "
        f"A trend needs {trends.MIN_SESSIONS} dated sessions over {trends.MIN_SPAN_DAYS} days."
    )
    out = title + "\n" + table(["Seat", "By date", "Mean", "Last", "Trend"], rows, {2, 3, 4})
    for q in b.silent:
        out += (
            f"\nQuiet seat: {seat_name(labels, q['seat'])} under {f.pct(q['threshold'])} of "
            f"member talk in the last {q['sessions']} sessions."
        )
    return out


def _trends(data: ReportData, labels: dict[int, str] | None) -> str:
    blocks = [b for b in data.trend_blocks if len(b.rows) >= 2]
    if not blocks:
        return f"Trends: only one session so far ({data.scope})."
    return "\n\n".join(_trend_block(b, labels, data) for b in blocks)


def render(data: ReportData, labels: dict[int, str] | None = None) -> str:
    """The whole terminal report as one string (ends with a newline)."""
    parts = []
    if not data.single:
        parts.append(f"{len(data.rows)} sessions\n\n{_overview(data)}")
    parts.extend(_session(d, labels, data) for d in data.details)
    parts.append(_trends(data, labels))
    parts.extend(data.notes)
    return "\n\n".join(parts) + "\n"
