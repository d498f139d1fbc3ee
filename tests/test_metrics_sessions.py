# Metrics against small sessions whose figures were worked out by hand (see docs/metrics.md).
from __future__ import annotations

import math

import pytest
from report_kit import Script
from talktoken.metrics import summary as metrics


def summary(script: Script, **kw) -> dict:
    return metrics.summarize(script.log(**kw))


def seat(s: dict, n: int) -> dict:
    return s["seats"][n]


def test_one_speaker():
    s = Script(seats=3, facilitators=[0]).start(0).turn(1, 0, 60_000).end(60_000)
    m = summary(s)
    assert seat(m, 1)["talk_ms"] == 60_000
    assert seat(m, 1)["share"] == 1.0 and seat(m, 1)["member_share"] == 1.0
    assert seat(m, 2)["talk_ms"] == 0 and seat(m, 2)["member_share"] == 0.0
    assert seat(m, 0)["member_share"] is None  # facilitator
    # members 60000 and 0: sum|xi-xj| = 120000 over 2*n^2*mean = 2*4*30000 -> 0.5
    assert m["balance"]["gini"] == pytest.approx(0.5)
    assert m["balance"]["entropy"] == pytest.approx(0.0)
    assert m["balance"]["top_share"] == 1.0
    assert m["silence_ms"] == 0
    assert m["phases"][0]["actual_ms"] == 60_000 and m["phases"][0]["overrun_ms"] == 0
    assert m["turns"] == 1 and seat(m, 1)["median_ms"] == 60_000


def test_nobody_speaks():
    m = summary(Script(seats=4).start(0).end(300_000))
    assert m["talk_ms"] == 0 and m["turns"] == 0
    assert m["balance"]["gini"] is None and m["balance"]["entropy"] is None
    assert m["balance"]["top_share"] is None
    assert m["silence_ms"] == 300_000
    assert all(r["share"] is None and r["median_ms"] is None for r in m["seats"])
    assert m["transitions"] == []


def test_resumed_after_power_cut():
    s = Script(seats=3).start(0).ev(0, "turn_start", 1).ev(10_000, "gap")
    s.ev(25_000, "turn_end", 1).turn(2, 30_000, 40_000).end(50_000)
    log = s.log()
    tl = metrics.timeline(log)
    assert [(t.seat, t.start_ms, t.end_ms, t.kind, t.cut) for t in tl.turns] == [
        (1, 0, 10_000, "turn", True),
        (1, 10_000, 25_000, "resumed", False),
        (2, 30_000, 40_000, "turn", False),
    ]
    m = metrics.summarize(log, tl)
    assert m["gaps"] == 1
    assert seat(m, 1)["talk_ms"] == 25_000  # both pieces are talk
    assert seat(m, 1)["turns"] == 1 and seat(m, 1)["longest_ms"] == 10_000  # one turn, cut
    assert m["silence_ms"] == 5_000 + 10_000


def test_power_cut_without_session_end_closes_at_last_record():
    s = Script(seats=3).start(0).turn(1, 0, 5_000).ev(6_000, "turn_start", 2)
    s.ev(9_000, "checkpoint")
    m = summary(s)
    assert m["complete"] is False
    assert seat(m, 2)["talk_ms"] == 3_000 and m["duration_ms"] == 9_000
    assert metrics.timeline(s.log()).turns[-1].cut is True


def test_pause_overlaps_turn():
    s = Script(seats=3).start(0).ev(10_000, "turn_start", 2).ev(20_000, "pause")
    s.ev(50_000, "resume").ev(60_000, "turn_end", 2).end(70_000)
    m = summary(s)
    assert seat(m, 2)["talk_ms"] == 20_000  # 10..20 s and 50..60 s
    assert m["paused_ms"] == 30_000 and m["active_ms"] == 40_000
    ph = m["phases"][0]
    assert ph["actual_ms"] == 40_000 and ph["paused_ms"] == 30_000
    assert ph["silence_ms"] == 20_000  # 0..10 s and 60..70 s


