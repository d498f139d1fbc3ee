"""UEM: the scored regions of a session, `<session> 1 <onset s> <offset s>` per region."""

from __future__ import annotations

from talktoken.export.spans import Spans, seconds

EXT = ".uem"


def render(sp: Spans, labels: dict[int, str] | None = None) -> str:
    """One line per active region: phases without pauses, split at power-loss gaps."""
    return "".join(f"{sp.session_id} 1 {seconds(a)} {seconds(b)}\n" for a, b in sp.active)
