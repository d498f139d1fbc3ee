# Session scenarios: a full default session, go-rounds, open floor, ending early, 12x12 agendas.
from coretest import MIN, Rig, durations, make
from events import (
    EV_PASS,
    EV_PHASE_END,
    EV_PHASE_START,
    EV_SESSION_END,
    EV_SESSION_START,
    EV_TURN_END,
    EV_TURN_START,
    NO_SEAT,
    ST_ENDED,
    ST_READY,
    ST_RUNNING,
)
from fwtest import eq


def test_full_default_session():
    r = Rig(t0=5000)
    s = r.s
    eq(s.state, ST_READY)
    assert not s.give_floor(1, r.now), "no floor before the start"
    r.do("start")
    eq(s.state, ST_RUNNING)
    # Check-in: a go-round from seat 0, 40 s each; the 8th step completes it
    r.do("give_floor", 0)
    eq(s.round_first, 0)
    for i in range(8):
        r.wait(40000)
        r.do("next_seat")
        if i < 7:
            eq(s.speaker, i + 1, "round moves clockwise")
    eq(s.speaker, -1, "round complete: the floor opens")
    assert s.round_done
    r.wait(MIN)
    r.do("next_phase")
    # three open phases with uneven talkers
    talk = [0] * 8
    plan = ((3, 120000), (5, 30000), (3, 200000), (7, 15000), (2, 90000))
    for _phase in range(3):
        for seat, ms in plan:
            r.do("give_floor", seat)
            r.wait(ms)
            talk[seat] += ms
        r.do("open_floor")
        r.wait(10000)
        r.do("next_phase")
    # closing round from seat 4 with a pass by seat 6
    r.do("give_floor", 4)
    for seat in (4, 5, 6, 7, 0, 1, 2, 3):
        eq(s.speaker, seat, "closing round")
        if seat == 6:
            r.wait(3000)
            r.do("pass_turn")
        else:
            r.wait(50000)
            r.do("next_seat")
    eq(s.speaker, -1)
    r.do("next_phase")
    eq(s.state, ST_ENDED)
    assert not s.next_phase(r.now)
    names = r.sink.names()
    eq(names[0], "session_start")
    eq(names[-1], "session_end")
    eq(len(r.sink.of(EV_PHASE_START)), 5)
    eq(len(r.sink.of(EV_PHASE_END)), 5)
    for seat in range(8):
        expect = 40000 + talk[seat] + (0 if seat == 6 else 50000)
        eq(s.seat_talk_ms[seat], expect, "talk of seat %d" % seat)
    eq(s.seat_passes[6], 1)
    eq(s.seat_turns[3], 1 + 6 + 1)
    eq(s.silence_ms, MIN + 3 * 10000, "silence")
    # every logged turn duration equals the scripted one
    for seat, t1, t2 in durations(r.sink.recs, EV_TURN_START, (EV_TURN_END, EV_PASS)):
        assert t2 - t1 in (40000, 50000, 3000, 120000, 30000, 200000, 15000, 90000), (seat, t2 - t1)
    eq(s.session_ms(r.now + 99999), r.sink.recs[-1][3], "frozen after the end")


def test_go_round_pass_and_budget_overrun():
    r = Rig(make(seats=6, phases=[("Round", 10, "round", 60, 60), ("Open", 5, "open", 0, 0)]))
    s = r.s
    r.do("start")
    r.do("give_floor", 2)
    eq(s.turn_budget_ms(), 60000)
    r.wait(44999)
    assert not s.turn_warning(r.now)
    r.wait(1)
    assert s.turn_warning(r.now), "warning 15 s before the budget"
    assert not s.turn_overrun(r.now)
    r.wait(15000)
    assert s.turn_overrun(r.now)
    assert not s.turn_warning(r.now)
    r.wait(15000)
    r.do("next_seat")
    eq(s.seat_over[2], 1)
    eq(s.seat_talk_ms[2], 75000)
    eq(s.speaker, 3)
    r.wait(2000)
    r.do("pass_turn")
    eq(s.speaker, 4, "after a pass the token moves on")
    eq(s.seat_passes[3], 1)
    eq(s.seat_talk_ms[3], 0)
    eq(s.seat_turns[3], 0)
    passes = r.sink.of(EV_PASS)
    eq(len(passes), 1)
    eq(passes[0][1], 3)
    ends = [x[1] for x in r.sink.of(EV_TURN_END)]
    assert 3 not in ends, "a pass is not logged as a turn end"
    for _ in range(3):  # 4, 5, 0
        r.wait(20000)
        r.do("next_seat")
    eq(s.speaker, 1)
    r.wait(1000)
    r.do("pass_turn")  # the last seat of the round passes: the round is complete
    eq(s.speaker, -1)
    assert s.round_done
    assert not s.round_active()
    r.do("give_floor", 5)  # after the round, giving the floor starts no new round
    eq(s.round_first, -1)
    r.wait(1000)
    r.do("next_phase")
    eq(s.turn_budget_ms(), 0)


