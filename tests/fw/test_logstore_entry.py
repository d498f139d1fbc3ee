# One file open a stored session for the index: same answers as the three separate reads.
import events as E
import logfiles
import logserve
import logstore
from fwtest import eq
from logfs_helper import HASH, Agenda, new_fs
from test_logstore_index import T0, fill

DEV = "e6614c311b7d2a35"


def _three_reads(fs, name):
    """The reference: stat, header read and tail read, each opening the file on its own."""
    size = fs.size(logfiles.DIR + "/" + name)
    h = logfiles.header_or_none(fs, name)
    return size, h, logfiles.ends_complete(fs, name, h, size)


def _append(fs, name, data):
    with fs.open(logfiles.DIR + "/" + name, "ab") as f:
        f.write(data)


def test_one_open_matches_three_reads():
    fs = new_fs()
    st = logstore.LogStore(fs, DEV, "0.1.0")
    fill(st, 3)  # s00001..3: ended
    st.begin(Agenda(), T0, HASH)  # s00004: open, a turn, never ended
    st.record(E.EV_SESSION_START, 15, 0, 0)
    st.record(E.EV_TURN_START, 2, 0, 100)
    st.flush()
    st.name = None  # as after a power cut: the file is left as it is
    _append(fs, "s00002.ttl", b"\x01\x02\x03\x04\x05\x06")  # a whole bad record last
    _append(fs, "s00003.ttl", b"\x01\x02\x03")  # a torn tail: the last whole record counts
    with fs.open(logfiles.DIR + "/s00005.ttl", "wb") as f:  # a header that is not one
        f.write(b"not a talktoken log at all")
    with fs.open(logfiles.DIR + "/s00006.ttl", "wb") as f:  # an empty file
        f.write(b"")
    names = logfiles.names(fs)
    eq(len(names), 6, "six files")
    for name in names:
        eq(logserve._entry_of(fs, name), _three_reads(fs, name), name)
    got = [logserve._entry_of(fs, n)[2] for n in names]
    eq(got, [True, False, True, False, False, False], "which ones end complete")
