"""Session files on LittleFS: the writer (buffered records, flush at boundaries) and recovery.

Stored-session operations live in logfiles, the recovery decoding in logrecover (lazy)."""

import binascii
import os
import sys

import logfiles
import logfmt
from clockmath import ticks_diff
from events import EV_EXTEND, EV_SESSION_END, EV_TURN_END, EV_TURN_START, NO_SEAT
from logfiles import (  # noqa: F401  (part of the logstore API)
    DIR,
    EXTRA_MIN,
    OVERHEAD_BLOCKS,
    RATE_PER_MIN,
    StorageFull,
    StoreError,
    valid_name,
)
from micropython import const

_BUF_RECORDS = const(128)  # RAM buffer between flushes (768 bytes)
_FLUSH_AFTER_MS = const(60000)  # deferred records never wait longer than this for a flush
_RETRY_MS = const(10000)  # after a failed write, try again at most this often
ENOSPC = const(28)
ERR_NONE = const(0)
ERR_FULL = const(1)  # the flash filled mid-session: records wait in RAM
ERR_IO = const(2)
MICROPYTHON = sys.implementation.name == "micropython"


def _serve():
    """logserve, the host side of the stored sessions (loaded with the protocol)."""
    import logserve

    return logserve


class LogStore:
    """The session log on a file system object from fsio (or the simulator's flash).

    The session's sink: record() only packs 6 bytes into a RAM buffer; service(now) writes and
    commits (file.flush) at most once per call, when a boundary event is waiting. See
    docs/log-format.md for the format, the flush policy and the recovery rules.
    """

    def __init__(self, fs, device_id="0", fw_version="0.0.0", buf_records=_BUF_RECORDS):
        self.fs = fs
        self.device_id = logfmt.id8(device_id)
        self.fw = logfmt.fw3(fw_version)
        self._cap = buf_records
        self._buf = bytearray(buf_records * logfmt.REC_SIZE)
        self._f = None
        self.name = None  # file name of the open session, None when none is open
        self._seed = 0
        self._hlen = 0
        self._n = 0  # records in RAM, not yet committed
        self.committed = 0  # records of the open session committed to flash
        self._pending = False  # a boundary event waits for a flush
        self._ending = False
        self._last_t = 0
        self._tick = 0  # tick of the last flush (or of the first service after begin)
        self._ticked = False
        self._fail_tick = 0
        self.flushes = 0
        self.error = ERR_NONE
        self.dropped = 0  # records lost because the RAM buffer was full while flash was full
        self.fresh = False
        self._index = None  # sessindex.SessIndex once a host asked (logserve.index)
        self._sid = None  # the open session's id (8 bytes) and start, for the index file
        self._wall = 0
        self._done_name = None  # a session that ended, its record not yet in the index file
        self._done_size = 0
        self._next = 1
        self._mount()

    # ---- boot ----
    def _mount(self):
        self.fs_id, self.fresh, self._next = logfiles.mount(self.fs)

    # ---- the sink (no allocation; a write only when the RAM buffer is full) ----
    def record(self, ev, seat, phase, t_ms, arg=0):
        """Append one event to the RAM buffer. For EV_EXTEND, arg is minutes (-8..7)."""
        if self.name is None:
            return
        if ev == EV_EXTEND:
            seat = -8 if arg < -8 else (7 if arg > 7 else arg)
        elif seat < 0 or seat > 14:
            seat = NO_SEAT
        if t_ms < self._last_t:
            t_ms = self._last_t
        if self._n >= self._cap:
            self._write_out(self._tick)  # rare: a full buffer is written at once
            if self._n >= self._cap:
                self.dropped += 1
                return
        if ev == EV_TURN_START and self._n:
            pos = (self._n - 1) * logfmt.REC_SIZE
            b = self._buf
            if (
                logfmt.record_ev(b, pos) == EV_TURN_END
                and logfmt.record_phase(b, pos) == phase
                and logfmt.record_t(b, pos) == t_ms
            ):
                self._n -= 1  # a turn start ends the turn before it: that end is implied
        logfmt.pack_record(self._buf, self._n * logfmt.REC_SIZE, ev, seat, phase, t_ms, self._seed)
        self._n += 1
        self._last_t = t_ms
        if ev != EV_TURN_END and ev != EV_EXTEND:
            self._pending = True  # turn ends and extends ride with the next boundary
        if ev == EV_SESSION_END:
            self._ending = True

    def service(self, now):
        """Write and commit the buffer when a boundary waits (or records waited 60 s).

        At most one flush per call; returns True when it flushed.
        """
        if self.name is None:
            if self._done_name is not None:
                self._note_done()
            return False
        if not self._ticked:
            self._tick = now
            self._ticked = True
        if self._n == 0 and not self._ending:
            return False
        if not self._pending and ticks_diff(now, self._tick) < _FLUSH_AFTER_MS:
            return False
        if self.error and ticks_diff(now, self._fail_tick) < _RETRY_MS:
            return False
        return self._write_out(now)

    def flush(self):
        """Commit whatever is buffered now (before a firmware update, say)."""
        if self.name is None or (self._n == 0 and not self._ending):
            return True
        return self._write_out(self._tick)

    def _write_out(self, now):
        n = self._n
        try:
            f = self._f
            if f is None:
                f = self._reopen()
                n = self._n
            if n:
                if MICROPYTHON:  # stream write(buf, length): no slice object is made
                    f.write(self._buf, n * logfmt.REC_SIZE)
                else:
                    f.write(memoryview(self._buf)[: n * logfmt.REC_SIZE])
                f.flush()
        except OSError as exc:
            self.error = ERR_FULL if exc.args and exc.args[0] == ENOSPC else ERR_IO
            self._fail_tick = now
            self._drop_handle()
            return False
        self.committed += n
        self._n = 0
        self._pending = False
        self.error = ERR_NONE
        self.flushes += 1
        self._tick = now
        ix = self._index
        if ix is not None and ix.open >= 0:
            ix.set_size(ix.open, self._hlen + self.committed * logfmt.REC_SIZE)
        if self._ending:
            self._close()
        return True

    def _drop_handle(self):
        f = self._f
        self._f = None
        if f is not None:
            try:
                f.close()
            except OSError:
                pass

    def _reopen(self):
        """Open the session file again after a failed write; return the handle."""
        path = DIR + "/" + str(self.name)
        size = self.fs.size(path)
        done = self._hlen + self.committed * logfmt.REC_SIZE
        if self._n and size == done + self._n * logfmt.REC_SIZE:
            self.committed += self._n  # the failed flush reached the flash after all
            self._n = 0
        elif size != done:
            raise OSError(5)
        f = self.fs.open(path, "ab")
        self._f = f
        return f

    def _close(self):
        self._drop_handle()
        ix = self._index
        if ix is not None and ix.open >= 0:
            ix.set_complete(ix.open, self._ending)
            ix.open = -1
        if self._ending:  # the index file learns it at the next service(): this allocates
            self._done_name = self.name
            self._done_size = self._hlen + self.committed * logfmt.REC_SIZE
        self.name = None
        self._ending = False

    def _note_done(self):
        """Append the ended session's record to the index file (logfiles.INDEX)."""
        name = self._done_name
        self._done_name = None
        try:
            logfiles.append_index(self.fs, name, self._done_size, self._wall, self._sid)
        except (OSError, MemoryError):
            pass  # only a cache: a host's listing reads this session's header instead

    # ---- session life ----
    def begin(self, agenda, wall_epoch_or_0=0, agenda_hash=None):
        """Create the next session file and write its header; raises StorageFull."""
        if self.name is not None and not self.end():
            raise StorageFull("the last session is not saved yet: flash full; pull and delete")
        if self._done_name is not None:
            self._note_done()
        need = logfiles.reserve_bytes(self.fs, agenda)
        free = self.fs.free_bytes()
        if free < need:
            raise StorageFull(
                "this agenda needs %d KB free, %d KB left; pull and delete sessions"
                % (need // 1024, free // 1024)
            )
        if agenda_hash is None:
            import agenda as agendamod

            agenda_hash = agendamod.digest(agenda)
        sid = os.urandom(8)
        header = logfmt.agenda_header(
            sid, self.device_id, self.fw, agenda, binascii.unhexlify(agenda_hash), wall_epoch_or_0
        )
        seq = self._next
        name = "s%05d.ttl" % seq
        try:
            logfiles.write_atomic(self.fs, "seq", str(seq + 1).encode())
            self._next = seq + 1
            logfiles.write_atomic(self.fs, name, header)
            self._f = self.fs.open(DIR + "/" + name, "ab")
        except OSError as exc:
            if exc.args and exc.args[0] == ENOSPC:
                raise StorageFull("the flash is full; pull and delete sessions")
            raise
        self._open_state(name, logfmt.session_seed(sid), len(header), 0, 0)
        self._sid, self._wall = sid, wall_epoch_or_0
        if self._index is not None:
            self._index.open = self._index.insert(name, len(header), False, wall_epoch_or_0, sid)
        return name

    def _open_state(self, name, seed, hlen, committed, last_t):
        self.name = name
        self._seed = seed
        self._hlen = hlen
        self.committed = committed
        self._last_t = last_t
        self._n = 0
        self._pending = False
        self._ending = False
        self._ticked = False
        self.error = ERR_NONE

    def end(self):
        """Commit everything and close the session file; False if the flash refused it."""
        if self.name is None:
            return True
        self._ending = True
        self._pending = True
        self._write_out(self._tick)
        return self.name is None

    def unfinished(self):
        """The latest session if it was never ended (a logrecover.Unfinished), else None."""
        return None if self.name is not None else logfiles.unfinished(self.fs)

    def resume(self, unfinished=None):
        """Re-open the unfinished session for appending; returns its name (or None)."""
        u = unfinished if unfinished is not None else self.unfinished()
        if u is None:
            return None
        import logrecover

        hlen, count = logrecover.reopen(self.fs, u)
        self._f = self.fs.open(DIR + "/" + u.name, "ab")
        self._open_state(u.name, u.header["seed"], hlen, count, u.last_t_ms)
        self._sid, self._wall = u.header["session_id"], u.header["wall_start"]
        if self._index is not None:  # recovery may have cut a torn tail: the entry anew
            self._index.open = _serve().index_entry(self, self._index, u.name)
        return u.name

    # ---- stored sessions (logserve: what a host asks for) ----
    def sessions(self):
        """Every stored session: dicts of name, size, id (hex), complete, started_at (epoch)."""
        return _serve().sessions(self)

    def index(self):
        """The packed session index (sessindex.SessIndex), read on first use."""
        return _serve().index(self)

    def size(self, name):
        """Bytes in a stored session file; -1 for a bad name or no such file."""
        return logfiles.size(self.fs, name)

    def read_chunk(self, name, offset, n, buf):
        """Read up to n bytes of a session file at offset into buf; returns the count."""
        return _serve().read_chunk(self.fs, name, offset, n, buf)

    def sha256(self, name):
        """Hex SHA-256 of a stored session file."""
        return _serve().sha256(self.fs, name)

    def delete(self, name, sha_hex):
        """Remove a stored session only if sha_hex is its SHA-256; False when refused."""
        return _serve().delete(self, name, sha_hex)

    # ---- space ----
    def free_bytes(self):
        return self.fs.free_bytes()

    def reserve_bytes(self, agenda):
        """Worst-case flash a session of this agenda may take (whole blocks)."""
        return logfiles.reserve_bytes(self.fs, agenda)
