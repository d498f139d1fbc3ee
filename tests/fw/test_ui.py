# Gestures -> session actions: cursor, go-round flow, glances, acknowledgements, long presses.
from clockmath import ticks_add
from controls import (
    BTN_HOLD,
    BTN_PHASE,
    G_HOLD_LONG,
    G_HOLD_SHORT,
    G_KNOB_LONG,
    G_KNOB_SHORT,
    G_PHASE_LONG,
    G_PHASE_SHORT,
    G_PHASE_TURN,
    G_PRESS_CANCEL,
    G_PRESS_PROGRESS,
    G_PRESS_START,
    G_TURN,
    pack_progress,
)
from coretest import ListSink, make
from events import ST_ENDED, ST_PAUSED, ST_READY, ST_RUNNING
from fwtest import eq
from session import Session
from ui import ALERT_RESUMED, GLANCE_MS, Ui, active


class Batt:
    def __init__(self, mv):
        self.mv = mv

    def battery_mv(self):
        return self.mv


class Pad:
    """A ui over a fresh session, with a clock."""

    def __init__(self, a=None, board=None, t0=1000):
        self.a = a if a is not None else make()
        self.sink = ListSink()
        self.s = Session(self.a, self.sink)
        self.ui = Ui(self.s, board)
        self.now = t0

    def g(self, gesture, arg=0, wait=0):
        self.now = ticks_add(self.now, wait)
        return self.ui.handle(gesture, arg, self.now)


def test_cursor_wraps_and_is_acknowledged():
    p = Pad()
    ui = p.ui
    eq(ui.cursor, 0)
    assert p.g(G_TURN, -1)
    eq(ui.cursor, 7)
    eq(ui.ack_seat, 7)
    assert active(ui.ack_until, p.now)
    p.g(G_TURN, 10)
    eq(ui.cursor, 1)
    p.g(G_TURN, -17)
    eq(ui.cursor, 0)
    p.now = ticks_add(p.now, 1000)
    assert not active(ui.ack_until, p.now)
    ui.tick(p.now)
    eq(ui.ack_seat, -1)


def test_rejected_gestures_are_not_acknowledged():
    p = Pad()
    n = p.ui.accepted
    assert not p.g(G_KNOB_SHORT), "no floor before the session starts"
    assert not p.g(G_KNOB_LONG)
    assert not p.g(G_HOLD_SHORT)
    assert not p.g(G_HOLD_LONG)
    assert not p.g(G_PHASE_TURN, 1)
    eq(p.ui.accepted, n)
    assert not active(p.ui.ack_until, p.now)


def test_go_round_driven_by_the_knob():
    p = Pad()
    s, ui = p.s, p.ui
    assert p.g(G_PHASE_LONG)
    eq(s.state, ST_RUNNING)
    p.g(G_TURN, 2)
    assert p.g(G_KNOB_SHORT)
    eq(s.speaker, 2)
    eq(ui.cursor, 3, "in a go-round the cursor moves on by itself")
    eq(ui.ack_seat, 2)
    for seat in (3, 4, 5):
        assert p.g(G_KNOB_SHORT, wait=20000)
        eq(s.speaker, seat)
        eq(ui.cursor, seat + 1)
    assert p.g(G_KNOB_LONG, wait=1000)  # seat 5 passes; 6 gets the token
    eq(s.seat_passes[5], 1)
    eq(s.speaker, 6)
    eq(ui.cursor, 7)
    p.g(G_TURN, 1)  # the facilitator skips seat 7
    assert p.g(G_KNOB_SHORT, wait=20000)
    eq(s.speaker, 0)
    eq(s.seat_turns[7], 0)
    assert p.g(G_KNOB_SHORT, wait=20000)
    eq(s.speaker, 1)
    eq(ui.cursor, 2)
    assert p.g(G_KNOB_SHORT, wait=20000)  # back at the first seat: the round is complete
    eq(s.speaker, -1)
    assert s.round_done
    eq(ui.cursor, 2)
    assert p.g(G_PHASE_LONG, wait=1000)
    eq(s.phase, 1)


def test_open_floor_by_the_knob():
    p = Pad(make(phases=[("Open", 30, "open", 0, 60)]))
    s, ui = p.s, p.ui
    p.g(G_PHASE_LONG)
    p.g(G_TURN, 4)
    assert p.g(G_KNOB_SHORT)
    eq(s.speaker, 4)
    eq(ui.cursor, 4, "open floor: the cursor stays")
    assert not p.g(G_KNOB_SHORT), "the speaker already has the floor"
    p.g(G_TURN, -1)
    assert p.g(G_KNOB_SHORT, wait=5000)
    eq(s.speaker, 3)
    eq(s.seat_talk_ms[4], 5000)
    assert p.g(G_KNOB_LONG, wait=2000)  # open floor
    eq(s.speaker, -1)
    eq(s.seat_passes[3], 0, "in open floor a long press is not a pass")
    assert not p.g(G_KNOB_LONG)


