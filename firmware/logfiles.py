"""Stored session files under DIR: boot bookkeeping, names, headers, the unfinished one, space.

Also the session record and the index file that keeps one for each complete session, which
the writer appends to; what a host asks of them (the index, chunked reads, SHA-256, delete)
is in logserve."""

import binascii
import os

import logfmt
from events import EV_SESSION_END
from micropython import const

DIR = "tt"
RATE_PER_MIN = const(30)  # reserve: a generous event rate (a turn every 4 s, 2 records a turn)
EXTRA_MIN = const(120)  # reserve: the planned length plus this much overrun
OVERHEAD_BLOCKS = const(4)  # reserve: littlefs copy-on-write and metadata growth

# A session's record: seq 8, digits 1, flags 1, size 4, started_at 4, id 8 (sessindex keeps
# them in RAM; the index file keeps each complete session's, with its CRC-32).
REC = const(26)
IREC = const(30)  # bytes of a record in the index file: the record, then its CRC-32
F_COMPLETE = const(1)
F_HEADER = const(2)  # the header was readable: id and started_at are known
INDEX = "index"  # under DIR: INDEX_MAGIC, then IREC bytes per complete session
INDEX_MAGIC = b"TTX1"


class StoreError(Exception):
    """A refused store operation; `code` is a short word for the protocol."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class StorageFull(StoreError):
    """Not enough free flash to start (or keep) a session; the message says why."""

    def __init__(self, message):
        super().__init__("full", message)


def valid_name(name):
    """True for a session file name this store writes: s + 5 or more digits + .ttl."""
    if not isinstance(name, str) or len(name) < 10 or name[0] != "s" or name[-4:] != ".ttl":
        return False
    return name[1:-4].isdigit()


def _check_name(name):
    if not valid_name(name):
        raise StoreError("name", "not a session file name: %s" % name)


# ---- the session record ----
def put_record(b, o, seq, digits, flags, size, started_at, sid):
    """Write a session's record at offset o of b (sid: 8 bytes, or None)."""
    b[o : o + 8] = seq.to_bytes(8, "little")
    b[o + 8] = digits
    b[o + 9] = flags
    put_size(b, o, size)
    started_at = started_at if 0 <= started_at <= 0xFFFFFFFF else 0
    b[o + 14 : o + 18] = started_at.to_bytes(4, "little")
    b[o + 18 : o + 26] = bytes(sid) if sid is not None else bytes(8)


def put_size(b, o, v):
    """Set the size field of the record at o (allocates nothing)."""
    b[o + 10] = v & 0xFF
    b[o + 11] = (v >> 8) & 0xFF
    b[o + 12] = (v >> 16) & 0xFF
    b[o + 13] = (v >> 24) & 0x3F  # 1 GiB at most: a small int on every port


def get_size(b, o):
    return b[o + 10] | b[o + 11] << 8 | b[o + 12] << 16 | (b[o + 13] & 0x3F) << 24


def record_crc(b, o):
    """CRC-32 of the record at o, as the index file's 4 bytes after it."""
    return (binascii.crc32(memoryview(b)[o : o + REC]) & 0xFFFFFFFF).to_bytes(4, "little")


def append_index(fs, name, size, started_at, sid):
    """Add the record of the complete session `name` to the index file. The file is only a
    cache of what the headers say: the caller may ignore a failure (OSError, MemoryError)."""
    r = bytearray(IREC)
    put_record(r, 0, int(name[1:-4]), len(name) - 5, F_COMPLETE | F_HEADER, size, started_at, sid)
    r[REC:IREC] = record_crc(r, 0)
    path = DIR + "/" + INDEX
    new = fs.size(path) < len(INDEX_MAGIC)
    with fs.open(path, "wb" if new else "ab") as f:
        if new:
            f.write(INDEX_MAGIC)
        f.write(r)


# ---- small files under DIR (the fs marker, the sequence number) ----
def read_small(fs, rel):
    try:
        with fs.open(DIR + "/" + rel, "rb") as f:
            return f.read(32)
    except OSError:
        return b""


