# Device-side half of tools/bench_fw.py: runs inside MicroPython (from .mpy) and prints figures.
import gc
import random
import sys

import agenda
import controls
import logstore
import proto
from app import App
from clockmath import TICKS_PERIOD, ticks_add
from events import (
    EV_PASS,
    EV_PHASE_END,
    EV_PHASE_START,
    EV_TURN_END,
    EV_TURN_START,
    ST_ENDED,
    ST_READY,
)


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


def _agenda(seats, phases):
    return agenda.parse(
        {
            "name": "Bench",
            "seats": seats,
            "facilitators": [0],
            "balance": "on_demand",
            "phases": [
                {"name": n, "minutes": m, "floor": f, "turn_seconds": ts, "warn_seconds": 60}
                for n, m, f, ts in phases
            ],
        }
    )


class Script:
    """Plays a session on an App by pushing gestures at scripted true times."""

    def __init__(self, app, turn_lo, turn_hi, pause_at=-1):
        self.app = app
        self.turn_lo = turn_lo
        self.turn_hi = turn_hi
        self.next_at = 1000
        self.phase_end_at = -1
        self.pause_at = pause_at
        self.resume_at = -1
        self.turns = 0

    def push(self, g, arg=0):
        self.app.queue.push(g, arg)

    def act(self, t):
        """Called every loop with the true time t (ms since the script began)."""
        s = self.app.session
        if s.state == ST_READY:
            if t >= self.next_at:
                self.push(controls.G_PHASE_LONG)
                self.phase_end_at = -1
            return
        if s.state == ST_ENDED:
            return
        if self.resume_at >= 0:
            if t >= self.resume_at:
                self.push(controls.G_HOLD_SHORT)
                self.resume_at = -1
            return
        if 0 <= self.pause_at <= t:
            self.push(controls.G_HOLD_SHORT)
            self.pause_at = -1
            self.resume_at = t + 300000
            return
        if self.phase_end_at < 0:
            plan = s.phase_planned_ms()
            self.phase_end_at = t + plan + random.randint(-60000, 120000)
            if s.phase == 1:
                self.push(controls.G_PHASE_TURN, 2)
        if t >= self.phase_end_at:
            self.push(controls.G_PHASE_LONG)
            self.phase_end_at = -1
            self.next_at = t + random.randint(self.turn_lo, self.turn_hi)
            return
        if t < self.next_at:
            return
        self.next_at = t + random.randint(self.turn_lo, self.turn_hi)
        if s.round_active():
            if s.speaker >= 0 and random.randint(0, 9) == 0:
                self.push(controls.G_KNOB_LONG)  # a pass
            else:
                self.push(controls.G_KNOB_SHORT)
            self.turns += 1
        elif s.agenda.phases[s.phase].mode == 0:
            return  # the round is over: quiet until the phase ends
        elif random.randint(0, 5) == 0:
            self.push(controls.G_KNOB_LONG)  # open floor
        else:
            self.push(controls.G_TURN, random.randint(1, s.seats - 1))
            self.push(controls.G_KNOB_SHORT)
            self.turns += 1


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
    a = _agenda(
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
    app = App(b, store=store, protocol_factory=proto.Proto)
    return app, b


def _steps(app, b, n, period=10):
    for _ in range(n):
        b.t = ticks_add(b.t, period)
        app.step(b.t)


def alloc():
    """gc.mem_alloc delta per 1000 loop steps (gc disabled), worst over several states."""
    app, b = _steady_rig()
    worst = 0
    plan = (
        ("idle", None),
        ("start", controls.G_PHASE_LONG),
        ("turn", controls.G_KNOB_SHORT),
        ("glance", controls.G_PHASE_SHORT),
        ("pause", controls.G_HOLD_SHORT),
        ("resume", controls.G_HOLD_SHORT),
    )
    for name, g in plan:
        if g is not None:
            app.queue.push(g, 0)
        _steps(app, b, 200)  # settle into the state
        gc.collect()
        gc.disable()
        before = gc.mem_alloc()
        _steps(app, b, 1000)
        used = gc.mem_alloc() - before
        gc.enable()
        print("STATE", name, used)
        worst = used if used > worst else worst
    print("RESULT alloc", worst)


class _Serial:
    def read_into(self, buf, start, maxlen):
        return 0

    def write(self, data):
        pass

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

    def read_inputs(self):
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


def heap(root, max_turns=0):
    """12 seats, 2 hours, 2,000 turns through App.step with a LogStore on a tmpfs directory.

    With max_turns, the session is ended after that many turns (to compare short and long)."""
    import fsio

    gc.collect()
    code = gc.mem_alloc()  # modules loaded (bytecode lives in the heap on the unix port)
    random.seed(7)
    a = _agenda(
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
    app = App(b, store=store, protocol_factory=proto.Proto, agenda_obj=a)
    script = Script(app, 1500, 3500)
    t = 0
    while app.session.state != ST_ENDED and t < 4 * 3600000:
        t += 50
        b.t = ticks_add(b.t, 50)
        script.act(t)
        if max_turns and script.turns >= max_turns and app.session.state != ST_ENDED:
            app.session.end(b.t)
        app.step(b.t)
    gc.collect()
    used = gc.mem_alloc()
    print("RESULT heap turns", script.turns, "minutes", t // 60000, "code", code, "used", used)


def main():
    mode = sys.argv[1]
    if mode == "drift":
        drift(int(sys.argv[2]))
    elif mode == "alloc":
        alloc()
    elif mode == "heap":
        heap(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)


main()
