# Host decoding of session logs written by the real log store (littlefs-python image).
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

import events as E
import logfmt
import pytest
from logfs_helper import HASH, stored_session
from talktoken.logfile import read as logread


def test_parse_matches_what_was_logged() -> None:
    raw, d = stored_session()
    log = logread.parse(raw)
    assert log.problems == []
    assert log.complete
    assert log.format_version == 2
    assert log.device_id == "e6614c311b7d2a35"
    assert log.firmware == "0.1.0"
    assert log.agenda_name == "Tuesday group"
    assert log.agenda_hash == HASH
    assert log.seats == 8 and log.facilitators == [0]
    assert [p.floor for p in log.phases] == ["round", "open"]
    assert log.phases[0] == logread.PhasePlan("Phase 0", 12, "round", 60, 60)
    assert log.started_at == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert log.sha256 == hashlib.sha256(raw).hexdigest()
    assert len(log.events) == len(d.given)
    for ev, (kind, seat, phase, t, arg) in zip(log.events, d.given, strict=True):
        assert ev.kind == E.EVENT_NAMES[kind]
        assert ev.seat == (None if seat == 15 else seat)
        assert (ev.phase, ev.t_ms, ev.arg) == (phase, t, arg)
    assert any(e.kind == "extend" and e.arg == 2 and e.seat is None for e in log.events)
    assert len(log.session_id) == 16


def test_unfinished_session_is_not_complete() -> None:
    raw, _ = stored_session(end=False)
    log = logread.parse(raw)
    assert not log.complete and log.problems == []


def test_corrupted_middle_record_listed_rest_kept() -> None:
    raw, d = stored_session()
    h = logfmt.decode_header(raw)
    bad = bytearray(raw)
    bad[h["length"] + 10 * 6 + 3] ^= 0x40
    log = logread.parse(bytes(bad))
    assert len(log.problems) == 1 and "record 10" in log.problems[0]
    assert len(log.events) == len(d.given) - 1 or len(log.events) == len(d.given) - 2
    assert log.complete


def test_torn_tail_dropped_and_said() -> None:
    raw, d = stored_session()
    log = logread.parse(raw[:-4])
    assert len(log.events) == len(d.given) - 1
    assert not log.complete
    assert "partial record" in log.problems[0]


def test_unknown_version_and_broken_header() -> None:
    raw, _ = stored_session(3)
    newer = bytearray(raw)
    newer[5] = 3
    with pytest.raises(logread.LogFormatError, match="version 3"):
        logread.parse(bytes(newer))
    broken = bytearray(raw)
    broken[20] ^= 1
    with pytest.raises(logread.LogFormatError, match="checksum"):
        logread.parse(bytes(broken))
    with pytest.raises(logread.LogFormatError, match="not a talktoken log"):
        logread.parse(b"PK\x03\x04 a zip file")
    with pytest.raises(logread.LogFormatError):
        logread.parse(b"")


FIXTURE_V1 = Path(__file__).parent / "fixtures" / "session_v1.ttl"


def test_a_version_1_session_stays_readable():
    """A session written by the firmware before log format 2 (tests/fixtures/session_v1.ttl)."""
    from talktoken.logfile import read as logread
    from talktoken.metrics import summary as metrics

    raw = FIXTURE_V1.read_bytes()
    assert raw[5] == 1
    log = logread.parse(raw)
    ref = logread.parse_reference(raw)
    assert log == ref and log.problems == [] and log.complete
    assert log.format_version == 1
    assert (log.queue, log.cue, log.cue_turns, log.reveal_seconds) == ("off", "off", False, 20)
    assert log.clock_source == "host" and log.started_at is not None
    assert log.balance == "on_demand" and log.seats == 8 and len(log.phases) == 5
    kinds = [e.kind for e in log.events]
    assert kinds.count("pass") == 1 and kinds[-1] == "session_end"
    assert [e.arg for e in log.events if e.kind == "extend"] == [3, -2]
    summary = metrics.summarize(log)
    assert summary["passes"] == 1 and summary["markers_ms"] == [] and summary["queue_waits"] == []
    assert summary["phases"][0]["extended_ms"] == 60_000


def test_version_2_events_in_the_log_and_the_summary():
    """A session with a queue, a shortening and a marker, logged by the firmware itself."""
    import agenda as agendamod
    import logstore
    from coretest import MemFs, make
    from session import Session
    from talktoken.logfile import read as logread
    from talktoken.metrics import summary as metrics

    a = make(phases=[("Open", 20, "open", 0, 120)], queue="quiet_first", balance="phase_end")
    fs = MemFs(file_cap=32768)
    st = logstore.LogStore(fs, "e6614103e7452d2f", "0.2.0")
    st.begin(a, 0)
    s = Session(a, st)
    t = 1000
    s.start(t)
    s.queue_toggle(3, t + 1000)
    s.queue_toggle(5, t + 2000)
    s.queue_toggle(6, t + 2500)
    s.floor_to_queued(t + 4000)  # seat 3 (all equal: first queued)
    s.marker(t + 9000)
    s.queue_toggle(6, t + 10000)  # taken out
    s.extend(-5, t + 11000)
    s.end(t + 20000)
    st.service(t + 20000)
    st.end()
    name = next(n for n in fs.files if n.endswith(".ttl"))
    log = logread.parse(fs.text(name))
    assert log.format_version == 2 and log.queue == "quiet_first" and log.balance == "phase_end"
    assert log.clock_source == "none" and log.started_at is None
    assert log.markers() == [9000]
    assert log.queue_waits() == [
        {"seat": 3, "phase": 0, "start_ms": 1000, "end_ms": 4000, "ended": "floor"},
        {"seat": 6, "phase": 0, "start_ms": 2500, "end_ms": 10000, "ended": "removed"},
        {"seat": 5, "phase": 0, "start_ms": 2000, "end_ms": 20000, "ended": "phase_end"},
    ]
    summary = metrics.summarize(log)
    assert summary["markers_ms"] == [9000] and len(summary["queue_waits"]) == 3
    assert summary["phases"][0]["extended_ms"] == -5 * 60_000, "a shortening is signed"
    assert agendamod.digest(a) == log.agenda_hash