def write_atomic(fs, rel, data):
    """Write a whole file under DIR: a .tmp first, then an (atomic) rename over rel."""
    tmp = DIR + "/" + rel + ".tmp"
    with fs.open(tmp, "wb") as f:
        f.write(data)
    fs.rename(tmp, DIR + "/" + rel)


def prepare(fs):
    """Create DIR, drop .tmp leftovers; returns (names in DIR, fs id str, fresh)."""
    try:
        names = fs.listdir(DIR)
    except OSError:
        fs.mkdir(DIR)
        names = []
    for n in names:
        if n.endswith(".tmp"):
            fs.remove(DIR + "/" + n)
    fid = read_small(fs, "fsid")
    fresh = False
    if len(fid) != 16:
        fid = binascii.hexlify(os.urandom(8))
        write_atomic(fs, "fsid", fid)
        fresh = True
    return names, fid.decode(), fresh


def mount(fs):
    """Boot: (fs id, fresh, next sequence number).

    Drops a session whose power went before its first event (a header and nothing else)."""
    names, fid, fresh = prepare(fs)
    seqs = [int(n[1:-4]) for n in names if valid_name(n)]
    top = max(seqs) if seqs else 0
    saved = read_small(fs, "seq")
    nxt = max(int(saved) if saved.isdigit() else 1, top + 1)
    if top:
        last = "s%05d.ttl" % top
        h = header_or_none(fs, last)
        if h is not None and fs.size(DIR + "/" + last) == h["length"]:
            fs.remove(DIR + "/" + last)  # started, but power went before any event
    return fid, fresh, nxt


# ---- stored sessions ----
def names(fs):
    return sorted([n for n in fs.listdir(DIR) if valid_name(n)])


def read_all(fs, name):
    with fs.open(DIR + "/" + name, "rb") as f:
        return f.read()


def header_or_none(fs, name):
    try:
        with fs.open(DIR + "/" + name, "rb") as f:
            return logfmt.decode_header(f.read(logfmt.HEADER_MAX))
    except (OSError, logfmt.LogFormatError):
        return None


def ends_in(f, h, size):
    """True when the last whole record of the open file f (size bytes, header h) is a good
    EV_SESSION_END. Moves f's position."""
    if h is None or size < h["length"] + logfmt.REC_SIZE:
        return False
    at = h["length"] + ((size - h["length"]) // logfmt.REC_SIZE - 1) * logfmt.REC_SIZE
    f.seek(at)
    tail = f.read(logfmt.REC_SIZE)
    return logfmt.record_ok(tail, 0, h["seed"]) and logfmt.record_ev(tail, 0) == EV_SESSION_END


def ends_complete(fs, name, h, size):
    """True when the last whole record of the file is a good EV_SESSION_END."""
    with fs.open(DIR + "/" + name, "rb") as f:
        return ends_in(f, h, size)


def unfinished(fs):
    """The latest stored session if it was never ended (a logrecover.Unfinished), else None."""
    stored = names(fs)
    if not stored:
        return None
    name = stored[-1]
    if ends_complete(fs, name, header_or_none(fs, name), fs.size(DIR + "/" + name)):
        return None  # the usual boot: the last session ended; nothing to decode
    import logrecover

    return logrecover.unfinished(fs, name)


def size(fs, name):
    return fs.size(DIR + "/" + name) if valid_name(name) else -1


# ---- space ----
def reserve_bytes(fs, agenda):
    """Worst-case flash a session of this agenda may take (whole blocks)."""
    minutes = EXTRA_MIN
    for p in agenda.phases:
        minutes += p.minutes
    data = logfmt.HEADER_MAX + (minutes * (RATE_PER_MIN + 1) + 16) * logfmt.REC_SIZE
    bs = fs.block_size
    return ((data + bs - 1) // bs + OVERHEAD_BLOCKS) * bs
