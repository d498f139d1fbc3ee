"""Stored sessions served to a host: the packed index, listing, chunked reads, SHA-256, delete.

Loaded with the protocol (preload.PROTO): a device nobody connects to never holds it."""

import binascii
import hashlib

import logfmt
from logfiles import DIR, _check_name, ends_in, names, size, valid_name
from sessindex import SessIndex


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
