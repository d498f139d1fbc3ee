"""Plain functions over a `SessionLog`; every formula is documented in docs/metrics.md.

`summarize(log)` returns one JSON-able dict (what the archive caches and the reports draw);
`timeline(log)` returns the turn-by-turn detail the CSV and the HTML timeline need.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# Bump when any figure in summarize() changes meaning; the archive then recomputes its cache.
METRICS_VERSION = 2  # 2: markers, queue waits, overruns per seat, hand-overs, phase flags

TALK_KINDS = ("turn", "resumed")


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
    extend_min: dict[int, int] = field(default_factory=dict)
    shortened_min: dict[int, int] = field(default_factory=dict)
    end_ms: int = 0
    notes: list[str] = field(default_factory=list)


def _add(d: dict[int, int], key: int, value: int) -> None:
    d[key] = d.get(key, 0) + value


def timeline(log) -> Timeline:
    """Walk the events once and attribute every millisecond (see docs/metrics.md, "Sweep")."""
    tl = Timeline()
    floors = [p.floor for p in log.phases]
    phase: int | None = None
    paused = False
    pause_at = 0
    speaker: int | None = None
    t_start = talk = 0
    t_phase = 0
    kind = "turn"
    prev = 0

    def close(t: int, new_kind: str | None = None, cut: bool = False) -> None:
        nonlocal speaker
        if speaker is None:
            return
        k = new_kind or kind
        if not (k == "resumed" and t == t_start):
            tl.turns.append(Turn(speaker, t_phase, t_start, t, talk, k, cut))
        speaker = None

    def open_turn(seat: int, ph: int, t: int, k: str) -> None:
        nonlocal speaker, t_start, talk, t_phase, kind
        speaker, t_start, talk, t_phase, kind = seat, t, 0, ph, k

    for ev in log.events:
        t = max(ev.t_ms, prev)
        dt = t - prev
        prev = t
        if dt:
            if speaker is not None and not paused:
                talk += dt
            if phase is not None:
                if paused:
                    _add(tl.paused_ms, phase, dt)
                else:
                    _add(tl.active_ms, phase, dt)
                    if speaker is None and phase < len(floors) and floors[phase] == "open":
                        _add(tl.silence_ms, phase, dt)
        k = ev.kind
        if k == "phase_start":
            close(t)
            phase = ev.phase
            tl.phase_spans.setdefault(phase, [t, t])
        elif k == "phase_end":
            close(t)
            if phase is not None:
                tl.phase_spans.setdefault(phase, [t, t])[1] = t
            phase = None
        elif k == "turn_start" and ev.seat is not None:
            close(t)
            open_turn(ev.seat, ev.phase, t, "turn")
        elif k == "turn_end":
            if speaker is not None and speaker == ev.seat:
                close(t)
            else:
                tl.notes.append(f"turn_end of seat {ev.seat} at {t} ms without its start")
        elif k == "pass" and ev.seat is not None:
            if speaker == ev.seat:
                close(t, "pass")
            else:
                close(t)
                tl.turns.append(Turn(ev.seat, ev.phase, t, t, 0, "pass"))
        elif k == "pause" and not paused:
            paused, pause_at = True, t
        elif k == "resume" and paused:
            paused = False
            tl.pauses.append((pause_at, t))
        elif k == "extend":
            _add(tl.extend_min, ev.phase, ev.arg)
            if ev.arg < 0:
                _add(tl.shortened_min, ev.phase, -ev.arg)
        elif k == "gap":
            tl.gaps.append(t)
            if speaker is not None:
                seat, ph = speaker, t_phase
                close(t, cut=True)
                open_turn(seat, ph, t, "resumed")
        elif k == "session_end":
            break
    # End of the log: close whatever is still open (a cut, unless the session ended cleanly).
    cut = not log.complete
    close(prev, cut=cut)
    if paused:
        tl.pauses.append((pause_at, prev))
    if phase is not None:
        tl.phase_spans.setdefault(phase, [prev, prev])[1] = prev
    tl.end_ms = prev
    return tl


def median(values: list[int]) -> float | None:
    """Middle value (mean of the two middle values for an even count); None when empty."""
    if not values:
        return None
    s = sorted(values)
    n = len(s)
    mid = n // 2
    return float(s[mid]) if n % 2 else (s[mid - 1] + s[mid]) / 2


def gini(values: list[int]) -> float | None:
    """Gini coefficient sum|xi-xj| / (2 n^2 mean); None when the total is 0 or no values."""
    n = len(values)
    total = sum(values)
    if n == 0 or total <= 0:
        return None
    s = sorted(values)
    # Sorted form: G = (2 * sum_i i*x_i) / (n * total) - (n + 1) / n, with i = 1..n.
    weighted = sum((i + 1) * x for i, x in enumerate(s))
    return max(0.0, 2.0 * weighted / (n * total) - (n + 1) / n)


def gini_corrected(values: list[int]) -> float | None:
    """G * n / (n - 1), capped at 1; None for fewer than 2 values or no talk."""
    g = gini(values)
    if g is None or len(values) < 2:
        return None
    return min(1.0, g * len(values) / (len(values) - 1))


def normalized_entropy(values: list[int]) -> float | None:
    """Shannon entropy of the shares divided by ln(n): 1 = perfectly even, 0 = one voice."""
    n = len(values)
    total = sum(values)
    if n < 2 or total <= 0:
        return None
    h = -sum((x / total) * math.log(x / total) for x in values if x > 0)
    return h / math.log(n)


def balance(member_talk_ms: list[int]) -> dict:
    """Balance indices over the members' talk times (facilitators excluded by the caller)."""
    total = sum(member_talk_ms)
    top = max(member_talk_ms) / total if member_talk_ms and total > 0 else None
    return {
        "members": len(member_talk_ms),
        "gini": gini(member_talk_ms),
        "gini_corrected": gini_corrected(member_talk_ms),
        "entropy": normalized_entropy(member_talk_ms),
        "top_share": top,
        "fair_share": 1 / len(member_talk_ms) if member_talk_ms else None,
    }


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


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole > 0 else None


