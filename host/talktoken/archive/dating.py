"""Dates of archived sessions: the device's clock, a date set by hand, or known bounds only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from talktoken.errors import TalktokenError


class BadDateError(TalktokenError):
    """A date given on the command line is not YYYY-MM-DD or YYYY-MM-DDTHH:MM."""

    exit_code = 107


@dataclass(frozen=True)
class SessionDate:
    """How a session is dated: kind "clock" (the device's wall clock), "hand" (set with
    `talktoken logs date`) or "unknown" (only `after` < start < `before` is known)."""

    kind: str
    date: str | None = None
    after: str | None = None
    before: str | None = None

    def text(self) -> str:
        """How the date is shown to a person."""
        if self.kind == "clock":
            return _short(self.date)
        if self.kind == "hand":
            return f"{_short(self.date)} (set by hand)"
        if not self.after:  # nothing known before it: its device's first pull
            return f"date unknown, before {_short(self.before)}"
        return f"date unknown, between {_short(self.after)} and {_short(self.before)}"


def _short(iso: str | None) -> str:
    if not iso:
        return "?"
    try:
        return datetime.fromisoformat(iso).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def parse_date(text: str) -> str:
    """YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC) as an ISO timestamp; BadDateError otherwise."""
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).isoformat()
        except ValueError:
            continue
    raise BadDateError(f"{text!r} is not a date: give YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)")


def session_dates(
    rows: list[tuple[str, str, str | None, str]], hand: dict[str, str]
) -> dict[str, SessionDate]:
    """The date of every session from Archive.dating_rows() and Archive.hand_dates().

    An undated session never takes its import time as its date: it lies after the latest of
    the previous pull of its device and the start of the last dated session before it on the
    device, and before the earliest of its own pull and the next dated session after it.
    """
    by_device: dict[str, list[tuple[str, str | None, str]]] = {}
    for sid, device, started, imported in rows:
        by_device.setdefault(device, []).append((sid, started, imported))
    out: dict[str, SessionDate] = {}
    for items in by_device.values():
        known = [hand.get(sid) or started for sid, started, _ in items]
        for i, (sid, started, imported) in enumerate(items):
            if started:
                out[sid] = SessionDate("clock", started)
                continue
            if sid in hand:
                out[sid] = SessionDate("hand", hand[sid])
                continue
            lows = [imp for _, _, imp in items[:i] if imp < imported]  # earlier pulls
            lows += [k for k in known[:i] if k]
            highs = [imported] + [k for k in known[i + 1 :] if k]
            out[sid] = SessionDate("unknown", after=max(lows) if lows else None, before=min(highs))
    return out
