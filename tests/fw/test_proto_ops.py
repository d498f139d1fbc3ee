"""Protocol ops against a fake app and a real LogStore: info, clock, agenda, fetch, delete."""

import binascii
import hashlib
import json

import agenda
import events
import proto
from fwtest import eq
from protofake import FakeApp, sha_hex, stored


def _req(p, line, steps=200):
    p.app.board.serial.feed(line + b"\n")
    out = []
    for i in range(steps):
        p.service(1000 + i)
        out += p.app.board.serial.take()
        if out and b" chunk " not in out[-1] and not out[-1].startswith(b"TT:*"):
            break
    return out


def _ok(p, line):
    out = _req(p, line)
    eq(len(out), 1, line)
    head = out[0].split(b" ", 2)
    eq(head[1], b"ok", out[0])
    return json.loads(head[2])


def _new(files=None):
    return proto.Proto(FakeApp(files))


def test_info_fields():
    p = _new({"s00001.ttl": b"abc"})
    info = _ok(p, b"@1 info {}")
    eq(info["state"], "ready")
    eq(info["sessions"], 1)
    eq(info["used"], 3)
    eq(info["agenda"]["hash"], agenda.digest(agenda.default()))
    eq(info["clock_set"], False)
    eq(info["fs_id"], p.app.store.fs_id)
    eq(len(info["fs_id"]), 16)


def test_clock_set_and_bad_epochs():
    p = _new()
    got = _ok(p, b'@2 clock_set {"epoch":1760000000}')
    eq(got["clock"], 1760000000)
    eq(p.app.clock_set, True)
    for bad in (b'"1760000000"', b"true", b"1.5e9", b"12", b"99999999999999999999999", b"null"):
        out = _req(p, b'@3 clock_set {"epoch":' + bad + b"}")
        assert out[0].startswith(b"TT:3 err args"), (bad, out)
    eq(p.app.board.clock, 1760000000)


def test_agenda_roundtrip_and_rejection_keeps_old():
    p = _new()
    got = _ok(p, b"@4 agenda_get {}")
    eq(got["agenda"], agenda.default().to_dict())
    d = agenda.default().to_dict()
    d["name"] = "Tuesday"
    d["seats"] = 6
    got = _ok(p, b"@5 agenda_set " + json.dumps({"agenda": d}).encode())
    eq(got["hash"], agenda.digest(agenda.parse(d)))
    eq(p.app.agenda.name, "Tuesday")
    bad = dict(d)
    bad["seats"] = 40
    bad["minuts"] = 3
    out = _req(p, b"@6 agenda_set " + json.dumps({"agenda": bad}).encode())
    assert out[0].startswith(b"TT:6 err agenda "), out
    probs = json.loads(out[0].split(b" ", 3)[3])["problems"]
    fields = [f for f, r in probs]
    assert "seats" in fields and "minuts" in fields, fields
    eq(p.app.agenda.name, "Tuesday", "agenda unchanged")


def test_agenda_set_refused_while_running():
    p = _new()
    p.app.session.state = events.ST_RUNNING
    d = agenda.default().to_dict()
    d["name"] = "Other"
    out = _req(p, b"@7 agenda_set " + json.dumps({"agenda": d}).encode())
    assert out[0].startswith(b"TT:7 err busy"), out
    eq(p.app.agenda.name, agenda.default().name)


def _fetch(p, rid, name, offset=0, length=-1):
    req = '@%d fetch {"name":"%s","offset":%d,"length":%d}' % (rid, name, offset, length)
    out = _req(p, req.encode(), steps=2000)
    data = bytearray()
    for line in out[:-1]:
        parts = line.split(b" ")
        eq(parts[1], b"chunk")
        off = int(parts[2])
        raw = binascii.a2b_base64(parts[4])
        eq(off, offset + len(data), "chunk offset")
        eq(int(parts[3], 16), binascii.crc32(raw) & 0xFFFFFFFF, "crc")
        data.extend(raw)
    return bytes(data), out[-1]


def test_fetch_streams_one_chunk_per_service_and_hashes():
    blob = bytes([(i * 7) & 255 for i in range(5000)])
    p = _new({"s00002.ttl": blob})
    data, last = _fetch(p, 8, "s00002.ttl")
    eq(data, blob)
    fin = json.loads(last.split(b" ", 2)[2])
    eq(fin["size"], 5000)
    eq(fin["sha256"], sha_hex(blob))
    # A partial range, then the hash still covers the whole file.
    data, last = _fetch(p, 9, "s00002.ttl", 1000, 700)
    eq(data, blob[1000:1700])
    eq(json.loads(last.split(b" ", 2)[2])["sha256"], sha_hex(blob))