def seat_stats(log, tl: Timeline) -> list[dict]:
    """Per seat: talk time, share of all talk and of member talk, turns, median, longest, passes."""
    facs = set(log.facilitators)
    talk = [0] * log.seats
    spoken: list[list[int]] = [[] for _ in range(log.seats)]
    passes = [0] * log.seats
    for tr in tl.turns:
        if not 0 <= tr.seat < log.seats:
            continue
        if tr.kind in TALK_KINDS:
            talk[tr.seat] += tr.talk_ms
        if tr.kind == "turn":
            spoken[tr.seat].append(tr.talk_ms)
        elif tr.kind == "pass":
            passes[tr.seat] += 1
    total = sum(talk)
    members = [s for s in range(log.seats) if s not in facs]
    member_total = sum(talk[s] for s in members)
    over: list[list[int]] = [[] for _ in range(log.seats)]
    offers = [0] * log.seats
    round_passes = [0] * log.seats
    waits: list[list[int]] = [[] for _ in range(log.seats)]
    prev = None
    for tr in tl.turns:
        in_plan = 0 <= tr.phase < len(log.phases)
        seat_ok = 0 <= tr.seat < log.seats
        if tr.kind == "turn" and in_plan and seat_ok:
            budget = log.phases[tr.phase].turn_seconds * 1000
            if budget and tr.talk_ms > budget:
                over[tr.seat].append(tr.talk_ms - budget)
        in_round = in_plan and log.phases[tr.phase].floor == "round"
        if tr.kind in ("turn", "pass") and in_round and seat_ok:
            offers[tr.seat] += 1
            if tr.kind == "pass":
                round_passes[tr.seat] += 1
            elif prev is not None and prev.phase == tr.phase:
                waits[tr.seat].append(max(0, tr.start_ms - prev.end_ms))
        prev = tr
    rows = []
    for s in range(log.seats):
        fac = s in facs
        rows.append(
            {
                "seat": s,
                "facilitator": fac,
                "talk_ms": talk[s],
                "share": _share(talk[s], total),
                "member_share": None if fac else _share(talk[s], member_total),
                "turns": len(spoken[s]),
                "median_ms": median(spoken[s]),
                "longest_ms": max(spoken[s]) if spoken[s] else None,
                "passes": passes[s],
                "turn_overruns": len(over[s]),
                "turn_overrun_ms": sum(over[s]),
                "worst_turn_overrun_ms": max(over[s], default=0),
                "round_pass_rate": _share(round_passes[s], offers[s]),
                "round_wait_median_ms": median(waits[s]),
            }
        )
    return rows


