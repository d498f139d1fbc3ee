# Log store on a real LittleFS (VfsLfs2 in MicroPython, littlefs-python in CPython).
import binascii
import hashlib

import events as E
import logfmt
import logstore
from fwtest import eq, raises
from logfs_helper import HASH, Agenda, Driver, new_fs, read_file, remount, turns_script


def _store(fs):
    return logstore.LogStore(fs, "e6614c311b7d2a35", "0.1.0")


def _run(store, turns=20, end=True):
    d = Driver(store)
    store.begin(Agenda(), 1767225600, HASH)
    steps = turns_script(turns)
    if not end:
        steps = steps[:-1]
    for t, recs in steps:
        d.step(t, recs)
    if end:
        store.end()
    return d


def test_begin_record_end_read_back():
    fs = new_fs()
    st = _store(fs)
    d = _run(st, 30)
    names = [e["name"] for e in st.sessions()]
    eq(names, ["s00001.ttl"], "names")
    raw = read_file(fs, "tt/s00001.ttl")
    h, recs, problems, torn = logfmt.decode(raw)
    eq(problems, [], "problems")
    eq(recs, d.sent, "records")
    eq(h["device_id"], binascii.unhexlify("e6614c311b7d2a35"), "device id")
    eq(h["firmware"], (0, 1, 0), "fw")
    e = st.sessions()[0]
    eq(e["complete"], True, "complete")
    eq(e["size"], len(raw), "size")
    eq(e["id"], binascii.hexlify(h["session_id"]).decode(), "id")
    eq(e["started_at"], 1767225600, "wall")
    eq(st.sha256("s00001.ttl"), binascii.hexlify(hashlib.sha256(raw).digest()).decode(), "sha")
    buf = bytearray(64)
    eq(st.read_chunk("s00001.ttl", 10, 50, buf), 50, "chunk")
    eq(bytes(buf[:50]), raw[10:60], "chunk bytes")


def test_one_flush_per_turn():
    fs = new_fs()
    st = _store(fs)
    st.begin(Agenda(), 0, HASH)
    d = Driver(st)
    d.step(0, [(E.EV_SESSION_START, 15, 0), (E.EV_PHASE_START, 15, 0)])
    d.step(100, [(E.EV_TURN_START, 0, 0)])
    base = st.flushes
    for i in range(1, 41):
        d.step(100 + i * 15000, [(E.EV_TURN_END, (i - 1) % 8, 0), (E.EV_TURN_START, i % 8, 0)])
        for k in range(1, 14):  # the loop keeps calling service() during the turn
            st.service((d.t0 + 100 + i * 15000 + k * 1000) & 0x3FFFFFFF)
    eq(st.flushes - base, 40, "flushes for 40 turns")


def test_turn_end_waits_for_next_boundary_but_not_past_60s():
    fs = new_fs()
    st = _store(fs)
    st.begin(Agenda(), 0, HASH)
    d = Driver(st)
    d.step(0, [(E.EV_SESSION_START, 15, 0), (E.EV_PHASE_START, 15, 0), (E.EV_TURN_START, 1, 0)])
    f0 = st.flushes
    d.step(5000, [(E.EV_TURN_END, 1, 0)])  # floor opened: no flush yet
    eq(st.flushes, f0, "deferred")
    st.service((d.t0 + 54000) & 0x3FFFFFFF)
    eq(st.flushes, f0, "still within 60 s of the last flush")
    st.service((d.t0 + 60001) & 0x3FFFFFFF)
    st.service((d.t0 + 66000) & 0x3FFFFFFF)
    eq(st.flushes, f0 + 1, "flushed after 60 s")


def test_flash_full_refuses_new_session_old_ones_intact():
    fs = new_fs(48)
    st = _store(fs)
    _run(st, 20)
    _run(st, 20)
    old = [read_file(fs, "tt/" + n) for n in ("s00001.ttl", "s00002.ttl")]
    with fs.open("filler", "wb") as f:
        chunk = bytes(4096)
        try:
            while True:
                f.write(chunk)
                f.flush()
        except OSError:
            pass
    exc = raises(logstore.StorageFull, st.begin, Agenda(), 0, HASH)
    assert "KB" in str(exc) or "full" in str(exc), str(exc)
    eq([e["name"] for e in st.sessions()], ["s00001.ttl", "s00002.ttl"], "no new file")
    eq([read_file(fs, "tt/" + n) for n in ("s00001.ttl", "s00002.ttl")], old, "intact")
    eq([read_file(remount(fs), "tt/" + n) for n in ("s00001.ttl", "s00002.ttl")], old, "remount")


