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
