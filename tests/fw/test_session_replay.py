# Recovery: replaying a session's records rebuilds the same tallies; a gap continues the session.
from clockmath import TICKS_PERIOD, ticks_add
from coretest import MIN, ListSink, Rig, make, tallies
from events import EV_GAP, EV_TURN_START, ST_ENDED, ST_PAUSED, ST_RUNNING
from fwtest import eq
from session import Session


def _busy_session(t0=123456):
    """A session with rounds, passes, overruns, switches, a pause and extensions."""
    a = make(
        seats=7,
        phases=[
            ("Check-in", 8, "round", 45, 30),
            ("Open", 20, "open", 0, 120),
            ("Closing", 6, "round", 30, 30),
        ],
        facilitators=[0, 3],
    )
    r = Rig(a, t0)
    r.do("start")
    r.wait(3000)
    r.do("give_floor", 2)
    for i in range(7):
        r.wait(17000 + 9000 * i)
        if i == 3:
            r.do("pass_turn")
        else:
            r.do("next_seat")
    r.wait(5000)
    r.do("next_phase")
    for seat in (4, 1, 6, 4, 2, 4):
        r.do("give_floor", seat)
        r.wait(41000 + seat * 1000)
        if seat == 6:
            r.do("pause")
            r.wait(3 * MIN)
            r.do("extend", 2)
            r.do("resume")
    r.do("open_floor")
    r.wait(75000)  # a checkpoint on the way
    r.do("extend", 4)
    r.do("extend", -1)
    r.do("give_floor", 5)
    r.wait(20000)
    r.do("next_phase")
    r.do("give_floor", 6)
    r.wait(31000)
    r.do("next_seat")
    r.wait(2000)
    r.do("pass_turn")
    r.wait(12000)
    return r


def _replayed(a, recs):
    s = Session(a, ListSink())
    for rec in recs:
        s.replay(*rec)
    return s


def test_replay_reproduces_tallies():
    r = _busy_session()
    s = r.s
    s2 = _replayed(r.a, r.sink.recs)
    eq(tallies(s2), tallies(s), "replayed tallies")
    eq(s2.round_first, s.round_first)
    eq(s2.last_t_ms, r.sink.recs[-1][3])
    eq(len(s2.sink.recs), 0, "replay writes nothing")
    # after the end too
    r.do("next_phase")
    eq(s.state, ST_ENDED)
    s3 = _replayed(r.a, r.sink.recs)
    eq(tallies(s3), tallies(s))


def test_replay_of_every_prefix_matches_the_live_session():
    r = _busy_session()
    recs = r.sink.recs
    assert len(r.snaps) > 25
    for n, live in r.snaps:
        s2 = _replayed(r.a, recs[:n])
        eq(tallies(s2), live, "after %d records" % n)
        eq(s2.last_t_ms, recs[n - 1][3])


def test_continue_after_gap():
    r = _busy_session()
    recs = list(r.sink.recs)
    cut = [i for i in range(len(recs)) if recs[i][0] == EV_TURN_START][9] + 1
    prefix = recs[:cut]
    sink = ListSink()
    s = Session(r.a, sink)
    for rec in prefix:
        s.replay(*rec)
    speaker = s.speaker
    assert speaker >= 0
    last = prefix[-1][3]
    before = tallies(s)
    now = TICKS_PERIOD - 700  # boot tick unrelated to the old one, just before a wrap
    assert s.continue_after_gap(now)
    eq(sink.recs[0][0], EV_GAP)
    eq(sink.recs[0][3], last, "the gap record sits at the last offset")
    eq(s.session_ms(now), last)
    eq(tallies(s), before)
    now = ticks_add(now, 30000)
    eq(s.turn_elapsed_ms(now), 30000, "the interrupted turn goes on")
    assert s.next_seat(now) or s.give_floor((speaker + 1) % 7, now)
    eq(s.seat_talk_ms[speaker], before[0][speaker] + 30000)
    eq(sink.recs[-1][3], last + 30000)
    assert s.end(now)
    # the whole log (old records + new ones) replays to the same tallies
    s2 = _replayed(r.a, prefix + sink.recs)
    eq(tallies(s2), tallies(s))
    eq(s2.gaps, 1)


def test_gap_while_paused_stays_paused():
    r = Rig(make())
    r.do("start")
    r.do("give_floor", 1)
    r.wait(10000)
    r.do("pause")
    r.wait(20000)
    s = _replayed(r.a, r.sink.recs)
    eq(s.state, ST_PAUSED)
    assert s.continue_after_gap(777)
    eq(s.state, ST_PAUSED)
    eq(s.turn_elapsed_ms(5000), 10000)
    assert s.resume(10777)
    eq(s.turn_elapsed_ms(20777), 20000)


def test_gap_after_a_torn_phase_change_finishes_it():
    r = Rig(make())
    r.do("start")
    r.wait(1000)
    r.do("next_phase")
    recs = r.sink.recs
    torn = recs[: len(recs) - 1]  # PHASE_END made it, PHASE_START did not
    s = _replayed(r.a, torn)
    eq(s.phase, 0)
    s.continue_after_gap(50)
    eq(s.phase, 1, "the phase change is completed")
    eq(s.state, ST_RUNNING)
    assert not _replayed(r.a, []).continue_after_gap(0), "nothing to continue"


def test_replay_ignores_impossible_records():
    r = Rig(make())
    r.do("start")
    s = _replayed(r.a, r.sink.recs)
    s.replay(EV_TURN_START, 14, 0, 10, 0)  # no seat 14 in an 8-seat agenda
    eq(s.speaker, -1)
    s.replay(99, 0, 0, 11, 0)
    eq(s.state, ST_RUNNING)
