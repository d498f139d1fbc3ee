# Power-cut sweep, run inside MicroPython: cut the flash's power after block operation N of a
# 300-turn session, reboot on the torn image, and check what the log store recovers.
# Usage: micropython -m powercut_run count | points  (points: N,N,... on stdin; the unix port
# dies on long command lines). Prints one line per point.
import sys

import events as E
import flash_mp
import logfmt
import logstore
from logfs_helper import (
    HASH,
    Agenda,
    Driver,
    listing_from_headers,
    turns_script,
    with_checkpoints,
)

DEV = "e6614c311b7d2a35"
FW = "0.1.0"
TURNS = 300
WINDOW_MS = 60000 + 1000  # unflushed window: a checkpoint within 60 s, a 1-s loop step


def _store(fs):
    return logstore.LogStore(fs, DEV, FW)


def base_image():
    fs = flash_mp.mkfs(None)
    st = _store(fs)
    earlier = {}
    for n in range(2):
        d = Driver(st)
        st.begin(Agenda(), 1767225600 + n, HASH)
        for t, recs in with_checkpoints(turns_script(25 + n * 10)):
            d.step(t, recs)
        assert st.end()
    for e in st.sessions():
        with fs.open("tt/" + e["name"], "rb") as f:
            earlier[e["name"]] = f.read()
    return fs.bdev.data, earlier


def run_session(fs, cut=-1):
    """Play the session; stop when the power is gone. Returns (driver, store, cut_t, claimed)."""
    st = _store(fs)
    if cut >= 0:
        fs.cut_power(cut)
    d = Driver(st)
    claimed = 0
    try:
        st.begin(Agenda(seats=8, minutes=(60, 90)), 1767229200, HASH)
    except OSError:
        return d, st, 0, 0
    if fs.bdev.dead:
        return d, st, 0, 0
    for t, recs in STEPS:
        claimed = st.committed
        d.step(t, recs)
        if fs.bdev.dead:
            return d, st, t, claimed
    claimed = st.committed
    st.end()
    if not fs.bdev.dead:
        st.service(0)  # the loop's next iteration: the index file's record of the session
    if fs.bdev.dead:
        return d, st, STEPS[-1][0], claimed
    return d, st, -1, st.committed


def check_point(base, work, earlier, n):
    work[:] = base
    fs = flash_mp.FlashFs(None, data=work, format_if_bad=False)
    d, st, cut_t, claimed = run_session(fs, n)
    if cut_t < 0:
        return "nocut"
    # reboot on the torn image
    try:
        fs2 = flash_mp.FlashFs(None, data=work, format_if_bad=False)
    except OSError as exc:
        return "FAIL mount %r" % (exc,)
    st2 = _store(fs2)
    bad = _earlier_bad(fs2, earlier)
    if bad:
        return "FAIL earlier " + bad
    u = st2.unfinished()
    if st2.sessions() != listing_from_headers(st2):
        return "FAIL the listing is not the headers'"
    names = [e["name"] for e in st2.sessions() if e["name"] not in earlier]
    if u is None:
        if names:  # the session was complete, or nothing of it survived
            with fs2.open("tt/" + names[0], "rb") as f:
                h, recs, problems, torn = logfmt.decode(f.read())
            if recs != d.sent or problems:
                return "FAIL no unfinished session but file differs (%d/%d)" % (
                    len(recs),
                    len(d.sent),
                )
            return "complete"
        if claimed or cut_t > WINDOW_MS:
            return "FAIL lost the session (claimed %d records, cut at %d ms)" % (claimed, cut_t)
        name = st2.begin(Agenda(), 0, HASH)  # the device goes on working
        st2.record(E.EV_SESSION_START, 15, 0, 0, 0)
        if not st2.end():
            return "FAIL new session after reboot"
        return "empty " + name
    recs = u.records
    if u.problems or u.torn:
        return "FAIL problems %r torn %d" % (u.problems, u.torn)
    if recs != d.sent[: len(recs)]:
        return "FAIL misread record"
    if len(recs) < claimed:
        return "FAIL lost committed records: %d < %d" % (len(recs), claimed)
    if cut_t - u.last_t_ms > WINDOW_MS:
        return "FAIL lost %d ms" % (cut_t - u.last_t_ms)
    # resume: same file, gap logged, goes on
    if st2.resume(u) != u.name:
        return "FAIL resume"
    t = u.last_t_ms
    st2.record(E.EV_GAP, 15, recs[-1][2], t, 0)
    st2.record(E.EV_TURN_START, 2, recs[-1][2], t + 1000, 0)
    st2.service(0)
    st2.record(E.EV_SESSION_END, 15, recs[-1][2], t + 2000, 0)
    if not st2.end():
        return "FAIL end after resume"
    fs3 = flash_mp.FlashFs(None, data=work, format_if_bad=False)
    with fs3.open("tt/" + u.name, "rb") as f:
        h, recs3, problems, torn = logfmt.decode(f.read())
    if problems or recs3[: len(recs)] != recs or len(recs3) != len(recs) + 3:
        return "FAIL resumed file"
    bad = _earlier_bad(fs3, earlier)
    if bad:
        return "FAIL earlier after resume " + bad
    return "resumed %d/%d lost_ms %d" % (len(recs), len(d.sent), cut_t - u.last_t_ms)


