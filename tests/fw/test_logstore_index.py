# The packed session index: same answers as the headers, paged `sessions`, bounded memory.
import gc
import json
import sys

import events as E
import logserve  # noqa: F401  (loaded before any baseline: the figures are the index, not code)
import logstore
import micropython
import proto
import sessindex
from coretest import MemFs
from fwtest import eq
from logfs_helper import HASH, Agenda, listing_from_headers, new_fs
from protofake import FakeApp

MP = sys.implementation.name == "micropython"
MANY = 300
BYTES_PER_SESSION_MAX = 64  # the brief: compact; one dict a session took about 280 bytes
T0 = 1767225600


def _short(store, i, end=True):
    """One tiny session: start, a turn, (end); committed."""
    store.begin(Agenda(), T0 + i * 7200 if i % 5 else 0, HASH)
    store.record(E.EV_SESSION_START, 15, 0, 0)
    store.record(E.EV_TURN_START, i % 8, 0, 100)
    if end:
        store.record(E.EV_SESSION_END, 15, 0, 200)
        store.end()
    else:
        store.flush()


def fill(store, n):
    for i in range(n):
        _short(store, i)


def _pages(p, count=None, first_rid=100):
    """Every page of `sessions` through the protocol: (names in order, totals seen, pages)."""
    names, totals, pages, start, rid = [], [], 0, 0, first_rid
    while start is not None:
        args = {"start": start} if count is None else {"start": start, "count": count}
        p.app.board.serial.feed(b"@%d sessions %s\n" % (rid, json.dumps(args).encode()))
        p.service(1000)
        (line,) = p.app.board.serial.take()
        head = line.split(b" ", 2)
        eq(head[:2], [b"TT:%d" % rid, b"ok"], "page reply")
        got = json.loads(head[2])
        names += [e["name"] for e in got["sessions"]]
        totals.append(got["total"])
        start = got["next"]
        pages += 1
        rid += 1
    return names, totals, pages


def _proto(store):
    app = FakeApp(store=store)
    return proto.Proto(app)


def test_index_follows_begin_flush_end_delete_resume():
    fs = new_fs()
    st = logstore.LogStore(fs, "e6614c311b7d2a35", "0.1.0")
    fill(st, 3)
    ix = st.index()
    eq(st.sessions(), listing_from_headers(st), "built from the headers")
    eq([e["complete"] for e in st.sessions()], [True, True, True], "ended ones complete")
    _short(st, 3, end=False)  # open: listed, not complete, its size follows each flush
    eq(st.sessions(), listing_from_headers(st), "after begin and a flush")
    eq(ix.open, 3, "open position")
    st.record(E.EV_TURN_START, 2, 0, 5000)
    st.flush()
    eq(ix.size(3), fs.size("tt/s00004.ttl"), "size after a flush")
    eq(ix.complete(3), False, "open is not complete")
    assert st.delete("s00001.ttl", st.sha256("s00001.ttl"))
    eq(ix.open, 2, "open position after a delete before it")
    eq(st.sessions(), listing_from_headers(st), "after delete")
    st.record(E.EV_SESSION_END, 15, 0, 6000)
    st.end()
    eq(ix.open, -1, "closed")
    eq(st.sessions(), listing_from_headers(st), "after end")
    eq(st.sessions()[-1]["complete"], True, "ended")
    _short(st, 9, end=False)
    st2 = logstore.LogStore(fs, "e6614c311b7d2a35", "0.1.0")  # reboot: index first, then resume
    st2.index()
    name = st2.resume()
    eq(name, "s00005.ttl", "resumed")
    eq(st2.sessions(), listing_from_headers(st2), "after resume")
    eq(st2.index().open, 3, "resumed session is the open one")


