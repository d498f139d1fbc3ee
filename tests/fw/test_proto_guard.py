"""The protocol server never dies from a request, and never blocks on a host that does not read:
the delete-during-fetch rule, a file gone under a fetch, back-pressure and dropped events."""

import json

import events
import logstore
import proto
from fwtest import eq
from protofake import FakeApp, sha_hex, stored


def _finals(lines):
    """{id: [final reply lines]} of TT:<id> ok / err lines (chunks and events left out)."""
    out = {}
    for line in lines:
        parts = line.split(b" ")
        if parts[0] == b"TT:*" or len(parts) < 2 or parts[1] not in (b"ok", b"err"):
            continue
        rid = int(parts[0][3:])
        out.setdefault(rid, []).append(line)
    return out


def _run(p, steps):
    lines = []
    for i in range(steps):
        p.service(1000 + i)
        lines += p.app.board.serial.take()
    return lines


def test_fetch_at_its_end_then_delete_pipelined():
    blob = b"r" * 300
    p = proto.Proto(FakeApp({"s00001.ttl": blob}))
    sha = sha_hex(blob)
    p.app.board.serial.feed(
        b'@3 fetch {"name":"s00001.ttl","offset":300}\n'
        b'@4 delete {"name":"s00001.ttl","sha256":"%s"}\n' % sha.encode()
    )
    got = _finals(_run(p, 5))
    eq(sorted(got), [3, 4], "one final reply each")
    fin = json.loads(got[3][0].split(b" ", 2)[2])
    eq((fin["end"], fin["size"], fin["sha256"]), (300, 300, sha))
    assert got[4][0].startswith(b"TT:4 err busy "), got[4]
    eq(stored(p.app.store), ["s00001.ttl"], "nothing deleted under the fetch")
    p.app.board.serial.feed(b'@5 delete {"name":"s00001.ttl","sha256":"%s"}\n' % sha.encode())
    got = _finals(_run(p, 3))
    eq(got[5], [b'TT:5 ok {"deleted": "s00001.ttl"}'])
    eq(stored(p.app.store), [])


def test_delete_of_a_queued_fetch_is_refused_until_it_streamed():
    files = {"s00001.ttl": b"a" * 5000, "s00002.ttl": b"b" * 40}
    p = proto.Proto(FakeApp(files))
    sha = sha_hex(files["s00002.ttl"])
    p.app.board.serial.feed(
        b'@1 fetch {"name":"s00001.ttl"}\n@2 fetch {"name":"s00002.ttl"}\n'
        b'@3 delete {"name":"s00002.ttl","sha256":"%s"}\n' % sha.encode()
    )
    got = _finals(_run(p, 10))
    assert got[3][0].startswith(b"TT:3 err busy"), got[3]
    eq([len(got[1]), len(got[2])], [1, 1])
    assert got[2][0].startswith(b"TT:2 ok"), got[2]


def test_a_file_gone_under_its_fetch_ends_that_fetch_with_notfound():
    files = {"s00001.ttl": b"a" * (proto.CHUNK * 3), "s00002.ttl": b"b" * 10}
    p = proto.Proto(FakeApp(files))
    p.app.board.serial.feed(b'@1 fetch {"name":"s00001.ttl"}\n@2 fetch {"name":"s00002.ttl"}\n')
    lines = _run(p, 2)  # parsed, one chunk out
    eq(len([x for x in lines if b" chunk " in x]), 1)
    p.app.store.fs.remove(logstore.DIR + "/s00001.ttl")  # gone by another way than `delete`
    got = _finals(lines + _run(p, 6))
    assert got[1][0].startswith(b"TT:1 err notfound"), got[1]
    assert got[2][0].startswith(b"TT:2 ok"), got[2]  # the queued fetch still streams
    p.app.board.serial.feed(b"@3 info {}\n")
    assert _finals(_run(p, 2))[3][0].startswith(b"TT:3 ok"), "still serving"


class _BrokenStore:
    """A store whose every call raises an error the real one never raises (a bug)."""

    def __init__(self, real):
        self.real = real

    def index(self):
        return self.real.index()

    def read_chunk(self, name, offset, n, buf):
        raise ValueError("bug in read_chunk")

    def sha256(self, name):
        raise ValueError("bug in sha256")


def test_a_bug_in_streaming_costs_one_answer_not_the_loop():
    p = proto.Proto(FakeApp({"s00001.ttl": b"z" * 100}))
    p.app.store = _BrokenStore(p.app.store)
    p.app.board.serial.feed(b'@1 fetch {"name":"s00001.ttl"}\n@2 hash {"name":"s00001.ttl"}\n')
    got = _finals(_run(p, 4))
    assert got[1][0].startswith(b"TT:1 err internal ValueError"), got[1]
    assert got[2][0].startswith(b"TT:2 err internal ValueError"), got[2]


class _Port:
    """A host holding the port: it takes `room` bytes, then nothing until more room is given."""

    def __init__(self, serial):
        self.s = serial
        self.room = 0

    def __getattr__(self, name):
        return getattr(self.s, name)

    def write(self, data, start=0):
        n = len(data) - start
        if n > self.room:
            n = self.room
        self.room -= n
        self.s.out.extend(data[start : start + n])
        return n


def test_stuck_reader_drops_events_counted_and_pauses_fetch():
    files = {"s00001.ttl": bytes(range(256)) * 40}  # 10,240 bytes: 5 chunks
    p = proto.Proto(FakeApp(files))
    port = _Port(p.app.board.serial)
    p.app.board.serial = port
    port.room = 1 << 20
    port.feed(b'@1 watch {"on":true}\n')
    _run(p, 1)
    port.room = 0  # the host stops reading
    port.feed(b'@2 fetch {"name":"s00001.ttl"}\n@3 info {}\n')
    for i in range(400):
        p.on_event(events.EV_TURN_START, i % 8, 0, 1000 * i, 0)
        p.service(2000 + i)
        assert p._out_n <= proto.OUT_MAX + 3000, p._out_n  # bounded: no more than one chunk more
    assert p.dropped > 300, p.dropped
    assert not p.busy, "the app sleeps instead of spinning on a full port"
    eq(p._f_off, 0, "no chunk made while nothing is read")
    port.room = 1 << 20  # the host reads again
    p.on_event(events.EV_PASS, 2, 0, 999999, 0)
    lines = p.app.board.serial.take() + _run(p, 20)
    evs = [json.loads(x.split(b" ", 2)[2]) for x in lines if x.startswith(b"TT:* ev ")]
    eq(evs[-1]["ev"], "pass")
    eq(evs[-1]["dropped"], 400 - (len(evs) - 1), "the count of events lost before it")
    got = _finals(lines)
    eq([len(got[2]), len(got[3])], [1, 1], "every request answered once")
    fin = json.loads(got[2][0].split(b" ", 2)[2])
    eq((fin["size"], fin["sha256"]), (10240, sha_hex(files["s00001.ttl"])))
