# Between loop iterations the app serves a busy protocol instead of sleeping; deadlines stay.
import binascii
import hashlib
import json

import agenda
import events as E
import logstore
import proto
from app import LOOP_MS, App
from clockmath import ticks_add, ticks_diff
from coretest import FakeBoard
from fwtest import eq
from logfs_helper import HASH, Agenda, new_fs, read_file


class _Stop(Exception):
    pass


class _Board(FakeBoard):
    """Each loop's work takes 2 ms, each protocol service 1 ms; stops after `limit` loops."""

    def __init__(self, fs, limit):
        FakeBoard.__init__(self, (1 << 30) - 300, fs)
        self.limit = limit

    def show(self, frame):
        FakeBoard.show(self, frame)
        self.t = ticks_add(self.t, 2)

    def feed_watchdog(self):
        FakeBoard.feed_watchdog(self)
        if self.shows >= self.limit:
            raise _Stop()


def _long_session(store, records):
    store.begin(Agenda(), 1767225600, HASH)
    t = 0
    store.record(E.EV_SESSION_START, 15, 0, 0)
    for i in range(records):
        t += 700
        store.record(E.EV_TURN_START, i % 8, 0, t)
        store.service(t)
    store.record(E.EV_SESSION_END, 15, 0, t + 10)
    store.end()


def _run(limit, request):
    fs = new_fs()  # LittleFS, as on the Pico
    b = _Board(fs, limit)
    store = logstore.LogStore(fs, b.unique_id(), "0.1.0")
    _long_session(store, 5000)  # about 30 KB: 15 chunks
    app = App(b, store=store, protocol_factory=proto.Proto, agenda_obj=agenda.default())
    serve = app.proto_service_times = []
    seen = []
    step = app.step

    def spy(now):
        seen.append(now)
        step(now)
        if app.proto is not None and not hasattr(app.proto, "_spied"):
            p = app.proto
            inner = p.service

            def counted(now):
                serve.append(now)
                inner(now)
                b.t = ticks_add(b.t, 1)

            p.service = counted
            p._spied = True

    app.step = spy
    b.serial.feed(request)
    try:
        app.run()
    except _Stop:
        pass
    return app, b, fs, seen


def _replies(b):
    return [line for line in b.serial.replies() if line.startswith(b"TT:")]


def test_a_fetch_streams_between_loops_not_one_chunk_a_loop():
    app, b, fs, seen = _run(6, b'@5 fetch {"name":"s00001.ttl"}\n')
    raw = read_file(fs, "tt/s00001.ttl")
    chunks = -(-len(raw) // proto.CHUNK)
    assert chunks > 10, "the file spans many chunks"
    lines = _replies(b)
    got = bytearray()
    for line in lines[:-1]:
        parts = line.split(b" ")
        eq(parts[1], b"chunk")
        eq(int(parts[2]), len(got), "chunks in order")
        got += binascii.a2b_base64(parts[4])
    eq(lines[-1].split(b" ")[1], b"ok", "the fetch finished within %d loops" % len(seen))
    ok = json.loads(lines[-1].split(b" ", 2)[2])
    eq(bytes(got), bytes(raw), "the whole file")
    eq(ok["sha256"], binascii.hexlify(hashlib.sha256(bytes(raw)).digest()).decode())
    assert len(seen) < chunks, "%d chunks in %d loops" % (chunks, len(seen))
    for i in range(1, len(seen)):
        eq(ticks_diff(seen[i], seen[i - 1]), LOOP_MS, "loop %d keeps its deadline" % i)
    assert len(app.proto_service_times) > len(seen), "the protocol was served between loops"
    for now in app.proto_service_times:
        assert any(0 <= ticks_diff(now, s) < LOOP_MS for s in seen), "served inside a period"


def test_a_quiet_protocol_is_not_spun():
    app, b, fs, seen = _run(20, b"@1 info {}\n")
    eq(len(seen), 20)
    eq(_replies(b)[0].split(b" ")[:2], [b"TT:1", b"ok"])
    eq(len(app.proto_service_times), 19, "one service a loop (the first, uncounted, loaded it)")
