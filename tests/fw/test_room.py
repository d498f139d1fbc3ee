# In the room: passes, shortening, the queue, the balance reveal, markers and the cue.
import hwconfig
import ledring
from app import App
from coretest import HOLD, KNOB, MIN, PHASE, Driver, FakeBoard, FakeStore, Rig, make
from events import (
    EV_EXTEND,
    EV_MARKER,
    EV_PASS,
    EV_QUEUE_ADD,
    EV_QUEUE_REMOVE,
    EV_TURN_END,
    EV_TURN_START,
    NO_SEAT,
    ST_PAUSED,
    ST_RUNNING,
)
from fwtest import eq
from session import PASS_GRACE_MS, Session

ROUND = [("Round", 10, "round", 60, 60), ("Open", 20, "open", 0, 120)]
OPEN = [("Open", 20, "open", 0, 120), ("Close", 10, "open", 0, 60)]


def _app(a, t0=1000):
    b = FakeBoard(t0)
    app = App(b, store=FakeStore(), agenda_obj=a)
    return app, b, Driver(app, b)


def _chord(d, held):
    """KNOB pressed while `held` (PHASE or HOLD) is held down."""
    d.b.mask |= held
    d.wait(60)
    d.press(KNOB, 100)
    d.b.mask &= ~held
    d.wait(60)


def _passes_never_talk(recs, s):
    """Every logged pass closes a turn that started at the same offset or was a grace pass,
    and a passing seat's talk never includes that turn (checked through the tallies)."""
    start = {}
    for ev, seat, _p, t, _a in recs:
        if ev == EV_TURN_START:
            start[seat] = t
        elif ev == EV_PASS:
            assert t - start[seat] < PASS_GRACE_MS + 2000, "a pass after a long turn: %r" % (t,)


# ---- 1. passes ----


def test_pass_in_the_grace_makes_the_turn_a_pass():
    r = Rig(make(phases=ROUND))
    s = r.s
    r.do("start")
    r.do("give_floor", 2)
    r.wait(3000)
    eq(s.pass_target(r.now), 2, "within the grace the pass is the speaker's")
    r.do("pass_seat", 2)
    eq(s.seat_talk_ms[2], 0, "a pass never carries talk time")
    eq(s.seat_passes[2], 1)
    eq(s.speaker, 3, "the round moves on")
    eq(r.sink.recs[-2][:2], (EV_PASS, 2))


def test_pass_after_the_grace_ends_the_turn_and_passes_the_next_seat():
    r = Rig(make(phases=ROUND))
    s = r.s
    r.do("start")
    r.do("give_floor", 2)
    r.wait(PASS_GRACE_MS + 15000)
    eq(s.pass_target(r.now), 3, "after the grace: the next seat")
    assert not s.pass_seat(5, r.now), "only the speaker or the next seat"
    r.do("pass_seat", 3)
    eq(s.seat_talk_ms[2], PASS_GRACE_MS + 15000, "the speaker's turn is talk")
    eq(s.seat_passes[2], 0)
    eq(s.seat_passes[3], 1)
    eq(s.seat_talk_ms[3], 0, "the passing seat talked nothing")
    eq(s.speaker, 4)
    names = [(x[0], x[1]) for x in r.sink.recs[-4:]]
    eq(names, [(EV_TURN_END, 2), (EV_TURN_START, 3), (EV_PASS, 3), (EV_TURN_START, 4)])
    eq(r.sink.recs[-3][3], r.sink.recs[-2][3], "the pass has no length")
    _passes_never_talk(r.sink.recs, s)


def test_pass_at_the_round_end_only_ends_the_turn():
    r = Rig(make(seats=3, facilitators=[], phases=ROUND))
    s = r.s
    r.do("start")
    r.do("give_floor", 0)
    r.wait(20000)
    r.do("next_seat")
    r.wait(20000)
    r.do("next_seat")
    r.wait(20000)
    eq(s.pass_target(r.now), -1, "the next seat opened the round")
    r.do("pass_seat", -1)
    eq(s.speaker, -1)
    assert s.round_done
    eq(s.seat_passes, [0] * 12)


