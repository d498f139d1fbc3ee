"""Stored sessions served to a host: the packed index, listing, chunked reads, SHA-256, delete.

Loaded with the protocol (preload.PROTO): a device nobody connects to never holds it."""

import binascii
import hashlib

import logfmt
from logfiles import (
    DIR,
    F_COMPLETE,
    INDEX,
    INDEX_MAGIC,
    IREC,
    REC,
    _check_name,
    ends_in,
    get_size,
    record_crc,
    size,
    valid_name,
)
from sessindex import SessIndex, rec_name


def _entry_of(fs, name):
    """(size, header or None, ends complete) of a session file, opening it once."""
    with fs.open(DIR + "/" + name, "rb") as f:
        try:
            h = logfmt.decode_header(f.read(logfmt.HEADER_MAX))
        except logfmt.LogFormatError:
            h = None
        size = f.seek(0, 2)
        return size, h, ends_in(f, h, size)


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
    """The store's SessIndex, built on first use from the index file (logfiles.INDEX) and one
    directory listing. Only sessions the file does not hold exactly (name and size) are
    opened, and not the open one, whose facts the store keeps. When the file was stale or
    short, it is written anew while no session is open."""
    ix = store._index
    if ix is None:
        fs = store.fs
        listing = sorted([e for e in fs.listsizes(DIR) if valid_name(e[0])])
        ix = SessIndex(len(listing))
        hit, stale = _from_file(store, ix, listing)
        for k in range(len(listing)):
            if hit[k]:
                continue
            name = listing[k][0]
            if name == store.name:  # the open session: the store knows what its header says
                ix.insert(name, listing[k][1], False, store._wall, store._sid)
                continue
            i = index_entry(store, ix, name)
            stale = stale or (i >= 0 and ix.complete(i))
        del listing, hit  # before the file is written: the heap is the device's
        ix.open = ix.find(store.name) if store.name is not None else -1
        store._index = ix
        if stale and store.name is None:
            try:
                save_index(fs, ix)
            except OSError:
                pass  # only a cache: the next boot's listing reads those headers again
    return ix


def _from_file(store, ix, listing):
    """Append to ix the index file's record of each listed (name, size) it holds exactly.

    listing: sorted (name, size). Returns (a bytearray: 1 at each listing position filled, and
    whether the file held anything else: a removed or changed session, a damaged record)."""
    hit = bytearray(len(listing))
    try:
        f = store.fs.open(DIR + "/" + INDEX, "rb")
    except OSError:
        return hit, True
    with f:
        try:
            return hit, _read_records(store, ix, listing, f, hit)
        except OSError:  # unreadable: the records read so far stand, the rest from headers
            return hit, True


def _read_records(store, ix, listing, f, hit):
    """The merge of the open index file f with listing; True when anything was stale."""
    if f.read(len(INDEX_MAGIC)) != INDEX_MAGIC:
        return True
    stale = False
    rec = bytearray(IREC)
    k = 0
    n = len(listing)
    while True:
        got = f.readinto(rec) or 0
        if got < IREC:
            return stale or got > 0
        if record_crc(rec, 0) != rec[REC:IREC] or not rec[9] & F_COMPLETE:
            stale = True
            continue
        name = rec_name(rec, 0)
        while k < n and listing[k][0] < name:
            k += 1  # listed, but not in the file: index() opens it
        if k < n and listing[k][0] == name and name != store.name:
            if listing[k][1] == get_size(rec, 0):
                ix.append(rec, 0)
                hit[k] = 1
                k += 1
                continue
        elif k and hit[k - 1] and listing[k - 1][0] == name:
            if listing[k - 1][1] == get_size(rec, 0):  # a later record of the same name
                ix.buf[(ix.n - 1) * REC : ix.n * REC] = memoryview(rec)[:REC]
        stale = True


def save_index(fs, ix):
    """Write the index file anew: the record of every complete session of ix."""
    tmp = DIR + "/" + INDEX + ".tmp"
    rec = bytearray(IREC)
    with fs.open(tmp, "wb") as f:
        f.write(INDEX_MAGIC)
        for i in range(ix.count()):
            if ix.complete(i):
                rec[:REC] = memoryview(ix.buf)[i * REC : (i + 1) * REC]
                rec[REC:IREC] = record_crc(rec, 0)
                f.write(rec)
    fs.rename(tmp, DIR + "/" + INDEX)


def sessions(store):
    """Every stored session of store: dicts of name, size, id, complete, started_at."""
    ix = index(store)
    return [ix.entry(i) for i in range(ix.count())]


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
