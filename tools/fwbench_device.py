"""Device-side half of tools/bench_fw.py: runs inside MicroPython (from .mpy) and prints figures."""

# The heap figure has its own small driver (tools/fwbench_heap.py), so this harness is not in it.
import gc
import random
import sys

import controls
import logstore
import preload
from app import App
from clockmath import TICKS_PERIOD, ticks_add
from events import (
    EV_PASS,
    EV_PHASE_END,
    EV_PHASE_START,
    EV_TURN_END,
    EV_TURN_START,
    ST_ENDED,
)
from fwbench_script import Script, bench_agenda


class TrueClock:
    """A recording sink: every event with the true (unwrapped) time of the loop that made it."""

    def __init__(self):
        self.abs = 0
        self.events = []

    def record(self, ev, seat, phase, t_ms, arg):
        self.events.append((ev, seat, t_ms, self.abs))

    def begin(self, a, wall):
        pass

    def service(self, now):
        pass

    def end(self):
        return True

    def unfinished(self):
        return None


def _worst(events):
    worst = 0
    count = 0
    open_turn = {}
    open_phase = None
    for ev, seat, t, a in events:
        if ev == EV_TURN_START:
            open_turn[seat] = (t, a)
        elif ev in (EV_TURN_END, EV_PASS) and seat in open_turn:
            t1, a1 = open_turn.pop(seat)
            d = abs((t - t1) - (a - a1))
            worst = d if d > worst else worst
            count += 1
        elif ev == EV_PHASE_START:
            open_phase = (t, a)
        elif ev == EV_PHASE_END and open_phase is not None:
            d = abs((t - open_phase[0]) - (a - open_phase[1]))
            worst = d if d > worst else worst
            count += 1
    return worst, count


def drift(seed):
    """3-hour session, loop periods 10 + random 0..50 ms, the tick wraps an hour in."""
    from coretest import FakeBoard

    random.seed(seed)
    a = bench_agenda(
        8,
        (
            ("Check-in", 20, "round", 60),
            ("Work", 70, "open", 0),
            ("More", 60, "open", 0),
            ("Closing", 30, "round", 90),
        ),
    )
    b = FakeBoard(TICKS_PERIOD - 3600000)
    sink = TrueClock()
    app = App(b, store=sink, agenda_obj=a)
    script = Script(app, 20000, 90000, pause_at=70 * 60000)
    t = 0
    wrapped = False
    while app.session.state != ST_ENDED and t < 5 * 3600000:
        dt = 10 + random.randint(0, 50)
        t += dt
        nxt = ticks_add(b.t, dt)
        wrapped = wrapped or nxt < b.t
        b.t = nxt
        sink.abs = t
        script.act(t)
        app.step(b.t)
    worst, count = _worst(sink.events)
    print("RESULT drift", worst, "intervals", count, "wrapped", int(wrapped), "h", t // 3600000)


def _steady_rig():
    from coretest import FakeBoard, MemFs

    fs = MemFs(file_cap=65536)
    b = FakeBoard(1 << 29, fs)
    store = logstore.LogStore(fs, b.unique_id(), "0.1.0")
    app = App(b, store=store, protocol_factory=preload.PROTO)  # as main.py: on the first byte
    return app, b


def _steps(app, b, n, period=10):
    for _ in range(n):
        b.t = ticks_add(b.t, period)
        app.step(b.t)


HELLO = b'@1 hello {"proto":1,"host":"bench"}\n@2 watch {"on":true}\n@3 state {}\n'


def alloc():
    """gc.mem_alloc delta per 1000 loop steps (gc disabled), worst over several states, before
    and after a host connected (the protocol loads on its first byte)."""
    app, b = _steady_rig()
    worst = 0
    plan = (
        ("idle", None),
        ("start", controls.G_PHASE_LONG),
        ("turn", controls.G_KNOB_SHORT),
        ("host", HELLO),
        ("glance", controls.G_PHASE_SHORT),
        ("pause", controls.G_HOLD_SHORT),
        ("resume", controls.G_HOLD_SHORT),
    )
    for name, g in plan:
        if type(g) is bytes:
            b.serial.feed(g)
        elif g is not None:
            app.queue.push(g, 0)
        _steps(app, b, 200)  # settle into the state
        gc.collect()
        gc.disable()
        before = gc.mem_alloc()
        _steps(app, b, 1000)
        used = gc.mem_alloc() - before
        gc.enable()
        print("STATE", name, used, "proto", int(app.proto is not None))
        worst = used if used > worst else worst
    if app.proto is None or len(b.serial.replies()) < 3:
        raise SystemExit("the host's requests were not answered")
    print("RESULT alloc", worst)


def main():
    mode = sys.argv[1]
    if mode == "drift":
        drift(int(sys.argv[2]))
    elif mode == "alloc":
        alloc()


main()
