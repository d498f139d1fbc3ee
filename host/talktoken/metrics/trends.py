"""Trends across sessions of one agenda: per seat, one point per session and a weekly slope."""

from __future__ import annotations

from datetime import datetime

MIN_SESSIONS = 3  # a slope needs at least this many dated sessions ...
MIN_SPAN_DAYS = 14  # ... spanning at least this many days; otherwise no slope ("—")


def session_date(summary: dict) -> str | None:
    """The session's date for trends: its wall-clock start, else a date the facilitator set by
    hand (`talktoken logs date`, "date_set"), else None ("date unknown").

    A session whose device clock was never set (no wall-clock start) has no date: the time it
    was imported says nothing about when the group met, so it is never used as one.
    """
    return summary.get("started_at") or summary.get("date_set") or None


def session_day(summary: dict) -> float | None:
    """The session's date as days since the epoch (for slopes), or None when it has none."""
    iso = session_date(summary)
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).timestamp() / 86400.0
    except ValueError:
        return None


def slope_per_week(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (day, value) points in value per 7 days.

    None unless there are MIN_SESSIONS points spanning MIN_SPAN_DAYS days: a slope over
    sessions minutes apart extrapolates noise to "points per week".
    """
    n = len(points)
    if n < MIN_SESSIONS:
        return None
    xs = [x for x, _ in points]
    if max(xs) - min(xs) < MIN_SPAN_DAYS:
        return None
    mx = sum(xs) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    return 7.0 * sxy / sxx


def _order(summary: dict) -> tuple:
    return (session_date(summary) or summary.get("imported_at") or "", summary["session_id"])


def seat_trends(summaries: list[dict]) -> list[dict]:
    """For every seat seen: points (date, session, talk, share, turns, passes), mean and slope.

    `summaries` are `metrics.summarize` dicts of ONE agenda (callers group them with
    `by_agenda`); they are ordered by date here (undated ones by import time, for order only).
    The share is of member talk for members and of all talk for facilitators.
    """
    ordered = sorted(summaries, key=_order)
    by_seat: dict[int, dict] = {}
    for summary in ordered:
        date = session_date(summary)
        for row in summary["seats"]:
            share = row["share"] if row["facilitator"] else row["member_share"]
            entry = by_seat.setdefault(
                row["seat"], {"seat": row["seat"], "facilitator": row["facilitator"], "points": []}
            )
            entry["points"].append(
                {
                    "date": date,
                    "day": session_day(summary),
                    "session_id": summary["session_id"],
                    "talk_ms": row["talk_ms"],
                    "share": share,
                    "turns": row["turns"],
                    "passes": row["passes"],
                }
            )
    out = []
    for seat in sorted(by_seat):
        entry = by_seat[seat]
        xy = [
            (p["day"], p["share"])
            for p in entry["points"]
            if p["day"] is not None and p["share"] is not None
        ]
        shares = [p["share"] for p in entry["points"] if p["share"] is not None]
        entry["mean_share"] = sum(shares) / len(shares) if shares else None
        entry["slope_per_week"] = slope_per_week(xy)
        out.append(entry)
    return out


def by_agenda(summaries: list[dict]) -> list[tuple[str, list[dict]]]:
    """Summaries grouped by agenda name (never mixed), groups in order of first appearance."""
    groups: dict[str, list[dict]] = {}
    for s in summaries:
        groups.setdefault(s["agenda_name"], []).append(s)
    return list(groups.items())


SILENT_SHARE = 0.03  # a member under 3 % of member talk ...
SILENT_RUN = 3  # ... in at least this many consecutive sessions is flagged


def silent_seats(
    summaries: list[dict], threshold: float = SILENT_SHARE, run: int = SILENT_RUN
) -> list[dict]:
    """Members under `threshold` of member talk in `run` or more consecutive sessions, up to the
    latest session of these (one agenda's) summaries: [{"seat", "sessions", "threshold"}]."""
    ordered = sorted(summaries, key=_order)
    flagged = []
    seats = sorted({r["seat"] for s in ordered for r in s["seats"] if not r["facilitator"]})
    for seat in seats:
        streak = 0
        for s in reversed(ordered):
            row = next((r for r in s["seats"] if r["seat"] == seat), None)
            if row is None or row["facilitator"] or row["member_share"] is None:
                break
            if row["member_share"] >= threshold:
                break
            streak += 1
        if streak >= run:
            flagged.append({"seat": seat, "sessions": streak, "threshold": threshold})
    return flagged