def test_pause_end_next_phase_and_extend():
    p = Pad()
    s = p.s
    p.g(G_PHASE_LONG)
    assert p.g(G_PHASE_TURN, 2)
    eq(s.extend_min, 2)
    assert p.g(G_PHASE_TURN, -1)
    eq(s.extend_min, 1)
    assert p.g(G_HOLD_SHORT)
    eq(s.state, ST_PAUSED)
    assert not p.g(G_PHASE_LONG), "no phase change while paused"
    assert p.g(G_HOLD_SHORT)
    eq(s.state, ST_RUNNING)
    assert p.g(G_PHASE_LONG)
    eq(s.phase, 1)
    eq(s.extend_min, 0)
    assert p.g(G_HOLD_LONG)
    eq(s.state, ST_ENDED)


def test_balance_glance_on_demand():
    p = Pad()
    ui = p.ui
    assert not ui.balance_visible(p.now)
    p.g(G_PHASE_LONG)
    assert not ui.balance_visible(p.now)
    assert p.g(G_PHASE_SHORT)
    assert ui.balance_visible(p.now)
    p.now = ticks_add(p.now, GLANCE_MS - 1)
    assert ui.balance_visible(p.now)
    p.now = ticks_add(p.now, 1)
    assert not ui.balance_visible(p.now), "a glance lasts 6 s"
    p.g(G_PHASE_SHORT)
    assert p.g(G_PHASE_SHORT, wait=1000), "a second press hides it"
    assert not ui.balance_visible(p.now)


def test_balance_always_and_off():
    p = Pad(make(balance="always"))
    assert not p.ui.balance_visible(p.now), "nothing to balance before the start"
    p.g(G_PHASE_LONG)
    assert p.ui.balance_visible(p.now)
    assert not p.g(G_PHASE_SHORT), "nothing to glance at"
    q = Pad(make(balance="off"))
    q.g(G_PHASE_LONG)
    assert not q.g(G_PHASE_SHORT)
    assert not q.ui.balance_visible(q.now)


def test_battery_glance_when_ready():
    p = Pad(board=Batt(3870))
    assert p.g(G_PHASE_SHORT)
    eq(p.ui.battery_pct, 60)
    assert active(p.ui.battery_until, p.now)
    assert not active(p.ui.battery_until, ticks_add(p.now, 4000))
    q = Pad()
    assert q.g(G_PHASE_SHORT)
    eq(q.ui.battery_pct, -1, "no battery fitted")


def test_long_press_progress_fields():
    p = Pad()
    ui = p.ui
    p.g(G_PRESS_START, BTN_HOLD)
    eq(ui.hold_button, BTN_HOLD)
    eq(ui.hold_progress, 0)
    p.g(G_PRESS_PROGRESS, pack_progress(BTN_HOLD, 130))
    eq(ui.hold_progress, 130)
    p.g(G_HOLD_LONG)
    eq(ui.hold_progress, 0)
    p.g(G_PRESS_START, BTN_PHASE)
    p.g(G_PRESS_PROGRESS, pack_progress(BTN_PHASE, 40))
    eq(ui.hold_button, BTN_PHASE)
    p.g(G_PRESS_CANCEL, BTN_PHASE)
    eq(ui.hold_progress, 0)
    eq(ui.hold_button, -1)


def test_starter_hook_and_alerts():
    p = Pad()
    calls = []

    def starter(now):
        calls.append(now)
        return False  # e.g. storage full

    p.ui.starter = starter
    assert not p.g(G_PHASE_LONG)
    eq(calls, [p.now])
    eq(p.s.state, ST_READY)
    p.ui.set_alert(ALERT_RESUMED, p.now)
    eq(p.ui.alert, ALERT_RESUMED)
    p.ui.tick(ticks_add(p.now, 7999))
    eq(p.ui.alert, ALERT_RESUMED)
    p.ui.tick(ticks_add(p.now, 8000))
    eq(p.ui.alert, 0)


def test_glance_deadlines_survive_the_wrap():
    p = Pad(t0=(1 << 30) - 2000)
    p.g(G_PHASE_LONG)
    p.g(G_PHASE_SHORT)
    assert p.ui.balance_visible(ticks_add(p.now, 5000)), "visible across the wrap"
    assert not p.ui.balance_visible(ticks_add(p.now, 6000))
    # a stale deadline half a wrap later never shows again
    assert not p.ui.balance_visible(ticks_add(p.now, (1 << 29) + 3000))