def test_fetch_one_chunk_per_call():
    p = _new({"s00001.ttl": bytes(proto.CHUNK * 3)})
    p.app.board.serial.feed(b'@10 fetch {"name":"s00001.ttl"}\n')
    p.service(0)  # request parsed
    eq(p.app.board.serial.take(), [])
    counts = []
    oks = 0
    for i in range(4):
        p.service(i)
        lines = p.app.board.serial.take()
        counts.append(len([x for x in lines if b" chunk " in x]))
        oks += len([x for x in lines if x.startswith(b"TT:10 ok")])
    eq(counts, [1, 1, 1, 0])  # one chunk per call; the final ok comes with the last chunk
    eq(oks, 1)
    eq(p.busy, False)


def test_fetch_errors():
    p = _new({"s00001.ttl": b"x"})
    for req, code in (
        (b'@11 fetch {"name":"nope.ttl"}', b"notfound"),
        (b'@12 fetch {"name":"../etc"}', b"args"),
        (b'@13 fetch {"name":"/s00001.ttl"}', b"args"),
        (b'@14 fetch {"name":5}', b"args"),
        (b'@15 fetch {"name":"s00001.ttl","offset":-1}', b"args"),
        (b'@16 fetch {"name":"s00001.ttl","length":true}', b"args"),
        (b"@17 fetch {}", b"args"),
    ):
        out = _req(p, req)
        eq(out[0].split(b" ")[1:3], [b"err", code], req)


def test_delete_only_with_matching_hash():
    p = _new({"s00001.ttl": b"hello", "s00002.ttl": b"world"})
    out = _req(p, b'@18 delete {"name":"s00001.ttl","sha256":"%s"}' % (b"0" * 64))
    assert out[0].startswith(b"TT:18 err hash"), out
    assert "s00001.ttl" in stored(p.app.store)
    got = _ok(p, b'@19 delete {"name":"s00001.ttl","sha256":"%s"}' % sha_hex(b"hello").encode())
    eq(got["deleted"], "s00001.ttl")
    eq(stored(p.app.store), ["s00002.ttl"])
    out = _req(p, b'@20 delete {"name":"s00002.ttl","sha256":"abc"}')
    assert out[0].startswith(b"TT:20 err args"), out


def test_sessions_list():
    p = _new({"s00001.ttl": b"12", "s00002.ttl": b"345"})
    got = _ok(p, b"@21 sessions {}")
    eq([(s["name"], s["size"]) for s in got["sessions"]], [("s00001.ttl", 2), ("s00002.ttl", 3)])


def test_watch_events():
    p = _new()
    p.on_event(events.EV_TURN_START, 3, 0, 1234, 0)
    eq(p.app.board.serial.take(), [], "nothing before watch")
    _ok(p, b'@22 watch {"on":true}')
    p.on_event(events.EV_TURN_START, 3, 1, 1234, 0)
    p.on_event(events.EV_CHECKPOINT, 15, 1, 2000, 0)
    p.on_event(events.EV_PAUSE, events.NO_SEAT, 1, 3000, 0)
    lines = p.app.board.serial.take()
    eq(len(lines), 2)
    ev = json.loads(lines[0].split(b" ", 2)[2])
    eq(ev, {"ev": "turn_start", "seat": 3, "phase": 1, "t": 1234, "arg": 0})
    eq(json.loads(lines[1].split(b" ", 2)[2])["seat"], -1)
    _ok(p, b'@23 watch {"on":false}')
    p.on_event(events.EV_TURN_START, 3, 1, 1234, 0)
    eq(p.app.board.serial.take(), [])


def test_state_and_prepare_update():
    p = _new()
    st = _ok(p, b"@24 state {}")
    eq(st["state"], "ready")
    eq(len(st["talk_ms"]), 8)
    p.app.board.serial.interrupt = False
    got = _ok(p, b"@25 prepare_update {}")
    eq(got["interrupt"], True)
    eq(p.app.board.serial.interrupt, True)
    eq(p.app.store.flushed, 1)
    eq(p.app.session.checkpoints, 1)


def test_sha_helper_matches_hashlib():
    eq(sha_hex(b""), str(binascii.hexlify(hashlib.sha256(b"").digest()), "ascii"))
