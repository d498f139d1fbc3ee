"""`timeline(log)` walks the events once (docs/metrics.md, "The sweep"); `sweep(log)` is the same
walk giving the turns as plain tuples, which `metrics.summarize` tallies without building a
`Turn` object per turn."""

from __future__ import annotations

from dataclasses import dataclass, field

# A turn as the sweep records it: (seat, phase, start_ms, end_ms, talk_ms, kind, cut).
TurnRow = tuple[int, int, int, int, int, str, bool]


@dataclass(frozen=True)
class Turn:
    """One stretch of floor held by a seat.

    kind: "turn" (spoke), "pass" (held the token and passed), "resumed" (the part of a turn
    after a power-loss gap). `talk_ms` excludes paused time; `cut` = ended by a gap or log end.
    """

    seat: int
    phase: int
    start_ms: int
    end_ms: int
    talk_ms: int
    kind: str
    cut: bool = False


@dataclass
class Timeline:
    """Everything the sweep over the events found, in log order."""

    turns: list[Turn] = field(default_factory=list)
    pauses: list[tuple[int, int]] = field(default_factory=list)
    gaps: list[int] = field(default_factory=list)
    phase_spans: dict[int, list[int]] = field(default_factory=dict)  # phase -> [start, end]
    active_ms: dict[int, int] = field(default_factory=dict)
    paused_ms: dict[int, int] = field(default_factory=dict)
    silence_ms: dict[int, int] = field(default_factory=dict)
    extend_min: dict[int, int] = field(default_factory=dict)  # net minutes added per phase
    shortened_min: dict[int, int] = field(default_factory=dict)  # minutes taken back per phase
    end_ms: int = 0
    notes: list[str] = field(default_factory=list)


_new = object.__new__
_set = object.__setattr__


def make_turns(rows: list[TurnRow]) -> list[Turn]:
    """`Turn` objects for sweep rows: the same objects `Turn(*row)` gives, at half the cost.

    A frozen dataclass's `__init__` sets each field through `object.__setattr__`; here each
    object gets its whole `__dict__` at once (what equality, hashing and repr read)."""
    cls, new, put = Turn, _new, _set
    out: list[Turn] = []
    append = out.append
    for seat, phase, start, end, talk, kind, cut in rows:
        obj = new(cls)
        put(
            obj,
            "__dict__",
            {
                "seat": seat,
                "phase": phase,
                "start_ms": start,
                "end_ms": end,
                "talk_ms": talk,
                "kind": kind,
                "cut": cut,
            },
        )
        append(obj)
    return out


def turn_rows(turns: list[Turn]) -> list[TurnRow]:
    """The sweep rows of `Turn` objects (the inverse of `make_turns`)."""
    return [(t.seat, t.phase, t.start_ms, t.end_ms, t.talk_ms, t.kind, t.cut) for t in turns]


def timeline(log) -> Timeline:
    """Walk the events once and attribute every millisecond (see docs/metrics.md, "The sweep")."""
    tl, rows = sweep(log)
    tl.turns = make_turns(rows)
    return tl


