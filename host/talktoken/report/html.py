"""Render a ReportData as one HTML file that opens offline, prints well, and follows light/dark.

The page has no script and no external URL: the stylesheet (`report.css`, package data, plus one
colour rule per seat) and the SVG charts are inline."""
# ruff: noqa: UP031  (SVG/HTML templates: %-formatting with %.1f coordinates reads best here)

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources

from talktoken import __version__ as VERSION
from talktoken.report import charts_svg as svg_charts
from talktoken.report import fmt as f
from talktoken.report import ring_svg as svg
from talktoken.report.data import Detail, ReportData
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
        (f.num(s["balance"]["gini"]), "member Gini (0 = even)"),
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
            "<td>%d</td></tr>"
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
            )
        )
    g = s["groups"]
    return (
        "<div class='scroll'><table><thead><tr><th>Seat</th><th>Talk</th><th>Share</th>"
        "<th>Of members</th>"
        "<th>Turns</th><th>Median</th><th>Longest</th><th>Passes</th></tr></thead><tbody>{}"
        "</tbody></table></div><p class='note'>Facilitators {} of talk, members {}. "
        "Evenness of members (normalized entropy) {}; a fair share is {}.</p>".format(
            "".join(rows),
            f.pct(g["facilitators"]["share"]),
            f.pct(g["members"]["share"]),
            f.num(s["balance"]["entropy"]),
            f.pct(s["balance"]["fair_share"]),
        )
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
    return (
        "<table class='mx'><thead><tr><th>then →<br>first ↓</th>{}</tr></thead><tbody>{}"
        "</tbody></table>".format(head, "".join(body))
    )


def _session(d: Detail, labels, single: bool) -> str:
    """The sections drawn for one session: cards, ring and seat table, timeline, phases, matrix."""
    s = d.summary
    title = "Summary"
    if not single:
        title = "{} · {}".format(s["agenda_name"], f.when(s["started_at"], s.get("imported_at")))
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
        "<div class='key'><span><i style='background:var(--under)'></i>below a fair share</span>"
        "<span><i style='background:var(--fair)'></i>about fair</span>"
        "<span><i style='background:var(--overc)'></i>well above</span>"
        "<span><i style='background:var(--facm)'></i>facilitator</span></div>"
    )
    return (
        "<section class='session' id='s-%s'><h2>%s</h2><p class='meta'>Session %s · %d seats"
        " · paused %s</p>%s%s</section>"
        "<section><h2>Who had the floor</h2><div class='two'><figure style='margin:0'>%s"
        "<figcaption>Sectors: share of talk. Dots: the device's balance view (a fair share "
        "lights half a seat's arc).</figcaption>%s</figure><div>%s</div></div></section>"
        "<section><h2>Timeline</h2>%s<p class='note'>Bars: turns; ◇ pass; hatched: paused; "
        "dashed line: resumed after a power cut.</p></section>"
        "<section><h2>Phases: planned and actual</h2>%s<p class='note'>Dashed outline: planned "
        "time (with extensions); filled: actual time without pauses; red: overrun.</p></section>"
        "<section><h2>Who follows whom (open floor)</h2>%s</section>%s"
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
            _seat_table(s, labels),
            svg_charts.timeline(s, d.timeline, labels),
            svg_charts.phase_bars(s),
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
            escape(f.when(r.started_at, r.imported_at)),
            escape(f.short_id(r.session_id)),
            escape(r.agenda_name),
            f.duration(r.duration_ms),
            f.duration(r.summary["talk_ms"]),
            r.summary["turns"],
            f.num(r.summary["balance"]["gini"]),
            f.pct(r.summary["balance"]["top_share"]),
            f.duration(r.summary["overrun_ms"]) if r.summary["overrun_ms"] else "",
        )
        for r in data.rows
    )
    return (
        "<section id='overview'><h2>Sessions</h2><table><thead><tr><th>Date</th><th>Session</th>"
        "<th>Agenda</th><th>Length</th><th>Talk</th><th>Turns</th><th>Gini</th><th>Top</th>"
        f"<th>Overrun</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _trends(data: ReportData, labels) -> str:
    if len(data.trend_rows) < 2:
        return (
            "<section id='trends'><h2>Across sessions</h2><p class='note'>Only one session so "
            f"far ({escape(data.scope)}); trends appear from the second one.</p></section>"
        )
    figs = []
    for e in data.trends:
        fair = None if e["facilitator"] else data.trend_rows[-1].summary["balance"]["fair_share"]
        slope = e["slope_per_week"]
        name = seat_name(labels, e["seat"], e["facilitator"])
        figs.append(
            "<figure>{}<figcaption><b>{}</b> · mean {}{}</figcaption></figure>".format(
                svg_charts.trend(e, fair, name),
                escape(name),
                f.pct(e["mean_share"]),
                "" if slope is None else " · %+.1f pts/week" % (100 * slope),
            )
        )
    first = data.trend_rows[0]
    last = data.trend_rows[-1]
    return (
        "<section id='trends'><h2>Across sessions</h2><p class='note'>Each seat's share of member"
        " talk (facilitators: of all talk) over {}, from {} to {}. Dotted: a fair share.</p>"
        "<div class='trends'>{}</div></section>".format(
            escape(data.scope),
            escape(f.when(first.started_at, first.imported_at)),
            escape(f.when(last.started_at, last.imported_at)),
            "".join(figs),
        )
    )


def render(data: ReportData, labels: dict[int, str] | None = None) -> str:
    """The complete HTML document as a string."""
    if data.single:
        r = data.rows[0]
        title = f"{r.agenda_name} · {f.when(r.started_at, r.imported_at)}"
    else:
        title = "%d sessions" % len(data.rows)
    body = [] if data.single else [_overview(data)]
    body += [_session(d, labels, data.single) for d in data.details]
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
