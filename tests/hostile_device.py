# Test support: a fake talktoken that answers the host's requests, then lies as it is told to.
from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

# How the device spoils the reply to one request ("honest" spoils nothing).
LIES = (
    "honest",
    "truncate",  # the reply line is cut (its end, sometimes its newline too)
    "overlong",  # a line of many KB before the reply
    "wrong_id",  # the reply carries another request's id
    "wrong_type",  # the ok body is a list, a string, a number or null
    "field_type",  # one field of the ok body has another type
    "drop_field",  # one field of the ok body is missing
    "huge",  # every number is 10**30 (or negative, or a float)
    "bad_crc",  # a chunk's CRC lies
    "bad_offset",  # a chunk's offset lies
    "bad_sha",  # a fetch's final SHA-256 does not match its bytes
    "bad_size",  # a fetch's final size does not match its bytes
    "endless",  # the chunks of a fetch never end (valid chunks, then more)
    "silence",  # no reply at all
    "events",  # a flood of events and stale replies, then nothing
    "garbage",  # random bytes and a protocol prefix with nonsense
    "err",  # an err reply with an unknown code and odd text
    "vanish",  # the device goes away in the middle of the reply line
    "deep",  # a JSON body nested thousands deep
)

CHUNK = 512


class Vanished(OSError):
    """What pyserial raises when the USB device is gone."""


