"""JSON report: one object with sessions (summary + turns), trends and the labels applied."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict

from talktoken.metrics import summary as metrics
from talktoken.report.data import Detail, ReportData
from talktoken.report.labels import seat_name

FORMAT = "talktoken-report/2"


def document(
    data: ReportData, details: Iterable[Detail], labels: dict[int, str] | None = None
) -> dict:
    """The report as plain data (what `render` serializes). Each session carries `date_kind`
    (clock, hand or unknown), `date` (the clock's or the hand-set one, else null) and
    `date_after` / `date_before` (the bounds of an unknown date)."""
    sessions = []
    for d in details:
        s = dict(d.summary)
        when = data.date_of(s["session_id"], s.get("started_at"))
        s["date_kind"], s["date"], s["date_after"] = when.kind, when.date, when.after
        s["date_before"] = when.before
        s["turns_list"] = [asdict(t) for t in d.timeline.turns]
        s["pauses"] = [list(p) for p in d.timeline.pauses]
        s["gap_offsets_ms"] = list(d.timeline.gaps)
        if labels:
            s["seats"] = [
                dict(r, label=seat_name(labels, r["seat"], r["facilitator"])) for r in s["seats"]
            ]
        sessions.append(s)
    return {
        "format": FORMAT,
        "metrics_version": metrics.METRICS_VERSION,
        "generated_at": data.generated_at,
        "trend_scope": data.scope,
        "labels": {str(k): v for k, v in sorted(labels.items())} if labels else None,
        "sessions": sessions,
        "damaged": [{"session_id": k, "problem": v} for k, v in sorted(data.damaged.items())],
        "trends": [
            {
                "agenda": b.agenda,
                "sessions": [r.session_id for r in b.rows],
                "seats": b.trends,
                "silent_seats": b.silent,
            }
            for b in data.trend_blocks
        ],
    }


def render(
    data: ReportData, details: Iterable[Detail], labels: dict[int, str] | None = None
) -> str:
    """The JSON text (indented, ends with a newline)."""
    return json.dumps(document(data, details, labels), indent=1, ensure_ascii=False) + "\n"
