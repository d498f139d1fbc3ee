# Where a session's wall time comes from: none, a host since boot, or the RTC module at boot.
import clocksrc
import logstore
import preload
from app import App
from coretest import PHASE, Driver, FakeBoard, MemFs
from fwtest import eq


def _rig(source=clocksrc.CLOCK_NONE):
    fs = MemFs(file_cap=32768)
    b = FakeBoard(1 << 29, fs)
    b.clock_source = source
    b.rtc_module = source == clocksrc.CLOCK_RTC
    store = logstore.LogStore(fs, b.unique_id(), "0.1.0")
    app = App(b, store=store, protocol_factory=preload.PROTO)
    return app, b, Driver(app, b)


def test_no_clock_no_source_and_no_wall_time():
    app, b, d = _rig()
    eq(clocksrc.session_clock_source(app), clocksrc.CLOCK_NONE)
    eq(app.clock_set, False)
    d.press(PHASE, 1600)
    eq(app.store.name is not None, True, "a session started")


def test_host_sets_the_clock():
    app, b, d = _rig()
    b.serial.feed(b'@1 hello {"proto":1}\n@2 clock_set {"epoch":1764600000}\n@3 info {}\n')
    d.wait(50)
    replies = b.serial.replies()
    eq(len(replies), 3, "answers: %r" % replies)
    assert b'"clock_source":"host"' in replies[2].replace(b" ", b""), replies[2]
    assert b'"rtc_module":false' in replies[2].replace(b" ", b""), replies[2]
    eq(clocksrc.session_clock_source(app), clocksrc.CLOCK_HOST)
    eq(app.clock_set, True)


def test_rtc_module_at_boot():
    app, b, d = _rig(clocksrc.CLOCK_RTC)
    eq(clocksrc.session_clock_source(app), clocksrc.CLOCK_RTC)
    eq(app.clock_set, True, "a session started now gets the module's wall time")
    b.serial.feed(b'@1 hello {"proto":1}\n@2 info {}\n')
    d.wait(50)
    info = b.serial.replies()[1].replace(b" ", b"")
    assert b'"clock_source":"rtc"' in info and b'"rtc_module":true' in info, info
    eq(clocksrc.CLOCK_NAMES[clocksrc.CLOCK_RTC], "rtc")