def test_odd_names_and_order():
    ix = sessindex.SessIndex()
    for name in ("s00010.ttl", "s00002.ttl", "s0000003.ttl", "s123456.ttl", "s00002.ttl"):
        ix.insert(name, 100, False, 0, None)
    got = [ix.name(i) for i in range(ix.count())]
    eq(got, sorted(set(got)), "name order, no duplicate")
    eq(got, ["s0000003.ttl", "s00002.ttl", "s00010.ttl", "s123456.ttl"], "names kept exactly")
    eq(ix.find("s0000003.ttl"), 0, "leading zeros matter")
    eq(ix.find("s00003.ttl"), -1, "another name")
    eq(ix.find("x00002.ttl"), -1, "not a session name")
    eq(ix.insert("s" + "1" * 19 + ".ttl", 1, False, 0, None), -1, "too long for a record")
    eq(ix.entry(1)["id"], None, "no header: no id")
    ix.remove(0)
    eq(ix.name(0), "s00002.ttl", "removed")


def test_loop_with_the_index_built_allocates_nothing():
    st = logstore.LogStore(MemFs(file_cap=32768), "e6614c311b7d2a35", "0.1.0")
    fill(st, 3)
    _short(st, 3, end=False)
    ix = st.index()
    t = 1000
    gc.collect()
    micropython.heap_lock()
    try:
        for i in range(200):  # turns: each start is a boundary, so each service() flushes
            t += 100
            st.record(E.EV_TURN_START, i % 8, 0, t)
            st.service(t)
        st.record(E.EV_SESSION_END, 15, 0, t + 100)
        st.service(t + 100)
    finally:
        micropython.heap_unlock()
    eq(ix.size(3), st.fs.size("tt/s00004.ttl"), "size kept up to date under the lock")
    eq(ix.complete(3), True, "complete at the end, under the lock")


def _list_all(p, n):
    """Page through every session once; check each name appears once, in order."""
    names, totals, pages = _pages(p)  # builds the index on the first page
    eq(pages, (n + 31) // 32, "default pages of 32")
    eq(totals, [n] * pages, "total")
    eq(names, ["s%05d.ttl" % (i + 1) for i in range(n)], "every name once, in order")


def _settle():
    """A call over the stack area where stale pointers may sit (MicroPython's GC scans the C
    stack conservatively), then collect."""
    junk = [0] * 64
    junk = None
    gc.collect()
    return junk


def index_bytes(n=MANY):
    """(store, proto, heap bytes left behind by building the index and listing every page).

    The figure is 0 in CPython (no gc.mem_alloc); tools/bench_log.py reports it per session.
    """
    st = logstore.LogStore(MemFs(capacity=16 << 20), "e6614c311b7d2a35", "0.1.0")
    fill(st, n)
    p = _proto(st)
    _settle()
    before = gc.mem_alloc() if MP else 0
    _list_all(p, n)
    _settle()
    return st, p, (gc.mem_alloc() - before) if MP else 0


def test_hundreds_of_sessions_paged_in_bounded_memory():
    st, p, grown = index_bytes(MANY)
    assert grown < BYTES_PER_SESSION_MAX * MANY, "index kept %d bytes for %d" % (grown, MANY)
    assert len(st.index().buf) < 32 * MANY, "packed records"
    names, totals, pages = _pages(p, 64)
    eq((len(set(names)), pages), (MANY, 5), "pages of 64")
    for bad in (b'{"count":65}', b'{"count":0}', b'{"start":-1}', b'{"start":"1"}', b'{"x":1}'):
        p.app.board.serial.feed(b"@9 sessions " + bad + b"\n")
        p.service(2000)
        (line,) = p.app.board.serial.take()
        assert line.startswith(b"TT:9 err args"), (bad, line)


def test_old_request_form_gets_the_first_page_and_info_counts_all():
    st = logstore.LogStore(MemFs(capacity=16 << 20), "e6614c311b7d2a35", "0.1.0")
    fill(st, 40)
    p = _proto(st)
    p.app.board.serial.feed(b"@1 sessions\n@2 sessions {}\n@3 info {}\n")
    p.service(1000)
    lines = p.app.board.serial.take()
    for line in lines[:2]:
        got = json.loads(line.split(b" ", 2)[2])
        eq((len(got["sessions"]), got["total"], got["next"]), (32, 40, 32), "first page")
    info = json.loads(lines[2].split(b" ", 2)[2])
    eq(info["sessions"], 40, "info counts all")
    eq(info["used"], sum(st.fs.size("tt/" + e["name"]) for e in st.sessions()), "used")
    names, totals, pages = _pages(p, 64)
    eq((len(names), pages), (40, 1), "one page of 64")
