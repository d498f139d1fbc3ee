# Helpers for the core firmware tests (agenda, session, ui, app): sinks, rigs and fakes.
import agenda
from clockmath import ticks_add
from events import EVENT_NAMES
from session import Session

MIN = 60000


class ListSink:
    """A session sink that keeps every record as a tuple."""

    def __init__(self):
        self.recs = []

    def record(self, ev, seat, phase, t_ms, arg):
        for v in (ev, seat, phase, t_ms, arg):
            assert type(v) is int, "sink got a non-int: %r" % (v,)
        self.recs.append((ev, seat, phase, t_ms, arg))

    def names(self):
        return [EVENT_NAMES[r[0]] for r in self.recs]

    def of(self, ev):
        return [r for r in self.recs if r[0] == ev]


class Rig:
    """A session with a list sink and a clock starting at tick t0."""

    def __init__(self, a=None, t0=0):
        self.a = a if a is not None else agenda.default()
        self.sink = ListSink()
        self.s = Session(self.a, self.sink)
        self.now = t0
        self.snaps = []  # (records so far, tallies) after every action

    def wait(self, ms):
        self.now = ticks_add(self.now, ms)
        self.s.tick(self.now)
        return self.now

    def do(self, name, *args):
        """Call a session action at the current tick; assert it was accepted."""
        fn = getattr(self.s, name)
        ok = fn(*(args + (self.now,)))
        assert ok, "%s%r refused" % (name, args)
        self.snaps.append((len(self.sink.recs), tallies(self.s)))
        return ok


def make(seats=8, phases=None, facilitators=None, balance="on_demand", name="Test group", **extra):
    """An Agenda from compact phase tuples (name, minutes, floor, turn_s, warn_s); extra
    keyword arguments are further agenda fields (queue, cue, reveal_seconds, ...)."""
    if phases is None:
        phases = [("Round", 10, "round", 60, 60), ("Open", 20, "open", 0, 120)]
    d = {
        "name": name,
        "seats": seats,
        "facilitators": [0] if facilitators is None else facilitators,
        "balance": balance,
        "phases": [
            {
                "name": p[0],
                "minutes": p[1],
                "floor": p[2],
                "turn_seconds": p[3],
                "warn_seconds": p[4],
            }
            for p in phases
        ],
    }
    for k in extra:
        d[k] = extra[k]
    return agenda.parse(d)


def durations(recs, start_ev, end_evs):
    """(seat, t_start, t_end) of each interval opened by start_ev and closed by any end_evs."""
    out = []
    open_at = {}
    for ev, seat, _phase, t, _arg in recs:
        if ev == start_ev:
            open_at[seat] = t
        elif ev in end_evs and seat in open_at:
            out.append((seat, open_at.pop(seat), t))
    return out


def tallies(s):
    return (
        list(s.seat_talk_ms),
        list(s.seat_turns),
        list(s.seat_passes),
        list(s.seat_over),
        s.silence_ms,
        s.phase,
        s.state,
        s.speaker,
        s.extend_min,
    )


# ---- doubles for the app: board, serial, a RAM file system, a list-backed store ----