def test_pass_by_buttons_and_its_arc():
    app, b, d = _app(make(phases=ROUND))
    d.press(PHASE, 1600)
    d.press(KNOB, 100)  # seat 0 gets the floor
    s = app.session
    eq(s.speaker, 0)
    d.wait(1000)
    b.mask |= KNOB
    d.wait(800)
    eq(app.ui.press_seat, 0, "in the grace the pass builds on the speaker's arc")
    start = ledring.seat_start(0, 8)
    assert app.frame[3 * start] > 0, "the filling arc is on seat 0"
    d.wait(800)
    b.mask &= ~KNOB
    d.wait(60)
    eq((s.seat_passes[0], s.seat_talk_ms[0], s.speaker), (1, 0, 1), "seat 0's turn: a pass")
    d.wait(8000)
    b.mask |= KNOB
    d.wait(800)
    eq(app.ui.press_seat, 2, "after the grace it builds on the next seat's arc")
    start = ledring.seat_start(2, 8)
    assert app.frame[3 * start] > 0 and app.frame[3 * (start + 2)] == 0, "half of seat 2"
    d.wait(800)
    b.mask &= ~KNOB
    d.wait(60)
    eq(s.seat_passes[2], 1, "after the grace the next seat passed")
    eq(s.seat_passes[1], 0)
    assert s.seat_talk_ms[1] > 9000
    eq(s.speaker, 3)
    _passes_never_talk(app.store.recs, s)


# ---- 2. shortening ----


def test_shortening_down_to_its_floor():
    r = Rig(make(phases=OPEN))
    s = r.s
    r.do("start")
    r.wait(3 * MIN + 30000)
    r.do("extend", -30)
    eq(s.extend_min, -15, "3.5 min run: the phase may end at 5 min, not sooner")
    eq(s.phase_planned_ms(), 5 * MIN)
    eq([x[4] for x in r.sink.of(EV_EXTEND)], [-7, -7, -1], "signed EXTEND records")
    assert not s.extend(-1, r.now), "at the floor"
    r.wait(2 * MIN)
    assert s.phase_overrun(r.now), "5.5 min run of 5"
    assert not s.extend(-1, r.now), "time ran past the floor: nothing to shorten"
    r.do("extend", 2)
    eq(s.phase_planned_ms(), 7 * MIN)


def test_shortening_by_the_knob_is_replayed():
    app, b, d = _app(make(phases=OPEN))
    d.press(PHASE, 1600)
    s = app.session
    d.jump(MIN)
    d.b.mask |= PHASE
    d.wait(60)
    d.turn(-3, hold=PHASE)
    d.b.mask &= ~PHASE
    d.wait(60)
    eq(s.extend_min, -3)
    eq(s.phase, 0, "the PHASE release after a turn is no press")
    r = Session(s.agenda)
    for rec in app.store.recs:
        r.replay(*rec)
    eq(r.extend_min, -3, "replay applies the logged shortening")


# ---- 3. the queue ----


def _queue_rig(mode):
    return Rig(make(phases=OPEN, facilitators=[0], queue=mode))


def test_fifo_order():
    r = _queue_rig("fifo")
    s = r.s
    r.do("start")
    for seat in (5, 2, 7):
        r.do("queue_toggle", seat)
    eq([s.queue[i] for i in range(s.queue_len)], [5, 2, 7])
    eq(s.queue_next(r.now), 5)
    r.do("floor_to_queued")
    eq(s.speaker, 5)
    eq(s.queue_len, 2, "the seat that got the floor left the queue")
    r.wait(10000)
    r.do("floor_to_queued")
    eq(s.speaker, 2)
    eq([x[:2] for x in r.sink.of(EV_QUEUE_ADD)], [(EV_QUEUE_ADD, 5), (13, 2), (13, 7)])
    eq(r.sink.of(EV_QUEUE_REMOVE), [], "a turn start ends the wait; no removal record")


def test_quiet_first_order_with_ties():
    r = _queue_rig("quiet_first")
    s = r.s
    r.do("start")
    for seat, ms in ((3, 30000), (4, 5000), (6, 5000)):
        r.do("give_floor", seat)
        r.wait(ms)
    r.do("open_floor")
    for seat in (3, 6, 4, 1, 2):
        r.do("queue_toggle", seat)
    eq(s.queue_next(r.now), 1, "1 and 2 never talked: 1 was queued first")
    r.do("floor_to_queued")
    eq(s.speaker, 1)
    r.wait(1000)
    eq(s.queue_next(r.now), 2)
    r.do("floor_to_queued")
    r.wait(1000)
    eq(s.queue_next(r.now), 6, "6 and 4 talked 5 s each: 6 was queued first")
    r.do("floor_to_queued")
    r.wait(20000)
    eq(s.queue_next(r.now), 4)
    r.do("floor_to_queued")
    r.wait(60000)
    eq(s.queue_next(r.now), 3, "the last one left")


