"""Render a ReportData as one HTML file that opens offline, prints well, and follows light/dark.

The page has no script and no external URL: the stylesheet (`report.css`, package data, plus one
colour rule per seat) and the SVG charts are inline."""
# ruff: noqa: UP031  (SVG/HTML templates: %-formatting with %.1f coordinates reads best here)

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources

from talktoken import __version__ as VERSION
from talktoken.metrics import trends
from talktoken.report import charts_svg as svg_charts
from talktoken.report import fmt as f
from talktoken.report import ring_svg as svg
from talktoken.report.data import Detail, ReportData, TrendBlock
from talktoken.report.labels import seat_name
from talktoken.report.ring_svg import SEAT_COLORS


@cache
def stylesheet() -> str:
    """The page's CSS: `report.css` followed by one fill/stroke rule per seat colour (s0..s11)."""
    css = resources.files("talktoken.report").joinpath("report.css").read_text(encoding="utf-8")
    seats = "".join(
        ".s%d{fill:var(--c%d);stroke:var(--c%d)}polyline.s%d{fill:none}" % (i, i, i, i)
        for i in range(SEAT_COLORS)
    )
    return "\n" + css + seats


def _cards(s: dict) -> str:
    items = [
        (f.duration(s["duration_ms"]), "session length"),
        (f.duration(s["talk_ms"]), "talk time"),
        (f.duration(s["silence_ms"]), "open-floor silence"),
        ("%d / %d" % (s["turns"], s["passes"]), "turns / passes"),
        (f.num(s["balance"]["gini_corrected"]), "member Gini, corrected (0 = even)"),
        (f.pct(s["balance"]["top_share"]), "top member's share"),
        (f.duration(s["overrun_ms"]), "total overrun"),
    ]
    return '<div class="cards">{}</div>'.format(
        "".join(
            f'<div class="card"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for v, k in items
        )
    )


def _seat_table(s: dict, labels) -> str:
    top = max((r["share"] or 0) for r in s["seats"]) or 1
    rows = []
    for r in s["seats"]:
        bar = '<span class="bar" style="width:%dpx"></span>' % round(40 * (r["share"] or 0) / top)
        rows.append(
            "<tr><td>%s</td><td>%s</td><td>%s%s</td><td>%s</td><td>%d</td><td>%s</td><td>%s</td>"
            "<td>%d</td><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>"
            % (
                escape(seat_name(labels, r["seat"], r["facilitator"])),
                f.duration(r["talk_ms"]),
                bar,
                f.pct(r["share"]),
                f.pct(r["member_share"]),
                r["turns"],
                f.duration(r["median_ms"]),
                f.duration(r["longest_ms"]),
                r["passes"],
                r["turn_overruns"],
                f.over(r["turn_overrun_ms"]) if r["turn_overruns"] else "",
                f.over(r["worst_turn_overrun_ms"]) if r["turn_overruns"] else "",
                f.pct(r["round_pass_rate"]),
                f.duration(r["round_wait_median_ms"]),
            )
        )
    g = s["groups"]
    return (
        "<div class='scroll'><table><thead><tr><th>Seat</th><th>Talk</th><th>Share</th>"
        "<th>Of members</th>"
        "<th>Turns</th><th>Median</th><th>Longest</th><th>Passes</th><th>Turns over budget</th>"
        "<th>Time over</th><th>Worst</th><th>Round passes</th><th>Round wait</th>"
        "</tr></thead><tbody>{}"
        "</tbody></table></div><p class='note'>Share: of all talk; of members: of the members' "
        "talk. Over budget: turns longer than the phase's turn budget. Round passes: the share "
        "of go-round offers passed; round wait: median silence before a go-round turn. "
        "Facilitators {} of talk, members {}. Member Gini, small-group corrected "
        "(times n/(n−1)): {} (uncorrected {}). Evenness of members (normalized entropy) {}; a "
        "fair share is {}.</p>{}".format(
            "".join(rows),
            f.pct(g["facilitators"]["share"]),
            f.pct(g["members"]["share"]),
            f.num(s["balance"]["gini_corrected"]),
            f.num(s["balance"]["gini"]),
            f.num(s["balance"]["entropy"]),
            f.pct(s["balance"]["fair_share"]),
            "",
        )
    )


