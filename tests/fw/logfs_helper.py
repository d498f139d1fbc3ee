# Test support for the log store: a real LittleFS image in either VM, and session drivers.
import sys

import agenda
import events as E

try:
    import vfs  # noqa: F401  (MicroPython: use the simulator's VfsLfs2 flash)

    _MP = True
except ImportError:
    _MP = False


def _flash_module():
    if not _MP:
        from talktoken.sim.vm import flash_cpy

        return flash_cpy
    for p in sys.path:
        if p.endswith("/build/mpy/tests"):
            root = p[: -len("/build/mpy/tests")]
            sim = root + "/host/talktoken/sim/vm"
            if sim not in sys.path:
                sys.path.append(sim)
    import flash_mp

    return flash_mp


flash = _flash_module()


def new_fs(blocks=64):
    """A freshly formatted RAM LittleFS image with the Pico's geometry and `blocks` blocks."""
    return flash.mkfs(None, blocks)


def remount(fs, format_if_bad=False):
    """'Reboot': a new file system object over the same image bytes (no reformat)."""
    data = fs.bdev.data if _MP else fs.bdev.buffer
    return flash.FlashFs(None, fs.bdev.blocks, data, format_if_bad)


def listing_from_headers(store):
    """The listing the store must give, read afresh from every session file's header (no
    index in RAM, no index file): what the index file is checked against."""
    import logfiles
    import logserve
    import sessindex

    ix = sessindex.SessIndex()
    for name in logfiles.names(store.fs):
        logserve.index_entry(store, ix, name)
    return [ix.entry(i) for i in range(ix.count())]


def from_image(data, blocks=64):
    """A file system over a copy of image bytes (format_if_bad off: a bad image raises)."""
    return flash.FlashFs(None, blocks, bytearray(data), False)


def image(fs, into=None):
    """The image's bytes; `into`: a bytearray of that size to copy them into (allocated before
    a long test fragments MicroPython's heap, which then has no free run that long)."""
    data = fs.bdev.data if _MP else fs.bdev.buffer
    if into is None:
        return bytes(data)
    into[:] = data
    return into


def read_file(fs, rel):
    with fs.open(rel, "rb") as f:
        return f.read()


class Driver:
    """Plays a scripted session into a store: steps of records at a tick, then service()."""

    def __init__(self, store, t0=0x3FFF0000):
        self.store = store
        self.t0 = t0
        self.sent = []  # the records as stored (an end before a start at once is implied)
        self.given = []  # every record handed to the store
        self.done = 0  # records in steps whose service() returned

    def step(self, t_ms, recs):
        first = len(self.sent)
        for r in recs:
            arg = r[3] if len(r) > 3 else 0
            self.store.record(r[0], r[1], r[2], t_ms, arg)
            seat = r[1] if r[0] != E.EV_EXTEND else 15
            self.given.append((r[0], seat, r[2], t_ms, arg))
            last = self.sent[-1] if len(self.sent) > first else None
            if r[0] == E.EV_TURN_START and last and last[0] == E.EV_TURN_END and last[2] == r[2]:
                self.sent.pop()  # stored form: the turn start implies that turn end
            self.sent.append((r[0], seat, r[2], t_ms, arg))
        self.store.service((self.t0 + t_ms) & 0x3FFFFFFF)
        self.done = len(self.sent)


def turns_script(turns, seats=8, phases=2, turn_ms=20000):
    """(t_ms, [records]) steps of a session: start, go-round turns, a pass or two, an extend,
    a pause, phase changes, and the end. Deterministic."""
    steps = [(0, [(E.EV_SESSION_START, 15, 0), (E.EV_PHASE_START, 15, 0)])]
    t = 500
    seat = 0
    phase = 0
    per_phase = max(1, turns // phases)
    steps.append((t, [(E.EV_TURN_START, seat, phase)]))
    for i in range(1, turns):
        t += turn_ms + (i * 7919) % 9000
        nxt = (seat + 1) % seats
        if i % per_phase == 0 and phase + 1 < phases:
            steps.append(
                (
                    t,
                    [
                        (E.EV_TURN_END, seat, phase),
                        (E.EV_PHASE_END, 15, phase),
                        (E.EV_PHASE_START, 15, phase + 1),
                        (E.EV_TURN_START, nxt, phase + 1),
                    ],
                )
            )
            phase += 1
        elif i % 37 == 0:
            steps.append((t, [(E.EV_PASS, seat, phase), (E.EV_TURN_START, nxt, phase)]))
        else:
            steps.append((t, [(E.EV_TURN_END, seat, phase), (E.EV_TURN_START, nxt, phase)]))
        if i % 97 == 0:
            t += 1000
            steps.append((t, [(E.EV_EXTEND, 15, phase, 2)]))
        if i % 151 == 0:
            t += 1000
            steps.append((t, [(E.EV_PAUSE, 15, phase)]))
            t += 150000
            steps.append((t, [(E.EV_RESUME, 15, phase)]))
        seat = nxt
    t += 5000
    steps.append(
        (
            t,
            [
                (E.EV_TURN_END, seat, phase),
                (E.EV_PHASE_END, 15, phase),
                (E.EV_SESSION_END, 15, phase),
            ],
        )
    )
    return steps


def with_checkpoints(steps, every_ms=60000):
    """Add the session's checkpoint records (nothing logged for 60 s) and 1-s idle loop steps."""
    out = []
    last = 0
    prev = 0
    for t, recs in steps:
        idle = prev + 1000
        while idle < t:
            if idle - last >= every_ms:
                out.append((idle, [(E.EV_CHECKPOINT, 15, recs[0][2])]))
                last = idle
            else:
                out.append((idle, []))
            idle += 1000
        out.append((t, recs))
        last = t
        prev = t
    return out


def Agenda(seats=8, minutes=(12, 78), name="Tuesday group"):
    """A real agenda.Agenda: alternating go-round and open phases of the given minutes."""
    return agenda.Agenda(
        name,
        seats,
        (0,),
        E.BAL_ON_DEMAND,
        tuple(
            agenda.Phase("Phase %d" % i, m, i % 2, 60 if i % 2 == 0 else 0, 60)
            for i, m in enumerate(minutes)
        ),
    )


HASH = "00112233aabbccdd"


def stored_session(turns=120, end=True):
    """(file bytes, Driver) of one session of `turns` turns written by the real LogStore on a
    fresh image; end=False leaves out its last step (the session end record)."""
    import logstore

    fs = new_fs()
    st = logstore.LogStore(fs, "e6614c311b7d2a35", "0.1.0")
    st.begin(Agenda(), 1767225600, HASH)
    d = Driver(st)
    steps = turns_script(turns)
    for t, recs in steps if end else steps[:-1]:
        d.step(t, recs)
    st.end()
    return read_file(fs, "tt/s00001.ttl"), d
