"""Plain functions over a `SessionLog`; every formula is documented in docs/metrics.md.

`summarize(log)` returns one JSON-able dict (what the archive caches and the reports draw);
`timeline(log)` returns the turn-by-turn detail the CSV and the HTML timeline need. The sweep
lives in `metrics_timeline`, the balance statistics in `metrics_balance`; both are re-exported.
"""

from __future__ import annotations

from talktoken.metrics.balance import balance, gini, median, normalized_entropy
from talktoken.metrics.timeline import Timeline, Turn, TurnRow, sweep, timeline, turn_rows

__all__ = [
    "METRICS_VERSION",
    "TALK_KINDS",
    "Timeline",
    "Turn",
    "balance",
    "gini",
    "median",
    "normalized_entropy",
    "phase_stats",
    "seat_stats",
    "summarize",
    "timeline",
    "transitions",
]

# Bump when any figure in summarize() changes meaning; the archive then recomputes its cache.
METRICS_VERSION = 2  # 2: markers_ms and queue_waits

TALK_KINDS = ("turn", "resumed")


def transitions(turns: list[Turn], floors: list[str], floor: str | None = "open") -> dict:
    """Count (from_seat, to_seat) for consecutive spoken turns within one phase.

    Only phases whose floor mode equals `floor` count ("open" by default: in a go-round the order
    is the device's, not the group's); floor=None counts every phase. Passes are not turns.
    """
    counts: dict[tuple[int, int], int] = {}
    last: Turn | None = None
    for tr in turns:
        if tr.kind != "turn":
            continue
        if floor is not None and (tr.phase >= len(floors) or floors[tr.phase] != floor):
            last = None
            continue
        if last is not None and last.phase == tr.phase:
            key = (last.seat, tr.seat)
            counts[key] = counts.get(key, 0) + 1
        last = tr
    return counts


class _Tally:
    """One pass over the turn rows: what the seat rows, phase rows and transitions need."""

    __slots__ = ("talk", "spoken", "passes", "ph_talk", "ph_turns", "ph_passes", "pairs")

    def __init__(self, rows: list[TurnRow], seats: int, floors: list[str]) -> None:
        talk = [0] * seats
        spoken: list[list[int]] = [[] for _ in range(seats)]
        passes = [0] * seats
        n_ph = len(floors)
        ph_talk = [0] * n_ph
        ph_turns = [0] * n_ph
        ph_passes = [0] * n_ph
        is_open = [f == "open" for f in floors]
        pairs: dict[tuple[int, int], int] = {}  # transitions(turns, floors), the "open" default
        last_seat = 0
        last_phase: int | None = None  # None: no previous open-floor turn to follow
        for seat, ph, _start, _end, ms, kind, _cut in rows:
            if kind == "turn":
                if 0 <= seat < seats:
                    talk[seat] += ms
                    spoken[seat].append(ms)
                if 0 <= ph < n_ph:
                    ph_talk[ph] += ms
                    ph_turns[ph] += 1
                if ph >= n_ph or not is_open[ph]:
                    last_phase = None
                    continue
                if last_phase == ph:
                    key = (last_seat, seat)
                    pairs[key] = pairs.get(key, 0) + 1
                last_seat, last_phase = seat, ph
            elif kind == "pass":
                if 0 <= seat < seats:
                    passes[seat] += 1
                if 0 <= ph < n_ph:
                    ph_passes[ph] += 1
            elif kind == "resumed":
                if 0 <= seat < seats:
                    talk[seat] += ms
                if 0 <= ph < n_ph:
                    ph_talk[ph] += ms
        self.talk, self.spoken, self.passes = talk, spoken, passes
        self.ph_talk, self.ph_turns, self.ph_passes = ph_talk, ph_turns, ph_passes
        self.pairs = pairs


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


def _seat_rows(log, tally: _Tally) -> list[dict]:
    facs = set(log.facilitators)
    talk, spoken, passes = tally.talk, tally.spoken, tally.passes
    total = sum(talk)
    member_total = sum([talk[s] for s in range(log.seats) if s not in facs])
    rows = []
    for s in range(log.seats):
        fac = s in facs
        ms = talk[s]
        said = spoken[s]
        rows.append(
            {
                "seat": s,
                "facilitator": fac,
                "talk_ms": ms,
                "share": ms / total if total > 0 else None,
                "member_share": None if fac or member_total <= 0 else ms / member_total,
                "turns": len(said),
                "median_ms": median(said),
                "longest_ms": max(said) if said else None,
                "passes": passes[s],
            }
        )
    return rows


