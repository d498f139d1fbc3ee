# Host decoding of session logs written by the real log store (littlefs-python image).
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

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
    assert log.format_version == 1
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
    newer[5] = 2
    with pytest.raises(logread.LogFormatError, match="version 2"):
        logread.parse(bytes(newer))
    broken = bytearray(raw)
    broken[20] ^= 1
    with pytest.raises(logread.LogFormatError, match="checksum"):
        logread.parse(bytes(broken))
    with pytest.raises(logread.LogFormatError, match="not a talktoken log"):
        logread.parse(b"PK\x03\x04 a zip file")
    with pytest.raises(logread.LogFormatError):
        logread.parse(b"")
