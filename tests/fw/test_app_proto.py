# The protocol is loaded when a host sends its first byte; until then a one-byte serial watcher.
import sys

import agenda
from app import App
from coretest import HOLD, PHASE, Driver, FakeBoard, FakeProto, FakeStore
from events import EV_SESSION_START, ST_ENDED, ST_RUNNING
from fwtest import eq


class _Failing:
    """A factory that fails (as an import does without memory) the first `n` times."""

    def __init__(self, n):
        self.n = n
        self.calls = 0

    def __call__(self, app):
        self.calls += 1
        if self.calls <= self.n:
            raise MemoryError("no room for the protocol")
        return FakeProto(app)


def _app(factory, store=None):
    b = FakeBoard(1000)
    app = App(b, store=store, protocol_factory=factory, agenda_obj=agenda.default())
    return app, b, Driver(app, b)


def test_module_loads_only_when_the_first_byte_arrives():
    sys.modules.pop("lazyproto", None)
    app, b, d = _app("lazyproto")
    d.press(PHASE, 1600)
    d.wait(2000)
    eq(app.session.state, ST_RUNNING)
    eq(app.proto, None, "no host: no protocol")
    assert "lazyproto" not in sys.modules, "the protocol module was imported without a host"
    b.serial.feed(b"@7 info {}\n")
    d.step()
    assert "lazyproto" in sys.modules
    p = app.proto
    eq(type(p).__name__, "Proto")
    eq(p.fed, b"@", "the watcher's byte is handed over")
    eq(p.services, 1, "served in the loop that loaded it")
    eq(b.serial.at, 1, "the rest of the line is left for the protocol to read")
    d.wait(50)
    eq(app.proto is p, True, "loaded once")
    eq(p.services, 6)
    d.press(HOLD, 3100)  # the session's events reach the protocol from then on
    eq(app.session.state, ST_ENDED)
    assert len(p.events) >= 2


def test_events_before_the_host_came_are_not_needed_by_it():
    store = FakeStore()
    app, b, d = _app(FakeProto, store)
    d.press(PHASE, 1600)
    eq(store.recs[0][0], EV_SESSION_START)
    eq(app.proto, None)
    b.serial.feed(b"\n")
    d.step()
    eq(app.proto.events, [], "watch starts with the host; the log keeps what came before")
    d.press(HOLD, 3100)
    eq(app.proto.events, store.recs[-len(app.proto.events) :])


def test_real_protocol_answers_the_first_line_in_the_same_loop():
    app, b, d = _app("proto")
    d.wait(100)
    eq(app.proto, None)
    b.serial.feed(b'@5 hello {"proto":1}\n@6 state {}\n')
    d.step()
    lines = b.serial.replies()
    eq(len(lines), 2, "both lines answered: %r" % lines)
    assert lines[0].startswith(b"TT:5 ok {"), lines[0]
    assert b'"fetch_queue"' in lines[0]
    assert lines[1].startswith(b"TT:6 ok {"), lines[1]
    eq(app.proto.reader.bytes_in, len(b'@5 hello {"proto":1}\n@6 state {}\n'), "no byte lost")


def test_stray_0x03_during_a_session_is_a_byte_not_an_interrupt():
    app, b, d = _app("proto")
    eq(b.serial.interrupt, True, "idle: 0x03 can stop the firmware (mpremote)")
    d.press(PHASE, 1600)
    eq(b.serial.interrupt, False, "a session disables the interrupt before any host came")
    b.serial.feed(b"\x03")
    d.wait(100)
    eq(app.session.state, ST_RUNNING, "the session goes on")
    eq(b.serial.interrupt, False)
    b.serial.feed(b"\n@9 state {}\n")
    d.step()
    lines = b.serial.replies()
    eq(len(lines), 1, "the stray byte's line has no id: no answer, %r" % lines)
    assert lines[0].startswith(b"TT:9 ok {"), lines[0]
    eq(app.proto.garbage, 1, "the 0x03 line was handed over and counted as garbage")
    d.press(HOLD, 3100)
    eq(b.serial.interrupt, True, "idle again: mpremote can interrupt")


def test_a_failed_load_costs_the_byte_never_the_session():
    store = FakeStore()
    factory = _Failing(1)
    app, b, d = _app(factory, store)
    d.press(PHASE, 1600)
    b.serial.feed(b"@1")
    d.step()
    eq(app.proto, None)
    eq(app.connect_failures, 1)
    eq(factory.calls, 1)
    d.wait(500)
    eq(app.session.state, ST_RUNNING)
    eq(factory.calls, 2, "the next byte tries again")
    eq(app.proto.fed, b"1")
    d.press(HOLD, 3100)
    eq(app.session.state, ST_ENDED)
    eq(store.calls[-1], ("end",))


def test_no_factory_never_reads_the_port():
    app, b, d = _app(None)
    b.serial.feed(b"@1 hello {}\n")
    d.wait(100)
    eq(app.proto, None)
    eq(b.serial.at, 0, "bytes stay for whoever reads the port")


def test_memory_errors_back_off_and_never_retry_within_a_loop():
    factory = _Failing(3)
    app, b, d = _app(factory)
    b.serial.feed(b"@1 info {}\n@2 info {}\n")
    d.step()
    eq(factory.calls, 1)
    d.wait(200)
    eq(factory.calls, 1, "no retry before the back-off (250 ms)")
    d.wait(100)
    eq(factory.calls, 2)
    d.wait(400)
    eq(factory.calls, 2, "the back-off doubled (500 ms)")
    d.wait(150)
    eq(factory.calls, 3)
    d.wait(1050)
    eq(factory.calls, 4, "loaded after 1 s more")
    assert app.proto is not None
    eq(app.connect_failures, 3)


class _Broken:
    """A factory whose module has a bug: not a MemoryError, so trying again cannot help."""

    def __init__(self):
        self.calls = 0

    def __call__(self, app):
        self.calls += 1
        raise AttributeError("no attribute 'Proto'")


def test_another_load_error_is_told_once_and_not_retried():
    factory = _Broken()
    app, b, d = _app(factory)
    d.press(PHASE, 1600)
    b.serial.feed(b"@1 info {}\n")
    d.wait(100)
    b.serial.feed(b"@2 info {}\n")
    d.wait(60000)
    eq(factory.calls, 1)
    faults = [x for x in b.serial.replies() if x.startswith(b"TT:* fault ")]
    eq(len(faults), 1, "told once")
    assert b"AttributeError" in faults[0], faults
    eq(app.load_error, "AttributeError no attribute 'Proto'")
    eq(app.session.state, ST_RUNNING, "the session goes on")
