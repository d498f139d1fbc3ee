# Stored session files under DIR: names, listing, chunked reads, SHA-256, delete, space, ids.
import binascii
import hashlib
import os

import logfmt
from events import EV_SESSION_END
from micropython import const
from sessindex import SessIndex, valid_name

DIR = "tt"
RATE_PER_MIN = const(30)  # reserve: a generous event rate (a turn every 4 s, 2 records a turn)
EXTRA_MIN = const(120)  # reserve: the planned length plus this much overrun
OVERHEAD_BLOCKS = const(4)  # reserve: littlefs copy-on-write and metadata growth


class StoreError(Exception):
    """A refused store operation; `code` is a short word for the protocol."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class StorageFull(StoreError):
    """Not enough free flash to start (or keep) a session; the message says why."""

    def __init__(self, message):
        super().__init__("full", message)


def _check_name(name):
    if not valid_name(name):
        raise StoreError("name", "not a session file name: %s" % name)


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


def ends_complete(fs, name, h, size):
    """True when the last whole record of the file is a good EV_SESSION_END."""
    if h is None or size < h["length"] + logfmt.REC_SIZE:
        return False
    at = h["length"] + ((size - h["length"]) // logfmt.REC_SIZE - 1) * logfmt.REC_SIZE
    with fs.open(DIR + "/" + name, "rb") as f:
        if hasattr(f, "seek"):
            f.seek(at)
        else:  # a file object without seek: skip forward in small reads (bounded memory)
            while at > 0:
                at -= len(f.read(512 if at > 512 else at)) or at
        tail = f.read(logfmt.REC_SIZE)
    return logfmt.record_ok(tail, 0, h["seed"]) and logfmt.record_ev(tail, 0) == EV_SESSION_END


def _entry_of(fs, name):
    """(size, header or None, ends complete) of a session file, opening it once."""
    with fs.open(DIR + "/" + name, "rb") as f:
        if not hasattr(f, "seek"):
            f = None
        else:
            try:
                h = logfmt.decode_header(f.read(logfmt.HEADER_MAX))
            except logfmt.LogFormatError:
                h = None
            size = f.seek(0, 2)
            if h is None or size < h["length"] + logfmt.REC_SIZE:
                return size, h, False
            f.seek(h["length"] + ((size - h["length"]) // logfmt.REC_SIZE - 1) * logfmt.REC_SIZE)
            tail = f.read(logfmt.REC_SIZE)
            done = (
                logfmt.record_ok(tail, 0, h["seed"]) and logfmt.record_ev(tail, 0) == EV_SESSION_END
            )
            return size, h, done
    size = fs.size(DIR + "/" + name)  # a file object without seek (a test's memory fs)
    h = header_or_none(fs, name)
    return size, h, ends_complete(fs, name, h, size)


def index_entry(store, ix, name):
    """Read one stored session's size, header and end into ix; returns its position."""
    try:
        size, h, done = _entry_of(store.fs, name)
    except OSError:
        return ix.insert(name, max(store.fs.size(DIR + "/" + name), 0), False, 0, None)
    if h is None:
        return ix.insert(name, size, False, 0, None)
    done = done and name != store.name
    return ix.insert(name, size, done, h["wall_start"], h["session_id"])


def index(store):
    """The store's SessIndex, read from the files on first use (one file open a session)."""
    ix = store._index
    if ix is None:
        stored = names(store.fs)
        ix = SessIndex(len(stored))
        for n in stored:
            index_entry(store, ix, n)
        stored = None
        ix.open = ix.find(store.name) if store.name is not None else -1
        store._index = ix
    return ix


def sessions(store):
    """Every stored session of store: dicts of name, size, id, complete, started_at."""
    ix = index(store)
    return [ix.entry(i) for i in range(ix.count())]


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


def read_chunk(fs, name, offset, n, buf):
    """Read up to n bytes of a session file at offset into buf; returns the count."""
    _check_name(name)
    with fs.open(DIR + "/" + name, "rb") as f:
        f.seek(offset)
        got = f.readinto(memoryview(buf)[:n])
    return got or 0


def sha256(fs, name):
    """Hex SHA-256 of a stored session file."""
    _check_name(name)
    h = hashlib.sha256()
    buf = bytearray(512)
    mv = memoryview(buf)
    with fs.open(DIR + "/" + name, "rb") as f:
        while True:
            n = f.readinto(buf)
            if not n:
                break
            h.update(mv[:n])
    return binascii.hexlify(h.digest()).decode()


def delete(store, name, sha_hex):
    """Remove a stored session only if sha_hex is its SHA-256; False when refused."""
    fs = store.fs
    if not valid_name(name) or name == store.name or size(fs, name) < 0:
        return False
    if not isinstance(sha_hex, str) or sha256(fs, name) != sha_hex.lower():
        return False
    fs.remove(DIR + "/" + name)
    if store._index is not None:
        store._index.remove(store._index.find(name))
    return True


# ---- space ----
def reserve_bytes(fs, agenda):
    """Worst-case flash a session of this agenda may take (whole blocks)."""
    minutes = EXTRA_MIN
    for p in agenda.phases:
        minutes += p.minutes
    data = logfmt.HEADER_MAX + (minutes * (RATE_PER_MIN + 1) + 16) * logfmt.REC_SIZE
    bs = fs.block_size
    return ((data + bs - 1) // bs + OVERHEAD_BLOCKS) * bs
