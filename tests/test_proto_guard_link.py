"""The device survives what a peer does on the serial port: pipelined fetch + delete, a host
that holds the port without reading. Over the pseudo-terminal against the MicroPython VM."""

from __future__ import annotations

import json
import time

from proto_sim import play, start_session
from talktoken.device.link import open_serial
from talktoken.sim import SimDevice


class Raw:
    """Request lines written as-is; reply lines read back (chunks and events kept apart)."""

    def __init__(self, port: str) -> None:
        self.ser = open_serial(port)
        self.ser.write(b"\n")
        self.buf = b""

    def send(self, *lines: bytes) -> None:
        self.ser.write(b"".join(line + b"\n" for line in lines))

    def finals(self, ids: set[int], timeout: float = 30) -> dict[int, list[bytes]]:
        """Every final reply line (ok / err) until each id in ids has one; also events."""
        got: dict[int, list[bytes]] = {}
        end = time.monotonic() + timeout
        while not ids <= set(got) and time.monotonic() < end:
            self.buf += self.ser.read(self.ser.in_waiting or 1)
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                if not line.startswith(b"TT:") or line.startswith(b"TT:*"):
                    continue
                head, kind = line[3:].split(b" ", 2)[:2]
                if kind in (b"ok", b"err"):
                    got.setdefault(int(head), []).append(line)
        return got

    def ok(self, rid: int, line: bytes) -> dict:
        self.send(line)
        reply = self.finals({rid})[rid]
        assert len(reply) == 1 and reply[0].split(b" ")[1] == b"ok", reply
        return json.loads(reply[0].split(b" ", 2)[2])

    def close(self) -> None:
        self.ser.close()


def test_fetch_at_end_then_delete_pipelined_does_not_crash_the_device() -> None:
    """The named regression: `fetch {name, offset: size}` then `delete {name, sha256}` in one
    write crashed App.step (the fetch's finish ran outside the request guard)."""
    with SimDevice(vm="micropython") as dev:
        play(dev)  # one finished session on the flash
        start_session(dev)  # and a session running while the host talks
        raw = Raw(dev.port)
        try:
            s = raw.ok(1, b"@1 sessions {}")["sessions"][0]
            name, size = s["name"], s["size"]
            sha = raw.ok(2, b'@2 hash {"name":"%s"}' % name.encode())["sha256"]
            raw.send(
                b'@3 fetch {"name":"%s","offset":%d}' % (name.encode(), size),
                b'@4 delete {"name":"%s","sha256":"%s"}' % (name.encode(), sha.encode()),
            )
            got = raw.finals({3, 4})
            assert [len(got.get(3, [])), len(got.get(4, []))] == [1, 1], got
            fin = json.loads(got[3][0].split(b" ", 2)[2])
            assert (fin["end"], fin["size"], fin["sha256"]) == (size, size, sha)
            # The delete is refused while the fetch streams (docs/protocol.md); when the device
            # read it only after the fetch's final reply, it deletes. Never a crash.
            busy = got[4][0].startswith(b"TT:4 err busy")
            assert busy or got[4][0] == b'TT:4 ok {"deleted": "%s"}' % name.encode(), got[4]
            dev.advance(2000)  # the loop still runs, the session too
            assert dev.state()["state"] == "running"
            if busy:
                line = b'@5 delete {"name":"%s","sha256":"%s"}' % (name.encode(), sha.encode())
                assert raw.ok(5, line) == {"deleted": name}
            assert raw.ok(6, b"@6 sessions {}")["total"] == 1  # only the running session
        finally:
            raw.close()
