# The index file (logfiles.INDEX): after a reboot the listing reads it instead of every
# session's header, and whatever the file holds (nothing, stale records, damage, a torn write)
# the listing is the one the headers give.
import random

import events as E
import logfiles
import logstore
from fwtest import eq
from logfs_helper import HASH, Agenda, from_image, image, listing_from_headers, new_fs, remount

DEV = "e6614c311b7d2a35"
T0 = 1767225600
INDEX = "tt/" + logfiles.INDEX


class CountingFs:
    """An fs that counts how often a session file is opened (the listing's cost)."""

    def __init__(self, fs):
        self.fs = fs
        self.block_size = fs.block_size
        self.opened = 0

    def open(self, rel, mode):
        if rel.endswith(".ttl"):
            self.opened += 1
        return self.fs.open(rel, mode)

    def remove(self, rel):
        self.fs.remove(rel)

    def rename(self, old, new):
        self.fs.rename(old, new)

    def listdir(self, rel):
        return self.fs.listdir(rel)

    def listsizes(self, rel):
        return self.fs.listsizes(rel)

    def mkdir(self, rel):
        self.fs.mkdir(rel)

    def size(self, rel):
        return self.fs.size(rel)

    def free_bytes(self):
        return self.fs.free_bytes()

    def total_bytes(self):
        return self.fs.total_bytes()


def _store(fs):
    return logstore.LogStore(fs, DEV, "0.1.0")


def _session(st, i, end=True):
    """A short session: some turns, then (end and the loop's next service) or a flush."""
    st.begin(Agenda(), T0 + i * 7200 if i % 3 else 0, HASH)
    st.record(E.EV_SESSION_START, 15, 0, 0)
    for k in range(i % 4 + 1):
        st.record(E.EV_TURN_START, k % 8, 0, 100 + k * 1000)
    if end:
        st.record(E.EV_SESSION_END, 15, 0, 9000)
        st.end()
        st.service(0)  # the device's next loop iteration: the index file learns the session
    else:
        st.flush()


def _reboot(fs):
    """A new store on the same image, counting session-file opens from after its boot."""
    st = _store(CountingFs(remount(fs)))
    st.fs.opened = 0
    return st


def _index_bytes(fs):
    with fs.open(INDEX, "rb") as f:
        return f.read()


def _put_index(fs, data):
    with fs.open(INDEX, "wb") as f:
        f.write(data)


BLOCKS = 32  # 128 KB images: several fit MicroPython's test heap at once


def _filled(n):
    fs = new_fs(BLOCKS)
    st = _store(fs)
    for i in range(n):
        _session(st, i)
    return fs, st


def test_after_a_reboot_the_listing_opens_no_ended_session():
    fs, st = _filled(12)
    eq(len(_index_bytes(fs)), len(logfiles.INDEX_MAGIC) + 12 * logfiles.IREC, "a record each")
    st2 = _reboot(fs)
    got = st2.sessions()
    eq(st2.fs.opened, 0, "no session file opened")
    eq(got, listing_from_headers(st2), "the listing the headers give")
    eq([e["complete"] for e in got], [True] * 12, "all ended")
    _session(st2, 12, end=False)  # power goes mid-session: that one is not in the file
    st3 = _reboot(st2.fs.fs)
    got = st3.sessions()
    eq(st3.fs.opened, 1, "only the unfinished session is opened")
    eq(got, listing_from_headers(st3), "with an unfinished session")
    eq(st3.sessions()[-1]["complete"], False, "unfinished")


def test_a_host_connecting_mid_session_opens_no_session_file():
    fs, st = _filled(5)
    st = _store(CountingFs(remount(fs)))
    _session(st, 5, end=False)
    st.record(E.EV_TURN_START, 3, 0, 20000)
    st.flush()
    st.fs.opened = 0
    got = st.sessions()
    eq(st.fs.opened, 0, "the open session's entry comes from the store")
    eq(got, listing_from_headers(st), "the listing the headers give")
    eq(got[-1]["complete"], False, "the open session is not complete")
    st.record(E.EV_SESSION_END, 15, 0, 30000)
    st.end()
    st.service(0)
    eq(st.sessions(), listing_from_headers(st), "after its end")


def test_a_session_ended_while_a_host_listed_is_in_the_next_boots_file():
    fs, st = _filled(3)
    st.sessions()  # the index in RAM, built from the file
    _session(st, 3)
    eq(st.sessions(), listing_from_headers(st), "in RAM")
    st2 = _reboot(fs)
    got = st2.sessions()
    eq(st2.fs.opened, 0, "from the file")
    eq(got, listing_from_headers(st2), "after the reboot")


def _damages(good, fs):
    """(what, index file bytes) a device could be left with, each next to good sessions."""
    m = len(logfiles.INDEX_MAGIC)
    r = logfiles.IREC
    flipped = bytearray(good)
    flipped[m + r + 20] ^= 0x40  # the second record's id
    wrong_size = bytearray(good)
    wrong_size[m + 10] ^= 0x01  # the first record's size, its CRC made to match
    wrong_size[m + 26 : m + 30] = logfiles.record_crc(wrong_size, m)
    not_complete = bytearray(good)
    not_complete[m + 9] = logfiles.F_HEADER
    not_complete[m + 26 : m + 30] = logfiles.record_crc(not_complete, m)
    return (
        ("no file", None),
        ("empty", b""),
        ("wrong magic", b"TTX9" + good[m:]),
        ("torn last record", good[:-7]),
        ("junk after the records", good + b"\x00" * 11),
        ("a damaged record", bytes(flipped)),
        ("a record with the wrong size", bytes(wrong_size)),
        ("a record not marked complete", bytes(not_complete)),
        ("every record twice", good + good[m:]),
        ("records out of order", good[:m] + good[m + r :] + good[m : m + r]),
        ("a record of no file", good + good[m : m + r].replace(b"\x01", b"\x63", 1)),
        ("all junk", bytes(range(256)) * 3),
    )