class MemFile:
    """A file of MemFs. Writes go into a pre-allocated bytearray (no allocation per write)."""

    def __init__(self, fs, name, mode):
        self.fs = fs
        self.name = name
        self.pos = 0
        if "r" in mode:
            if name not in fs.files:
                raise OSError(2)
            self.writing = False
        else:
            self.writing = True
            if "a" not in mode or name not in fs.files:
                fs.files[name] = bytearray(fs.file_cap)
                fs.sizes[name] = 0

    def read(self, n=-1):
        size = self.fs.sizes[self.name]
        end = size if n < 0 or self.pos + n > size else self.pos + n
        out = bytes(self.fs.files[self.name][self.pos : end])
        self.pos = end
        return out

    def seek(self, offset, whence=0):
        size = self.fs.sizes[self.name]
        base = 0 if whence == 0 else (self.pos if whence == 1 else size)
        self.pos = base + offset
        return self.pos

    def readinto(self, buf):
        size = self.fs.sizes[self.name]
        n = len(buf) if self.pos + len(buf) <= size else max(size - self.pos, 0)
        data = self.fs.files[self.name]
        for i in range(n):
            buf[i] = data[self.pos + i]
        self.pos += n
        return n

    def write(self, data, length=-1):
        """write(data) or, as MicroPython streams allow, write(data, length): its first bytes."""
        fs = self.fs
        size = fs.sizes[self.name]
        n = len(data) if length < 0 or length > len(data) else length
        if fs.used() + n > fs.capacity:
            raise OSError(28)
        buf = fs.files[self.name]
        if size + n > len(buf):  # grow (allocates; size file_cap to avoid it in alloc tests)
            buf.extend(bytearray(len(buf) + n))
        for i in range(n):  # byte by byte: a slice of data would allocate
            buf[size + i] = data[i]
        fs.sizes[self.name] = size + n
        return n

    def flush(self):
        self.fs.flushes += 1

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class MemFs:
    """The fsio method set over RAM (a stand-in for LittleFS in both VMs)."""

    block_size = 4096

    def __init__(self, capacity=1441792, file_cap=1024):
        self.files = {}
        self.sizes = {}
        self.dirs = set()
        self.capacity = capacity
        self.file_cap = file_cap
        self.flushes = 0

    def used(self):
        total = 0
        for n in self.sizes:
            total += self.sizes[n]
        return total

    def open(self, rel, mode):
        return MemFile(self, rel, mode)

    def remove(self, rel):
        if rel not in self.files:
            raise OSError(2)
        del self.files[rel]
        del self.sizes[rel]

    def rename(self, old, new):
        if old not in self.files:
            raise OSError(2)
        self.files[new] = self.files.pop(old)
        self.sizes[new] = self.sizes.pop(old)

    def listdir(self, rel):
        if rel not in self.dirs:
            raise OSError(2)
        pre = rel + "/"
        return [n[len(pre) :] for n in self.files if n.startswith(pre)]

    def listsizes(self, rel):
        return [(n, self.sizes[rel + "/" + n]) for n in self.listdir(rel)]

    def mkdir(self, rel):
        self.dirs.add(rel)

    def size(self, rel):
        return self.sizes.get(rel, -1)

    def free_bytes(self):
        return self.capacity - self.used()

    def total_bytes(self):
        return self.capacity

    def text(self, rel):
        return bytes(self.files[rel][: self.sizes[rel]])


class FakeSerial:
    """A serial port: feed() queues host bytes; reading a quiet port allocates nothing."""

    def __init__(self):
        self.out = []
        self.interrupt = None
        self.interrupt_calls = 0
        self.inbox = b""
        self.at = 0  # bytes of inbox already read
        self.reads = 0  # read_into calls that returned bytes

    def feed(self, data):
        self.inbox = self.inbox[self.at :] + bytes(data)
        self.at = 0

    def read_into(self, buf, start, maxlen):
        n = len(self.inbox) - self.at
        if n <= 0:
            return 0
        if n > maxlen:
            n = maxlen
        for i in range(n):
            buf[start + i] = self.inbox[self.at + i]
        self.at += n
        self.reads += 1
        return n

    def replies(self):
        """Complete reply lines written so far (bytes, without the newline)."""
        return b"".join(self.out).split(b"\n")[:-1]

    def write(self, data, start=0):
        self.out.append(bytes(data[start:]))
        return len(data) - start

    def set_interrupt(self, enabled):
        self.interrupt = enabled
        self.interrupt_calls += 1


# input mask bits (board interface)
KNOB = 1
PHASE = 2
HOLD = 4
ENC_A = 8
ENC_B = 16
CW = (ENC_A, ENC_A | ENC_B, ENC_B, 0)  # one detent clockwise
CCW = (ENC_B, ENC_A | ENC_B, ENC_A, 0)


