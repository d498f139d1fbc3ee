# Queued fetches: back-to-back fetch requests stream one after the other, one chunk per call.
import binascii
import json

import proto
from fwtest import eq
from protofake import FakeApp, sha_hex


def _blob(i, n):
    return bytes([(k * 7 + i) & 255 for k in range(n)])


def _collect(p, steps):
    lines = []
    chunks_per_call = []
    for i in range(steps):
        p.service(i)
        got = p.app.board.serial.take()
        chunks_per_call.append(len([x for x in got if b" chunk " in x]))
        lines += got
    return lines, chunks_per_call


def test_queued_fetches_stream_in_order_and_verify():
    files = {"s%05d.ttl" % i: _blob(i, proto.CHUNK + 100 * i) for i in range(1, 4)}
    p = proto.Proto(FakeApp(files))
    for rid, name in enumerate(sorted(files), 20):
        p.app.board.serial.feed(b'@%d fetch {"name":"%s"}\n' % (rid, name.encode()))
    lines, per_call = _collect(p, 20)
    eq(max(per_call), 1, "one chunk per service() call, queued or not")
    eq(p.busy, False)
    got = {}
    order = []
    for line in lines:
        parts = line.split(b" ", 4)
        rid = int(parts[0][3:])
        if parts[1] == b"chunk":
            raw = binascii.a2b_base64(parts[4])
            eq(int(parts[3], 16), binascii.crc32(raw) & 0xFFFFFFFF, "crc")
            eq(int(parts[2]), len(got.get(rid, b"")), "offset")
            got[rid] = got.get(rid, b"") + raw
        else:
            eq(parts[1], b"ok", line)
            order.append(rid)
            fin = json.loads(line.split(b" ", 2)[2])
            eq(fin["sha256"], sha_hex(got[rid]))
    eq(order, [20, 21, 22], "answered in request order")
    for rid, name in enumerate(sorted(files), 20):
        eq(got[rid], files[name])


def test_full_queue_is_refused_and_hello_clears_it():
    p = proto.Proto(FakeApp({"s00001.ttl": bytes(proto.CHUNK * 4)}))
    req = b"".join(
        b'@%d fetch {"name":"s00001.ttl"}\n' % rid for rid in range(1, proto.FETCH_QUEUE + 2)
    )
    p.app.board.serial.feed(req)
    for i in range(6):
        p.service(i)
    lines = p.app.board.serial.take()
    refused = [x for x in lines if b" err " in x]
    eq(len(refused), 1, "only the fetch beyond the queue is refused")
    eq(refused[0].split(b" ")[:3], [b"TT:%d" % (proto.FETCH_QUEUE + 1), b"err", b"toomany"])
    p.app.board.serial.feed(b"@99 hello {}\n")
    for i in range(4):
        p.service(10 + i)
    p.app.board.serial.take()
    eq(p.busy, False, "hello stops the stream and empties the queue")
