"""Small formatters: durations as m:ss or h:mm:ss, shares as percentages, dates for people."""

from __future__ import annotations

from datetime import datetime

from talktoken.archive.dating import SessionDate

DASH = "–"
NO_SLOPE = "—"  # too few sessions, or too short a span, for a trend
DATE_UNKNOWN = "date unknown"


def phase_label(index: int, name: str) -> str:
    """A phase as people count it: index 2 (0-based, as in JSON and CSV) -> "3. name"."""
    return f"{index + 1}. {name}"


def duration(ms: float | None) -> str:
    """12:05 for 725000 ms, 1:02:05 past an hour; a dash for None."""
    if ms is None:
        return DASH
    s = int(round(ms / 1000))
    sign = "-" if s < 0 else ""
    s = abs(s)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{sign}{h}:{m:02d}:{sec:02d}" if h else f"{sign}{m}:{sec:02d}"


def over(ms: int) -> str:
    """Time over a budget: like `duration`, but '<0:01' for under half a second (never '0:00'
    beside a count that says a turn ran over)."""
    return "<0:01" if 0 < ms < 500 else duration(ms)


def pct(x: float | None, digits: int = 0) -> str:
    """0.234 -> "23%"; a dash for None."""
    if x is None:
        return DASH
    return _unsigned_zero(f"{100 * x:.{digits}f}%")


def _unsigned_zero(text: str) -> str:
    """'-0.00' -> '0.00': a value that rounds to zero has no sign."""
    if text.startswith(("-", "+")) and not text.strip("+-0.%"):
        return text[1:]
    return text


def num(x: float | None, digits: int = 2) -> str:
    """A plain decimal or a dash; never '-0.00'."""
    return DASH if x is None else _unsigned_zero(f"{x:.{digits}f}")


def signed(x: float | None, digits: int = 1) -> str:
    """'+1.5', '-0.3', '0.0' (no sign on zero); a dash for None."""
    return DASH if x is None else _unsigned_zero(f"{x:+.{digits}f}")


def when(iso: str | None, fallback: str | None = None) -> str:
    """ "2025-01-07 18:00 UTC" from an ISO time; "imported 2025-…" when the clock was not set."""
    if iso:
        try:
            d = datetime.fromisoformat(iso)
        except ValueError:
            return iso
        return d.strftime("%Y-%m-%d %H:%M") + (" UTC" if d.utcoffset() is not None else "")
    if fallback:
        return "imported " + when(fallback)
    return DASH


def session_when(d: SessionDate) -> str:
    """A session's date for people: "2025-01-07 18:00 UTC" (its clock), "2025-01-07 18:00 (set
    by hand)", "date unknown, between 2025-01-03 10:00 and 2025-01-20 09:12" (UTC), or "date
    unknown" when not even bounds are known. Never the import time."""
    if d.kind == "clock":
        return when(d.date)
    if d.kind == "unknown" and not d.before:
        return DATE_UNKNOWN
    return d.text()


def session_day(d: SessionDate) -> str:
    """A session's day for a chart axis: '2025-01-07' (its clock or a date set by hand), or
    'date unknown'."""
    return d.date[:10] if d.kind in ("clock", "hand") and d.date else DATE_UNKNOWN


def day(iso: str | None) -> str:
    """'2025-01-07' from an ISO time, or 'date unknown' (a session without a wall-clock start)."""
    return iso[:10] if iso else DATE_UNKNOWN


def short_id(session_id: str) -> str:
    """The first 8 hex digits of a session id (enough to name it on the command line)."""
    return session_id[:8]


def count(n: int, one: str, many: str) -> str:
    """'1 pass', '2 passes', '0 turns'."""
    return f"{n} {one if n == 1 else many}"


def phase_flag(p: dict) -> str:
    """'skipped', 'ended early: 0:02 of 35:00', or '' (the same words in every format)."""
    if p["status"] == "skipped":
        return "skipped"
    if p["status"] == "ended early":
        planned = p["planned_ms"] + p["extended_ms"]
        return f"ended early: {duration(p['actual_ms'])} of {duration(planned)}"
    return ""