def phase_stats(log, tl: Timeline) -> list[dict]:
    """Per planned phase: planned, extended, actual (unpaused) time, overrun, talk and silence."""
    facs = set(log.facilitators)
    rows = []
    for i, plan in enumerate(log.phases):
        planned = plan.minutes * 60_000
        extended = tl.extend_min.get(i, 0) * 60_000
        actual = tl.active_ms.get(i, 0)
        span = tl.phase_spans.get(i)
        in_phase = [tr for tr in tl.turns if tr.phase == i]
        seat_talk = [
            sum(tr.talk_ms for tr in in_phase if tr.seat == s and tr.kind in TALK_KINDS)
            for s in range(log.seats)
        ]
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
                "paused_ms": tl.paused_ms.get(i, 0),
                "overrun_ms": max(0, actual - planned - extended) if span else 0,
                "talk_ms": sum(tr.talk_ms for tr in in_phase if tr.kind in TALK_KINDS),
                "silence_ms": tl.silence_ms.get(i, 0) if plan.floor == "open" else None,
                "turns": sum(1 for tr in in_phase if tr.kind == "turn"),
                "passes": sum(1 for tr in in_phase if tr.kind == "pass"),
                "status": (
                    "skipped"
                    if span is None
                    else ("ended early" if actual < 0.5 * (planned + extended) else "")
                ),
                "seat_talk_ms": seat_talk,
                "balance": balance([seat_talk[s] for s in range(log.seats) if s not in facs]),
            }
        )
    return rows


def _group(rows: list[dict], fac: bool, total: int) -> dict:
    talk = sum(r["talk_ms"] for r in rows if r["facilitator"] == fac)
    return {
        "seats": sum(1 for r in rows if r["facilitator"] == fac),
        "talk_ms": talk,
        "share": _share(talk, total),
        "turns": sum(r["turns"] for r in rows if r["facilitator"] == fac),
        "passes": sum(r["passes"] for r in rows if r["facilitator"] == fac),
    }


def summarize(log, tl: Timeline | None = None) -> dict:
    """All per-session figures as one JSON-able dict (no turn list; see `timeline`)."""
    tl = tl or timeline(log)
    seats = seat_stats(log, tl)
    phases = phase_stats(log, tl)
    talk = sum(r["talk_ms"] for r in seats)
    paused = sum(b - a for a, b in tl.pauses)
    floors = [p.floor for p in log.phases]
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
        "silence_ms": sum(r["silence_ms"] or 0 for r in phases),
        "overrun_ms": sum(r["overrun_ms"] for r in phases),
        "turns": sum(r["turns"] for r in seats),
        "passes": sum(r["passes"] for r in seats),
        "seats": seats,
        "groups": {
            "facilitators": _group(seats, True, talk),
            "members": _group(seats, False, talk),
        },
        "phases": phases,
        "balance": balance([r["talk_ms"] for r in seats if not r["facilitator"]]),
        "markers_ms": log.markers(),
        "queue_waits": log.queue_waits(),
        "transitions": sorted([a, b, n] for (a, b), n in transitions(tl.turns, floors).items()),
        "follows": follows(transitions(tl.turns, floors), set(log.facilitators)),
    }


def follows(pairs: dict, facs: set[int]) -> dict:
    """Hand-over shares by kind (facilitator/member to facilitator/member)."""
    names = {
        (True, False): "fac_to_member",
        (False, False): "member_to_member",
        (False, True): "member_to_fac",
        (True, True): "fac_to_fac",
    }
    total = sum(pairs.values())
    out = {}
    for (fa, fb), name in names.items():
        n = sum(c for (a, b), c in pairs.items() if (a in facs) == fa and (b in facs) == fb)
        out[name] = _share(n, total)
    out["handovers"] = total
    return out
