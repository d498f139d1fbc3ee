"""Praat TextGrid (long text format): one IntervalTier per seat, empty intervals between
turns, and a phase tier."""

from __future__ import annotations

from talktoken.export.spans import Spans, participant, seconds

EXT = ".TextGrid"


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _fill(items: list[tuple[int, int, str]], end: int) -> list[tuple[int, int, str]]:
    """Intervals covering 0..end: the items in order, empty intervals in between."""
    out: list[tuple[int, int, str]] = []
    at = 0
    for a, b, text in sorted(items):
        if a > at:
            out.append((at, a, ""))
        out.append((a, b, text))
        at = b
    if end > at or not out:
        out.append((at, max(end, at), ""))
    return out


def render(sp: Spans, labels: dict[int, str] | None = None) -> str:
    """The TextGrid: tiers seatNN (or the seat's label) with "turn" / "resumed" intervals, then
    "phases" with each phase's name."""
    end = max([sp.end_ms, *(b for _, _, _, b in sp.phases), *(t.end_ms for t in sp.turns)])
    seats: list[list[tuple[int, int, str]]] = [[] for _ in range(sp.seats)]
    for t in sp.speech():
        if 0 <= t.seat < sp.seats:
            seats[t.seat].append((t.start_ms, t.end_ms, t.kind))
    tiers = [(participant(s, labels), _fill(seats[s], end)) for s in range(sp.seats)]
    tiers.append(("phases", _fill([(a, b, n) for _, n, a, b in sp.phases if b > a], end)))
    xmax = seconds(end)
    out = [
        'File type = "ooTextFile"\n',
        'Object class = "TextGrid"\n',
        "\n",
        "xmin = 0\n",
        f"xmax = {xmax}\n",
        "tiers? <exists>\n",
        f"size = {len(tiers)}\n",
        "item []:\n",
    ]
    for i, (name, intervals) in enumerate(tiers, 1):
        out += [
            f"    item [{i}]:\n",
            '        class = "IntervalTier"\n',
            f"        name = {_quote(name)}\n",
            "        xmin = 0\n",
            f"        xmax = {xmax}\n",
            f"        intervals: size = {len(intervals)}\n",
        ]
        for k, (a, b, text) in enumerate(intervals, 1):
            out += [
                f"        intervals [{k}]:\n",
                f"            xmin = {seconds(a)}\n",
                f"            xmax = {seconds(b)}\n",
                f"            text = {_quote(text)}\n",
            ]
    return "".join(out)
