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
METRICS_VERSION = 2  # 2: markers, queue waits, overruns per seat, hand-overs, phase flags

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
        if last is not None and last.phase == tr.phase and last.seat != tr.seat:
            key = (last.seat, tr.seat)
            counts[key] = counts.get(key, 0) + 1
        last = tr
    return counts


class _Tally:
    """One pass over the turn rows: what the seat rows, phase rows and transitions need."""

    __slots__ = (
        "talk",
        "spoken",
        "passes",
        "ph_talk",
        "ph_turns",
        "ph_passes",
        "pairs",
        "over",
        "ph_seat_talk",
        "round_offers",
        "round_passes",
        "round_waits",
    )

    def __init__(
        self, rows: list[TurnRow], seats: int, floors: list[str], budgets: list[int] | None = None
    ) -> None:
        talk = [0] * seats
        spoken: list[list[int]] = [[] for _ in range(seats)]
        passes = [0] * seats
        n_ph = len(floors)
        ph_talk = [0] * n_ph
        ph_turns = [0] * n_ph
        ph_passes = [0] * n_ph
        is_open = [f == "open" for f in floors]
        budgets = budgets or [0] * n_ph
        over: list[list[int]] = [[] for _ in range(seats)]  # ms past the turn budget, per turn
        ph_seat_talk = [[0] * seats for _ in range(n_ph)]
        is_round = [f == "round" for f in floors]
        round_offers = [0] * seats  # go-round turns and passes offered to each seat
        round_passes = [0] * seats
        round_waits: list[list[int]] = [[] for _ in range(seats)]  # silence before a round turn
        prev_end: int | None = None
        prev_phase = -1
        pairs: dict[tuple[int, int], int] = {}  # transitions(turns, floors), the "open" default
        last_seat = 0
        last_phase: int | None = None  # None: no previous open-floor turn to follow
        for seat, ph, start, end, ms, kind, _cut in rows:
            if kind in ("turn", "pass") and 0 <= ph < n_ph and is_round[ph] and 0 <= seat < seats:
                round_offers[seat] += 1
                if kind == "pass":
                    round_passes[seat] += 1
                elif prev_phase == ph and prev_end is not None:
                    round_waits[seat].append(max(0, start - prev_end))
            prev_end, prev_phase = end, ph
            if kind == "turn":
                if 0 <= seat < seats:
                    talk[seat] += ms
                    spoken[seat].append(ms)
                if 0 <= ph < n_ph:
                    ph_talk[ph] += ms
                    ph_turns[ph] += 1
                    if 0 <= seat < seats:
                        ph_seat_talk[ph][seat] += ms
                        if budgets[ph] and ms > budgets[ph]:
                            over[seat].append(ms - budgets[ph])
                if ph >= n_ph or not is_open[ph]:
                    last_phase = None
                    continue
                if last_phase == ph and last_seat != seat:  # a seat following itself: no hand-over
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
                    if 0 <= seat < seats:
                        ph_seat_talk[ph][seat] += ms
        self.talk, self.spoken, self.passes = talk, spoken, passes
        self.ph_talk, self.ph_turns, self.ph_passes = ph_talk, ph_turns, ph_passes
        self.pairs, self.over, self.ph_seat_talk = pairs, over, ph_seat_talk
        self.round_offers, self.round_passes = round_offers, round_passes
        self.round_waits = round_waits


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
                "turn_overruns": len(tally.over[s]),
                "turn_overrun_ms": sum(tally.over[s]),
                "worst_turn_overrun_ms": max(tally.over[s]) if tally.over[s] else 0,
                "round_pass_rate": _share(tally.round_passes[s], tally.round_offers[s]),
                "round_wait_median_ms": median(tally.round_waits[s]),
            }
        )
    return rows


EARLY_FRACTION = 0.5  # a phase that ran under half its planned time "ended early"


def phase_status(ran: bool, actual_ms: int, planned_ms: int) -> str:
    """ "skipped" (never started), "ended early" (ran under EARLY_FRACTION of its planned time
    with extensions), or "" for a phase that ran its course; docs/metrics.md, "Phases"."""
    if not ran:
        return "skipped"
    if planned_ms and actual_ms < EARLY_FRACTION * planned_ms:
        return "ended early"
    return ""


def _phase_rows(log, tl: Timeline, tally: _Tally) -> list[dict]:
    facs = set(log.facilitators)
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
                "shortened_ms": tl.shortened_min.get(i, 0) * 60_000,
                "actual_ms": actual,
                "paused_ms": paused.get(i, 0),
                "overrun_ms": max(0, actual - planned - extended) if span else 0,
                "talk_ms": tally.ph_talk[i],
                "silence_ms": silence.get(i, 0) if plan.floor == "open" else None,
                "turns": tally.ph_turns[i],
                "passes": tally.ph_passes[i],
                "status": phase_status(span is not None, actual, planned + extended),
                "seat_talk_ms": list(tally.ph_seat_talk[i]),
                "balance": balance(
                    [tally.ph_seat_talk[i][s] for s in range(log.seats) if s not in facs]
                ),
            }
        )
    return rows


def _budgets(log) -> list[int]:
    return [p.turn_seconds * 1000 for p in log.phases]


def _tally_of(log, tl: Timeline) -> _Tally:
    return _Tally(turn_rows(tl.turns), log.seats, [p.floor for p in log.phases], _budgets(log))


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


def follows(pairs: dict[tuple[int, int], int], facilitators: set[int]) -> dict:
    """Shares of open-floor hand-overs: facilitator -> member, member -> member, and the rest."""
    kinds = {"fac_to_member": 0, "member_to_member": 0, "member_to_fac": 0, "fac_to_fac": 0}
    for (a, b), n in pairs.items():
        fa, fb = a in facilitators, b in facilitators
        key = ("fac" if fa else "member") + "_to_" + ("fac" if fb else "member")
        kinds[key] += n
    total = sum(kinds.values())
    out = {k: _share(v, total) for k, v in kinds.items()}
    out["handovers"] = total
    return out


def summarize(log, tl: Timeline | None = None) -> dict:
    """All per-session figures as one JSON-able dict (no turn list; see `timeline`).

    Without `tl` the sweep's turns are tallied as plain rows, without building Turn objects."""
    if tl is None:
        tl, rows = sweep(log)
    else:
        rows = turn_rows(tl.turns)
    floors = [p.floor for p in log.phases]
    tally = _Tally(rows, log.seats, floors, _budgets(log))
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
        "follows": follows(tally.pairs, set(log.facilitators)),
    }
