"""Small formatters: durations as m:ss or h:mm:ss, shares as percentages, dates for people."""

from __future__ import annotations

from datetime import datetime

DASH = "–"


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


def pct(x: float | None, digits: int = 0) -> str:
    """0.234 -> "23%"; a dash for None."""
    if x is None:
        return DASH
    return f"{100 * x:.{digits}f}%"


def num(x: float | None, digits: int = 2) -> str:
    """A plain decimal or a dash."""
    return DASH if x is None else f"{x:.{digits}f}"


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


def short_id(session_id: str) -> str:
    """The first 8 hex digits of a session id (enough to name it on the command line)."""
    return session_id[:8]


def count(n: int, one: str, many: str) -> str:
    """'1 pass', '2 passes', '0 turns'."""
    return f"{n} {one if n == 1 else many}"