def test_queue_toggle_remove_clear_and_replay():
    r = _queue_rig("fifo")
    s = r.s
    assert not s.queue_toggle(2, r.now), "no queue before the start"
    r.do("start")
    r.do("give_floor", 4)
    assert not s.queue_toggle(4, r.now), "the speaker cannot queue"
    r.do("queue_toggle", 2)
    r.do("queue_toggle", 6)
    r.do("queue_toggle", 2)
    eq(r.sink.of(EV_QUEUE_REMOVE)[0][:2], (EV_QUEUE_REMOVE, 2))
    eq(s.queue_len, 1)
    r2 = Session(r.a)
    for rec in r.sink.recs:
        r2.replay(*rec)
    eq((r2.queue_len, r2.queue[0]), (1, 6), "replay rebuilds the queue")
    r.do("next_phase")
    eq(s.queue_len, 0, "the queue empties with the phase")
    off = Rig(make(phases=OPEN))
    off.do("start")
    assert not off.s.queue_toggle(2, off.now), "queue off: refused"


def test_queue_by_buttons():
    app, b, d = _app(make(phases=OPEN, queue="fifo"))
    d.press(PHASE, 1600)
    s = app.session
    d.turn(3)
    _chord(d, PHASE)
    eq(s.queue_len, 1)
    eq(s.queue[0], 3)
    eq(app.ui.ack_seat, 3, "acknowledged on the queued seat")
    assert not app.ui.balance_visible(b.t), "the PHASE release was no glance"
    d.turn(2)
    _chord(d, PHASE)
    eq(s.queue_len, 2)
    ledring.render(app.frame, s, app.ui, b.t)
    last = ledring.seat_start(4, 8) - 1
    assert app.frame[3 * last] > 0, "seat 3's queue mark"
    d.press(KNOB, 1600)  # KNOB long: the floor to the next queued seat
    eq(s.speaker, 3)
    d.press(KNOB, 1600)
    eq(s.speaker, 5)
    d.press(KNOB, 1600)
    eq(s.speaker, -1, "queue empty: KNOB long opens the floor")
    eq(s.state, ST_RUNNING)


# ---- 4. balance revealed at phase end ----


def test_reveal_at_each_phase_end_and_at_the_session_end():
    a = make(phases=OPEN, balance="phase_end", reveal_seconds=10)
    app, b, d = _app(a)
    ui = app.ui
    d.press(PHASE, 1600)
    d.press(KNOB, 100)
    d.wait(5000)
    assert not ui.balance_visible(b.t), "hidden while the phase runs"
    d.press(PHASE, 100)
    assert not ui.balance_visible(b.t), "the PHASE glance does nothing, as with off"
    b.mask |= PHASE
    d.wait(1600)
    b.mask &= ~PHASE
    t_end = b.t
    d.wait(60)
    eq(app.session.phase, 1)
    assert ui.balance_visible(b.t), "revealed at the phase end"
    d.wait(10000 - (b.t - t_end) - 100)
    assert ui.balance_visible(b.t), "still shown just before reveal_seconds"
    d.wait(200)
    assert not ui.balance_visible(b.t), "hidden after reveal_seconds"
    b.mask |= HOLD
    d.wait(3100)
    b.mask &= ~HOLD
    t_end = b.t
    d.wait(60)
    assert ui.revealing(b.t), "revealed at the session end"
    ledring.render(app.frame, app.session, ui, b.t)
    shown = bytes(app.frame)
    until = ui.reveal_until
    ui.reveal_until = 0
    ledring.render(app.frame, app.session, ui, b.t)
    ui.reveal_until = until
    assert shown != bytes(app.frame), "balance arcs, not the end dots"
    d.wait(10000 - (b.t - t_end) + 100)
    assert not ui.revealing(b.t)


def test_no_reveal_for_other_balance_modes():
    app, b, d = _app(make(phases=OPEN, balance="off", reveal_seconds=10))
    d.press(PHASE, 1600)
    d.press(PHASE, 1600)
    assert not app.ui.revealing(b.t)


# ---- 5. markers ----


