"""Stateful protocol fuzzing rig (both VMs): a host-connected App and its twin with no host.

The rig sends requests (valid and not, pipelined, cut, old ids replayed) to an App with the real
LogStore on LittleFS while a session runs; the twin gets the same gestures at the same ticks and
no host. check() holds the invariants: the loop never raised or caught a fault; every
well-framed request got exactly one final reply (a fetch that a later `hello` stopped: at most
one); no stored session file changed except by a verified delete; the session's tallies equal
the twin's. tests/test_proto_fuzz.py drives it with Hypothesis; tests/fw/test_proto_fuzz.py
replays seeded sequences in both VMs; tools/bench_proto.py runs many.
"""

import binascii
import hashlib
import json

import agenda
import controls
import logfiles
import logfs_helper
import logstore
import preload
from app import App
from coretest import FakeBoard
from events import ST_PAUSED, ST_RUNNING

T0 = 1 << 29
BLOCKS = 32
GESTURES = (
    controls.G_KNOB_SHORT,
    controls.G_KNOB_LONG,
    controls.G_PHASE_SHORT,
    controls.G_PHASE_LONG,
    controls.G_HOLD_SHORT,
    controls.G_TURN,
    controls.G_PHASE_TURN,
)
_TALLIES = ("state", "phase", "speaker", "extend_min", "round_first", "silence_ms")


def sha_hex(data):
    return str(binascii.hexlify(hashlib.sha256(data).digest()), "ascii")


def base_image():
    """Image bytes of a LittleFS holding three finished sessions (5, 40 and 400 turns)."""
    out = bytearray(BLOCKS * 4096)  # while the heap is whole (see logfs_helper.image)
    fs = logfs_helper.new_fs(BLOCKS)
    store = logstore.LogStore(fs, "e6614c311b7d2a35", "0.1.0")
    for i, turns in enumerate((5, 40, 400)):
        store.begin(agenda.default(), 1700000000 + i * 7200)
        drv = logfs_helper.Driver(store)
        for t, recs in logfs_helper.turns_script(turns):
            drv.step(t, recs)
        store.end()
    return logfs_helper.image(fs, out)


def _fs_of(image):
    return logfs_helper.flash.FlashFs(None, BLOCKS, bytearray(image), False)


def _read(fs, name):
    with fs.open(logfiles.DIR + "/" + name, "rb") as f:
        return f.read()


class Violation(Exception):
    """An invariant did not hold."""


