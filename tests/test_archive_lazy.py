# Archive summaries: computed at import by default; a lazy archive computes them on first use.
from __future__ import annotations

import hashlib

import logfmt  # firmware module (on sys.path through talktoken.logfile.read)
import pytest
import report_kit as kit
from report_kit import dated, synthetic
from talktoken.archive.store import Archive, CorruptSessionError
from talktoken.logfile import read as logread
from talktoken.metrics import summary as metrics
from talktoken.report import data as report_data
from talktoken.report.make import make_report


def raw_session(i: int, turns: int = 30) -> bytes:
    return kit.encode(synthetic(i, turns=turns, when=dated(i)).log(session_id="%016x" % (i + 7)))


def flags(arc: Archive) -> dict[str, int]:
    return dict(arc.db.execute("SELECT session_id, summarized FROM sessions"))


@pytest.fixture
def arc(tmp_path):
    a = Archive(tmp_path / "arc", lazy=True)
    yield a
    a.close()


def test_import_leaves_the_summary_to_the_first_report(arc):
    raws = [raw_session(i) for i in range(3)]
    arc.import_many([(r, hashlib.sha256(r).hexdigest()) for r in raws])
    assert set(flags(arc).values()) == {0}
    assert arc.db.execute("SELECT COUNT(*) FROM seat_stats").fetchone()[0] == 0
    out = make_report(arc, "table", all_=True)
    assert "3 sessions" in out.text
    assert set(flags(arc).values()) == {1}
    rows = arc.sessions()
    for raw, row in zip(raws, rows, strict=True):
        want = metrics.summarize(logread.parse(raw))
        want["imported_at"] = row.imported_at
        assert row.summary == want
        assert row.duration_ms == want["duration_ms"] and row.complete == want["complete"]
    seats = arc.db.execute("SELECT COUNT(*) FROM seat_stats").fetchone()[0]
    assert seats == sum(len(r.summary["seats"]) for r in rows)


def test_second_report_reads_the_cache(arc, monkeypatch):
    n = report_data.DETAIL_LIMIT + 1  # a report over more draws no per-session details
    for i in range(n):
        arc.import_raw(raw_session(i, turns=10))
    first_text = make_report(arc, "table", all_=True).text
    first = [r.summary for r in arc.sessions()]

    def no_decoding(*_a, **_k):
        raise AssertionError("a cached summary was computed again")

    monkeypatch.setattr(arc, "parse", no_decoding)
    monkeypatch.setattr(metrics, "summarize", no_decoding)
    again = make_report(arc, "table", all_=True).text
    assert f"{n} sessions" in again and again.splitlines()[2:] == first_text.splitlines()[2:]
    assert [r.summary for r in arc.sessions()] == first


def test_corrupt_record_session_still_reports_its_problems(arc):
    raw = bytearray(raw_session(4))
    head = logfmt.decode_header(bytes(raw))["length"]
    raw[head + 5 * logfmt.REC_SIZE + 2] ^= 0x10  # one record, past the (checked) header
    result = arc.import_raw(bytes(raw))
    assert result.new and flags(arc) == {result.session_id: 0}
    (row,) = arc.sessions()
    assert any("record 5" in p for p in row.summary["problems"]), row.summary["problems"]
    out = make_report(arc, "table", session_id=result.session_id[:8])
    assert "record 5" in out.text


def test_damaged_file_fails_the_first_use_and_caches_nothing(arc):
    result = arc.import_raw(raw_session(5))
    path = arc.path_of(result.session_id)
    path.write_bytes(path.read_bytes()[:-6])
    with pytest.raises(CorruptSessionError, match=result.session_id):
        arc.sessions()
    assert flags(arc) == {result.session_id: 0}


def test_metrics_change_marks_summaries_missing(tmp_path):
    with Archive(tmp_path / "arc") as a:
        a.import_raw(raw_session(6))
        before = [r.summary for r in a.sessions()]
        a.db.execute("UPDATE meta SET value = 'old' WHERE key = 'metrics_version'")
        a.db.commit()
    with Archive(tmp_path / "arc") as a:
        assert set(flags(a).values()) == {0}
        assert [r.summary for r in a.sessions()] == before
        assert set(flags(a).values()) == {1}
        a.refresh_summaries()
        assert [r.summary for r in a.sessions()] == before


def test_rebuild_gives_summaries_at_once(arc):
    arc.import_raw(raw_session(7))
    report = arc.rebuild()
    assert len(report.new) == 1 and set(flags(arc).values()) == {1}


def test_default_import_summarizes_at_once(tmp_path):
    with Archive(tmp_path / "arc") as a:
        a.import_many([(raw_session(i), None) for i in range(2)])
        assert set(flags(a).values()) == {1}
        assert a.db.execute("SELECT COUNT(*) FROM seat_stats").fetchone()[0] > 0