def sweep(log) -> tuple[Timeline, list[TurnRow]]:
    """The sweep of `timeline(log)`, with the turns as rows (the Timeline's `turns` left empty).

    One loop with everything in local variables: no per-event function call or allocation.
    A phase's active, paused and silent time add up in local counters, written to the
    Timeline's dicts when the phase changes (so each dict gets its keys in the same order as
    adding every interval would). tests/test_log_fast.py checks it against the plain sweep in
    tests/metrics_reference.py."""
    tl = Timeline()
    rows: list[TurnRow] = []
    add = rows.append
    active, paused_ms, silence = tl.active_ms, tl.paused_ms, tl.silence_ms
    spans = tl.phase_spans
    floors = [p.floor for p in log.phases]
    n_floors = len(floors)
    phase: int | None = None
    phase_open = False  # the current phase has an open floor (silence counts)
    act = pau = sil = 0  # the current phase's time not yet written to the dicts
    paused = False
    pause_at = 0
    speaker: int | None = None
    t_start = talk = 0
    t_phase = 0
    kind = "turn"
    prev = 0
    for ev in log.events:
        t = ev.t_ms
        if t > prev:
            dt = t - prev
            prev = t
            if phase is not None:
                if paused:
                    pau += dt
                else:
                    act += dt
                    if speaker is None:
                        if phase_open:
                            sil += dt
                    else:
                        talk += dt
            elif speaker is not None and not paused:
                talk += dt
        else:
            t = prev
        k = ev.kind
        if k == "turn_start":
            seat = ev.seat
            if seat is not None:
                if speaker is not None and not (kind == "resumed" and t == t_start):
                    add((speaker, t_phase, t_start, t, talk, kind, False))
                speaker, t_start, talk, t_phase, kind = seat, t, 0, ev.phase, "turn"
        elif k == "turn_end":
            if speaker is not None and speaker == ev.seat:
                if not (kind == "resumed" and t == t_start):
                    add((speaker, t_phase, t_start, t, talk, kind, False))
                speaker = None
            else:
                tl.notes.append(f"turn_end of seat {ev.seat} at {t} ms without its start")
        elif k == "pass":
            seat = ev.seat
            if seat is not None:
                if speaker == seat:
                    add((seat, t_phase, t_start, t, talk, "pass", False))
                else:
                    if speaker is not None and not (kind == "resumed" and t == t_start):
                        add((speaker, t_phase, t_start, t, talk, kind, False))
                    add((seat, ev.phase, t, t, 0, "pass", False))
                speaker = None
        elif k == "phase_start" or k == "phase_end":
            if speaker is not None:
                if not (kind == "resumed" and t == t_start):
                    add((speaker, t_phase, t_start, t, talk, kind, False))
                speaker = None
            if phase is not None:
                _add_phase_time(active, paused_ms, silence, phase, act, pau, sil)
                act = pau = sil = 0
            if k == "phase_start":
                phase = ev.phase
                phase_open = phase < n_floors and floors[phase] == "open"
                spans.setdefault(phase, [t, t])
            else:
                if phase is not None:
                    spans.setdefault(phase, [t, t])[1] = t
                phase = None
                phase_open = False
        elif k == "pause":
            if not paused:
                paused, pause_at = True, t
        elif k == "resume":
            if paused:
                paused = False
                tl.pauses.append((pause_at, t))
        elif k == "extend":
            tl.extend_min[ev.phase] = tl.extend_min.get(ev.phase, 0) + ev.arg
            if ev.arg < 0:
                tl.shortened_min[ev.phase] = tl.shortened_min.get(ev.phase, 0) - ev.arg
        elif k == "gap":
            tl.gaps.append(t)
            if speaker is not None:
                if not (kind == "resumed" and t == t_start):
                    add((speaker, t_phase, t_start, t, talk, kind, True))
                t_start, talk, kind = t, 0, "resumed"
        elif k == "session_end":
            break
    # End of the log: close whatever is still open (a cut, unless the session ended cleanly).
    if speaker is not None and not (kind == "resumed" and prev == t_start):
        add((speaker, t_phase, t_start, prev, talk, kind, not log.complete))
    if paused:
        tl.pauses.append((pause_at, prev))
    if phase is not None:
        _add_phase_time(active, paused_ms, silence, phase, act, pau, sil)
        spans.setdefault(phase, [prev, prev])[1] = prev
    tl.end_ms = prev
    return tl, rows


def _add_phase_time(active, paused_ms, silence, phase, act, pau, sil) -> None:
    """Add a phase stretch's active, paused and silent ms to the per-phase totals (a key is
    made only for a non-zero amount, as the reference sweep does)."""
    if act:
        active[phase] = active.get(phase, 0) + act
    if pau:
        paused_ms[phase] = paused_ms.get(phase, 0) + pau
    if sil:
        silence[phase] = silence.get(phase, 0) + sil
