"""Line protocol server on the USB CDC port: requests, replies, fetch streaming, live events."""

import binascii
import hashlib
import json

import agenda as agendamod
import clocksrc
import events
from argcheck import ProtoError, int_arg, name_arg, only, str_arg
from micropython import const
from protoframe import (
    ARGS_BRACKETS,
    ARGS_BYTE,
    ARGS_DEEP,
    MAX_DEPTH,
    MAX_LINE,
    LineReader,
    check_args,
    parse_id,
)

PROTO_VERSION = const(1)
_EPOCH_MIN = const(1577836800)  # 2020-01-01
_EPOCH_MAX = const(4102444800)  # 2100-01-01
_PAGE = const(32)  # sessions per `sessions` answer unless `count` says otherwise
_PAGE_MAX = const(64)
CHUNK = const(2048)  # raw bytes per chunk line (2732 base64 characters): one per service()
_LINES_PER_SERVICE = const(4)
FETCH_QUEUE = const(8)  # fetches held at once (the streaming one + queued ones)
OUT_MAX = const(
    4096
)  # output bytes held for a host that does not read: live events dropped past it
ENOENT = const(2)
OPS = (
    "hello",
    "info",
    "clock_set",
    "agenda_get",
    "agenda_set",
    "sessions",
    "fetch",
    "hash",
    "delete",
    "watch",
    "state",
    "prepare_update",
)