def test_flash_fills_mid_session_records_kept_in_ram():
    fs = new_fs(48)
    st = _store(fs)
    first = _run(st, 10)
    old = read_file(fs, "tt/s00001.ttl")
    d = Driver(st)
    st.begin(Agenda(minutes=(5, 5)), 0, HASH)
    steps = turns_script(200)
    for t, recs in steps[:20]:
        d.step(t, recs)
    # something else fills the flash (a test only: the device writes nothing else)
    f = fs.open("filler", "wb")
    try:
        while True:
            f.write(bytes(4096))
            f.flush()
    except OSError:
        pass
    f.close()
    k = 20
    while st.error == 0 and k < len(steps) - 1:
        d.step(*steps[k])
        k += 1
    eq(st.error, logstore.ERR_FULL, "flag raised")
    for t, recs in steps[k : k + 5]:
        d.step(t, recs)
    eq(read_file(fs, "tt/s00001.ttl"), old, "old session intact")
    fs.remove("filler")
    for t, recs in steps[k + 5 :]:
        d.step(t + 20000, recs)
    assert st.end()
    h, recs, problems, torn = logfmt.decode(read_file(fs, "tt/s00002.ttl"))
    eq(problems, [], "problems")
    eq(len(recs), len(d.sent), "nothing lost")
    eq(st.error, 0, "flag cleared")
    del first


def test_delete_needs_the_right_hash():
    fs = new_fs()
    st = _store(fs)
    _run(st, 5)
    _run(st, 5)
    raw = read_file(fs, "tt/s00001.ttl")
    good = binascii.hexlify(hashlib.sha256(raw).digest()).decode()
    eq(st.delete("s00001.ttl", "0" * 64), False, "wrong hash")
    eq(st.delete("s00001.ttl", good[:-1] + ("0" if good[-1] != "0" else "1")), False, "near")
    eq(st.delete("../fsid", good), False, "bad name")
    eq(read_file(fs, "tt/s00001.ttl"), raw, "still there")
    eq(st.delete("s00001.ttl", good.upper()), True, "right hash")
    eq([e["name"] for e in st.sessions()], ["s00002.ttl"], "gone")
    _run(st, 3)
    eq([e["name"] for e in st.sessions()], ["s00002.ttl", "s00003.ttl"], "names never reused")


def test_cannot_delete_the_open_session():
    fs = new_fs()
    st = _store(fs)
    _run(st, 5, end=False)
    sha = st.sha256(st.name)
    eq(st.delete(st.name, sha), False, "open session")


