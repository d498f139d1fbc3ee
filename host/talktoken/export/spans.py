"""What every export format draws from one session: turns, phases, pauses, gaps and markers."""

from __future__ import annotations

from dataclasses import dataclass, field

from talktoken.metrics.summary import TALK_KINDS, Turn, timeline


def participant(seat: int, labels: dict[int, str] | None = None) -> str:
    """The name a seat gets in an export: its label when labels were given, else `seatNN`."""
    if labels and seat in labels:
        return labels[seat]
    return f"seat{seat:02d}"


def seconds(ms: int) -> str:
    """Milliseconds as seconds with exactly three decimals (12345 -> "12.345")."""
    sign = "-" if ms < 0 else ""
    ms = abs(ms)
    return f"{sign}{ms // 1000}.{ms % 1000:03d}"


@dataclass
class Spans:
    """One session as intervals in ms from its start (the sweep of docs/metrics.md).

    `turns`: every Turn of the sweep (kind "turn", "resumed" or "pass"), in time order;
    `phases`: (index, name, start, end); `pauses`: (start, end); `gaps`: offsets where the
    device resumed after a power loss (the time it was off is not in the log, so a gap is an
    instant); `markers`: (t, seat or None, arg) of marker events, when the log has any;
    `active`: the scored regions (phases without pauses, split at gaps); `phase_names`: the
    agenda's names by phase index.
    """

    session_id: str
    seats: int
    facilitators: list[int]
    end_ms: int
    turns: list[Turn] = field(default_factory=list)
    phases: list[tuple[int, str, int, int]] = field(default_factory=list)
    pauses: list[tuple[int, int]] = field(default_factory=list)
    gaps: list[int] = field(default_factory=list)
    markers: list[tuple[int, int | None, int]] = field(default_factory=list)
    active: list[tuple[int, int]] = field(default_factory=list)
    phase_names: dict[int, str] = field(default_factory=dict)

    def phase_name(self, index: int) -> str:
        """The agenda's name of phase `index`."""
        return self.phase_names.get(index, f"phase {index}")

    def speech(self) -> list[Turn]:
        """The stretches of talk ("turn" and "resumed"), zero-length ones left out."""
        return [t for t in self.turns if t.kind in TALK_KINDS and t.end_ms > t.start_ms]


def _phase_name(log, index: int) -> str:
    return log.phases[index].name if 0 <= index < len(log.phases) else f"phase {index}"


def _phase_intervals(log, end_ms: int) -> list[tuple[int, str, int, int]]:
    """Each run of a phase from its phase_start to its phase_end (or the next phase_start, or
    the end of the log), as the sweep bounds them."""
    out: list[tuple[int, str, int, int]] = []
    current: tuple[int, int] | None = None
    prev = 0
    for ev in log.events:
        t = max(ev.t_ms, prev)
        prev = t
        if ev.kind in ("phase_start", "phase_end"):
            if current is not None:
                out.append((current[0], _phase_name(log, current[0]), current[1], t))
                current = None
            if ev.kind == "phase_start":
                current = (ev.phase, t)
        elif ev.kind == "session_end":
            break
    if current is not None:
        out.append((current[0], _phase_name(log, current[0]), current[1], end_ms))
    return out


def _active(phases, pauses, gaps) -> list[tuple[int, int]]:
    """Phase time minus paused time, cut at every gap; empty pieces dropped."""
    regions: list[tuple[int, int]] = []
    for _, _, start, end in phases:
        pieces = [(start, end)]
        for a, b in pauses:
            nxt = []
            for s, e in pieces:
                if b <= s or a >= e:
                    nxt.append((s, e))
                    continue
                if s < a:
                    nxt.append((s, a))
                if b < e:
                    nxt.append((b, e))
            pieces = nxt
        for g in gaps:
            nxt = []
            for s, e in pieces:
                nxt.extend([(s, g), (g, e)] if s < g < e else [(s, e)])
            pieces = nxt
        regions.extend(p for p in pieces if p[1] > p[0])
    return sorted(regions)


def spans(log) -> Spans:
    """The Spans of a decoded SessionLog."""
    tl = timeline(log)
    phases = _phase_intervals(log, tl.end_ms)
    markers = [(e.t_ms, e.seat, e.arg) for e in log.events if e.kind == "marker"]
    return Spans(
        session_id=log.session_id,
        seats=log.seats,
        facilitators=sorted(log.facilitators),
        end_ms=tl.end_ms,
        turns=sorted(tl.turns, key=lambda t: (t.start_ms, t.end_ms, t.seat)),
        phases=phases,
        pauses=list(tl.pauses),
        gaps=list(tl.gaps),
        markers=markers,
        active=_active(phases, tl.pauses, tl.gaps),
        phase_names={i: p.name for i, p in enumerate(log.phases)},
    )