class FakeBoard:
    """The board interface over a virtual clock; step() runs the app one loop period.

    knob_counted: the knob comes as a running transition count in `knob` (as board.Board's
    PIO counter gives it), not as the A/B bits of `mask`.
    """

    def __init__(self, t0=0, fs=None, mv=-1, knob_counted=False):
        self.t = t0
        self.mask = 0
        self.knob_counted = knob_counted
        self.knob = 0
        self.clock_source = 0  # no RTC module (clocksrc.CLOCK_NONE)
        self.rtc_module = False
        self.serial = FakeSerial()
        self.fs = fs if fs is not None else MemFs()  # never the host's own file system
        self.fs_root = None
        self.shows = 0
        self.feeds = 0
        self.mv = mv
        self.rtc = 1700000000
        self.last_frame = None
        self.tone_hz = 0
        self.tone_duty = 0
        self.tone_calls = 0

    def ticks_ms(self):
        return self.t

    def read_inputs(self):
        return self.mask

    def knob_count(self):
        return self.knob

    def show(self, frame):
        self.shows += 1
        self.last_frame = frame

    def unique_id(self):
        return "e6614103e7452d2f"

    def feed_watchdog(self):
        self.feeds += 1

    def sleep_ms(self, ms):
        self.t = ticks_add(self.t, ms)

    def rtc_now(self):
        return self.rtc

    def rtc_set(self, epoch):
        self.rtc = epoch

    def battery_mv(self):
        return self.mv

    def tone(self, freq_hz, duty_u16):
        """The buzzer seam: the last setting and a count (ints: no allocation)."""
        self.tone_hz = freq_hz
        self.tone_duty = duty_u16
        self.tone_calls += 1


_SIGN = []


def _cw_sign():
    """+1 when controls counts the CW sequence (A leads) as clockwise, else -1."""
    if not _SIGN:
        import controls

        c = controls.Controls()
        q = controls.GestureQueue()
        c.reset(0, 0)
        for i in range(4):
            c.poll(CW[i], 10 * i, q)
        _SIGN.append(1 if c.detents > 0 else -1)
    return _SIGN[0]


class Driver:
    """Drive an App on a FakeBoard as a person would: presses, knob turns, waiting."""

    def __init__(self, app, board, period=10):
        self.app = app
        self.b = board
        self.period = period

    def step(self):
        self.b.t = ticks_add(self.b.t, self.period)
        self.app.step(self.b.t)

    def wait(self, ms):
        for _ in range(ms // self.period):
            self.step()

    def jump(self, ms, period=1000):
        """Wait with long loop periods (no input changes), to reach far states quickly."""
        for _ in range(ms // period):
            self.b.t = ticks_add(self.b.t, period)
            self.app.step(self.b.t)

    def press(self, bit, ms):
        self.b.mask |= bit
        self.wait(ms)
        self.b.mask &= ~bit
        self.wait(60)

    def turn(self, detents, hold=0):
        seq = CW if (detents > 0) == (_cw_sign() > 0) else CCW
        n = detents if detents > 0 else -detents
        d = 1 if detents > 0 else -1
        for _ in range(n):
            for m in seq:
                self.b.mask = (self.b.mask & 7) | m | hold
                if self.b.knob_counted:
                    self.b.knob += d  # the hardware count: one a transition
                self.step()
        self.wait(30)


class FakeStore:
    """A list-backed log store double (begin/record/service/end/unfinished/resume)."""

    def __init__(self, full=False):
        self.recs = []
        self.calls = []
        self.full = full
        self.found = None
        self.services = 0

    def record(self, ev, seat, phase, t_ms, arg):
        self.recs.append((ev, seat, phase, t_ms, arg))

    def begin(self, agenda_obj, wall):
        if self.full:
            import logstore

            raise logstore.StorageFull("no room")
        self.calls.append(("begin", agenda_obj.name, wall))

    def service(self, now):
        self.services += 1

    def end(self):
        self.calls.append(("end",))
        return True

    def unfinished(self):
        return self.found

    def resume(self, found=None):
        self.calls.append(("resume",))


class FakeProto:
    def __init__(self, app):
        self.app = app
        self.events = []
        self.services = 0
        self.fed = b""  # bytes the app's serial watcher handed over
        self.busy = False  # never has more work than one service() a loop

    def feed(self, data):
        self.fed += bytes(data)

    def service(self, now):
        self.services += 1

    def on_event(self, ev, seat, phase, t_ms, arg):
        self.events.append((ev, seat, phase, t_ms, arg))