def test_pause_starts_before_turn_and_ends_inside_it():
    s = Script(seats=3).start(0).ev(5_000, "pause").ev(8_000, "turn_start", 1)
    s.ev(12_000, "resume").ev(20_000, "turn_end", 1).end(20_000)
    m = summary(s)
    assert seat(m, 1)["talk_ms"] == 8_000
    assert m["silence_ms"] == 5_000


def normal_session() -> Script:
    s = Script(seats=4, facilitators=[0], phases=[("Check-in", 2, "round"), ("Open", 5, "open")])
    s.start(0).turn(0, 0, 30_000).turn(1, 30_000, 90_000).passed(2, 90_000, 92_000)
    s.turn(3, 92_000, 152_000).next_phase(152_000)
    s.turn(1, 152_000, 200_000).turn(3, 210_000, 230_000).turn(1, 230_000, 260_000)
    s.ev(260_000, "turn_start", 0).ev(265_000, "extend", arg=1).ev(270_000, "turn_end", 0)
    return s.end(600_000)


def test_normal_session_seats_and_groups():
    m = summary(normal_session())
    talk = [r["talk_ms"] for r in m["seats"]]
    assert talk == [40_000, 138_000, 0, 80_000]
    assert [r["turns"] for r in m["seats"]] == [2, 3, 0, 2]
    assert [r["passes"] for r in m["seats"]] == [0, 0, 1, 0]
    assert seat(m, 1)["median_ms"] == 48_000 and seat(m, 1)["longest_ms"] == 60_000
    assert seat(m, 3)["median_ms"] == 40_000
    assert seat(m, 1)["share"] == pytest.approx(138 / 258)
    assert seat(m, 1)["member_share"] == pytest.approx(138 / 218)
    assert m["groups"]["facilitators"]["talk_ms"] == 40_000
    assert m["groups"]["members"]["share"] == pytest.approx(218 / 258)
    assert m["turns"] == 7 and m["passes"] == 1


def test_normal_session_phases():
    m = summary(normal_session())
    check, open_ = m["phases"]
    assert (check["planned_ms"], check["actual_ms"], check["overrun_ms"]) == (
        120_000,
        152_000,
        32_000,
    )
    assert check["silence_ms"] is None  # a go-round has no open-floor silence
    assert open_["extended_ms"] == 60_000 and open_["actual_ms"] == 448_000
    assert open_["overrun_ms"] == 448_000 - 360_000
    assert open_["talk_ms"] == 108_000 and open_["silence_ms"] == 340_000
    assert m["silence_ms"] == 340_000 and m["overrun_ms"] == 32_000 + 88_000


def test_normal_session_balance_and_transitions():
    m = summary(normal_session())
    x = [138_000, 0, 80_000]
    pairs = sum(abs(a - b) for a in x for b in x)
    assert m["balance"]["gini"] == pytest.approx(pairs / (2 * 9 * (sum(x) / 3)))
    p = [v / sum(x) for v in x if v]
    assert m["balance"]["entropy"] == pytest.approx(-sum(q * math.log(q) for q in p) / math.log(3))
    assert m["balance"]["top_share"] == pytest.approx(138 / 218)
    assert m["transitions"] == [[1, 0, 1], [1, 3, 1], [3, 1, 1]]  # open floor only
    tl = metrics.timeline(normal_session().log())
    all_floors = metrics.transitions(tl.turns, ["round", "open"], floor=None)
    assert all_floors[(0, 1)] == 1 and (1, 2) not in all_floors  # a pass is not a turn


def test_even_group_is_perfectly_balanced():
    s = Script(seats=4, facilitators=[]).start(0)
    for i in range(4):
        s.turn(i, i * 1000, i * 1000 + 1000)
    m = summary(s.end(4000))
    assert m["balance"]["gini"] == pytest.approx(0.0)
    assert m["balance"]["entropy"] == pytest.approx(1.0)
    assert m["groups"]["facilitators"]["talk_ms"] == 0


def test_pass_without_turn_start_and_unmatched_turn_end():
    s = Script(seats=3).start(0).ev(1000, "pass", 2).ev(2000, "turn_end", 1).end(3000)
    m = summary(s)
    assert seat(m, 2)["passes"] == 1 and m["talk_ms"] == 0
    assert any("without its start" in p for p in m["problems"])