def test_reformat_changes_the_marker():
    fs = new_fs()
    st = _store(fs)
    assert st.fresh
    fid = st.fs_id
    eq(len(fid), 16, "fs id")
    st2 = _store(remount(fs))
    eq(st2.fs_id, fid, "same after reboot")
    eq(st2.fresh, False, "not fresh")
    img = fs.bdev.data if hasattr(fs.bdev, "data") else fs.bdev.buffer
    for i in range(len(img) // 2):  # corrupt the superblocks and more
        img[i] = 0
    fs3 = remount(fs, format_if_bad=True)
    eq(fs3.reformatted, True, "reformatted like _boot.py")
    st3 = _store(fs3)
    assert st3.fs_id != fid
    eq(st3.fresh, True, "fresh")
    eq(st3.sessions(), [], "nothing left")


def test_resume_after_unclean_stop_appends_to_same_file():
    fs = new_fs()
    st = _store(fs)
    _run(st, 5)
    d = _run(st, 30, end=False)
    name = st.name
    # power gone: no end(); reboot
    fs2 = remount(fs)
    st2 = _store(fs2)
    u = st2.unfinished()
    assert u is not None
    eq(u.name, name, "name")
    eq(u.records, d.sent, "records to replay")
    eq(u.agenda["seats"], 8, "agenda seats")
    eq(u.agenda["phases"][1]["floor"], "open", "agenda floor")
    eq(u.agenda_hash, HASH, "hash")
    eq(st2.resume(u), name, "resumed")
    last = u.last_t_ms
    st2.record(E.EV_GAP, 15, 1, last, 0)
    st2.record(E.EV_TURN_START, 3, 1, last + 10, 0)
    st2.record(E.EV_SESSION_END, 15, 1, last + 20, 0)
    st2.service(5)
    eq(st2.name, None, "closed")
    h, recs, problems, torn = logfmt.decode(read_file(fs2, "tt/" + name))
    eq(problems, [], "problems")
    eq(recs[: len(d.sent)], d.sent, "before")
    eq([r[0] for r in recs[len(d.sent) :]], [E.EV_GAP, E.EV_TURN_START, E.EV_SESSION_END], "after")
    eq(_store(remount(fs2)).unfinished(), None, "complete now")
    eq([e["name"] for e in st2.sessions()], ["s00001.ttl", name], "one file")


def test_boot_removes_empty_start_and_temp_files():
    fs = new_fs()
    st = _store(fs)
    _run(st, 5)
    st.begin(Agenda(), 0, HASH)  # power lost before the first event was flushed
    with fs.open("tt/seq.tmp", "wb") as f:
        f.write(b"12")
    st2 = _store(remount(fs))
    eq([e["name"] for e in st2.sessions()], ["s00001.ttl"], "empty start removed")
    assert "seq.tmp" not in remount(fs).listdir("tt")
    eq(st2.unfinished(), None, "nothing to resume")
    eq(st2.begin(Agenda(), 0, HASH), "s00003.ttl", "numbers still go up")


def test_reserve_is_an_honest_worst_case():
    fs = new_fs()
    st = _store(fs)
    a = Agenda(minutes=(45, 45))
    r = st.reserve_bytes(a)
    eq(r % 4096, 0, "whole blocks")
    # 90 planned + 120 overrun minutes at 30 events a minute, 6 bytes each, fits in r
    assert r >= (90 + 120) * 30 * 6 + logfmt.HEADER_MAX, r
    assert st.reserve_bytes(Agenda(minutes=(200, 200))) > r


def test_record_allocates_nothing():
    import micropython

    fs = new_fs()
    st = _store(fs)
    st.begin(Agenda(), 0, HASH)
    st.record(E.EV_SESSION_START, 15, 0, 0, 0)
    st.service(0)
    micropython.heap_lock()
    try:
        for i in range(60):
            st.record(E.EV_TURN_END, i % 8, 0, 1000 + i, 0)
            st.record(E.EV_EXTEND, 15, 0, 1000 + i, -3)
            st.service(1)  # deferred events, not yet due: nothing written
    finally:
        micropython.heap_unlock()
    eq(st._n, 120, "buffered")


def test_bad_names_refused():
    fs = new_fs()
    st = _store(fs)
    _run(st, 3)
    for bad in ("fsid", "../tt/fsid", "s1.ttl", "s00001.ttl/x", "sabcde.ttl", 5):
        eq(st.delete(bad, "0" * 64), False, "delete %r" % (bad,))
        raises(logstore.StoreError, st.read_chunk, bad, 0, 4, bytearray(4))


def test_turn_end_before_a_turn_start_is_implied():
    fs = new_fs()
    st = _store(fs)
    st.begin(Agenda(), 0, HASH)
    st.record(E.EV_SESSION_START, 15, 0, 0, 0)
    st.record(E.EV_TURN_START, 1, 0, 10, 0)
    st.record(E.EV_TURN_END, 1, 0, 500, 0)
    st.record(E.EV_TURN_START, 2, 0, 500, 0)  # same step: the end is implied
    st.record(E.EV_TURN_END, 2, 0, 900, 0)  # floor opened: kept
    st.record(E.EV_TURN_START, 3, 0, 1500, 0)
    st.record(E.EV_PASS, 3, 0, 1600, 0)  # a pass is never dropped
    st.record(E.EV_TURN_START, 4, 0, 1600, 0)
    assert st.end()
    h, recs, problems, torn = logfmt.decode(read_file(fs, "tt/s00001.ttl"))
    eq(
        [(r[0], r[1]) for r in recs],
        [(1, 15), (5, 1), (5, 2), (6, 2), (5, 3), (7, 3), (5, 4)],
        "stored",
    )
