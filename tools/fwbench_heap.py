# ruff: noqa: UP031  (MicroPython: %-formatting)
"""micropython -m fwbench_heap <root> [max_turns] [host]

12 seats, 2 hours, 2,000 turns through App.step with a LogStore on fsio.DeviceFs(root), the
protocol wired as main.py wires it (preload.PROTO, loaded when the first byte arrives). With
max_turns > 0 the session ends after that many turns. With "host", a host connects 30 minutes in
(hello, info, sessions, watch, state) and asks for the state every minute after that.
Prints: RESULT heap turns T minutes M code C used U asked A replies R errors E events V proto P
"""

import gc
import random
import sys

import fwswitch
import micropython

fwswitch.run(sys.argv[1] + "/")  # as main.py boots: finish a cut switch-over (none here)
sys.modules.pop("fwswitch", None)
del fwswitch

import preload  # noqa: E402

preload.run()  # as main.py loads the app: leaves first, garbage collected between

import fsio  # noqa: E402
import logstore  # noqa: E402
from app import App  # noqa: E402
from clockmath import TICKS_PERIOD, ticks_add  # noqa: E402
from events import ST_ENDED  # noqa: E402
from fwbench_script import Script, bench_agenda  # noqa: E402
from micropython import const  # noqa: E402

# Private consts and one format string: the harness adds as few qstrs as it can to the figure.
_CONNECT_AT = const(1800000)  # ms into the script when the host connects (30 minutes)
_POLL_EVERY = const(60000)  # ms between the host's state requests after that


class _Serial:
    """The USB port: host bytes queued by feed(); replies counted and dropped (no copy kept)."""

    def __init__(self):
        self.inbox = b""
        self.at = 0
        self.replies = 0  # TT:<id> ok
        self.errors = 0  # TT:<id> err
        self.events = 0  # TT:* ev (watch)

    def feed(self, data):
        self.inbox = data
        self.at = 0

    def read_into(self, buf, start, maxlen):
        n = len(self.inbox) - self.at
        if n <= 0:
            return 0
        if n > maxlen:
            n = maxlen
        inbox = self.inbox
        at = self.at
        for i in range(n):
            buf[start + i] = inbox[at + i]
        self.at = at + n
        return n

    def write(self, data, start=0):
        if start:
            return len(data) - start
        if data.startswith(b"TT:*"):
            self.events += 1
        elif data.startswith(b"TT:"):
            if data.find(b" err ") > 0:
                self.errors += 1
            else:
                self.replies += 1
        return len(data)

    def set_interrupt(self, enabled):
        pass


class SlimBoard:
    """The board interface with nothing extra (the test FakeBoard costs heap)."""

    def __init__(self, t0, fs):
        self.t = t0
        self.fs = fs
        self.fs_root = fs.root
        self.serial = _Serial()

    def ticks_ms(self):
        return self.t

    knob_counted = True
    clock_source = 0
    rtc_module = False

    def read_inputs(self):
        return 0

    def knob_count(self):
        return 0

    def show(self, frame):
        pass

    def unique_id(self):
        return "e6614103e7452d2f"

    def feed_watchdog(self):
        pass

    def rtc_now(self):
        return 0

    def battery_mv(self):
        return -1

    def tone(self, freq_hz, duty_u16):
        pass


def heap(root, max_turns=0, host=False):
    """Run the session; print what it did and the heap in use after it."""
    gc.collect()
    code = gc.mem_alloc()  # modules loaded (bytecode lives in the heap on the unix port)
    random.seed(7)
    a = bench_agenda(
        12,
        (
            ("Check-in", 10, "round", 60),
            ("Open 1", 50, "open", 0),
            ("Open 2", 50, "open", 0),
            ("Closing", 10, "round", 60),
        ),
    )
    fs = fsio.DeviceFs(root)
    b = SlimBoard(TICKS_PERIOD - 600000, fs)
    store = logstore.LogStore(fs, b.unique_id(), "0.1.0")
    app = App(b, store=store, protocol_factory=preload.PROTO, agenda_obj=a)
    script = Script(app, 1500, 3500)
    serial = b.serial
    ask_at = _CONNECT_AT if host else -1
    rid = 200
    asked = 0
    t = 0
    while app.session.state != ST_ENDED and t < 4 * 3600000:
        t += 50
        b.t = ticks_add(b.t, 50)
        script.act(t)
        if max_turns and script.turns >= max_turns and app.session.state != ST_ENDED:
            app.session.end(b.t)
        if 0 <= ask_at <= t:
            if rid == 200:
                serial.feed(
                    b"\n"  # the host opens the port with a newline (docs/protocol.md)
                    b'@101 hello {"proto":1,"host":"bench"}\n@102 info {}\n@103 sessions {}\n'
                    b'@104 watch {"on":true}\n@105 state {}\n'
                )
                asked += 5
            else:
                serial.feed(b"@%d state {}\n" % rid)
                asked += 1
            rid += 1
            ask_at = t + _POLL_EVERY
        app.step(b.t)
    gc.collect()
    used = gc.mem_alloc()
    print(
        "RESULT heap turns %d minutes %d code %d used %d asked %d replies %d errors %d events %d"
        " proto %d"
        % (
            script.turns,
            t // 60000,
            code,
            used,
            asked,
            serial.replies,
            serial.errors,
            serial.events,
            app.proto is not None,
        )
    )
    micropython.qstr_info()  # "qstr pool: n_pool=P, n_qstr=Q, ..., n_total_bytes=B"


heap(
    sys.argv[1],
    int(sys.argv[2]) if len(sys.argv) > 2 else 0,
    len(sys.argv) > 3 and sys.argv[3] == "host",
)
