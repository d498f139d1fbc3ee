# Archive.import_many: one transaction, per-item refusals, files durable before the commit.
from __future__ import annotations

import hashlib

import pytest
import report_kit as kit
from report_kit import dated, synthetic
from talktoken.archive import files as archive_files
from talktoken.archive.store import Archive, CorruptSessionError, ImportResult


def raw_session(i: int) -> bytes:
    return kit.encode(synthetic(i, turns=20, when=dated(i)).log(session_id="%016x" % (i + 1)))


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
    assert len(arc.sessions()) == 4 and len(list(arc.files.iterdir())) == 4
    again = arc.import_many(items)
    assert [r.new for r in again if isinstance(r, ImportResult)] == [False] * 5


def test_failed_file_write_commits_nothing_and_leaves_no_tmp(arc, monkeypatch):
    calls = []

    def failing_fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError("disk gone")

    monkeypatch.setattr(archive_files.os, "fsync", failing_fsync)
    raws = [raw_session(i) for i in range(3)]
    with pytest.raises(OSError, match="disk gone"):
        arc.import_many([(r, None) for r in raws])
    assert arc.sessions() == [] and list(arc.files.iterdir()) == []
    monkeypatch.undo()
    assert all(r.new for r in arc.import_many([(r, None) for r in raws]))
    assert len(arc.sessions()) == 3
