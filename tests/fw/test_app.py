# The app loop: buttons drive a whole session; events teed to store and protocol; 0x03 guard.
import agenda
from app import App
from clockmath import ticks_diff
from coretest import HOLD, KNOB, PHASE, Driver, FakeBoard, FakeProto, FakeStore, make
from events import (
    EV_PASS,
    EV_SESSION_END,
    EV_SESSION_START,
    EV_TURN_START,
    ST_ENDED,
    ST_PAUSED,
    ST_READY,
    ST_RUNNING,
)
from fwtest import eq
from ui import ALERT_STORAGE_FULL, active


def _app(store=None, a=None, t0=1000):
    b = FakeBoard(t0)
    app = App(b, store=store, protocol_factory=FakeProto, agenda_obj=a or agenda.default())
    b.serial.feed(b"\n")  # a host is there from the first loop: the protocol loads on its byte
    return app, b, Driver(app, b)


def test_whole_session_by_buttons():
    store = FakeStore()
    app, b, d = _app(store)
    eq(b.serial.interrupt, True, "0x03 works while no session runs")
    d.wait(100)
    eq(app.session.state, ST_READY)
    d.press(PHASE, 1600)  # long press: start
    s = app.session
    eq(s.state, ST_RUNNING)
    eq(store.calls[0], ("begin", "Interpersonal process group", 0))
    eq(b.serial.interrupt, False, "no 0x03 during a session")
    d.turn(2)
    eq(app.ui.cursor, 2)
    d.press(KNOB, 100)  # seat 2 starts the check-in round
    eq(s.speaker, 2)
    eq(s.round_first, 2)
    eq(app.ui.cursor, 3)
    d.wait(30000)
    d.press(KNOB, 100)
    eq(s.speaker, 3)
    d.press(KNOB, 1600)  # seat 3 passes
    eq(s.speaker, 4)
    eq(s.seat_passes[3], 1)
    d.press(HOLD, 100)  # pause
    eq(s.state, ST_PAUSED)
    d.wait(5000)
    d.press(HOLD, 100)
    eq(s.state, ST_RUNNING)
    b.mask |= PHASE  # PHASE held...
    d.wait(50)
    d.turn(3, hold=PHASE)  # ...and turn: extend 3 minutes
    b.mask &= ~PHASE
    d.wait(60)
    eq(s.extend_min, 3)
    eq(s.phase, 0, "a PHASE chord is not a phase change")
    d.press(PHASE, 1600)  # next phase
    eq(s.phase, 1)
    eq(app.ui.cursor, 5, "the cursor stayed after the round's seat 4")
    d.turn(-3)
    eq(app.ui.cursor, 2)
    d.press(KNOB, 100)
    eq(s.speaker, 2)
    d.wait(20000)
    d.press(HOLD, 3100)  # end
    eq(s.state, ST_ENDED)
    eq(b.serial.interrupt, True)
    eq(("end",), store.calls[-1])
    # events teed to store and protocol, the same
    eq(store.recs, app.proto.events)
    eq(store.recs[0][0], EV_SESSION_START)
    eq(store.recs[-1][0], EV_SESSION_END)
    eq(len([r for r in store.recs if r[0] == EV_PASS]), 1)
    eq(len([r for r in store.recs if r[0] == EV_TURN_START]), 4)  # 2, 3, 4, 2
    # every loop: one frame, one watchdog feed, store and protocol serviced
    eq(b.shows, b.feeds)
    eq(b.shows, store.services)
    eq(b.shows, app.proto.services)
    assert any(app.frame), "the ring shows something"


def test_every_press_acknowledged_within_one_loop():
    app, b, d = _app(FakeStore())
    d.press(PHASE, 1600)
    b.mask = KNOB
    d.wait(40)
    b.mask = 0
    for _ in range(10):
        d.step()
        if app.session.speaker == 0:
            break
    eq(app.session.speaker, 0, "the short press fired on release")
    # the frame drawn in that same loop shows the acknowledgement pip on seat 0 (LED 0, white)
    assert active(app.ui.ack_until, b.t)
    f = app.frame
    assert f[0] > 0 and f[0] == f[1] == f[2], "white pip at LED 0: %r" % (bytes(f[:3]),)


def test_storage_full_refuses_the_session():
    store = FakeStore(full=True)
    app, b, d = _app(store)
    d.press(PHASE, 1600)
    eq(app.session.state, ST_READY)
    eq(app.ui.alert, ALERT_STORAGE_FULL)
    eq(store.recs, [])
    eq(b.serial.interrupt, True)


def test_no_store_still_runs():
    app, b, d = _app(None)
    d.press(PHASE, 1600)
    eq(app.session.state, ST_RUNNING)
    d.press(HOLD, 3100)
    eq(app.session.state, ST_ENDED)
    d.press(PHASE, 1600)  # a new session after the end
    eq(app.session.state, ST_RUNNING)
    eq(len(app.proto.events), 4 + 2, "fresh session started")


def test_second_session_gets_a_new_store_file():
    store = FakeStore()
    app, b, d = _app(store)
    d.press(PHASE, 1600)
    d.press(HOLD, 3100)
    d.press(PHASE, 1600)
    eq([c[0] for c in store.calls], ["begin", "end", "begin"])


def test_set_agenda_rules():
    app, b, d = _app(FakeStore())
    a = make(seats=5)
    app.set_agenda(a)
    eq(app.session.agenda.seats, 5)
    eq(app.session.state, ST_READY)
    d.press(PHASE, 1600)
    try:
        app.set_agenda(agenda.default())
    except agenda.AgendaError as exc:
        assert "running" in exc.reason
    else:
        raise AssertionError("set_agenda during a session must fail")
    eq(app.agenda.seats, 5)
    eq(app.session.state, ST_RUNNING)


class _Stop(Exception):
    pass


class _TimedBoard(FakeBoard):
    """Each loop's work takes `work` ms; sleep advances the clock; stops after `limit` loops."""

    def __init__(self, work, limit):
        FakeBoard.__init__(self, (1 << 30) - 200)
        self.work = work
        self.limit = limit
        self.steps = []

    def show(self, frame):
        FakeBoard.show(self, frame)
        self.t = (self.t + self.work) & ((1 << 30) - 1)

    def feed_watchdog(self):
        FakeBoard.feed_watchdog(self)
        if self.shows >= self.limit:
            raise _Stop()


def test_run_keeps_a_fixed_period_from_deadlines():
    from app import LOOP_MS

    b = _TimedBoard(3, 60)
    app = App(b, agenda_obj=agenda.default())
    seen = []
    step = app.step

    def spy(now):
        seen.append(now)
        step(now)

    app.step = spy
    try:
        app.run()
    except _Stop:
        pass
    eq(len(seen), 60)
    for i in range(1, len(seen)):
        eq((seen[i] - seen[i - 1]) & ((1 << 30) - 1), LOOP_MS, "period at loop %d" % i)
    slow = _TimedBoard(45, 10)  # each loop overruns: the loop re-bases instead of bursting
    app = App(slow, agenda_obj=agenda.default())
    lags = []
    step2 = app.step

    def spy2(now):
        lags.append(ticks_diff(slow.t, now))
        step2(now)

    app.step = spy2
    try:
        app.run()
    except _Stop:
        pass
    eq(slow.feeds, 10)
    for lag in lags:
        assert 0 <= lag <= 2 * LOOP_MS, "a late loop is not replayed in a burst: lag %d" % lag