class Rig:
    def __init__(self, image):
        self.b = FakeBoard(T0, _fs_of(image))
        self.tb = FakeBoard(T0, _fs_of(image))
        a = agenda.default()
        self.app = App(
            self.b,
            store=logstore.LogStore(self.b.fs, "e6614c311b7d2a35", "0.1.0"),
            protocol_factory=preload.PROTO,
            agenda_obj=a,
        )
        self.twin = App(
            self.tb,
            store=logstore.LogStore(self.tb.fs, "e6614c311b7d2a35", "0.1.0"),
            agenda_obj=a,
        )
        self.next_id = 1
        self.used = []  # request ids sent so far (for replays)
        self.expected = {}  # rid -> final replies expected
        self.maybe = {}  # rid -> of which a later hello may have stopped (fetches)
        self.got = {}  # rid -> final replies seen
        self.open_fetches = []  # fetch ids sent and not answered yet
        self.good_deletes = set()  # names a delete with the right SHA-256 was sent for
        self.deleted = set()  # names a delete answered ok for
        self.files = {}  # finished session name -> (size, sha256)
        self.rest = b""  # unread part of the device's output
        self.pending_cut = b""  # bytes sent without their newline yet
        self.sent = 0
        self.replies = 0
        self._note_files()

    # -- the model's state, drawn from by the rules ---------------------------------------
    def names(self):
        """Stored session names the model knows (finished ones, then the open one)."""
        out = sorted(self.files)
        if self.app.store.name is not None:
            out.append(self.app.store.name)
        return out

    def size_of(self, name):
        if name in self.files:
            return self.files[name][0]
        return max(self.app.store.size(name), 0)

    def sha_of(self, name):
        if name in self.files:
            return self.files[name][1]
        return "0" * 64

    def _note_files(self):
        """Record finished session files the model has not seen yet (a session just ended)."""
        fs = self.b.fs
        for name in logfiles.names(fs):
            if name not in self.files and name != self.app.store.name:
                data = _read(fs, name)
                self.files[name] = (len(data), sha_hex(data))

    # -- sending ----------------------------------------------------------------------------
    def new_id(self, replay=-1):
        """A fresh request id, or (replay >= 0) an id used before."""
        if replay >= 0 and self.used:
            return self.used[replay % len(self.used)]
        rid = self.next_id
        self.next_id += 1
        return rid

    def line(self, rid, op, args):
        if args is None:
            return b"@%d %s" % (rid, op.encode())
        return b"@%d %s %s" % (rid, op.encode(), json.dumps(args).encode())

    def expect(self, rid, op, args):
        """Account for a well-framed request about to be sent."""
        self.used.append(rid)
        self.expected[rid] = self.expected.get(rid, 0) + 1
        self.sent += 1
        if op == "hello":
            for f in self.open_fetches:
                self.maybe[f] = self.maybe.get(f, 0) + 1
            self.open_fetches = []
        elif op == "fetch":
            self.open_fetches.append(rid)
        elif op == "delete" and type(args) is dict:
            name = args.get("name")
            if name in self.files and args.get("sha256") == self.files[name][1]:
                self.good_deletes.add(name)

    def send(self, data):
        if self.pending_cut:  # the rest of a split line goes first: lines never interleave
            data = self.pending_cut + data
            self.pending_cut = b""
        self.b.serial.feed(data)

    def request(self, op, args, rid=None, cut=-1):
        """Send one request line (cut >= 0: only its first bytes, then a newline)."""
        if rid is None:
            rid = self.new_id()
        raw = self.line(rid, op, args)
        if cut >= 0:
            keep = len(b"@%d " % rid) + cut
            raw = raw[:keep]
            op_text = raw[len(b"@%d " % rid) :].split(b" ")[0]
            if op_text == b"hello":
                op = "hello"
        self.expect(rid, op, args)
        self.send(raw + b"\n")
        return rid

    def pipelined(self, reqs):
        """Several requests in one write: (op, args) pairs."""
        data = b""
        for op, args in reqs:
            rid = self.new_id()
            self.expect(rid, op, args)
            data += self.line(rid, op, args) + b"\n"
        self.send(data)

    def split(self, op, args, at):
        """One request written in two parts; the second with the next step."""
        rid = self.new_id()
        raw = self.line(rid, op, args) + b"\n"
        at = at % len(raw)
        self.expect(rid, op, args)
        self.send(raw[:at])
        self.pending_cut = raw[at:]  # sent with the next step, or before the next bytes

    def garbage(self, data):
        """Bytes that frame no request (no id): never answered."""
        self.send(b"\n" + data.replace(b"\n", b" ").replace(b"@", b"#") + b"\n")

    def too_long(self):
        rid = self.new_id()
        self.expect(rid, "info", {})
        self.send(b"@%d info {" % rid + b'"x":"' + b"y" * 1100 + b'"}\n')

    def gesture(self, g, arg=0):
        self.app.queue.push(g, arg)
        self.twin.queue.push(g, arg)

    # -- time -------------------------------------------------------------------------------
    def advance(self, ms):
        for _ in range(ms // 10):
            self.b.t = (self.b.t + 10) & 0x3FFFFFFF
            self.tb.t = self.b.t
            self.app.step(self.b.t)
            if self.app.agenda is not self.twin.agenda:
                self.twin.set_agenda(self.app.agenda)  # a host's agenda_set, at the same tick
            self.twin.step(self.tb.t)
            if self.pending_cut:
                self.send(b"")
            self._read_output()
        self._note_files()

    def _read_output(self):
        out = self.b.serial.out
        if not out:
            return
        data = self.rest + b"".join(out)
        del out[:]
        lines = data.split(b"\n")
        self.rest = lines[-1]
        for line in lines[:-1]:
            self._on_line(line)

    def _on_line(self, line):
        if not line.startswith(b"TT:") or line.startswith(b"TT:*"):
            return
        parts = line.split(b" ", 2)
        if len(parts) < 2 or parts[1] not in (b"ok", b"err"):
            return
        rid = int(parts[0][3:])
        if rid not in self.expected:
            raise Violation("a reply to id %d, never sent: %r" % (rid, line[:120]))
        self.got[rid] = self.got.get(rid, 0) + 1
        self.replies += 1
        if rid in self.open_fetches and self.got[rid] >= self.expected[rid]:
            # Only then is that fetch surely over: a request that reused the id of a fetch
            # still streaming is answered in between, and a later hello may stop the fetch.
            self.open_fetches.remove(rid)
        if parts[1] == b"ok" and parts[2].startswith(b'{"deleted"'):
            name = json.loads(parts[2])["deleted"]
            if name not in self.good_deletes:
                raise Violation("deleted %s without its SHA-256 being sent" % name)
            self.deleted.add(name)

    def settle(self, limit=3000):
        """Run the loop until every request had its chance to be answered."""
        for _ in range(limit // 10):
            p = self.app.proto
            if p is not None and not p.busy and not p._out and not self.pending_cut:
                if self.b.serial.at >= len(self.b.serial.inbox) and not p.reader.n:
                    break
            self.advance(10)
        self.advance(20)

    # -- invariants -------------------------------------------------------------------------
    def check(self, settled=False):
        app = self.app
        if app.proto_faults or (app.proto is not None and app.proto.faults):
            raise Violation("the protocol raised out of its guard")
        if app.load_error is not None:
            raise Violation("the protocol did not load: %s" % app.load_error)
        fs = self.b.fs
        stored = logfiles.names(fs)
        for name in self.files:
            if name in self.deleted:
                if name in stored:
                    raise Violation("%s answered deleted but is still stored" % name)
                continue
            if name not in stored:
                raise Violation("%s vanished without a verified delete" % name)
            data = _read(fs, name)
            if (len(data), sha_hex(data)) != self.files[name]:
                raise Violation("%s changed on the flash" % name)
        s, t = app.session, self.twin.session
        for key in _TALLIES:
            if getattr(s, key) != getattr(t, key):
                raise Violation("session %s differs from the twin's" % key)
        for key in ("seat_talk_ms", "seat_turns", "seat_passes", "seat_over"):
            if list(getattr(s, key)) != list(getattr(t, key)):
                raise Violation("session %s differs from the twin's" % key)
        if settled:
            for rid in self.expected:
                want = self.expected[rid]
                have = self.got.get(rid, 0)
                if have > want or have < want - self.maybe.get(rid, 0):
                    raise Violation("id %d: %d final replies, %d expected" % (rid, have, want))

    def running(self):
        st = self.app.session.state
        return st == ST_RUNNING or st == ST_PAUSED


def play(rig, rnd, actions=12):
    """One random sequence of actions on rig, drawing names, sizes, offsets and hashes from
    the rig's own state; rnd(n) returns an int in 0..n-1. Checks after each, settles at the
    end and checks every reply."""
    for _ in range(actions):
        step(rig, rnd)
        rig.check()
    rig.settle()
    rig.check(settled=True)


def _fetch_args(rig, rnd):
    names = rig.names()
    name = names[rnd(len(names))] if names and rnd(8) else "s%05d.ttl" % rnd(9)
    size = rig.size_of(name)
    offset = (0, size, size - 1, size + 1, rnd(size + 2), 0)[rnd(6)]
    args = {"name": name}
    if offset or rnd(2):
        args["offset"] = offset if offset >= 0 else 0
    if rnd(3) == 0:
        args["length"] = (-1, 0, 1, 2048, 2049, rnd(size + 2))[rnd(6)]
    return args


def _delete_args(rig, rnd):
    names = rig.names()
    name = names[rnd(len(names))] if names else "s00001.ttl"
    sha = rig.sha_of(name) if rnd(4) else "ab" * 32
    return {"name": name, "sha256": sha}


def request_of(rig, rnd):
    """(op, args) of a random request drawn from the rig's state."""
    k = rnd(16)
    if k < 4:
        return "fetch", _fetch_args(rig, rnd)
    if k < 6:
        names = rig.names()
        return "hash", {"name": names[rnd(len(names))] if names else "s00009.ttl"}
    if k < 8:
        return "delete", _delete_args(rig, rnd)
    if k == 8:
        return "sessions", {"start": rnd(5), "count": 1 + rnd(4)}
    if k == 9:
        d = agenda.default().to_dict()
        if rnd(2):
            d["seats"] = 4 + rnd(6)
        else:
            d["seats"] = 99  # invalid
        return "agenda_set", {"agenda": d}
    if k == 10:
        return "clock_set", {"epoch": (1760000000, 12, "x")[rnd(3)]}
    if k == 11:
        return "watch", {"on": bool(rnd(2))}
    if k == 12:
        return "hello", {"proto": 1}
    if k == 13:
        return "info", {}
    if k == 14:
        return "state", {}
    return ("nope", "fetch", "delete")[rnd(3)], {"bad": [1, {"x": None}]}


def step(rig, rnd):
    """One action: a request (plain, replayed id, cut, split), pipelined requests, garbage,
    a gesture, or time passing."""
    k = rnd(12)
    if k < 3:
        op, args = request_of(rig, rnd)
        rig.request(op, args)
    elif k == 3:
        op, args = request_of(rig, rnd)
        rig.request(op, args, rid=rig.new_id(rnd(64)))
    elif k == 4:
        op, args = request_of(rig, rnd)
        rig.request(op, args, cut=rnd(40))
    elif k == 5:
        op, args = request_of(rig, rnd)
        rig.split(op, args, 1 + rnd(60))
    elif k == 6:
        rig.pipelined([request_of(rig, rnd) for _ in range(1 + rnd(5))])
    elif k == 7:
        if rnd(2):
            rig.garbage(b"hello world " + b"%d" % rnd(1000))
        else:
            rig.too_long()
    elif k < 10:
        g = GESTURES[rnd(len(GESTURES))]
        arg = (1 + rnd(7)) * (1 if rnd(2) else -1) if g >= controls.G_TURN else 0
        rig.gesture(g, arg)
        rig.advance(10 * (1 + rnd(10)))
    else:
        rig.advance(10 * (1 + rnd(300)))