def test_whatever_the_index_file_holds_the_listing_is_the_headers_one():
    fs, st = _filled(6)
    good = _index_bytes(fs)
    base = image(fs)
    for what, data in _damages(good, fs):
        fs2 = from_image(base, BLOCKS)
        if data is None:
            fs2.remove(INDEX)
        else:
            _put_index(fs2, data)
        st2 = _reboot(fs2)
        got = st2.sessions()
        eq(got, listing_from_headers(st2), what)
        st3 = _reboot(st2.fs.fs)
        again = st3.sessions()
        eq(st3.fs.opened, 0, what + ": the file was written anew")
        eq(again, got, what + ": the same again after the next boot")


def test_random_histories_keep_the_listing_true():
    for seed in (1, 2, 3):
        random.seed(seed)
        fs = new_fs(BLOCKS)
        st = _store(fs)
        made = 0
        for step in range(40):
            op = random.randint(0, 9)
            if st.name is not None and op < 7:
                st.record(E.EV_SESSION_END, 15, 0, 9500)
                st.end()
                st.service(0)
            elif op < 5:
                _session(st, made, end=op != 0)  # sometimes left unfinished
                made += 1
            elif op < 7 and st.name is None:
                done = [e for e in st.sessions() if e["complete"]]
                if done:
                    e = done[random.randint(0, len(done) - 1)]
                    assert st.delete(e["name"], st.sha256(e["name"]))
            elif op == 7 and fs.size(INDEX) > 8:
                data = bytearray(_index_bytes(fs))
                data[random.randint(0, len(data) - 1)] ^= 1 << random.randint(0, 7)
                _put_index(fs, bytes(data[: random.randint(0, len(data))]))
            else:  # reboot: resume what was left open, as the app does
                fs = remount(fs)
                st = _store(fs)
                u = st.unfinished()
                if u is not None and random.randint(0, 1):
                    st.index()  # a host listed before the resume
                st.resume(u)
            eq(st.sessions(), listing_from_headers(st), "seed %d step %d" % (seed, step))


def _cut_sweep(before):
    """Cut points tried: a session end (after `before` sessions) whose power is cut after every
    flash operation of the end and of the index file's append, then a boot and a listing."""
    fs, _ = _filled(before)
    base = image(fs)
    tried = 0
    k = 0
    while True:
        work = from_image(base, BLOCKS)
        st = _store(work)
        st.begin(Agenda(), T0, HASH)
        st.record(E.EV_SESSION_START, 15, 0, 0)
        st.record(E.EV_TURN_START, 1, 0, 100)
        st.flush()
        st.record(E.EV_SESSION_END, 15, 0, 9000)
        work.cut_power(k)
        try:
            st.end()
            st.service(0)
        except OSError:
            pass
        if not work.bdev.dead:
            return tried
        tried += 1
        st2 = _store(remount(work))
        u = st2.unfinished()
        eq(st2.sessions(), listing_from_headers(st2), "cut after %d operations" % k)
        if u is not None:
            st2.resume(u)
            eq(st2.sessions(), listing_from_headers(st2), "resumed after a cut at %d" % k)
        k += 1


def test_a_power_cut_anywhere_in_the_end_and_the_append_keeps_the_listing_true():
    small = _cut_sweep(3)  # the index file is kept inline in its directory's metadata
    large = _cut_sweep(40)  # 1,204 bytes: in blocks of its own
    assert small >= 2 and large > small, "cut points: %d and %d" % (small, large)


class _FailingReads(CountingFs):
    """Reading the index file past its first record fails, as a damaged flash can."""

    def open(self, rel, mode):
        f = CountingFs.open(self, rel, mode)
        return _BadFile(f) if rel == INDEX and "r" in mode else f


class _BadFile:
    def __init__(self, f):
        self.f = f
        self.reads = 0

    def read(self, n=-1):
        return self.f.read(n)

    def readinto(self, buf):
        self.reads += 1
        if self.reads > 1:
            raise OSError(5)
        return self.f.readinto(buf)

    def close(self):
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def test_an_unreadable_index_file_falls_back_to_the_headers():
    fs, _ = _filled(4)
    st = _store(_FailingReads(remount(fs)))
    st.fs.opened = 0
    got = st.sessions()
    eq(got, listing_from_headers(st), "the listing the headers give")
    eq(st.fs.opened >= 3, True, "the sessions after the first record were read from headers")


class _Os:
    """os for fsio.DeviceFs: a listing that does not know one size (-1), as MicroPython allows."""

    def statvfs(self, path):
        return (4096, 4096, 100, 50, 50, 0, 0, 0, 0, 255)

    def ilistdir(self, path):
        return iter(
            [("s00001.ttl", 0x8000, 0, -1), ("s00002.ttl", 0x8000, 0, 77), ("tmp", 0x4000, 0)]
        )

    def stat(self, path):
        return (0x8000, 0, 0, 0, 0, 0, 123 if path.endswith("s00001.ttl") else 5, 0, 0, 0)


def test_device_fs_sizes_come_from_the_listing_or_a_stat():
    import fsio

    real = fsio.os
    fsio.os = _Os()
    try:
        got = fsio.DeviceFs("/x").listsizes("tt")
    finally:
        fsio.os = real
    eq(got, [("s00001.ttl", 123), ("s00002.ttl", 77), ("tmp", 5)], "sizes")
