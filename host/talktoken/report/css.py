# The HTML report's stylesheet: light and dark themes, print rules, one colour class per seat.
# ruff: noqa: UP031  (CSS templates: %-formatting reads best here)
"""`CSS` and `seat_css()`, inlined into the page's one <style> element (no external URL)."""

from __future__ import annotations

from talktoken.report.ring_svg import SEAT_COLORS

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


def seat_css() -> str:
    """One fill/stroke rule per seat colour class (s0..s11), both themes via CSS variables."""
    rules = []
    for i in range(SEAT_COLORS):
        rules.append(".s%d{fill:var(--c%d);stroke:var(--c%d)}" % (i, i, i))
        rules.append("polyline.s%d{fill:none}" % i)
    return "".join(rules)
