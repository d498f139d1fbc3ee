# The HTML report: one self-contained page (inline CSS and SVG, no script, no external URL).
# ruff: noqa: UP031  (SVG/HTML templates: %-formatting with %.1f coordinates reads best here)
"""Render a ReportData as one HTML file that opens offline, prints well, and follows light/dark.

The stylesheet is `report_html_css`, one session's sections `report_html_session`."""

from __future__ import annotations

from html import escape

from talktoken import __version__ as VERSION
from talktoken.report import charts_svg as svg_charts
from talktoken.report import fmt as f
from talktoken.report.css import CSS, seat_css
from talktoken.report.data import ReportData
from talktoken.report.html_session import session
from talktoken.report.labels import seat_name


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
    body += [session(d, labels, data.single) for d in data.details]
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
        "<title>talktoken · {}</title><style>{}{}</style></head><body><main>"
        "<h1>{}</h1><p class='meta'>talktoken report · generated {}</p>{}"
        "<footer>{} Made by talktoken {} from the local archive; nothing in this file "
        "is fetched from anywhere.</footer></main></body></html>\n".format(
            escape(title),
            CSS,
            seat_css(),
            escape(title),
            escape(f.when(data.generated_at)),
            "".join(body),
            escape(names),
            escape(VERSION),
        )
    )
