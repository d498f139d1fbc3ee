# Session time: pause during a turn, extend, warnings, checkpoints and the 2**30 tick wrap.
from clockmath import TICKS_PERIOD, ticks_diff
from coretest import MIN, Rig, durations, make
from events import (
    EV_CHECKPOINT,
    EV_EXTEND,
    EV_PASS,
    EV_PAUSE,
    EV_RESUME,
    EV_TURN_END,
    EV_TURN_START,
    ST_ENDED,
    ST_PAUSED,
    ST_RUNNING,
)
from fwtest import eq


def test_pause_during_a_turn():
    r = Rig(make(phases=[("Round", 10, "round", 60, 60), ("Open", 10, "open", 0, 60)]))
    s = r.s
    r.do("start")
    r.wait(20000)
    r.do("give_floor", 1)
    r.wait(30000)
    r.do("pause")
    eq(s.state, ST_PAUSED)
    assert not s.pause(r.now)
    r.wait(5 * MIN)
    eq(s.turn_elapsed_ms(r.now), 30000, "turn clock stopped")
    eq(s.phase_elapsed_ms(r.now), 50000, "phase clock stopped")
    eq(s.seat_talk_now(1, r.now), 30000, "talk clock stopped")
    eq(s.silence_now(r.now), 20000, "silence clock stopped")
    eq(s.session_ms(r.now), 50000 + 5 * MIN, "wall clock goes on")
    assert not s.turn_warning(r.now)
    for name in ("next_seat", "pass_turn", "open_floor", "next_phase"):
        assert not getattr(s, name)(r.now), name + " while paused"
    assert not s.give_floor(2, r.now)
    r.do("resume")
    eq(s.state, ST_RUNNING)
    assert not s.resume(r.now)
    r.wait(14999)
    assert not s.turn_warning(r.now)
    r.wait(1)
    assert s.turn_warning(r.now), "warning at 45 s of talk, pause excluded"
    r.wait(5000)
    r.do("next_seat")
    eq(s.seat_talk_ms[1], 50000)
    eq(s.seat_over[1], 0)
    pause = r.sink.of(EV_PAUSE)[0][3]
    resume = r.sink.of(EV_RESUME)[0][3]
    eq(resume - pause, 5 * MIN, "pause logged with wall offsets")
    seat, t1, t2 = durations(r.sink.recs, EV_TURN_START, (EV_TURN_END,))[0]
    eq(t2 - t1 - (resume - pause), 50000, "log minus pause = talk")
    # pause with nobody speaking, then end while paused
    r.do("pause")
    r.wait(MIN)
    r.do("end")
    eq(s.state, ST_ENDED)
    eq(s.seat_talk_ms[2], 0, "the paused minute is not talk")
    eq(s.speaker, -1)


def test_phase_warning_and_overrun():
    r = Rig(make(phases=[("A", 10, "open", 0, 120), ("B", 5, "open", 0, 0)]))
    s = r.s
    r.do("start")
    r.wait(8 * MIN - 1)
    assert not s.phase_warning(r.now)
    r.wait(1)
    assert s.phase_warning(r.now)
    r.wait(2 * MIN - 1)
    assert s.phase_warning(r.now) and not s.phase_overrun(r.now)
    r.wait(1)
    assert s.phase_overrun(r.now) and not s.phase_warning(r.now)
    r.do("pause")
    assert s.phase_overrun(r.now), "overrun still shown while paused"
    r.do("resume")
    r.do("next_phase")
    r.wait(5 * MIN - 1)
    assert not s.phase_warning(r.now), "warn_seconds 0: no warning"
    r.wait(1)
    assert s.phase_overrun(r.now)


def test_extend():
    r = Rig(make(phases=[("A", 10, "open", 0, 60), ("B", 5, "open", 0, 0)]))
    s = r.s
    assert not s.extend(1, r.now), "not before the start"
    r.do("start")
    r.wait(9 * MIN + 30000)
    assert s.phase_warning(r.now)
    r.do("extend", 3)
    eq(s.phase_planned_ms(), 13 * MIN)
    assert not s.phase_warning(r.now), "extension moves the warning"
    r.do("extend", -5)
    # 9.5 minutes have run: the phase may not end before 10.5, i.e. 11 whole minutes
    eq(s.extend_min, 1, "shortening stops at the time run plus a minute")
    eq([x[4] for x in r.sink.of(EV_EXTEND)], [3, -2], "applied minutes logged")
    n = len(r.sink.recs)
    assert not s.extend(-1, r.now), "nothing to shorten"
    assert not s.extend(0, r.now)
    eq(len(r.sink.recs), n, "no record when nothing applied")
    r.do("extend", 200)
    eq(s.extend_min, 120, "clamped to 120")
    args = [x[4] for x in r.sink.of(EV_EXTEND)][2:]
    eq(sum(args), 119, "from +1 to the 120-minute limit")
    for a in args:
        assert -8 <= a <= 7, "an EXTEND record carries a nibble"
    assert not s.extend(1, r.now)
    r.do("pause")
    r.do("extend", -20)  # allowed while paused
    eq(s.extend_min, 100)
    r.do("resume")
    r.do("next_phase")
    eq(s.extend_min, 0, "a new phase starts unextended")
    eq(s.phase_planned_ms(), 5 * MIN)


def test_checkpoint_after_a_quiet_minute():
    r = Rig()
    s = r.s
    r.do("start")
    r.do("give_floor", 2)
    for _ in range(59):
        r.wait(1000)
    eq(len(r.sink.of(EV_CHECKPOINT)), 0)
    r.wait(1000)
    eq(len(r.sink.of(EV_CHECKPOINT)), 1)
    for _ in range(130):
        r.wait(1000)
    eq(len(r.sink.of(EV_CHECKPOINT)), 3)
    r.do("end")
    r.wait(2 * MIN)
    eq(len(r.sink.of(EV_CHECKPOINT)), 3, "none after the end")
    eq(s.seat_talk_ms[2], 190000)


def test_ticks_wrap_mid_session():
    start = TICKS_PERIOD - 95000  # the wrap falls inside the first turns
    r = Rig(make(phases=[("Round", 10, "round", 60, 60), ("Open", 10, "open", 0, 60)]), start)
    s = r.s
    r.do("start")
    r.do("give_floor", 1)
    talks = (61000, 20000, 33000, 47000, 59000, 12000, 80000, 25000)
    for ms in talks:
        r.wait(ms)
        if r.s.speaker == 4:
            r.do("pass_turn")
        else:
            r.do("next_seat")
    assert r.now < start, "the tick wrapped"
    eq(s.session_ms(r.now), sum(talks))
    eq(s.phase_elapsed_ms(r.now), sum(talks))
    for k in range(8):
        seat = (1 + k) % 8
        eq(s.seat_talk_ms[seat], 0 if seat == 4 else talks[k], "seat %d" % seat)
    eq(s.seat_over[1], 1)
    eq(s.seat_over[7], 1)
    r.do("pause")
    r.wait(TICKS_PERIOD // 4)  # a long break: still exact (ticks_diff is exact below 2**29)
    r.do("resume")
    r.wait(1000)
    eq(s.phase_elapsed_ms(r.now), sum(talks) + 1000)
    ivals = durations(r.sink.recs, EV_TURN_START, (EV_TURN_END, EV_PASS))
    eq([t2 - t1 for _seat, t1, t2 in ivals], list(talks))
    for _ev, _seat, _phase, t, _arg in r.sink.recs:
        assert 0 <= t <= ticks_diff(r.now, start)