def test_marker_by_hold_and_knob():
    app, b, d = _app(make(phases=OPEN))
    d.press(PHASE, 1600)
    s = app.session
    d.press(KNOB, 100)
    d.wait(2000)
    _chord(d, HOLD)
    eq(s.state, ST_RUNNING, "the HOLD release was no pause")
    marks = [r for r in app.store.recs if r[0] == EV_MARKER]
    eq(len(marks), 1)
    eq(marks[0][1], NO_SEAT, "a marker is an offset only")
    eq(s.speaker, 0, "the floor is untouched")
    d.press(HOLD, 100)
    eq(s.state, ST_PAUSED)
    _chord(d, HOLD)
    eq(len([r for r in app.store.recs if r[0] == EV_MARKER]), 2, "also while paused")


def test_marker_ack_pattern():
    app, b, d = _app(make(phases=OPEN))
    d.press(PHASE, 1600)
    b.mask |= HOLD
    d.wait(60)
    b.mask |= KNOB
    d.wait(40)
    eq(app.ui.ack_seat, -2)
    lit = [i for i in range(24) if app.frame[3 * i] and app.frame[3 * i + 1]]
    for i in (0, 6, 12, 18):
        assert i in lit, "marker pips at the four quarters: %r" % (lit,)
    b.mask = 0
    d.wait(60)


# ---- 6. the cue ----


def _cue_app(cue, cue_turns=False):
    a = make(phases=[("Open", 2, "open", 30, 60), ("B", 5, "open", 0, 0)], cue=cue)
    if cue_turns:
        a = make(
            phases=[("Open", 2, "open", 30, 60), ("B", 5, "open", 0, 0)],
            cue=cue,
            cue_turns=True,
        )
    return _app(a)


def _until(d, cond):
    """Step until cond() holds (at most 10 virtual minutes); the steps taken."""
    n = 0
    while not cond():
        d.step()
        n += 1
        assert n < 60000, "never happened"
    return n


def test_chime_at_warning_and_time_up():
    app, b, d = _cue_app("chime")
    d.press(PHASE, 1600)
    s = app.session
    d.press(KNOB, 100)  # a turn with a 30 s budget: no cue without cue_turns
    _until(d, lambda: s.phase_warning(b.t))
    eq(b.tone_calls, 1, "the warning light starts: a chime, in that step")
    eq((b.tone_hz, b.tone_duty), (hwconfig.CHIME_HZ, hwconfig.CHIME_DUTY_U16))
    d.wait(hwconfig.CHIME_MS + 20)
    eq((b.tone_calls, b.tone_duty), (2, 0), "switched off after CHIME_MS")
    _until(d, lambda: s.phase_overrun(b.t))
    eq(b.tone_calls, 3, "nothing while the light stays; time up: another chime")
    d.wait(1000)
    eq(app.cue.pulses, 2)
    d.press(KNOB, 100)
    d.wait(30000)
    eq(app.cue.pulses, 2, "the turn's end is no cue without cue_turns")


def test_vibrate_and_turn_cue():
    app, b, d = _cue_app("vibrate", cue_turns=True)
    d.press(PHASE, 1600)
    s = app.session
    d.press(KNOB, 100)
    _until(d, lambda: s.turn_overrun(b.t))
    eq(app.cue.pulses, 1, "the turn budget's end")
    eq((b.tone_hz, b.tone_duty), (hwconfig.VIBRATE_HZ, hwconfig.VIBRATE_DUTY_U16))
    d.wait(hwconfig.VIBRATE_MS + 20)
    eq(b.tone_duty, 0)


def test_cue_off_never_touches_the_buzzer():
    app, b, d = _cue_app("off", cue_turns=False)
    d.press(PHASE, 1600)
    d.press(KNOB, 100)
    d.jump(3 * MIN)
    eq(b.tone_calls, 0)


def test_reveal_after_every_phase_and_when_the_last_phase_ends_the_session():
    phases = [("A", 5, "open", 0, 60), ("B", 5, "round", 30, 60), ("C", 5, "open", 0, 60)]
    app, b, d = _app(make(phases=phases, balance="phase_end", reveal_seconds=5))
    ui = app.ui
    d.press(PHASE, 1600)
    assert not ui.revealing(b.t), "no reveal at the session's start"
    for phase in range(3):
        d.press(KNOB, 100)
        d.wait(7000)
        assert not ui.revealing(b.t), "hidden in phase %d" % phase
        b.mask |= PHASE
        d.wait(1600)
        b.mask &= ~PHASE
        d.wait(20)
        assert ui.revealing(b.t), "revealed after phase %d" % phase
        d.wait(4800)
        assert ui.revealing(b.t)
        d.wait(400)
        assert not ui.revealing(b.t), "5 s after phase %d" % phase
    eq(app.session.state, 3, "the last PHASE long ended the session")
