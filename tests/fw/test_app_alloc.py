# The steady-state loop allocates nothing: heap_lock (and gc.mem_alloc deltas) in every state.
import gc
import sys

import logstore
import micropython
import preload
import proto
from app import App
from coretest import HOLD, KNOB, PHASE, Driver, FakeBoard, MemFs
from events import ST_PAUSED, ST_READY, ST_RUNNING
from fwtest import eq

MP = sys.implementation.name == "micropython"
STEPS = 300


def _locked_steps(d, what, n=STEPS):
    """Run n loop steps with the heap locked; fail naming the state if anything allocates."""
    gc.collect()
    faults = d.app.proto_faults
    if MP:
        gc.disable()
        before = gc.mem_alloc()
    micropython.heap_lock()
    err = None
    try:
        for _ in range(n):
            d.step()
    except MemoryError as exc:
        err = exc
    finally:
        micropython.heap_unlock()
    if MP:
        used = gc.mem_alloc() - before
        gc.enable()
        eq(used, 0, "bytes allocated by %d steps (%s)" % (n, what))
    assert err is None, "the loop allocated in state: %s" % what
    eq(d.app.proto_faults, faults, "protocol faults (a MemoryError caught) in state: %s" % what)


def _rig():
    fs = MemFs(file_cap=32768)
    b = FakeBoard(1 << 29, fs)
    store = logstore.LogStore(fs, b.unique_id(), "0.1.0")
    app = App(b, store=store, protocol_factory=preload.PROTO)  # as main.py wires it
    return app, b, Driver(app, b)


def _connect(app, b, d):
    """A host arrives: hello, watch on, state; the protocol loads on the first byte."""
    b.serial.feed(b'@1 hello {"proto":1}\n@2 watch {"on":true}\n@3 state {}\n')
    d.wait(50)
    assert isinstance(app.proto, proto.Proto)
    lines = b.serial.replies()
    eq(len(lines), 3, "the host's requests answered: %r" % lines)
    assert lines[-1].startswith(b"TT:3 ok "), lines[-1]


def test_loop_allocates_nothing_in_any_state():
    app, b, d = _rig()
    s = app.session
    d.wait(100)
    _locked_steps(d, "idle")
    eq(s.state, ST_READY)
    eq(app.proto, None, "no host yet: only the serial watcher runs")
    d.press(PHASE, 1600)
    s = app.session
    eq(s.state, ST_RUNNING)
    _locked_steps(d, "running, open floor")
    d.press(KNOB, 100)
    eq(s.speaker, 0)
    _locked_steps(d, "turn running")
    d.jump(46000)
    assert s.turn_warning(b.t)
    _locked_steps(d, "turn warning")
    d.jump(15000)
    assert s.turn_overrun(b.t)
    _locked_steps(d, "turn overrun")
    d.press(PHASE, 100)  # balance glance
    assert app.ui.balance_visible(b.t)
    _locked_steps(d, "balance shown")
    d.jump(10 * 60000)
    assert s.phase_warning(b.t)
    _locked_steps(d, "phase warning")
    d.jump(60000)
    assert s.phase_overrun(b.t)
    _locked_steps(d, "phase overrun")
    d.press(HOLD, 100)
    eq(s.state, ST_PAUSED)
    _locked_steps(d, "paused")
    d.press(HOLD, 100)
    eq(s.state, ST_RUNNING)


def test_checkpoint_and_flush_do_not_allocate():
    app, b, d = _rig()
    d.press(PHASE, 1600)
    d.press(KNOB, 100)
    d.wait(100)
    d.period = 100
    # 130 s of one long turn with 100 ms loops: checkpoints and their flushes happen under lock
    _locked_steps(d, "checkpoints", 1300)
    assert app.store.flushes >= 3


def test_loop_allocates_nothing_after_a_host_connected():
    app, b, d = _rig()
    d.wait(100)
    _connect(app, b, d)
    _locked_steps(d, "idle, host connected")
    d.press(PHASE, 1600)
    s = app.session
    eq(s.state, ST_RUNNING)
    assert any(line.startswith(b"TT:* ev ") for line in b.serial.replies()), "watch streams"
    d.press(KNOB, 100)
    eq(s.speaker, 0)
    _locked_steps(d, "turn running, host watching")
    d.jump(46000)
    assert s.turn_warning(b.t)
    _locked_steps(d, "turn warning, host watching")
    d.press(HOLD, 100)
    eq(s.state, ST_PAUSED)
    _locked_steps(d, "paused, host watching")


def test_connecting_mid_session_then_steady():
    app, b, d = _rig()
    d.press(PHASE, 1600)
    d.press(KNOB, 100)
    _locked_steps(d, "turn running, no host")
    _connect(app, b, d)
    eq(app.session.state, ST_RUNNING)
    _locked_steps(d, "turn running, host came mid-session")


