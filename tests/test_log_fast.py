# The fast log decode and metrics sweep give exactly the reference results on many varied logs.
from __future__ import annotations

import dataclasses
import json
import random

import events as E
import logfmt
import metrics_reference
import pytest
import report_kit as kit
from logfs_helper import stored_session
from talktoken.logfile import fast as logread_fast
from talktoken.logfile import read as logread
from talktoken.metrics import summary as metrics

KINDS = {name: i for i, name in enumerate(E.EVENT_NAMES) if name}


def _records(log, rng: random.Random) -> list[tuple[int, int, int, int]]:
    """(ev, seat nibble, phase, t) of a script log, with the store's quirks and rare events
    mixed in: implied turn ends left out, gaps, extends, checkpoints, seatless turn starts."""
    out = []
    evs = log.events
    for i, e in enumerate(evs):
        nxt = evs[i + 1] if i + 1 < len(evs) else None
        if (
            e.kind == "turn_end"
            and nxt is not None
            and nxt.kind == "turn_start"
            and (nxt.t_ms, nxt.phase) == (e.t_ms, e.phase)
            and rng.random() < 0.7
        ):
            continue  # what the store does: the turn start implies this end
        seat = e.arg if e.kind == "extend" else (E.NO_SEAT if e.seat is None else e.seat)
        out.append((KINDS[e.kind], seat, e.phase, e.t_ms))
        r = rng.random()
        if r < 0.02:
            out.append((E.EV_GAP, E.NO_SEAT, e.phase, e.t_ms + rng.choice((0, 5000))))
        elif r < 0.03:
            out.append((E.EV_EXTEND, rng.randint(-8, 7), e.phase, e.t_ms))
        elif r < 0.04:
            out.append((E.EV_CHECKPOINT, E.NO_SEAT, e.phase, e.t_ms))
        elif r < 0.045:
            out.append((E.EV_TURN_START, E.NO_SEAT, e.phase, e.t_ms))
        elif r < 0.05:
            out.append((E.EV_TURN_END, rng.randrange(log.seats), e.phase, e.t_ms))
    # keep offsets non-decreasing after the inserted +5 s gaps (bad offsets come from _damage)
    last = 0
    fixed = []
    for ev, seat, phase, t in out:
        last = max(last, t)
        fixed.append((ev, seat, phase, last))
    return fixed


def _file(log, recs) -> bytes:
    raw = bytearray(kit.encode(dataclasses.replace(log, events=[])))  # the header alone
    seed = logfmt.session_seed(bytes.fromhex(log.session_id))
    rec = bytearray(logfmt.REC_SIZE)
    for ev, seat, phase, t in recs:
        logfmt.pack_record(rec, 0, ev, seat, phase, t, seed)
        raw += rec
    return bytes(raw)


def _damage(raw: bytes, start: int, seed: int, rng: random.Random, seats: int) -> bytes:
    """One to three kinds of damage: bit flips, valid-CRC records with bad values, a torn tail."""
    b = bytearray(raw)
    for _ in range(rng.randint(1, 3)):
        n = (len(b) - start) // logfmt.REC_SIZE
        what = rng.randrange(4)
        pos = start + rng.randrange(max(n, 1)) * logfmt.REC_SIZE
        if what == 0 and n:
            b[pos + rng.randrange(6)] ^= 1 << rng.randrange(8)
        elif what == 1 and n:
            ev, seat, phase, t = rng.choice(
                [
                    (rng.choice((0, 13, 14, 15)), 15, 0, 0),
                    (E.EV_TURN_START, rng.randint(seats, 14), 0, 0),
                    (E.EV_PHASE_START, 15, rng.randint(5, 15), 0),
                    (E.EV_CHECKPOINT, 15, 0, 0),  # offset 0: goes back unless at the start
                ]
            )
            if rng.random() < 0.5:
                t = logfmt.record_t(b, pos)
            logfmt.pack_record(b, pos, ev, seat, phase, t, seed)
        elif what == 2:
            b += bytes(rng.randrange(256) for _ in range(rng.randint(1, 5)))
        else:
            del b[len(b) - rng.randint(1, 5) :]
    return bytes(b)


def _same_parse(raw: bytes):
    """parse and parse_reference agree (result or error); returns the log (or None)."""
    try:
        ref = logread.parse_reference(raw)
    except logread.LogFormatError as exc:
        with pytest.raises(logread.LogFormatError) as got:
            logread.parse(raw)
        assert str(got.value) == str(exc)
        return None
    log = logread.parse(raw)
    assert log == ref
    assert repr(log) == repr(ref)
    assert all(type(e) is logread.Event for e in log.events)
    return log