class HostileDevice:
    """A pyserial-like object (in_waiting, read, write, flush, timeout, close) in-process.

    `files`: name -> bytes of genuine session logs. `lies`: one entry of LIES per request, in
    order (cycled); `seed` picks details (which field, where to cut). `replies` counts reply
    lines sent.
    """

    def __init__(self, files: dict[str, bytes], lies: list[str], seed: int = 0):
        self.files = dict(files)
        self.lies = list(lies) or ["honest"]
        self.seed = seed
        self.n = 0
        self.replies = 0
        self.timeout: float | None = 0.05
        self._in = bytearray()
        self._out = bytearray()
        self._stream: Iterator[bytes] | None = None
        self.gone = False
        self.closed = False

    # -- pyserial surface ----------------------------------------------------------------

    @property
    def in_waiting(self) -> int:
        self._check()
        self._pump()
        return len(self._out)

    def read(self, n: int = 1) -> bytes:
        self._check()
        self._pump()
        if not self._out and self.gone_after_out:
            self.gone = True
            raise Vanished(5, "device reports readiness to read but returned no data")
        data = bytes(self._out[:n])
        del self._out[:n]
        return data

    def write(self, data: bytes) -> int:
        self._check()
        self._in += data
        while b"\n" in self._in:
            line, _, rest = bytes(self._in).partition(b"\n")
            self._in = bytearray(rest)
            self._request(line)
        return len(data)

    def flush(self) -> None:
        self._check()

    def close(self) -> None:
        self.closed = True

    gone_after_out = False

    def _check(self) -> None:
        if self.gone:
            raise Vanished(5, "Input/output error")

    def _pump(self) -> None:
        # An endless stream is produced as it is read, a little at a time.
        if self._stream is not None and len(self._out) < 8192:
            try:
                for _ in range(4):
                    self._out += next(self._stream)
            except StopIteration:
                self._stream = None

    # -- the device ------------------------------------------------------------------------

    def _pick(self, k: int) -> int:
        return (self.seed * 1_000_003 + self.n * 7919 + k * 104_729) % 1_000_000_007

    def _request(self, line: bytes) -> None:
        parts = line.strip().split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"@"):
            return
        try:
            rid = int(parts[0][1:])
            args = json.loads(parts[2]) if len(parts) > 2 else {}
        except ValueError:
            return
        op = parts[1].decode(errors="replace")
        lie = self.lies[self.n % len(self.lies)]
        self.n += 1
        lines = self._honest(rid, op, args if isinstance(args, dict) else {})
        self._send(self._spoil(lie, rid, op, lines))

    def _send(self, lines: list[bytes] | Iterator[bytes]) -> None:
        if isinstance(lines, list):
            for ln in lines:
                self._out += ln
                self.replies += 1
        else:
            self._stream = self._counted(lines)

    def _counted(self, lines: Iterator[bytes]) -> Iterator[bytes]:
        for ln in lines:
            self.replies += 1
            yield ln

    def _ok(self, rid: int, body: dict) -> bytes:
        return b"TT:%d ok %s\n" % (rid, json.dumps(body).encode())

    def _listing(self) -> list[dict]:
        return [
            {"name": n, "id": f"s{i:04d}", "size": len(b), "complete": True, "started_at": 0}
            for i, (n, b) in enumerate(sorted(self.files.items()))
        ]

    def _honest(self, rid: int, op: str, args: dict) -> list[bytes]:
        if op == "hello":
            return [self._ok(rid, {"proto": 1, "fw": "h", "device": "bad0", "fetch_queue": 2})]
        if op == "info":
            used = sum(len(b) for b in self.files.values())
            return [
                self._ok(
                    rid,
                    {
                        "proto": 1,
                        "fw": "h",
                        "device": "bad0",
                        "state": "ready",
                        "phase": 0,
                        "agenda": {"name": "A", "hash": "0" * 16},
                        "clock": 0,
                        "clock_set": False,
                        "sessions": len(self.files),
                        "used": used,
                        "free": 1 << 20,
                        "fs_id": "f5",
                        "fresh": False,
                        "battery_mv": -1,
                    },
                )
            ]
        if op == "sessions":
            rows = self._listing()
            return [self._ok(rid, {"sessions": rows, "next": None, "total": len(rows)})]
        name = str(args.get("name"))
        if op in ("hash", "fetch", "delete") and name not in self.files:
            return [b"TT:%d err notfound no such session\n" % rid]
        if op == "hash":
            return [self._ok(rid, {"name": name, "sha256": _sha(self.files[name])})]
        if op == "delete":
            if args.get("sha256") != _sha(self.files[name]):
                return [b"TT:%d err hash the hash differs\n" % rid]
            del self.files[name]
            return [self._ok(rid, {})]
        if op == "fetch":
            raw = self.files[name]
            out = [
                _chunk(rid, off, raw[off : off + CHUNK])
                for off in range(int(args.get("offset") or 0), len(raw), CHUNK)
            ]
            return [*out, self._ok(rid, {"size": len(raw), "sha256": _sha(raw)})]
        return [b"TT:%d err op unknown op\n" % rid]

    def _spoil(self, lie: str, rid: int, op: str, lines: list[bytes]):
        p = self._pick
        last = lines[-1]
        if lie == "honest":
            return lines
        if lie == "truncate":
            i = p(1) % len(lines)
            cut = p(2) % max(1, len(lines[i]))
            return lines[:i] + [lines[i][:cut] + (b"\n" if p(3) % 2 else b"")]
        if lie == "overlong":
            return [b'TT:%d ok {"x": "' % rid + b"A" * (2000 + p(1) % 60000) + b"\n", *lines]
        if lie == "wrong_id":
            return [
                ln.replace(b"TT:%d " % rid, b"TT:%d " % (rid + 1 + p(1) % 3), 1) for ln in lines
            ]
        if lie == "wrong_type":
            body = [b"[1, 2]", b'"ok"', b"42", b"null", b"true", b"{}"][p(1) % 6]
            return lines[:-1] + [b"TT:%d ok %s\n" % (rid, body)]
        if lie in ("field_type", "drop_field", "huge") and b" ok " in last:
            body = json.loads(last.split(b" ok ", 1)[1])
            if lie == "huge":
                body = _hugify(body, p(1))
            elif body:
                key = sorted(body)[p(1) % len(body)]
                if lie == "drop_field":
                    del body[key]
                else:
                    body[key] = [None, "x", -1, 1.5, [], {}, True, 10**40][p(2) % 8]
            return lines[:-1] + [self._ok(rid, body)]
        chunks = [i for i, ln in enumerate(lines) if b" chunk " in ln]
        if lie in ("bad_crc", "bad_offset") and chunks:
            i = chunks[p(1) % len(chunks)]
            head, off, crc, b64 = lines[i].split(b" ", 4)[0:1] + lines[i].split(b" ", 4)[2:5]
            if lie == "bad_crc":
                crc = b"%08x" % (int(crc, 16) ^ (1 + p(2) % 0xFFFF))
            else:
                off = b"%d" % (int(off) + 1 + p(2) % 5000)
            lines = list(lines)
            lines[i] = b"%s chunk %s %s %s" % (head, off, crc, b64)
            return lines
        if lie in ("bad_sha", "bad_size") and op == "fetch" and b" ok " in last:
            body = json.loads(last.split(b" ok ", 1)[1])
            if lie == "bad_sha":
                body["sha256"] = hashlib.sha256(b"%d" % p(1)).hexdigest()
            else:
                body["size"] = int(body.get("size", 0)) + 1 + p(1) % 100
            return lines[:-1] + [self._ok(rid, body)]
        if lie == "endless" and op == "fetch":
            return _endless(rid, p(1))
        if lie == "silence":
            return []
        if lie == "events":
            evs = [b'TT:* ev {"ev": "turn_start", "seat": %d}\n' % (p(k) % 9) for k in range(30)]
            stale = [b"TT:%d ok {}\n" % (rid + 100 + k) for k in range(30)]
            return _endless_mix(evs + stale)
        if lie == "garbage":
            junk = bytes((p(k) % 256) for k in range(1, 80))
            return [
                junk + b"\n",
                b"TT:" + junk.replace(b"\n", b"") + b"\n",
                b"TT:%d chunk x\n" % rid,
            ]
        if lie == "err":
            return [b"TT:%d err \xff\xfe{[ %s\n" % (rid, bytes(p(1) % 256 for _ in range(3)))]
        if lie == "vanish":
            cut = p(1) % max(1, len(lines[0]))
            self._out += lines[0][:cut]
            self.replies += 1
            self.gone_after_out = True
            return []
        if lie == "deep":
            return [b"TT:%d ok " % rid + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"\n"]
        return lines


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _chunk(rid: int, off: int, raw: bytes) -> bytes:
    return b"TT:%d chunk %d %08x %s\n" % (rid, off, zlib.crc32(raw), base64.b64encode(raw))


