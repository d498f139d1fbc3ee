"""Trends across sessions: per seat, one point per session plus a least-squares slope."""

from __future__ import annotations

from datetime import datetime


def session_date(summary: dict) -> str | None:
    """The session's date: wall-clock start when the device clock was set, else import time."""
    return summary.get("started_at") or summary.get("imported_at")


def slope_date(summary: dict) -> str | None:
    """The date a session counts at in a slope: its wall-clock start or a date set by hand
    ("date_set"); None for a session with neither, which stays out of slopes until dated."""
    return summary.get("started_at") or summary.get("date_set")


def slope_per_week(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (day, value) points, in value per 7 days; None below 2 days."""
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in points)
    return 7.0 * sxy / sxx


def _days(iso: str | None) -> float | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).timestamp() / 86400.0
    except ValueError:
        return None


def seat_trends(summaries: list[dict]) -> list[dict]:
    """For every seat seen: points (date, session, talk, share of member talk, turns, passes).

    `summaries` are `metrics.summarize` dicts (optionally with "imported_at"); they are sorted
    by date here. The slope is of the seat's share (member share for members, share of all talk
    for facilitators) per week, over sessions that have a date.
    """
    ordered = sorted(summaries, key=lambda s: (session_date(s) or "", s["session_id"]))
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
                    "dated": slope_date(summary),
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
        xy = []
        for p in entry["points"]:
            day = _days(p["dated"])
            if day is not None and p["share"] is not None:
                xy.append((day, p["share"]))
        shares = [p["share"] for p in entry["points"] if p["share"] is not None]
        entry["mean_share"] = sum(shares) / len(shares) if shares else None
        entry["slope_per_week"] = slope_per_week(xy)
        out.append(entry)
    return out
