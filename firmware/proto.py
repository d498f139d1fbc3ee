# Line protocol server on the USB CDC port: requests, replies, fetch streaming, live events.
import binascii
import hashlib
import json

import events
from micropython import const
from protoargs import ProtoError, int_arg, name_arg, only, size_of
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
from protoops import EPOCH_MAX, EPOCH_MIN, PROTO_VERSION, ProtoOps  # noqa: F401 (re-exported)

CHUNK = const(2048)  # raw bytes per chunk line (2732 base64 characters): one per service()
LINES_PER_SERVICE = const(4)
FETCH_QUEUE = const(8)  # fetches held at once (the streaming one + queued ones)
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


class Proto(ProtoOps):
    """Serves the line protocol of docs/protocol.md; `service(now)` once per loop iteration.

    Framing, replies, `hello` and `fetch` streaming live here; the other ops in ProtoOps.
    """

    def __init__(self, app):
        ProtoOps.__init__(self, app)
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
        self._more = False  # stopped at LINES_PER_SERVICE: more input may be waiting

    @property
    def busy(self):
        """True while a fetch streams or input may wait: call service() again without waiting."""
        return self._f_id != 0 or self._more

    # -- the loop side --------------------------------------------------------------------

    def service(self, now):
        """Stream one fetch chunk, then answer up to a few complete request lines."""
        self.now = now
        if self._f_id:
            self._stream()
        serial = self.app.board.serial
        reader = self.reader
        self._more = True
        for _ in range(LINES_PER_SERVICE):
            kind, start, end = reader.poll(serial)
            if kind == 0:
                self._more = False
                return
            if kind == 2:
                if reader.dropped_id:
                    self._err(reader.dropped_id, "toolong", "line longer than %d bytes" % MAX_LINE)
                else:
                    self.garbage += 1
                continue
            try:
                self._line(reader.buf, start, end)
            finally:
                reader.consumed()

    def feed(self, data):
        """Bytes the app's serial watcher read before the protocol was loaded: served first."""
        self.reader.feed(data)

    def on_event(self, ev, seat, phase, t_ms, arg):
        """Live event from the session (teed by the app); sent only while `watch` is on."""
        if not self.watching or ev == events.EV_CHECKPOINT:
            return
        name = events.EVENT_NAMES[ev] if 0 < ev < len(events.EVENT_NAMES) else "unknown"
        if seat == events.NO_SEAT:
            seat = -1
        line = 'TT:* ev {"ev":"%s","seat":%d,"phase":%d,"t":%d,"arg":%d}\n' % (
            name,
            seat,
            phase,
            t_ms,
            arg,
        )
        self.app.board.serial.write(line.encode())

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
        except Exception as exc:  # a bug must cost one answer, never the session
            return self._err(rid, "internal", "%s %s" % (type(exc).__name__, exc))
        if result is not None:
            self._ok(rid, result)

    def _ok(self, rid, obj):
        self.requests += 1
        # Three writes rather than one formatted line: one copy fewer of a large reply at peak.
        write = self.app.board.serial.write
        write(b"TT:%d ok " % rid)
        write(json.dumps(obj).encode())
        write(b"\n")

    def _err(self, rid, code, message):
        self.requests += 1
        self.errors += 1
        message = message.replace("\n", " ").replace("\r", " ")
        self.app.board.serial.write(b"TT:%d err %s %s\n" % (rid, code.encode(), message.encode()))

    # -- hello and fetch (streamed); the other ops are in protoops.ProtoOps ---------------------

    def _op_hello(self, rid, args):
        only(args, ("proto", "host"))
        self.watching = False
        self._f_id = 0
        self._queue = []
        board = self.app.board
        return {
            "proto": PROTO_VERSION,
            "fw": getattr(self.app, "fw_version", "0"),
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
        store = self._store()
        size = size_of(store, name)
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
        rid = self._f_id
        want = self._f_end - self._f_off
        if want > CHUNK:
            want = CHUNK
        n = 0
        if want > 0:
            try:
                n = self.app.store.read_chunk(self._f_name, self._f_off, want, self._chunk)
            except Exception as exc:
                self._next()
                return self._err(rid, "io", "read failed: %s" % exc)
        if n > 0:
            mv = memoryview(self._chunk)[:n]
            if self._f_hash is not None:
                self._f_hash.update(mv)
            crc = binascii.crc32(mv) & 0xFFFFFFFF
            serial = self.app.board.serial
            serial.write(b"TT:%d chunk %d %08x " % (rid, self._f_off, crc))
            serial.write(binascii.b2a_base64(mv))  # type: ignore[arg-type]  # ends with newline
            self._f_off += n
        if n < want or self._f_off >= self._f_end:
            self._finish(rid)

    def _next(self):
        """The streaming fetch is over: the next queued one streams from the next call."""
        self._f_id = 0
        if self._queue:
            self._start(*self._queue.pop(0))

    def _finish(self, rid):
        store = self.app.store
        name = self._f_name
        if self._f_hash is not None and self._f_off == size_of(store, name):
            digest = self._f_hash.digest()
        else:
            digest = None
        self._f_hash = None
        end = self._f_off
        hexd = str(binascii.hexlify(digest), "ascii") if digest else store.sha256(name)
        self._next()
        self._ok(rid, {"name": name, "size": size_of(store, name), "end": end, "sha256": hexd})