def _endless(rid: int, seed: int) -> Iterator[bytes]:
    off = 0
    raw = bytes((seed + i) % 251 for i in range(CHUNK))
    while True:
        yield _chunk(rid, off, raw)
        off += len(raw)


def _endless_mix(lines: list[bytes]) -> Iterator[bytes]:
    while True:
        yield from lines


def _hugify(body, k: int):
    if isinstance(body, bool):
        return body
    if isinstance(body, int | float):
        return [10**30, -(10**30), -1, 1e308, 2**63][k % 5]
    if isinstance(body, dict):
        return {key: _hugify(v, k + i) for i, (key, v) in enumerate(body.items())}
    if isinstance(body, list):
        return [_hugify(v, k + i) for i, v in enumerate(body)]
    return body


class PtyHostile:
    """The same device behind a real pseudo-terminal (`port` is the path to open).

    A thread moves bytes between the pty's master side and a HostileDevice. When the device
    vanishes, the master is closed, as when a Pico is unplugged.
    """

    def __init__(self, files: dict[str, bytes], lies: list[str], seed: int = 0):
        import tty

        self.dev = HostileDevice(files, lies, seed)
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.port = os.ttyname(slave)
        self._slave = slave
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import select

        while not self._stop.is_set():
            dev = self.dev
            try:
                ready, _, _ = select.select([self.master], [], [], 0.01)
                if ready:
                    dev.write(os.read(self.master, 4096))
                if dev.in_waiting:
                    os.write(self.master, dev.read(min(dev.in_waiting, 4096)))
            except OSError:
                break
        try:
            os.close(self.master)
        except OSError:
            pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        try:
            os.close(self._slave)
        except OSError:
            pass

    def __enter__(self) -> PtyHostile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def genuine_files(cache: Path) -> dict[str, bytes]:
    """Real session logs the firmware wrote (two short sessions on a simulated device);
    built once into `cache` (a directory) and read from there afterwards."""
    cache.mkdir(parents=True, exist_ok=True)
    index = cache / "index.json"
    if index.exists():
        names = json.loads(index.read_text())
        return {n: (cache / f"f{i}.bin").read_bytes() for i, n in enumerate(names)}
    from proto_sim import make_image
    from talktoken.device.client import Client
    from talktoken.sim.device import SimDevice

    img = make_image(cache / "image.img", 2)
    files = {}
    with SimDevice(flash=img) as dev, Client.connect(dev.port) as c:
        for s in c.sessions():
            files[s["name"]] = c.fetch(s["name"])[0]
    for i, raw in enumerate(files.values()):
        (cache / f"f{i}.bin").write_bytes(raw)
    index.write_text(json.dumps(list(files)))
    return files


def drive(files: dict[str, bytes], lies: list[str], seed: int, archive_dir: Path, port=None):
    """Run the host's device operations against a hostile device; returns (replies, problem).

    `problem` is "" when every operation ended well or in a TalktokenError with a sentence
    and an exit code, else the text of what escaped (a traceback in the CLI) or what broke
    an invariant: the archive holds only sessions whose bytes are genuine.
    """
    import traceback

    from talktoken.archive.store import Archive
    from talktoken.device.client import Client
    from talktoken.device.link import Link
    from talktoken.device.pull import pull_sessions
    from talktoken.errors import TalktokenError

    if port is None:
        dev = HostileDevice(files, lies, seed)
        link = Link("hostile", transport=dev, timeout=0.03)
    else:
        dev = port.dev
        link = Link(port.port, timeout=0.1)
    client = Client(link, timeout=link.timeout)
    genuine = {_sha(b) for b in files.values()}
    problem = ""
    archive = Archive(archive_dir)
    ops = [
        client.hello,
        client.info,
        client.sessions,
        lambda: client.hash(sorted(files)[0]),
        lambda: client.fetch(sorted(files)[0], retries=1, size=len(files[sorted(files)[0]])),
        lambda: pull_sessions(client, archive, delete=True),
        client.state,
    ]
    try:
        for op in ops:
            try:
                op()
            except TalktokenError as exc:
                text = str(exc)
                if not text or not isinstance(exc.exit_code, int) or exc.exit_code <= 1:
                    problem = f"{type(exc).__name__} without a sentence or its own code: {text!r}"
                    break
            except Exception:
                problem = traceback.format_exc()
                break
        for row in archive.sessions():
            raw = archive.raw(row.session_id)
            if _sha(raw) not in genuine or row.sha256 != _sha(raw):
                problem = problem or f"unverified bytes archived as {row.session_id}"
    finally:
        client.close()
        archive.close()
    return dev.replies, problem
