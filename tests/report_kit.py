"""A tiny session builder for metrics, archive and report tests and for tools/bench_report.py."""

from __future__ import annotations

import hashlib
import os
import random
from datetime import datetime, timedelta, timezone

from talktoken.logfile.read import Event, PhasePlan, SessionLog, parse


class Script:
    """Append events in time order: s.turn(seat, start, end) etc.; s.log() builds the SessionLog."""

    def __init__(self, seats=4, facilitators=(0,), phases=(("Talk", 10, "open"),), started=None):
        self.seats = seats
        self.facilitators = list(facilitators)
        self.phases = [PhasePlan(n, m, f, 60 if f == "round" else 0, 30) for n, m, f in phases]
        self.started = started
        self.events: list = []
        self.phase = 0

    def ev(self, t, kind, seat=None, phase=None, arg=0):
        self.events.append(Event(t, kind, seat, self.phase if phase is None else phase, arg))
        return self

    def start(self, t=0):
        return self.ev(t, "session_start").ev(t, "phase_start", phase=0)

    def next_phase(self, t):
        self.ev(t, "phase_end")
        self.phase += 1
        return self.ev(t, "phase_start")

    def turn(self, seat, start, end):
        return self.ev(start, "turn_start", seat).ev(end, "turn_end", seat)

    def passed(self, seat, start, end):
        return self.ev(start, "turn_start", seat).ev(end, "pass", seat)

    def end(self, t):
        return self.ev(t, "phase_end").ev(t, "session_end")

    def log(self, session_id=None, complete=None):
        sid = session_id or hashlib.sha256(repr(self.events).encode()).hexdigest()[:16]
        done = any(e.kind == "session_end" for e in self.events) if complete is None else complete
        return SessionLog(
            session_id=sid,
            device_id="e66038b7134f2a2c",
            firmware="0.1.0",
            format_version=1,
            agenda_name="Tuesday group",
            agenda_hash="0123456789abcdef",
            seats=self.seats,
            facilitators=self.facilitators,
            phases=self.phases,
            started_at=self.started,
            events=self.events,
            complete=done,
            problems=[],
            sha256="",
            raw=b"",
        )


DEFAULT_PHASES = (
    ("Check-in", 12, "round"),
    ("Supportive space", 10, "open"),
    ("Exploring relationships", 35, "open"),
    ("Developing strategies", 20, "open"),
    ("Closing round", 13, "round"),
)


def synthetic(seed: int, turns: int = 300, seats: int = 8, when: datetime | None = None) -> Script:
    """A plausible random session: rounds with passes, open floor with silences, a pause."""
    rng = random.Random(seed)
    s = Script(seats, (0,), DEFAULT_PHASES, when)
    s.start(0)
    t = 0
    per_phase = [seats, turns // 4, turns // 2, turns // 4 - 2 * seats, seats]
    weights = [rng.uniform(0.3, 3.0) for _ in range(seats)]
    for p, count in enumerate(per_phase):
        if p:
            s.next_phase(t)
        for i in range(max(1, count)):
            if s.phases[p].floor == "round":
                seat = i % seats
                if rng.random() < 0.15:
                    s.passed(seat, t, t + rng.randint(500, 3000))
                else:
                    s.turn(seat, t, t + rng.randint(20_000, 70_000))
                t = s.events[-1].t_ms + rng.randint(0, 800)
            else:
                seat = rng.choices(range(seats), weights)[0]
                end = t + rng.randint(3_000, 40_000)
                s.turn(seat, t, end)
                t = end + rng.randint(0, 9_000)
            if p == 2 and i == count // 2:
                s.ev(t, "pause").ev(t + 120_000, "resume")
                t += 120_000
    s.end(t)
    return s


def dated(i: int) -> datetime:
    """Weekly dates from 2025-01-07 18:00 UTC."""
    return datetime(2025, 1, 7, 18, 0, tzinfo=timezone.utc) + timedelta(days=7 * i)


def rand_hex(n: int = 8) -> str:
    return os.urandom(n).hex()


def device_log(i: int, known: bool, device_id: str, turns: int):
    """Synthetic session `i` (4 seats) of the device `device_id`, with a fresh session id;
    known=False: the device had no clock, so its start is unknown."""
    log = synthetic(i, turns=turns, seats=4, when=dated(i) if known else None).log(
        session_id=rand_hex()
    )
    log.device_id = device_id
    if not known:
        log.started_at = None
    return log


# -- raw files: the device's own encoder (firmware/logfmt.py) -----------------------------


def encode(log) -> bytes:
    """The log as the device writes it (header + 6-byte records)."""
    import events
    import logfmt

    sid = bytes.fromhex(log.session_id)
    wall = int(log.started_at.timestamp()) if log.started_at else 0
    floors = {"round": events.MODE_ROUND, "open": events.MODE_OPEN}
    out = bytearray(
        logfmt.encode_header(
            sid,
            bytes.fromhex(log.device_id),
            (0, 1, 0),
            log.agenda_name,
            bytes.fromhex(log.agenda_hash),
            log.seats,
            sum(1 << s for s in log.facilitators),
            events.BAL_ON_DEMAND,
            [
                (p.name, p.minutes, floors[p.floor], p.turn_seconds, p.warn_seconds)
                for p in log.phases
            ],
            wall,
        )
    )
    seed = logfmt.session_seed(sid)
    rec = bytearray(logfmt.REC_SIZE)
    for e in log.events:
        ev = events.EVENT_NAMES.index(e.kind)
        seat = e.arg if e.kind == "extend" else (events.NO_SEAT if e.seat is None else e.seat)
        logfmt.pack_record(rec, 0, ev, seat, e.phase, e.t_ms, seed)
        out += rec
    return bytes(out)


def make_archive(path, n: int = 6, turns: int = 120, seats: int = 8):
    """An Archive at `path` holding n weekly synthetic sessions (ids random, dates weekly)."""
    from talktoken.archive.store import Archive

    arc = Archive(path, parser=parse)
    for i in range(n):
        log = synthetic(i, turns=turns, seats=seats, when=dated(i)).log(session_id=rand_hex())
        arc.import_raw(encode(log))
    return arc
