# The fast metrics (one-pass tally, Turn objects built at once) match the frozen reference exactly.
from __future__ import annotations

import dataclasses
import json
import random

import metrics_reference as ref
import pytest
import report_kit as kit
from talktoken.logfile.read import Event
from talktoken.metrics import summary as metrics
from talktoken.metrics.timeline import Turn, make_turns, sweep, turn_rows

KINDS = (
    "turn_start",
    "turn_start",
    "turn_end",
    "turn_end",
    "pass",
    "phase_start",
    "phase_end",
    "pause",
    "resume",
    "extend",
    "gap",
    "checkpoint",
    "session_start",
    "session_end",
)
PHASES = (("A", 2, "open"), ("B", 1, "round"), ("C", 3, "open"))


def _random_log(rng: random.Random):
    """Any order of any events: phases revisited or out of the plan, seats out of range or
    missing, offsets that repeat or go back, pauses across phases, a session end anywhere."""
    seats = rng.randint(2, 6)
    s = kit.Script(seats, rng.sample(range(seats + 1), rng.randint(0, 2)), PHASES)
    t = 0
    for _ in range(rng.randint(0, 80)):
        r = rng.random()
        t += 0 if r < 0.25 else (-rng.randint(1, 500) if r < 0.3 else rng.randint(1, 30_000))
        kind = rng.choice(KINDS)
        if kind == "session_end" and rng.random() < 0.8:
            continue
        seat = rng.choice((None, rng.randrange(seats), rng.randrange(seats), seats + 1))
        s.ev(max(t, 0), kind, seat, rng.choice((0, 0, 1, 1, 2, 2, 3, 5)), rng.randint(-5, 5))
    return s.log(complete=rng.random() < 0.5)


def _ref_turns(tl) -> list:
    return [ref.Turn(*row) for row in turn_rows(tl.turns)]


def test_random_event_streams_give_the_reference_results() -> None:
    for i in range(500):
        log = _random_log(random.Random(i))
        tl, ref_tl = metrics.timeline(log), ref.timeline(log)
        assert repr(tl) == repr(ref_tl), i  # the dicts' key orders too
        got = json.dumps(metrics.summarize(log))
        assert got == json.dumps(ref.summarize(log)), i
        assert got == json.dumps(metrics.summarize(log, tl)), i
        assert metrics.seat_stats(log, tl) == ref.seat_stats(log, ref_tl)
        assert json.dumps(metrics.phase_stats(log, tl)) == json.dumps(ref.phase_stats(log, ref_tl))
        floors = [p.floor for p in log.phases]
        for floor in ("open", "round", None):
            want = ref.transitions(ref_tl.turns, floors, floor)
            assert metrics.transitions(tl.turns, floors, floor) == want


def test_the_random_streams_reach_the_rare_paths() -> None:
    """The generator above really makes cut, resumed and out-of-range turns and notes."""
    seen: set[str] = set()
    for i in range(500):
        log = _random_log(random.Random(i))
        tl = metrics.timeline(log)
        seen |= {t.kind for t in tl.turns} | {"cut" for t in tl.turns if t.cut}
        seen |= {"far seat" for t in tl.turns if t.seat >= log.seats}
        seen |= {"far phase" for t in tl.turns if t.phase >= len(log.phases)}
        seen |= {"note" for _ in tl.notes[:1]} | {"revisit" for _ in _revisits(log)}
    assert seen >= {"turn", "pass", "resumed", "cut", "far seat", "far phase", "note", "revisit"}


def _revisits(log):
    started = [e.phase for e in log.events if e.kind == "phase_start"]
    return [p for i, p in enumerate(started) if p in started[:i]]


def test_summarize_tallies_the_timeline_it_is_given() -> None:
    log = kit.synthetic(7, turns=80).log()
    tl, ref_tl = metrics.timeline(log), ref.timeline(log)
    keep = slice(3, None, 2)  # a caller's own selection of turns
    tl.turns, ref_tl.turns = tl.turns[keep], ref_tl.turns[keep]
    got = metrics.summarize(log, tl)
    assert got == ref.summarize(log, ref_tl)
    assert got != metrics.summarize(log)
    assert metrics.seat_stats(log, tl) == ref.seat_stats(log, ref_tl)


def test_make_turns_gives_ordinary_frozen_turns() -> None:
    rows = [(1, 0, 10, 20, 9, "turn", False), (2, 1, 20, 20, 0, "pass", False)]
    rows.append((3, 2, 30, 90, 50, "resumed", True))
    turns = make_turns(rows)
    assert len(turns) == len(rows)
    for row, t in zip(rows, turns, strict=True):
        plain = Turn(*row)
        assert type(t) is Turn and t == plain and hash(t) == hash(plain)
        assert repr(t) == repr(plain) and dataclasses.asdict(t) == dataclasses.asdict(plain)
        assert dataclasses.replace(t, talk_ms=1) == dataclasses.replace(plain, talk_ms=1)
        with pytest.raises(dataclasses.FrozenInstanceError):
            t.seat = 5  # type: ignore[misc]
    assert turn_rows(turns) == rows
    assert Turn(*rows[0]) != Turn(*rows[1])


def test_sweep_rows_are_the_timeline_turns() -> None:
    log = kit.synthetic(3, turns=60).log()
    tl, rows = sweep(log)
    assert tl.turns == [] and turn_rows(metrics.timeline(log).turns) == rows
    assert _ref_turns(metrics.timeline(log)) == ref.timeline(log).turns


def test_event_objects_of_either_decoder_work() -> None:
    log = kit.synthetic(5, turns=40, when=kit.dated(5)).log(session_id=kit.rand_hex())
    parsed = kit.parse(kit.encode(log))
    assert all(type(e) is Event for e in parsed.events)
    assert json.dumps(metrics.summarize(parsed)) == json.dumps(ref.summarize(parsed))
