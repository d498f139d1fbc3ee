"""CSV in talkr's minimal columns (source, begin, end in ms, utterance, participant) + phase."""

from __future__ import annotations

import csv
import io

from talktoken.export.spans import Spans, participant

EXT = ".csv"
COLUMNS = ["source", "begin", "end", "utterance", "participant", "phase"]


def render(sp: Spans, labels: dict[int, str] | None = None) -> str:
    """One row per turn ("turn"; a turn cut by a power loss gives a second row for the resumed
    piece) and per pass ("pass"), in time order; `phase` is the phase's name."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for t in sp.turns:
        w.writerow(
            [
                sp.session_id,
                t.start_ms,
                t.end_ms,
                "pass" if t.kind == "pass" else "turn",
                participant(t.seat, labels),
                sp.phase_name(t.phase),
            ]
        )
    return buf.getvalue()
