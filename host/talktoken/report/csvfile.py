"""CSV report: two tables, one per file: `turns` (one row per turn/pass) and `seats`.

Every column is described in docs/reports.md, "CSV columns"."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from talktoken.archive.dating import SessionDate
from talktoken.report.data import Detail
from talktoken.report.labels import seat_name

TURN_COLUMNS = [
    "session_id",
    "session_date",
    "agenda",
    "phase",
    "phase_name",
    "floor",
    "seat",
    "label",
    "facilitator",
    "kind",
    "start_ms",
    "end_ms",
    "duration_ms",
    "paused_ms",
    "cut",
    "date_kind",
    "date",
    "date_after",
    "date_before",
]
SEAT_COLUMNS = [
    "session_id",
    "session_date",
    "agenda",
    "seat",
    "label",
    "facilitator",
    "talk_ms",
    "share",
    "member_share",
    "turns",
    "median_turn_ms",
    "longest_turn_ms",
    "passes",
    "turn_overruns",
    "turn_overrun_ms",
    "worst_turn_overrun_ms",
    "round_pass_rate",
    "round_wait_median_ms",
    "session_duration_ms",
    "session_talk_ms",
    "session_complete",
    "date_kind",
    "date",
    "date_after",
    "date_before",
]


def _v(x: object) -> object:
    if x is None:
        return ""
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, float):
        return f"{x:.6g}"
    return x


def date_fields(d: SessionDate) -> list[str]:
    """date_kind (clock, hand or unknown), date (the clock's or the hand-set one), date_after
    and date_before (the bounds of an unknown date), as the CSV and JSON carry them."""
    return [d.kind, d.date or "", d.after or "", d.before or ""]


def render(
    details: Iterable[Detail],
    labels: dict[int, str] | None = None,
    dates: dict[str, SessionDate] | None = None,
) -> tuple[str, str]:
    """(turns CSV, seats CSV) for the given sessions; labels fill the `label` column. `dates`
    (ReportData.dates) fills the date_* columns; `session_date` stays the wall-clock start,
    else the import time."""
    turns, seats = io.StringIO(), io.StringIO()
    tw = csv.writer(turns, lineterminator="\n")
    sw = csv.writer(seats, lineterminator="\n")
    tw.writerow(TURN_COLUMNS)
    sw.writerow(SEAT_COLUMNS)
    for d in details:
        s = d.summary
        date = s["started_at"] or s.get("imported_at") or ""
        if s["started_at"]:
            dated = date_fields(SessionDate("clock", s["started_at"]))
        else:
            dated = date_fields((dates or {}).get(s["session_id"]) or SessionDate("unknown"))
        facs = set(s["facilitators"])
        phases = s["phases"]
        for t in d.timeline.turns:
            ph = phases[t.phase] if 0 <= t.phase < len(phases) else None
            fac = t.seat in facs
            tw.writerow(
                [
                    s["session_id"],
                    date,
                    s["agenda_name"],
                    t.phase,
                    ph["name"] if ph else "",
                    ph["floor"] if ph else "",
                    t.seat,
                    seat_name(labels, t.seat, fac) if labels else "",
                    int(fac),
                    t.kind,
                    t.start_ms,
                    t.end_ms,
                    t.talk_ms,
                    t.end_ms - t.start_ms - t.talk_ms,
                    int(t.cut),
                    *dated,
                ]
            )
        for r in s["seats"]:
            sw.writerow(
                _v(x)
                for x in [
                    s["session_id"],
                    date,
                    s["agenda_name"],
                    r["seat"],
                    seat_name(labels, r["seat"], r["facilitator"]) if labels else "",
                    r["facilitator"],
                    r["talk_ms"],
                    r["share"],
                    r["member_share"],
                    r["turns"],
                    r["median_ms"],
                    r["longest_ms"],
                    r["passes"],
                    r["turn_overruns"],
                    r["turn_overrun_ms"],
                    r["worst_turn_overrun_ms"],
                    r["round_pass_rate"],
                    r["round_wait_median_ms"],
                    s["duration_ms"],
                    s["talk_ms"],
                    s["complete"],
                    *dated,
                ]
            )
    return turns.getvalue(), seats.getvalue()