def test_turn_warning_lead_is_a_quarter_of_short_budgets():
    r = Rig(make(phases=[("Quick", 5, "round", 20, 0)]))
    s = r.s
    r.do("start")
    r.do("give_floor", 1)
    r.wait(14999)
    assert not s.turn_warning(r.now)
    r.wait(1)
    assert s.turn_warning(r.now)
    eq(s.turn_budget_ms(), 20000)


def test_open_floor_switches_and_silence():
    r = Rig(make(phases=[("Open", 30, "open", 0, 60)]))
    s = r.s
    r.do("start")
    r.wait(4000)
    r.do("give_floor", 3)
    r.wait(10000)
    r.do("give_floor", 5)
    eq(s.seat_talk_ms[3], 10000)
    assert not s.give_floor(5, r.now), "the speaker already has the floor"
    assert not s.give_floor(8, r.now), "no such seat"
    assert not s.give_floor(-1, r.now)
    r.wait(6000)
    eq(s.seat_talk_now(5, r.now), 6000)
    eq(s.member_talk_ms(r.now), 16000)
    r.do("open_floor")
    assert not s.open_floor(r.now), "already open"
    eq(s.speaker, -1)
    r.wait(7000)
    eq(s.silence_now(r.now), 11000)
    r.do("give_floor", 0)  # the facilitator
    r.wait(5000)
    eq(s.member_talk_ms(r.now), 16000, "facilitator talk is not member talk")
    r.do("next_seat")  # open floor: next_seat hands the floor clockwise
    eq(s.speaker, 1)
    r.wait(1000)
    r.do("next_phase")
    eq(s.state, ST_ENDED)
    eq(s.silence_ms, 11000)
    eq(s.seat_turns[0], 1)
    eq(s.seat_turns[1], 1)
    # switching logs the end of one turn and the start of the next at the same offset
    recs = r.sink.recs
    i = [k for k in range(len(recs)) if recs[k][0] == EV_TURN_END and recs[k][1] == 3][0]
    eq(recs[i + 1][0], EV_TURN_START)
    eq(recs[i + 1][1], 5)
    eq(recs[i + 1][3], recs[i][3])


def test_end_early():
    r = Rig()
    s = r.s
    r.do("start")
    r.wait(MIN)
    r.do("next_phase")
    r.do("give_floor", 2)
    r.wait(30000)
    r.do("end")
    eq(s.state, ST_ENDED)
    eq(s.phase, 1)
    eq(s.seat_talk_ms[2], 30000)
    eq(r.sink.names()[-3:], ["turn_end", "phase_end", "session_end"])
    end_t = r.sink.recs[-1][3]
    eq(end_t, 90000)
    for name in (
        "start",
        "next_phase",
        "pause",
        "resume",
        "end",
        "open_floor",
        "next_seat",
        "pass_turn",
    ):
        assert not getattr(s, name)(r.now), name + " after the end"
    assert not s.give_floor(1, r.now)
    assert not s.extend(1, r.now)
    r.wait(50000)
    eq(s.session_ms(r.now), end_t)
    eq(s.phase_elapsed_ms(r.now), 30000)


def test_records_are_session_level_where_no_seat():
    r = Rig()
    r.do("start")
    r.do("give_floor", 1)
    r.do("end")
    for ev, seat, phase, _t, _arg in r.sink.recs:
        if ev in (EV_SESSION_START, EV_SESSION_END, EV_PHASE_START, EV_PHASE_END):
            eq(seat, NO_SEAT)
        else:
            eq(seat, 1)
        eq(phase, 0)


def test_twelve_seats_twelve_phases():
    phases = []
    for i in range(12):
        phases.append(("Phase %d" % i, 40, "round" if i % 2 == 0 else "open", 120, 300))
    r = Rig(make(seats=12, phases=phases, facilitators=[0, 6]))
    s = r.s
    r.do("start")
    expect = [0] * 12
    for i in range(12):
        eq(s.phase, i)
        eq(s.phase_planned_ms(), 40 * MIN)
        if i % 2 == 0:
            r.do("give_floor", 11)
            for k in range(12):
                seat = (11 + k) % 12
                eq(s.speaker, seat)
                ms = 1000 * (seat + 1) + i
                r.wait(ms)
                expect[seat] += ms
                r.do("next_seat")
            eq(s.speaker, -1)
        else:
            for seat in (i, 11 - i, i):
                r.do("give_floor", seat)
                r.wait(70000)
                expect[seat] += 70000
            r.do("open_floor")
        r.wait(40 * MIN - s.phase_elapsed_ms(r.now) - 1)
        assert s.phase_warning(r.now)
        assert not s.phase_overrun(r.now)
        r.wait(2)
        assert s.phase_overrun(r.now)
        r.do("next_phase")
    eq(s.state, ST_ENDED)
    eq(list(s.seat_talk_ms), expect)
    eq(len(r.sink.of(EV_PHASE_START)), 12)
    eq(r.sink.recs[-1][2], 11, "last record in phase 11")
