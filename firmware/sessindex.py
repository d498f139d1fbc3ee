"""Stored-session index: a packed record a session (logfiles.REC) in one bytearray, in name order.

Loaded with the protocol (preload.PROTO): a device nobody connects to never holds it."""

import binascii

from logfiles import F_COMPLETE, F_HEADER, REC, get_size, put_record, put_size, valid_name
from micropython import const

_SPARE = const(8)  # records of room kept for new sessions before the buffer grows
_MAX_DIGITS = const(18)  # longest sequence number a record holds (the store writes 5 digits)


def rec_name(b, o):
    """The session file name of the record at offset o of b."""
    s = str(int.from_bytes(b[o : o + 8], "little"))
    return "s" + "0" * (b[o + 8] - len(s)) + s + ".ttl"


def key(name):
    """(sequence number, digit count) of a session file name; None if no record can hold it."""
    if not valid_name(name) or len(name) - 5 > _MAX_DIGITS:
        return None
    return int(name[1:-4]), len(name) - 5


class SessIndex:
    """Name, size, complete, started_at and id of every stored session, REC bytes each.

    Names are not kept as strings: a record holds the sequence number and its digit count, and
    `name(i)` formats the name again. `open` is the position of the session being written (-1:
    none); the loop only calls set_size() and set_complete() on it, which allocate nothing.
    """

    def __init__(self, capacity=0):
        self.buf = bytearray((capacity + _SPARE) * REC)
        self.n = 0
        self.open = -1

    def count(self):
        return self.n

    def name(self, i):
        return rec_name(self.buf, i * REC)

    def size(self, i):
        return get_size(self.buf, i * REC)

    def set_size(self, i, v):
        put_size(self.buf, i * REC, v)

    def complete(self, i):
        return bool(self.buf[i * REC + 9] & F_COMPLETE)

    def set_complete(self, i, on):
        o = i * REC + 9
        if on:
            self.buf[o] |= F_COMPLETE
        else:
            self.buf[o] &= 0xFF ^ F_COMPLETE

    def used(self):
        """Bytes in all stored session files."""
        total = 0
        for i in range(self.n):
            total += self.size(i)
        return total

    def entry(self, i):
        """Record i as the dict the protocol sends: name, size, id, complete, started_at."""
        b = self.buf
        o = i * REC
        known = b[o + 9] & F_HEADER
        return {
            "name": self.name(i),
            "size": self.size(i),
            "id": str(binascii.hexlify(bytes(b[o + 18 : o + 26])), "ascii") if known else None,
            "complete": bool(b[o + 9] & F_COMPLETE),
            "started_at": int.from_bytes(b[o + 14 : o + 18], "little") if known else 0,
        }

    def find(self, name):
        """Position of the session file `name`, or -1."""
        k = key(name)
        if k is None:
            return -1
        kb = k[0].to_bytes(8, "little")
        b = self.buf
        for i in range(self.n):
            o = i * REC
            if b[o] != kb[0] or b[o + 8] != k[1]:
                continue
            j = 1
            while j < 8 and b[o + j] == kb[j]:
                j += 1
            if j == 8:
                return i
        return -1

    def insert(self, name, size, complete, started_at, sid):
        """Add (or replace) the record of `name` at its place in name order; its position.

        sid: the 8-byte session id, None when the header is unreadable. -1 for a name no
        record can hold (more than _MAX_DIGITS digits).
        """
        k = key(name)
        if k is None:
            return -1
        n = self.n
        lo = n
        if n and self.name(n - 1) >= name:  # not simply the newest: binary search
            lo, hi = 0, n
            while lo < hi:
                mid = (lo + hi) // 2
                if self.name(mid) < name:
                    lo = mid + 1
                else:
                    hi = mid
        if lo == n or self.name(lo) != name:
            if (n + 1) * REC > len(self.buf):
                self._resize(n + 1 + _SPARE)
            b = self.buf
            o = lo * REC
            if lo < n:
                b[o + REC : (n + 1) * REC] = b[o : n * REC]
            self.n = n + 1
            if self.open >= lo:
                self.open += 1
        self._put(lo, k, size, complete, started_at, sid)
        return lo

    def append(self, b, o):
        """Add the record at offset o of b after the last one (the caller keeps name order)."""
        n = self.n
        if (n + 1) * REC > len(self.buf):
            self._resize(n + 1 + _SPARE)
        self.buf[n * REC : (n + 1) * REC] = memoryview(b)[o : o + REC]
        self.n = n + 1

    def remove(self, i):
        """Drop record i (after its file was deleted)."""
        n = self.n
        if i < 0 or i >= n:
            return
        b = self.buf
        o = i * REC
        if i < n - 1:
            b[o : (n - 1) * REC] = b[o + REC : n * REC]
        self.n = n - 1
        if self.open == i:
            self.open = -1
        elif self.open > i:
            self.open -= 1
        if len(self.buf) > (self.n + 4 * _SPARE) * REC:
            self._resize(self.n + _SPARE)

    def _resize(self, records):
        grown = bytearray(records * REC)
        grown[: self.n * REC] = memoryview(self.buf)[: self.n * REC]
        self.buf = grown

    def _put(self, i, k, size, complete, started_at, sid):
        flags = (F_COMPLETE if complete else 0) | (F_HEADER if sid is not None else 0)
        put_record(self.buf, i * REC, k[0], k[1], flags, size, started_at, sid)
