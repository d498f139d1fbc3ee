# Archive.import_many: one transaction, per-item refusals, bytes and rows committed together.
from __future__ import annotations

import hashlib

import pytest
import report_kit as kit
from report_kit import dated, synthetic
from talktoken.archive.store import Archive, CorruptSessionError, ImportResult


def raw_session(i: int) -> bytes:
    return kit.encode(synthetic(i, turns=20, when=dated(i)).log(session_id="%016x" % (i + 1)))


def stored(a: Archive) -> dict:
    """session id -> the raw bytes the archive stores."""
    return dict(a.db.execute("SELECT session_id, raw FROM blobs").fetchall())


@pytest.fixture
def arc(tmp_path):
    a = Archive(tmp_path / "arc", parser=kit.parse)
    yield a
    a.close()


def test_batch_keeps_good_refuses_bad_and_is_idempotent(arc):
    raws = [raw_session(i) for i in range(4)]
    items = [(r, hashlib.sha256(r).hexdigest()) for r in raws]
    items.insert(2, (raws[1], "00" * 32))  # damaged in transfer
    items.append(items[0])  # the same session twice in one batch
    results = arc.import_many(items)
    assert isinstance(results[2], CorruptSessionError)
    assert [r.new for r in results if isinstance(r, ImportResult)] == [True] * 4 + [False]
    assert len(arc.sessions()) == 4 and len(stored(arc)) == 4
    again = arc.import_many(items)
    assert [r.new for r in again if isinstance(r, ImportResult)] == [False] * 5


def test_failure_inside_the_batch_commits_nothing(arc, monkeypatch):
    calls = []
    real = Archive._import_one

    def failing(self, raw, sha):
        calls.append(sha)
        if len(calls) == 2:
            raise RuntimeError("disk gone")
        return real(self, raw, sha)

    monkeypatch.setattr(Archive, "_import_one", failing)
    raws = [raw_session(i) for i in range(3)]
    with pytest.raises(RuntimeError, match="disk gone"):
        arc.import_many([(r, None) for r in raws])
    assert arc.sessions() == [] and stored(arc) == {}
    monkeypatch.undo()
    assert all(r.new for r in arc.import_many([(r, None) for r in raws]))
    assert len(arc.sessions()) == 3
