"""RTTM (NIST): one SPEAKER line per stretch of talk, times in seconds with ms precision."""

from __future__ import annotations

from talktoken.export.spans import Spans, participant, seconds

EXT = ".rttm"


def speaker_name(seat: int, labels: dict[int, str] | None) -> str:
    """The RTTM name field of a seat (a label's blanks become "_": fields are space-separated)."""
    return "_".join(participant(seat, labels).split())


def render(sp: Spans, labels: dict[int, str] | None = None) -> str:
    """`SPEAKER <session> 1 <onset> <duration> <NA> <NA> seatNN <NA> <NA>` per turn or resumed
    piece of a turn cut by a power loss (zero-length ones carry no speech and are left out)."""
    lines = [
        f"SPEAKER {sp.session_id} 1 {seconds(t.start_ms)} {seconds(t.end_ms - t.start_ms)}"
        f" <NA> <NA> {speaker_name(t.seat, labels)} <NA> <NA>\n"
        for t in sp.speech()
    ]
    return "".join(lines)