def _earlier_bad(fs, earlier):
    for name in earlier:
        try:
            with fs.open("tt/" + name, "rb") as f:
                if f.read() != earlier[name]:
                    return name
        except OSError:
            return name + " missing"
    return ""


STEPS = with_checkpoints(turns_script(TURNS, seats=8, phases=2))


def two_hour_session(st):
    """A 2-hour, 12-seat, 400-turn session (5 phases, passes, extends, pauses) into st."""
    d = Driver(st)
    st.begin(Agenda(seats=12, minutes=(15, 30, 40, 20, 15)), 1767229200, HASH)
    for t, recs in BIG_STEPS:
        d.step(t, recs)
    if not st.end():
        raise OSError(28)
    st.service(0)  # the loop's next iteration: the index file's record
    return d


def bench():
    """Figures of one 2-hour session, then how many such sessions fill a fresh Pico image."""
    global BIG_STEPS
    BIG_STEPS = with_checkpoints(turns_script(400, seats=12, phases=5, turn_ms=13000))
    turns = 0
    for t, recs in BIG_STEPS:
        for r in recs:
            if r[0] == E.EV_TURN_START:
                turns += 1
    fs = flash_mp.mkfs(None)
    st = _store(fs)
    ops0 = fs.bdev.ops
    f0 = st.flushes
    d = two_hour_session(st)
    size = st.sessions()[0]["size"]
    print(
        "SESSION %d %d %d %d %d %d"
        % (turns, size, st.flushes - f0, fs.bdev.ops - ops0, len(d.sent), BIG_STEPS[-1][0])
    )
    n = 1
    reason = ""
    while True:
        try:
            two_hour_session(st)
        except logstore.StorageFull as exc:
            reason = str(exc)
            break
        n += 1
    print("FILL %d %d %s" % (n, st.free_bytes(), reason))


def main():
    if sys.argv[1] == "bench":
        bench()
        return
    base, earlier = base_image()
    work = bytearray(len(base))
    if sys.argv[1] == "count":
        work[:] = base
        fs = flash_mp.FlashFs(None, data=work, format_if_bad=False)
        d, st, cut_t, claimed = run_session(fs)
        print(
            "COUNT %d %d %d %d %d"
            % (fs.bdev.ops, fs.bdev.writes, fs.bdev.erases, len(d.sent), st.flushes)
        )
        return
    for tok in sys.stdin.read().strip().split(","):
        n = int(tok)
        try:
            res = check_point(base, work, earlier, n)
        except Exception as exc:  # a crash is a failure of this point, not of the batch
            res = "FAIL exception %r" % (exc,)
        print("PT %d %s" % (n, res))
    print("DONE")


main()