def _phase_rows(log, tl: Timeline, tally: _Tally) -> list[dict]:
    extend, active, paused = tl.extend_min, tl.active_ms, tl.paused_ms
    spans, silence = tl.phase_spans, tl.silence_ms
    rows = []
    for i, plan in enumerate(log.phases):
        planned = plan.minutes * 60_000
        extended = extend.get(i, 0) * 60_000
        actual = active.get(i, 0)
        span = spans.get(i)
        rows.append(
            {
                "phase": i,
                "name": plan.name,
                "floor": plan.floor,
                "ran": span is not None,
                "start_ms": span[0] if span else None,
                "end_ms": span[1] if span else None,
                "planned_ms": planned,
                "extended_ms": extended,
                "actual_ms": actual,
                "paused_ms": paused.get(i, 0),
                "overrun_ms": max(0, actual - planned - extended) if span else 0,
                "talk_ms": tally.ph_talk[i],
                "silence_ms": silence.get(i, 0) if plan.floor == "open" else None,
                "turns": tally.ph_turns[i],
                "passes": tally.ph_passes[i],
            }
        )
    return rows


def _tally_of(log, tl: Timeline) -> _Tally:
    return _Tally(turn_rows(tl.turns), log.seats, [p.floor for p in log.phases])


def seat_stats(log, tl: Timeline) -> list[dict]:
    """Per seat: talk time, share of all talk and of member talk, turns, median, longest, passes."""
    return _seat_rows(log, _tally_of(log, tl))


def phase_stats(log, tl: Timeline) -> list[dict]:
    """Per planned phase: planned, extended, actual (unpaused) time, overrun, talk and silence."""
    return _phase_rows(log, tl, _tally_of(log, tl))


def _groups(seats: list[dict], total: int) -> dict:
    """Facilitators' and members' seats, talk, share, turns and passes (one pass)."""
    n, talk, turns, passes = [0, 0], [0, 0], [0, 0], [0, 0]  # [members, facilitators]
    for r in seats:
        g = 1 if r["facilitator"] else 0
        n[g] += 1
        talk[g] += r["talk_ms"]
        turns[g] += r["turns"]
        passes[g] += r["passes"]
    return {
        name: {
            "seats": n[g],
            "talk_ms": talk[g],
            "share": _share(talk[g], total),
            "turns": turns[g],
            "passes": passes[g],
        }
        for name, g in (("facilitators", 1), ("members", 0))
    }


def summarize(log, tl: Timeline | None = None) -> dict:
    """All per-session figures as one JSON-able dict (no turn list; see `timeline`).

    Without `tl` the sweep's turns are tallied as plain rows, without building Turn objects."""
    if tl is None:
        tl, rows = sweep(log)
    else:
        rows = turn_rows(tl.turns)
    floors = [p.floor for p in log.phases]
    tally = _Tally(rows, log.seats, floors)
    seats = _seat_rows(log, tally)
    phases = _phase_rows(log, tl, tally)
    talk = sum(tally.talk)
    paused = 0
    for a, b in tl.pauses:
        paused += b - a
    silence = overrun = 0
    for r in phases:
        silence += r["silence_ms"] or 0
        overrun += r["overrun_ms"]
    return {
        "metrics_version": METRICS_VERSION,
        "session_id": log.session_id,
        "agenda_name": log.agenda_name,
        "started_at": log.started_at.isoformat() if log.started_at else None,
        "seats_n": log.seats,
        "facilitators": sorted(log.facilitators),
        "complete": bool(log.complete),
        "problems": list(log.problems) + tl.notes,
        "duration_ms": tl.end_ms,
        "paused_ms": paused,
        "active_ms": tl.end_ms - paused,
        "gaps": len(tl.gaps),
        "talk_ms": talk,
        "silence_ms": silence,
        "overrun_ms": overrun,
        "turns": sum([len(s) for s in tally.spoken]),
        "passes": sum(tally.passes),
        "seats": seats,
        "groups": _groups(seats, talk),
        "phases": phases,
        "balance": balance([r["talk_ms"] for r in seats if not r["facilitator"]]),
        "markers_ms": log.markers(),
        "queue_waits": log.queue_waits(),
        "transitions": sorted([a, b, n] for (a, b), n in tally.pairs.items()),
    }
