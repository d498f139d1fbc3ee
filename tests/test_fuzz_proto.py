# Fuzzing: >= 100,000 random and malformed lines while a session runs on the simulated device.
from __future__ import annotations

import random
import threading
import time

import fuzzlines
from proto_sim import play
from talktoken.device.client import Client
from talktoken.device.link import open_serial
from talktoken.logfile import read as logread
from talktoken.sim.device import SimDevice

TOTAL_LINES = 100_000
WINDOW = 64  # lines that must be answered, in flight at once

# The session: fuzz traffic is sent before every step (the virtual clock stands still meanwhile).
SCRIPT = [
    ("give", 0, 9000),
    ("next", None, 7000),
    ("pass", None, 0),
    ("next", None, 5000),
    ("phase", None, 3000),
    ("give", 3, 12000),
    ("pause", None, 4000),
    ("resume", None, 1000),
    ("give", 5, 4000),
    ("open", None, 2000),
]


class Fuzzer:
    """Sends fuzz lines on a raw serial port and checks every framed request gets one answer."""

    def __init__(self, port: str, seed: int):
        self.ser = open_serial(port)
        self.rng = random.Random(seed)
        self.next_id = 1
        self.expected: set[int] = set()
        self.answered: dict[int, int] = {}
        self.unexpected = 0
        self.counts = {"lines": 0, "framed": 0, "bytes": 0, "err": 0, "ok": 0, "events": 0}
        self._buf = bytearray()
        self._lock = threading.Condition()

    def _reader(self, stop: threading.Event) -> None:
        while not stop.is_set():
            data = self.ser.read(self.ser.in_waiting or 1)
            if not data:
                continue
            self._buf += data
            while (nl := self._buf.find(b"\n")) >= 0:
                line = bytes(self._buf[:nl])
                del self._buf[: nl + 1]
                self._on_line(line)

    def _on_line(self, line: bytes) -> None:
        if not line.startswith(b"TT:"):
            return
        head, kind = line[3:].split(b" ", 2)[:2]
        if head == b"*":
            self.counts["events"] += 1
            return
        if kind == b"chunk":
            return
        rid = int(head)
        with self._lock:
            if rid not in self.expected:
                self.unexpected += 1
            self.answered[rid] = self.answered.get(rid, 0) + 1
            self.counts["ok" if kind == b"ok" else "err"] += 1
            self._lock.notify_all()

    def _pending(self) -> int:
        return sum(1 for rid in self._recent if rid not in self.answered)

    def send(self, n: int, timeout: float = 120) -> None:
        """Send n lines (batched writes, at most WINDOW unanswered), then wait for all answers."""
        stop = threading.Event()
        reader = threading.Thread(target=self._reader, args=(stop,), daemon=True)
        reader.start()
        self._recent: list[int] = []
        try:
            batch = bytearray()
            for _ in range(n):
                rid = self.next_id
                self.next_id += 1
                line, framed = fuzzlines.line(self.rng, rid)
                batch += line + b"\n"
                self.counts["lines"] += 1
                self.counts["bytes"] += len(line) + 1
                if framed:
                    with self._lock:
                        self.expected.add(rid)
                    self._recent.append(rid)
                    self.counts["framed"] += 1
                if len(batch) > 2048 or len(self._recent) >= WINDOW // 2:
                    self._flush(batch, timeout)
            self._flush(batch, timeout)
            self._wait(0, timeout)
        finally:
            stop.set()
            reader.join()

    def _flush(self, batch: bytearray, timeout: float) -> None:
        self._wait(WINDOW // 2, timeout)
        self.ser.write(bytes(batch))
        batch.clear()

    def _wait(self, most: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                self._recent = [r for r in self._recent if r not in self.answered]
                if len(self._recent) <= most:
                    return
                left = deadline - time.monotonic()
                assert left > 0, f"device stalled: {len(self._recent)} requests unanswered"
                self._lock.wait(min(left, 0.5))


def _events(dev: SimDevice) -> list[tuple]:
    with Client.connect(dev.port) as c:
        (s,) = c.sessions()
        raw, _ = c.fetch(s["name"])
    log = logread.parse(raw)
    assert log.complete and not log.problems
    return [(e.t_ms, e.kind, e.seat, e.phase, e.arg) for e in log.events]


def _run(fuzz: Fuzzer | None, dev: SimDevice, per_step: int) -> dict:
    play(dev, [("start", None, 2000)])
    for step in SCRIPT:
        if fuzz is not None:
            fuzz.send(per_step)
            assert dev.state()["state"] in ("running", "paused")
        play(dev, [step])
    final = dev.state()
    play(dev, [("end", None, 500)])
    return final


def test_fuzz_lines_while_a_session_runs():
    per_step = TOTAL_LINES // len(SCRIPT)
    with SimDevice(vm="micropython") as ref:
        ref_final = _run(None, ref, 0)
        ref_events = _events(ref)
    with SimDevice(vm="micropython") as dev:
        fuzz = Fuzzer(dev.port, seed=20240611)
        t0 = time.monotonic()
        final = _run(fuzz, dev, per_step)
        took = time.monotonic() - t0
        fuzz.ser.close()  # one client per port: the fuzzer lets go before the check connects
        events = _events(dev)
        serial = dev.state()["serial"]
    c = fuzz.counts
    print(
        f"fuzz: {c['lines']} lines ({c['bytes']} bytes), {c['framed']} framed requests, "
        f"{c['ok']} ok + {c['err']} err answers, {c['events']} live events, {took:.1f} s; "
        f"device serial {serial}"
    )
    assert c["lines"] >= 100_000
    assert fuzz.unexpected == 0
    assert set(fuzz.answered) == fuzz.expected  # every well-framed request answered ...
    assert set(fuzz.answered.values()) == {1}  # ... exactly once
    assert c["err"] > c["framed"] // 2 and c["ok"] > 1000
    # Session timing and log unaffected: the same events at the same offsets as without fuzz.
    assert events == ref_events
    for key in ("talk_ms", "turns", "passes", "session_ms", "phase", "speaker"):
        assert final[key] == ref_final[key], key
