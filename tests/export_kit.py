"""The small session of the export golden files, and readers of every export format."""

from __future__ import annotations

import report_kit as kit

GOLDEN_ID = "0123456789abcdef"


def golden_script() -> kit.Script:
    """Two phases (a go-round with a pass, an open floor with a pause and a power-loss gap)."""
    s = kit.Script(
        seats=3,
        facilitators=(0,),
        phases=(("Check-in", 5, "round"), ("Talk", 10, "open")),
        started=kit.dated(0),
    )
    s.start(0).turn(0, 0, 4000).passed(1, 4200, 5000).turn(2, 5000, 9500).next_phase(10000)
    s.turn(1, 10500, 15000).ev(15500, "pause").ev(20000, "resume").turn(0, 21000, 26000)
    s.ev(26000, "turn_start", 2).ev(28000, "gap").ev(30000, "turn_end", 2).end(31000)
    return s


def golden_log():
    return golden_script().log(session_id=GOLDEN_ID)
