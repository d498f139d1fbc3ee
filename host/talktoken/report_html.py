# The HTML report: one self-contained page (inline CSS and SVG, no script, no external URL).
# ruff: noqa: UP031  (SVG/HTML templates: %-formatting with %.1f coordinates reads best here)
"""Render a ReportData as one HTML file that opens offline, prints well, and follows light/dark."""

from __future__ import annotations

from html import escape

from talktoken import __version__ as VERSION
from talktoken import report_fmt as f
from talktoken import svg
from talktoken.labels import seat_name
from talktoken.report_data import Detail, ReportData

CSS = """
:root{--bg:#fbfaf7;--fg:#27292d;--mute:#6b6f76;--line:#e3e0d8;--card:#fff;--track:#ece9e2;
--band0:#f4f1ea;--band1:#faf8f3;--accent:47 111 143;--over:#c0504d;--plan:#8a8f98;
--under:#4a7bd8;--fair:#3f9f65;--overc:#b8478a;--facm:#d99a3a;
--c0:#4e79a7;--c1:#e08a3c;--c2:#59a14f;--c3:#9c6fb0;--c4:#d0605e;--c5:#5fa8a3;
--c6:#c9a227;--c7:#e07fa0;--c8:#9c755f;--c9:#7f8c99;--c10:#2f6f8f;--c11:#7bbf6a}
@media (prefers-color-scheme:dark){:root{--bg:#17191c;--fg:#e4e2dd;--mute:#9aa0a8;--line:#2f3338;
--card:#1f2226;--track:#2a2e33;--band0:#22262b;--band1:#1c1f23;--accent:120 178 207;
--over:#e0736f;--plan:#9aa0a8;--under:#6f9be8;--fair:#5fbf85;--overc:#d76aa8;--facm:#e2ad5a;
--c0:#6f98c6;--c1:#eb9f57;--c2:#72b969;--c3:#b68bc9;--c4:#e07b79;--c5:#79c0bb;--c6:#d9b94a;
--c7:#e897b3;--c8:#b88f77;--c9:#9aa6b2;--c10:#5e9cbc;--c11:#95d184}}
@media print{:root{--bg:#fff;--fg:#000;--card:#fff}section{break-inside:avoid}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1000px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:1.55rem;font-weight:600;margin:0 0 4px}
h2{font-size:1.1rem;font-weight:600;margin:0 0 12px}
h3{font-size:.95rem;font-weight:600;margin:0 0 6px}
.meta,.note,.sub,figcaption{color:var(--mute)}
.meta{margin:0 0 18px}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 20px;
margin:16px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(118px,1fr));gap:10px;margin:0}
.card{border:1px solid var(--line);border-radius:10px;padding:10px 12px}
.card b{display:block;font-size:1.3rem;font-weight:600}
.card span{color:var(--mute);font-size:.85rem}
.two{display:grid;grid-template-columns:330px 1fr;gap:22px;align-items:start}
@media (max-width:760px){.two{grid-template-columns:1fr}}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.86rem}
th,td{padding:5px 6px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{white-space:normal;vertical-align:bottom}
.scroll{overflow-x:auto}
th:first-child,td:first-child{text-align:left}
th{font-weight:600;color:var(--mute)}
.bar{display:inline-block;height:8px;border-radius:4px;background:rgb(var(--accent));
vertical-align:middle;margin-right:6px}
.warn{color:var(--over);font-weight:600}
svg{width:100%;height:auto;display:block}
svg text{fill:var(--fg);font-size:12px}
svg .sub{fill:var(--mute);font-size:11px}
svg .big{font-size:26px;font-weight:600}
svg .lbl{font-size:12px}
svg .ph{fill:var(--mute);font-size:11px}
.ring text.lbl{font-size:19px;font-weight:600}.ring text.sub{font-size:16px}
.ring text.big{font-size:36px}.ring text.cap{font-size:16px;fill:var(--mute)}
.track{fill:var(--track)}
.led.off{fill:var(--track)}.led.under{fill:var(--under)}.led.fair{fill:var(--fair)}
.led.over{fill:var(--overc)}.led.facmark{fill:var(--facm)}.led.dim{opacity:.45}
.seat.fac{opacity:.75;stroke:var(--fg);stroke-width:.6;stroke-dasharray:3 2}
.band.b0{fill:var(--band0)}.band.b1{fill:var(--band1)}
.grid{stroke:var(--line);stroke-width:1}
.turn{rx:2}.turn.cut{stroke:var(--over);stroke-width:1.2;stroke-dasharray:3 2}
.pass{fill:none;stroke:var(--mute);stroke-width:1.3}
.pause{opacity:.8}.hatchbg{fill:var(--track)}.hatchln{stroke:var(--mute);stroke-width:1.4}
.gap{stroke:var(--over);stroke-width:2;stroke-dasharray:4 3}
.actual{fill:rgb(var(--accent))}.over{fill:var(--over)}
.plan{fill:none;stroke:var(--plan);stroke-width:1.4;stroke-dasharray:5 3}
.axis{stroke:var(--line)}.fair{stroke:var(--mute);stroke-dasharray:3 3}
.tline{fill:none;stroke-width:2}.tpt{stroke:none}
.trends{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:12px}
.trends figure{margin:0;border:1px solid var(--line);border-radius:10px;padding:8px 10px}
.trends figcaption{font-size:.82rem}
.mx td{text-align:center;min-width:34px}
.key{display:flex;flex-wrap:wrap;gap:14px;font-size:.82rem;color:var(--mute);margin-top:8px}
.key i{display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:5px;
vertical-align:-1px}
footer{color:var(--mute);font-size:.8rem;margin-top:24px}
"""


def _seat_css() -> str:
    rules = []
    for i in range(svg.SEAT_COLORS):
        rules.append(".s%d{fill:var(--c%d);stroke:var(--c%d)}" % (i, i, i))
        rules.append("polyline.s%d{fill:none}" % i)
    return "".join(rules)


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
            svg.timeline(s, d.timeline, labels),
            svg.phase_bars(s),
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
                svg.trend(e, fair, name),
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
        "<title>talktoken · {}</title><style>{}{}</style></head><body><main>"
        "<h1>{}</h1><p class='meta'>talktoken report · generated {}</p>{}"
        "<footer>{} Made by talktoken {} from the local archive; nothing in this file "
        "is fetched from anywhere.</footer></main></body></html>\n".format(
            escape(title),
            CSS,
            _seat_css(),
            escape(title),
            escape(f.when(data.generated_at)),
            "".join(body),
            escape(names),
            escape(VERSION),
        )
    )