class Proto:
    """Serves the line protocol of docs/protocol.md; `service(now)` once per loop iteration.

    Framing, replies and `fetch` streaming; each op is a method `_op_<name>(rid, args)`
    returning the reply's object (None: the reply follows later, as for fetch).
    """

    def __init__(self, app):
        self.app = app
        self.watching = False
        self.update_ok = False
        self.now = 0
        self.reader = LineReader(MAX_LINE)
        self.requests = 0  # well-framed requests answered
        self.errors = 0  # of which answered with err
        self.garbage = 0  # lines without a request id (ignored)
        self._chunk = bytearray(CHUNK)
        self._f_id = 0  # request id of the fetch being streamed (0 = none)
        self._f_name = None
        self._f_off = 0
        self._f_end = 0
        self._f_hash = None
        self._queue = []  # (rid, name, offset, end) of fetches waiting their turn
        self._more = False  # stopped at _LINES_PER_SERVICE: more input may be waiting
        self._out = []  # bytes objects waiting for the port, oldest first
        self._out_at = 0  # bytes of _out[0] already written
        self._out_n = 0  # bytes waiting in _out (not counting those written)
        self.dropped = 0  # live events dropped since the last one sent (told in the next one)
        self.dropped_total = 0
        self.faults = 0  # exceptions caught outside a request (a bug; the loop goes on)

    @property
    def busy(self):
        """True while a fetch streams or input may wait and the port takes output: call
        service() again without waiting."""
        return (self._f_id != 0 or self._more) and not self._out

    # -- the loop side --------------------------------------------------------------------

    def service(self, now):
        """Write waiting output; when all of it is out, stream one fetch chunk, then answer up
        to a few complete request lines. While the host does not read, nothing new is made:
        fetches pause and requests wait in the host's buffers (back-pressure)."""
        self.now = now
        if not self._drain():
            return
        if self._f_id:
            self._stream()
            if not self._drain():
                return
        serial = self.app.board.serial
        reader = self.reader
        self._more = True
        for _ in range(_LINES_PER_SERVICE):
            if self._out:
                return  # the last reply is still going out: read no more requests yet
            kind, start, end = reader.poll(serial)
            if kind == 0:
                self._more = False
                return
            if kind == 2:
                if reader.dropped_id:
                    self._err(reader.dropped_id, "toolong", "line longer than %d bytes" % MAX_LINE)
                    self._drain()  # as a reply to a line: out in the same service
                else:
                    self.garbage += 1
                continue
            try:
                self._line(reader.buf, start, end)
            except Exception:  # _line answers every failure of an op; this is a bug in it
                self.faults += 1
            finally:
                reader.consumed()
            self._drain()

    def _send(self, data):
        """Queue data for the port (written by _drain, as far as the port takes it now)."""
        self._out.append(data)
        self._out_n += len(data)

    def _drain(self):
        """Write queued output as far as the port takes it now; True when none is left."""
        out = self._out
        if not out:
            return True
        serial = self.app.board.serial
        while out:
            head = out[0]
            at = self._out_at
            n = serial.write(head, at)  # a method call, not a bound method: no allocation
            at += n
            self._out_n -= n
            if at < len(head):
                self._out_at = at
                return False
            out.pop(0)
            self._out_at = 0
        return True

    def feed(self, data):
        """Bytes the app's serial watcher read before the protocol was loaded: served first."""
        self.reader.feed(data)

    def on_event(self, ev, seat, phase, t_ms, arg):
        """Live event from the session (teed by the app); sent only while `watch` is on.

        When the host does not read and OUT_MAX bytes wait, the event is dropped and counted;
        the next event sent carries `"dropped": N` (events lost just before it)."""
        if not self.watching or ev == events.EV_CHECKPOINT:
            return
        try:
            name = events.EVENT_NAMES[ev] if 0 < ev < len(events.EVENT_NAMES) else "unknown"
            if seat == events.NO_SEAT:
                seat = -1
            line = 'TT:* ev {"ev":"%s","seat":%d,"phase":%d,"t":%d,"arg":%d' % (
                name,
                seat,
                phase,
                t_ms,
                arg,
            )
            if self._out_n + len(line) + 20 > OUT_MAX:
                self.dropped += 1
                self.dropped_total += 1
                return
            if self.dropped:
                line += ',"dropped":%d' % self.dropped
                self.dropped = 0
            self._send(line.encode() + b"}\n")
            self._drain()
        except Exception:  # an event must never cost the session
            self.faults += 1

    # -- framing ----------------------------------------------------------------------------

    def _line(self, buf, start, end):
        if end <= start:
            return
        rid = parse_id(buf, start, end)
        if not rid:
            self.garbage += 1
            return
        i = start + 1
        while i < end and buf[i] != 32:
            i += 1
        i += 1
        if i >= end:
            return self._err(rid, "syntax", "expected @<id> <op> <json object>")
        op_start = i
        while i < end and buf[i] != 32:
            i += 1
        op_end = i
        check = check_args(buf, op_start, end)
        if check == ARGS_BYTE:
            return self._err(rid, "bytes", "only printable ASCII is allowed (escape the rest)")
        if check == ARGS_DEEP:
            return self._err(rid, "depth", "JSON nested deeper than %d" % MAX_DEPTH)
        if check == ARGS_BRACKETS:
            return self._err(rid, "json", "unbalanced brackets")
        if op_end - op_start < 1 or op_end - op_start > 16:
            return self._err(rid, "syntax", "expected @<id> <op> <json object>")
        op = str(bytes(buf[op_start:op_end]), "ascii")
        if op not in OPS:
            return self._err(rid, "unknown", "unknown op %s" % op)
        if i < end:
            try:
                args = json.loads(bytes(buf[i + 1 : end]))
            except Exception:
                return self._err(rid, "json", "arguments are not valid JSON")
        else:
            args = {}
        if not isinstance(args, dict):
            return self._err(rid, "type", "arguments must be a JSON object")
        try:
            result = getattr(self, "_op_" + op)(rid, args)
        except ProtoError as exc:
            return self._err(rid, exc.code, exc.message)
        except OSError as exc:
            if exc.args and exc.args[0] == ENOENT:
                return self._err(rid, "notfound", "the session file is gone")
            return self._err(rid, "io", "storage error %s" % exc)
        except Exception as exc:  # a bug must cost one answer, never the session
            return self._err(rid, "internal", "%s %s" % (type(exc).__name__, exc))
        if result is not None:
            self._ok(rid, result)

    def _ok(self, rid, obj):
        self.requests += 1
        # Three pieces rather than one formatted line: one copy fewer of a large reply at peak.
        self._send(b"TT:%d ok " % rid)
        self._send(json.dumps(obj).encode())
        self._send(b"\n")

    def _err(self, rid, code, message):
        self.requests += 1
        self.errors += 1
        message = message.replace("\n", " ").replace("\r", " ")
        self._send(b"TT:%d err %s %s\n" % (rid, code.encode(), message.encode()))

    # -- hello and fetch (streamed) ------------------------------------------------------------

    def _op_hello(self, rid, args):
        only(args, ("proto", "host"))
        self.watching = False
        self._f_id = 0
        self._queue = []
        board = self.app.board
        return {
            "proto": PROTO_VERSION,
            "fw": self.app.fw_version,
            "device": board.unique_id(),
            "max_line": MAX_LINE,
            "max_depth": MAX_DEPTH,
            "chunk": CHUNK,
            "fetch_queue": FETCH_QUEUE,
        }

    def _op_fetch(self, rid, args):
        only(args, ("name", "offset", "length"))
        name = name_arg(args)
        off = int_arg(args, "offset", 0, 1 << 30, 0)
        length = int_arg(args, "length", -1, 1 << 30, -1)
        size = self._size(name)
        end = size if length < 0 or off + length > size else off + length
        if self._f_id:
            if len(self._queue) >= FETCH_QUEUE - 1:
                raise ProtoError("toomany", "%d fetches are queued; wait for one" % FETCH_QUEUE)
            self._queue.append((rid, name, off, end))
            return None  # streams after the ones before it
        self._start(rid, name, off, end)
        return None  # chunks follow, one per service(); then ok {size, sha256}

    def _start(self, rid, name, off, end):
        self._f_id = rid
        self._f_name = name
        self._f_off = off
        self._f_end = end
        self._f_hash = hashlib.sha256() if off == 0 else None

    def _stream(self):
        """One chunk of the streaming fetch; at its end the final reply. Guarded like a
        request: any failure ends this fetch with an err reply, and the next queued one goes."""
        rid = self._f_id
        try:
            reply = self._chunk_out(rid)
        except ProtoError as exc:
            reply = exc
        except Exception as exc:
            reply = exc
        if reply is None:
            return  # more chunks to come
        self._next()
        if type(reply) is dict:
            self._ok(rid, reply)
        elif isinstance(reply, ProtoError):
            self._err(rid, reply.code, reply.message)
        elif isinstance(reply, OSError) and reply.args and reply.args[0] == ENOENT:
            self._err(rid, "notfound", "the session file is gone")
        elif isinstance(reply, OSError):
            self._err(rid, "io", "read failed: %s" % reply)
        else:
            self._err(rid, "internal", "%s %s" % (type(reply).__name__, reply))

    def _chunk_out(self, rid):
        """Send one chunk line; the final reply's object when the fetch is done, else None."""
        want = self._f_end - self._f_off
        if want > CHUNK:
            want = CHUNK
        n = 0
        if want > 0:
            n = self.app.store.read_chunk(self._f_name, self._f_off, want, self._chunk)
        if n > 0:
            mv = memoryview(self._chunk)[:n]
            if self._f_hash is not None:
                self._f_hash.update(mv)
            crc = binascii.crc32(mv) & 0xFFFFFFFF
            self._send(b"TT:%d chunk %d %08x " % (rid, self._f_off, crc))
            self._send(binascii.b2a_base64(mv))  # type: ignore[arg-type]  # ends with newline
            self._f_off += n
        if n < want or self._f_off >= self._f_end:
            return self._finish()
        return None

    def _next(self):
        """The streaming fetch is over: the next queued one streams from the next call."""
        self._f_id = 0
        self._f_hash = None
        if self._queue:
            self._start(*self._queue.pop(0))

    def _finish(self):
        """The final reply of the streaming fetch: size, end and the whole file's SHA-256."""
        name = self._f_name
        size = self._size(name)
        if self._f_hash is not None and self._f_off == size:
            hexd = str(binascii.hexlify(self._f_hash.digest()), "ascii")
        else:
            hexd = self.app.store.sha256(name)
        return {"name": name, "size": size, "end": self._f_off, "sha256": hexd}

    def _fetching(self, name):
        """True while a fetch streams or waits for the session file `name`."""
        if self._f_id and self._f_name == name:
            return True
        for q in self._queue:
            if q[1] == name:
                return True
        return False

    # -- the ops answered in one reply -------------------------------------------------------

    def _running(self):
        s = self.app.session
        return s.state in (events.ST_RUNNING, events.ST_PAUSED)

    def _op_info(self, rid, args):
        only(args, ())
        app = self.app
        store = app.store
        s = app.session
        a = app.agenda
        out = {
            "proto": PROTO_VERSION,
            "fw": app.fw_version,
            "device": app.board.unique_id(),
            "clock": app.board.rtc_now(),
            "clock_set": app.clock_set,
            "clock_source": clocksrc.CLOCK_NAMES[app.clock_source],
            "rtc_module": bool(app.board.rtc_module),
            "state": events.STATE_NAMES[s.state],
            "phase": s.phase,
            "agenda": {"name": a.name, "hash": agendamod.digest(a)},
            "battery_mv": app.board.battery_mv(),
            "interrupt": self.update_ok or not self._running(),
        }
        if store is not None:
            ix = store.index()
            out["sessions"] = ix.count()
            out["free"] = store.free_bytes()
            out["used"] = ix.used()
            out["fs_id"] = store.fs_id
            out["fresh"] = store.fresh
        return out

    def _op_clock_set(self, rid, args):
        only(args, ("epoch",))
        epoch = int_arg(args, "epoch", _EPOCH_MIN, _EPOCH_MAX)
        self.app.board.rtc_set(epoch)
        self.app.clock_set = True
        self.app.clock_source = clocksrc.CLOCK_HOST
        return {"clock": self.app.board.rtc_now()}

    def _op_agenda_get(self, rid, args):
        only(args, ())
        a = self.app.agenda
        return {"agenda": a.to_dict(), "hash": agendamod.digest(a)}

    def _op_agenda_set(self, rid, args):
        only(args, ("agenda",))
        d = args.get("agenda")
        if not isinstance(d, dict):
            raise ProtoError("args", "agenda must be a JSON object")
        if self._running():
            raise ProtoError("busy", "a session is running; end it before changing the agenda")
        problems = agendamod.problems(d)
        if problems:
            body = json.dumps({"problems": [[f, r] for f, r in problems]})
            raise ProtoError("agenda", body)
        a = agendamod.parse(d)
        self.app.set_agenda(a)
        return {"name": a.name, "hash": agendamod.digest(a)}

    def _op_sessions(self, rid, args):
        only(args, ("start", "count"))
        start = int_arg(args, "start", 0, 1 << 30, 0)
        count = int_arg(args, "count", 1, _PAGE_MAX, _PAGE)
        ix = self._store().index()
        total = ix.count()
        end = start + count if start + count < total else total
        page = [ix.entry(i) for i in range(start, end)]
        return {"sessions": page, "total": total, "next": end if end < total else None}

    def _op_hash(self, rid, args):
        only(args, ("name",))
        name = name_arg(args)
        store = self._store()
        size = self._size(name)
        return {"name": name, "size": size, "sha256": store.sha256(name)}

    def _op_delete(self, rid, args):
        only(args, ("name", "sha256"))
        name = name_arg(args)
        sha = str_arg(args, "sha256", 64)
        if len(sha) != 64:
            raise ProtoError("args", "sha256 must be 64 hex digits")
        store = self._store()
        self._size(name)
        if self._fetching(name):
            raise ProtoError("busy", "a fetch is reading %s; delete it after the fetch ends" % name)
        if store.sha256(name) != sha.lower():
            raise ProtoError("hash", "sha256 does not match the stored session; nothing deleted")
        if store.delete(name, sha.lower()) is False:
            raise ProtoError("hash", "the store refused to delete %s" % name)
        return {"deleted": name}

    def _op_watch(self, rid, args):
        only(args, ("on",))
        on = args.get("on", True)
        if not isinstance(on, bool):
            raise ProtoError("args", "on must be true or false")
        self.watching = on
        return {"on": on}

    def _op_state(self, rid, args):
        only(args, ())
        s = self.app.session
        now = self.now
        return {
            "state": events.STATE_NAMES[s.state],
            "phase": s.phase,
            "speaker": s.speaker,
            "session_ms": s.session_ms(now) if s.state != events.ST_READY else 0,
            "talk_ms": [s.seat_talk_now(i, now) for i in range(s.agenda.seats)],
            "turns": list(s.seat_turns[: s.agenda.seats]),
            "passes": list(s.seat_passes[: s.agenda.seats]),
        }

    def _op_prepare_update(self, rid, args):
        only(args, ())
        store = self.app.store
        self.app.session.checkpoint(self.now)  # the clock now, so a resume loses no time
        if store is not None:
            store.flush()
        self.update_ok = True
        self.app.board.serial.set_interrupt(True)
        return {"interrupt": True}

    def _store(self):
        if self.app.store is None:
            raise ProtoError("storage", "this device has no log storage")
        return self.app.store

    def _size(self, name):
        """Bytes in the stored session `name`; ProtoError notfound when there is none."""
        ix = self._store().index()
        i = ix.find(name)
        if i < 0:
            raise ProtoError("notfound", "no session %s on this device" % name)
        return ix.size(i)