def _room_rig(**fields):
    from coretest import make

    a = make(
        phases=[("Round", 2, "round", 30, 60), ("Open", 3, "open", 30, 60)],
        **fields,
    )
    fs = MemFs(file_cap=32768)
    b = FakeBoard(1 << 29, fs)
    store = logstore.LogStore(fs, b.unique_id(), "0.1.0")
    app = App(b, store=store, protocol_factory=preload.PROTO, agenda_obj=a)
    return app, b, Driver(app, b)


def test_room_states_allocate_nothing():
    app, b, d = _room_rig(queue="quiet_first", balance="phase_end", reveal_seconds=30, cue="chime")
    d.press(PHASE, 1600)
    s = app.session
    d.press(KNOB, 100)  # seat 0 speaks in the go-round
    b.mask |= KNOB
    d.wait(500)
    eq(app.ui.press_seat, 0)
    _locked_steps(d, "a pass building on the speaker's arc", 50)
    d.wait(700)
    b.mask &= ~KNOB
    d.wait(60)
    eq(s.seat_passes[0], 1)
    d.wait(7000)
    b.mask |= KNOB
    _locked_steps(d, "a pass of the next seat: press, build and fire", 170)
    b.mask &= ~KNOB
    _locked_steps(d, "after the pass", 10)
    eq(s.seat_passes[2], 1)
    b.mask |= HOLD
    d.wait(60)
    b.mask |= KNOB
    _locked_steps(d, "a marker chord", 10)
    b.mask = 0
    d.wait(60)
    d.jump(60000)
    assert s.phase_warning(b.t)
    _locked_steps(d, "phase warning with a cue", 30)
    eq(app.cue.pulses >= 1, True, "a cue sounded")
    b.mask |= PHASE
    d.wait(1600)
    b.mask &= ~PHASE
    _locked_steps(d, "phase end: the reveal starts", 10)
    assert app.ui.revealing(b.t)
    eq(s.phase, 1)
    _locked_steps(d, "balance revealed")
    for seat in (5, 6):
        d.turn(seat - app.ui.cursor)
        b.mask |= PHASE
        d.wait(60)
        b.mask |= KNOB
        _locked_steps(d, "a queue chord", 10)
        b.mask &= ~(KNOB | PHASE)
        d.wait(60)
    eq(s.queue_len, 2)
    _locked_steps(d, "queued seats breathing")
    b.mask |= KNOB
    _locked_steps(d, "KNOB long: the floor to the quietest queued seat", 170)
    b.mask = 0
    d.wait(60)
    eq(s.speaker, 5)
    b.mask |= PHASE
    d.wait(60)
    d.turn(-1, hold=PHASE)
    _locked_steps(d, "shortened", 10)
    b.mask = 0
    d.wait(60)
    eq(s.extend_min, -1)
    d.jump(40000)
    assert s.turn_overrun(b.t)
    _locked_steps(d, "turn overrun")
    b.mask |= HOLD
    d.wait(3100)
    b.mask = 0
    _locked_steps(d, "session ended, balance revealed", 10)
    assert app.ui.revealing(b.t)


def test_counted_knob_allocates_nothing():
    fs = MemFs(file_cap=32768)
    b = FakeBoard(1 << 29, fs, knob_counted=True)
    app = App(
        b, store=logstore.LogStore(fs, b.unique_id(), "0.1.0"), protocol_factory=preload.PROTO
    )
    d = Driver(app, b)
    d.press(PHASE, 1600)
    eq(app.session.state, ST_RUNNING)
    d.turn(2)
    gc.collect()
    micropython.heap_lock()
    try:
        d.turn(5)
        d.turn(-3)
        b.knob += 40  # a jump: the loop was stalled while the knob turned
        d.wait(50)
    finally:
        micropython.heap_unlock()
    eq(app.controls.detents, 14, "detents from the count")


class _StuckSerial:
    """The fake port of a host that holds it open and stopped reading: writes take nothing."""

    def __init__(self, serial):
        self.s = serial
        self.read_into = serial.read_into
        self.set_interrupt = serial.set_interrupt

    def write(self, data, start=0):
        return 0


def test_loop_allocates_nothing_while_the_host_does_not_read():
    app, b, d = _rig()
    d.press(PHASE, 1600)
    d.press(KNOB, 100)
    _connect(app, b, d)
    b.serial = _StuckSerial(b.serial)
    b.serial.s.feed(b"@4 state {}\n@5 info {}\n")
    d.wait(50)  # the state reply waits for the port; info waits unread
    assert app.proto._out, "output is waiting for the port"
    _locked_steps(d, "turn running, host holding the port without reading")
    eq(app.proto_faults, 0)