def _same_metrics(log) -> None:
    tl, ref_tl = metrics.timeline(log), metrics_reference.timeline(log)
    assert repr(tl) == repr(ref_tl)  # dict orders too
    got = json.dumps(metrics.summarize(log))
    assert got == json.dumps(metrics_reference.summarize(log))
    assert got == json.dumps(metrics.summarize(log, tl))


def _varied(count: int):
    for i in range(count):
        rng = random.Random(i)
        seats = rng.randint(2, 12)
        script = kit.synthetic(i, turns=rng.randint(0, 90), seats=seats, when=kit.dated(i))
        if rng.random() < 0.3:
            script.events = script.events[: rng.randrange(len(script.events) + 1)]
        log = script.log(session_id=kit.rand_hex())
        yield rng, log, _file(log, _records(log, rng))


def test_varied_logs_decode_and_summarize_exactly_as_reference() -> None:
    fast = slow = 0
    for rng, log, raw in _varied(160):
        h = logfmt.decode_header(raw)
        if rng.random() < 0.5:
            raw = _damage(raw, h["length"], h["seed"], rng, log.seats)
        if logread_fast.decode_events(raw, h, logread.Event) is None:
            slow += 1
        else:
            fast += 1
        got = _same_parse(raw)
        _same_metrics(got)
    assert fast > 40 and slow > 40  # both paths really ran


def test_every_truncation_and_single_bit_flip() -> None:
    _, _, raw = next(iter(_varied(1)))
    start = logfmt.decode_header(raw)["length"]
    for end in range(start - 2, len(raw) + 1):
        log = _same_parse(raw[:end])
        if log is not None:
            _same_metrics(log)
    for bit in range(0, (len(raw) - start) * 8, 5):
        b = bytearray(raw)
        b[start + bit // 8] ^= 1 << bit % 8
        _same_metrics(_same_parse(bytes(b)))


def test_broken_headers_give_the_same_errors() -> None:
    _, _, raw = next(iter(_varied(1)))
    for i in range(0, 60):
        b = bytearray(raw)
        b[i] ^= 0x10
        _same_parse(bytes(b))
    for junk in (b"", b"TTLOG", b"PK\x03\x04 a zip file", raw[:40]):
        _same_parse(junk)


def test_files_of_the_real_store() -> None:
    for turns, end in ((1, True), (120, True), (75, False)):
        raw, _ = stored_session(turns, end)
        h = logfmt.decode_header(raw)
        assert logread_fast.decode_events(raw, h, logread.Event) is not None
        _same_metrics(_same_parse(raw))


def test_script_logs_summarize_as_reference() -> None:
    for i in range(40):
        rng = random.Random(1000 + i)
        log = kit.synthetic(i, turns=rng.randint(0, 120), seats=rng.randint(2, 12)).log()
        s = kit.Script(3, (0,), (("A", 1, "open"), ("B", 1, "round")))
        s.start(0).turn(1, 0, 10).ev(10, "gap").ev(10, "turn_end", 1).ev(12, "turn_start", None)
        s.ev(15, "turn_start", 2).ev(20, "gap").ev(30, "pass", 1).ev(31, "pass", 2)
        s.ev(31, "pause").ev(32, "pause").ev(40, "resume").ev(41, "resume").ev(41, "extend", arg=-3)
        s.next_phase(50).ev(45, "turn_start", 0).ev(60, "gap").ev(70, "pause")
        for one in (log, s.log(), s.log(complete=False), *_gap_then_same_instant()):
            _same_metrics(one)


def _gap_then_same_instant():
    """Logs where a turn resumed after a gap ends at the gap's own offset, in every way."""
    for after in ("turn_start", "turn_end", "pass", "phase_end", "phase_start", "gap", None):
        s = kit.Script(3, (0,), (("A", 1, "open"), ("B", 1, "round")))
        s.start(0).ev(5, "turn_start", 1).ev(9, "gap")
        if after is not None:
            s.ev(9, after, 2 if after in ("turn_start", "pass") else 1)
        yield dataclasses.replace(s.log(complete=False), events=list(s.events))
        s.ev(12, "turn_start", 0).ev(12, "gap").end(12)
        yield s.log()