def _phase_table(s: dict, labels) -> str:
    """Per phase: flag, balance, and each seat's share of the phase's talk (a small heat map)."""
    n = s["seats_n"]
    facs = s["facilitators"]
    head = "".join(
        "<th title='%s'>S%d</th>" % (escape(seat_name(labels, i, i in facs)), i) for i in range(n)
    )
    body = []
    for p in s["phases"]:
        talk = sum(p["seat_talk_ms"])
        cells = []
        for ms in p["seat_talk_ms"]:
            share = ms / talk if talk else None
            style = (
                ' style="background:rgb(var(--accent) / %.2f)"' % (0.06 + 0.6 * share)
                if share
                else ""
            )
            cells.append("<td%s>%s</td>" % (style, f.pct(share) if share else ""))
        planned = f.duration(p["planned_ms"] + p["extended_ms"])
        change = ""
        if p["extended_ms"]:
            change = " (extended +%d min)" % (p["extended_ms"] // 60_000)
        if p["shortened_ms"]:
            change += " (shortened %d min)" % (p["shortened_ms"] // 60_000)
        flag = f.phase_flag(p)
        body.append(
            "<tr><td>%d. %s%s</td><td>%s%s</td><td>%s</td><td>%s</td>%s</tr>"
            % (
                p["phase"] + 1,
                escape(p["name"]),
                " <span class='flag'>%s</span>" % escape(flag) if flag else "",
                planned,
                escape(change),
                f.duration(p["actual_ms"]) if p["ran"] else f.DASH,
                f.num(p["balance"]["gini_corrected"]),
                "".join(cells),
            )
        )
    return (
        "<div class='scroll'><table class='hm'><thead><tr><th>Phase</th><th>Planned</th>"
        "<th>Actual</th><th>Gini (corr.)</th>{}</tr></thead><tbody>{}</tbody></table></div>"
        "<p class='note'>Seat columns S0, S1, …: each seat's share of the talk in that phase. "
        "Gini: members only, small-group corrected.</p>".format(head, "".join(body))
    )


def _matrix(s: dict, labels) -> str:
    if not s["transitions"]:
        return "<p class='note'>No open-floor turn followed another within a phase.</p>"
    n = s["seats_n"]
    counts = {(a, b): c for a, b, c in s["transitions"]}
    top = max(counts.values())
    head = "".join("<th>%s</th>" % ("S%d" % b) for b in range(n))
    body = []
    for a in range(n):
        cells = []
        for b in range(n):
            c = counts.get((a, b), 0)
            style = ' style="background:rgb(var(--accent) / %.2f)"' % (0.08 + 0.6 * c / top)
            cells.append("<td{}>{}</td>".format(style if c else "", c or ""))
        body.append("<tr><td>{}</td>{}</tr>".format(escape(seat_name(labels, a)), "".join(cells)))
    fl = s["follows"]
    return (
        "<table class='mx'><thead><tr><th>then →<br>first ↓</th>{}</tr></thead><tbody>{}"
        "</tbody></table><p class='note'>Each cell counts how often the column's seat took the "
        "floor right after the row's seat, within one open-floor phase. The diagonal stays "
        "empty: a seat taking the token back is not a hand-over. Of {} hand-overs: facilitator "
        "→ member {}, member → member {}, member → facilitator {}.</p>".format(
            head,
            "".join(body),
            fl["handovers"],
            f.pct(fl["fac_to_member"]),
            f.pct(fl["member_to_member"]),
            f.pct(fl["member_to_fac"]),
        )
    )


def _session(d: Detail, labels, single: bool, data: ReportData | None = None) -> str:
    """The sections drawn for one session: cards, ring and seat table, timeline, phases, matrix."""
    data = data or ReportData(rows=[])
    s = d.summary
    title = "Summary"
    if not single:
        when = f.session_when(data.date_of(s["session_id"], s["started_at"]))
        title = "{} · {}".format(s["agenda_name"], when)
    warn = ""
    if not s["complete"]:
        warn += "<p class='warn'>This log has no session end: it stops at the last record.</p>"
    if s["gaps"]:
        warn += (
            "<p class='warn'>Resumed after %d power cut(s); marked in the timeline.</p>"
            % (s["gaps"])
        )
    problems = "".join(f"<li>{escape(p)}</li>" for p in s["problems"])
    key = (
        "<div class='key'><span><i style='background:var(--under)'></i>▼ below a fair share</span>"
        "<span><i style='background:var(--fair)'></i>≈ about fair</span>"
        "<span><i style='background:var(--overc)'></i>▲ well above</span>"
        "<span><i style='background:var(--facm)'></i>◆ facilitator</span></div>"
    )
    return (
        "<section class='session' id='s-%s'><h2>%s</h2><p class='meta'>Session %s · %d seats"
        " · paused %s</p>%s%s</section>"
        "<section><h2>Who had the floor</h2><div class='two'><figure style='margin:0'>%s"
        "<figcaption>Seats sit as around the device, seat 0 at the top, clockwise. Sector length:"
        " share of talk; sector colour, dots and the mark beside each share: the device's balance"
        " view (a fair share lights half a seat's arc).</figcaption>%s</figure><div>%s</div>"
        "</div>%s</section>"
        "<section><h2>Timeline</h2>%s<p class='note'>Bars: turns; ◇ pass; hatched: paused; "
        "dashed line: resumed after a power cut.</p></section>"
        "<section><h2>Phases: planned and actual</h2>%s<p class='note'>Dashed outline: planned "
        "time (with extensions); filled: actual time without pauses; red: overrun.</p>%s"
        "</section><section><h2>Who follows whom (open floor)</h2>%s</section>%s"
        % (
            escape(s["session_id"][:8]),
            escape(title),
            escape(s["session_id"]),
            s["seats_n"],
            f.duration(s["paused_ms"]),
            warn,
            _cards(s),
            svg.ring(s, labels),
            key,
            svg_charts.lorenz([r["talk_ms"] for r in s["seats"] if not r["facilitator"]]),
            _seat_table(s, labels),
            svg_charts.timeline(s, d.timeline, labels),
            svg_charts.phase_bars(s),
            _phase_table(s, labels),
            _matrix(s, labels),
            f"<section><h2>Notes from the log</h2><ul>{problems}</ul></section>"
            if problems
            else "",
        )
    )


def _overview(data: ReportData) -> str:
    rows = "".join(
        "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d</td><td>%s</td>"
        "<td>%s</td><td>%s</td></tr>"
        % (
            escape(f.session_when(data.date_of(r.session_id, r.started_at))),
            escape(f.short_id(r.session_id)),
            escape(r.agenda_name),
            f.duration(r.duration_ms),
            f.duration(r.summary["talk_ms"]),
            r.summary["turns"],
            f.num(r.summary["balance"].get("gini_corrected")),
            f.pct(r.summary["balance"]["top_share"]),
            f.duration(r.summary["overrun_ms"]) if r.summary["overrun_ms"] else "",
        )
        for r in data.rows
    )
    return (
        "<section id='overview'><h2>Sessions</h2><table><thead><tr><th>Date</th><th>Session</th>"
        "<th>Agenda</th><th>Length</th><th>Talk</th><th>Turns</th><th>Gini (corr.)</th><th>Top</th>"
        f"<th>Overrun</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _trend_block(b: TrendBlock, labels, data: ReportData) -> str:
    figs = []
    top = b.top
    last = b.rows[-1]
    dates = [f.session_day(data.date_of(r.session_id, r.started_at)) for r in b.rows]
    for e in b.trends:
        fair = None if e["facilitator"] else last.summary["balance"]["fair_share"]
        slope = e["slope_per_week"]
        name = seat_name(labels, e["seat"], e["facilitator"])
        figs.append(
            "<figure>{}<figcaption><b>{}</b> · mean {} · trend {}</figcaption></figure>".format(
                svg_charts.trend(e, fair, name, top, dates),
                escape(name),
                f.pct(e["mean_share"]),
                f.NO_SLOPE if slope is None else f.signed(100 * slope) + " pts/week",
            )
        )
    quiet = "".join(
        "<li class='warn'>{}: under {} of member talk in the last {} sessions.</li>".format(
            escape(seat_name(labels, q["seat"])), f.pct(q["threshold"]), q["sessions"]
        )
        for q in b.silent
    )
    return (
        "<h3>Agenda: {}</h3><p class='note'>{} sessions, {}. Each seat's share of member "
        "talk (facilitators: of all talk); every chart has the same scale, 0 to {}. Dotted: a "
        "fair share. A trend needs {} dated sessions over at least {} days, otherwise —.</p>"
        "{}<div class='trends'>{}</div>".format(
            escape(b.agenda),
            len(b.rows),
            escape(data.span(b.rows)),
            f.pct(top),
            trends.MIN_SESSIONS,
            trends.MIN_SPAN_DAYS,
            f"<ul>{quiet}</ul>" if quiet else "",
            "".join(figs),
        )
    )


def _trends(data: ReportData, labels) -> str:
    blocks = [b for b in data.trend_blocks if len(b.rows) >= 2]
    if not blocks:
        return (
            "<section id='trends'><h2>Across sessions</h2><p class='note'>Only one session so "
            f"far ({escape(data.scope)}); trends appear from the second one.</p></section>"
        )
    return "<section id='trends'><h2>Across sessions</h2>{}</section>".format(
        "".join(_trend_block(b, labels, data) for b in blocks)
    )


def render(data: ReportData, labels: dict[int, str] | None = None) -> str:
    """The complete HTML document as a string."""
    if data.single:
        r = data.rows[0]
        title = f"{r.agenda_name} · {f.session_when(data.date_of(r.session_id, r.started_at))}"
    else:
        title = "%d sessions" % len(data.rows)
    body = [] if data.single else [_overview(data)]
    body += [_session(d, labels, data.single, data) for d in data.details]
    body.append(_trends(data, labels))
    body += [f"<p class='note'>{escape(n)}</p>" for n in data.notes]
    names = (
        "Seat names come from a local labels file applied to this page only; "
        "the archive holds seat numbers."
        if labels
        else "Seats are numbered clockwise from the facilitator's seat 0."
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">"
        "<meta name='color-scheme' content='light dark'>"
        "<title>talktoken · {}</title><style>{}</style></head><body><main>"
        "<h1>{}</h1><p class='meta'>talktoken report · generated {}</p>{}"
        "<footer>{} Made by talktoken {} from the local archive; nothing in this file "
        "is fetched from anywhere.</footer></main></body></html>\n".format(
            escape(title),
            stylesheet(),
            escape(title),
            escape(f.when(data.generated_at)),
            "".join(body),
            escape(names),
            escape(VERSION),
        )
    )
