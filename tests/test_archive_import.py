# Archive: owner-only files, idempotent import, corrupted files skipped, rebuild, migrations.
from __future__ import annotations

import hashlib
import os
import sqlite3
import stat

import pytest
import report_kit as kit
from report_kit import dated, synthetic
from talktoken.archive import schema as archive_schema
from talktoken.archive.store import Archive, ArchiveError, CorruptSessionError


def raw_session(i: int, turns: int = 40) -> bytes:
    return kit.encode(synthetic(i, turns=turns, when=dated(i)).log(session_id="%016x" % (i + 1)))


@pytest.fixture
def arc(tmp_path):
    a = Archive(tmp_path / "arc", parser=kit.parse)
    yield a
    a.close()


def stored(a: Archive) -> dict:
    """session id -> the raw bytes the archive stores."""
    return dict(a.db.execute("SELECT session_id, raw FROM blobs").fetchall())


def dump(a: Archive) -> list:
    return [
        list(a.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2"))
        for t in ("sessions", "seat_stats", "devices")
    ]


def test_files_are_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        a = Archive(tmp_path / "arc", parser=kit.parse)
        a.import_raw(raw_session(0))
        a.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "arc").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "arc" / "archive.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "arc" / "sessions").stat().st_mode) == 0o700
    assert list((tmp_path / "arc" / "sessions").iterdir()) == []  # the bytes are in the db
    with Archive(tmp_path / "arc", parser=kit.parse) as a:
        assert len(stored(a)) == 1


def test_reimport_changes_nothing(arc):
    raws = [raw_session(i) for i in range(3)]
    for raw in raws:
        assert arc.import_raw(raw, hashlib.sha256(raw).hexdigest()).new is True
    before = dump(arc)
    files_before = stored(arc)
    for raw in raws:
        result = arc.import_raw(raw, hashlib.sha256(raw).hexdigest())
        assert result.new is False
    assert dump(arc) == before
    assert stored(arc) == files_before
    assert arc.has(result.session_id, hashlib.sha256(raws[-1]).hexdigest())


def test_hash_mismatch_is_refused_and_nothing_stored(arc):
    raw = raw_session(0)
    with pytest.raises(CorruptSessionError, match="hash mismatch"):
        arc.import_raw(raw, "00" * 32)
    assert arc.sessions() == [] and stored(arc) == {}


def test_corrupted_file_is_reported_and_skipped(arc, tmp_path):
    good = tmp_path / "good.ttl"
    good.write_bytes(raw_session(1))
    bad = tmp_path / "bad.ttl"
    bad.write_bytes(b"TTJ" + os.urandom(200))
    report = arc.import_files([bad, good])
    assert len(report.new) == 1 and report.unchanged == []
    assert [name for name, _ in report.skipped] == [str(bad)]
    assert "cannot decode" in report.skipped[0][1]
    assert [r.session_id for r in arc.sessions()] == report.new
    assert len(stored(arc)) == 1
    again = arc.import_files([bad, good])
    assert again.unchanged == report.new and len(again.skipped) == 1


def test_same_id_different_hash_is_an_error(arc):
    log = synthetic(3, turns=20).log(session_id="00000000000000aa")
    arc.import_raw(kit.encode(log))
    log.events = log.events[:-4]
    with pytest.raises(ArchiveError, match="different hash"):
        arc.import_raw(kit.encode(log))
    assert len(arc.sessions()) == 1


def test_rebuild_from_the_stored_bytes_and_files(arc, tmp_path):
    for i in range(4):
        arc.import_raw(raw_session(i))
    summaries = [r.summary["seats"] for r in arc.sessions()]
    (arc.files / "ffffffffffffffff.ttl").write_bytes(b"garbage")
    arc.db.execute("DELETE FROM sessions")
    arc.db.commit()
    report = arc.rebuild()
    assert len(report.new) == 4 and [n for n, _ in report.skipped] == ["ffffffffffffffff.ttl"]
    assert [r.summary["seats"] for r in arc.sessions()] == summaries
    # raw files exported (or from a backup) come back in through rebuild
    (tmp_path / "raw").mkdir()
    paths = arc.export_raw(tmp_path / "raw")
    assert sorted(p.read_bytes() for p in paths) == sorted(stored(arc).values())
    with Archive(tmp_path / "fresh", parser=kit.parse) as fresh:
        for p in paths:
            (fresh.files / p.name).write_bytes(p.read_bytes())
        again = fresh.rebuild()
        assert sorted(again.new) == sorted(report.new) and stored(fresh) == stored(arc)
        assert list(fresh.files.iterdir()) == []


def test_schema_5_moves_the_files_of_an_old_archive_into_the_database(tmp_path):
    import shutil

    d = tmp_path / "old"
    (d / "sessions").mkdir(parents=True)
    db = sqlite3.connect(d / "archive.sqlite3")
    archive_schema.migrate(db, upto=4)
    raws = [raw_session(i) for i in range(3)]
    with Archive(tmp_path / "donor", parser=kit.parse) as donor:
        for raw in raws:
            donor.import_raw(raw)
        for table in ("sessions", "seat_stats"):
            rows = donor.db.execute(f"SELECT * FROM {table}").fetchall()
            cols = ",".join("?" * len(rows[0]))
            db.executemany(f"INSERT INTO {table} VALUES ({cols})", rows)
        ids = list(stored(donor))
    db.commit()
    db.close()
    for sid, raw in zip(sorted(ids), sorted(raws), strict=True):
        (d / "sessions" / f"{sid}.ttl").write_bytes(raw)
    (d / "sessions" / f"{ids[0]}.ttl").write_bytes(b"damaged")  # fails its hash: stays
    with Archive(d, parser=kit.parse) as a:
        assert archive_schema.version(a.db) == archive_schema.LATEST
        assert sorted(stored(a)) == sorted(ids[1:])
        assert [p.name for p in a.files.iterdir()] == [f"{ids[0]}.ttl"]
        assert len(a.sessions(ids=ids[1:])) == 2
    shutil.rmtree(tmp_path / "donor")


def test_sessions_ordered_and_filtered(arc):
    for i in (2, 0, 1):
        arc.import_raw(raw_session(i))
    rows = arc.sessions()
    assert [r.started_at for r in rows] == sorted(r.started_at for r in rows)
    assert len(arc.sessions(since=dated(1).date().isoformat())) == 2
    assert arc.find(rows[0].session_id.upper()) == rows[0].session_id
    with pytest.raises(ArchiveError):
        arc.find("0000")  # all three ids start with 000000000000000
    loaded = arc.load(rows[1].session_id)
    assert loaded.session_id == rows[1].session_id


def test_migrates_an_old_schema_and_refuses_a_newer_one(tmp_path):
    d = tmp_path / "old"
    d.mkdir()
    db = sqlite3.connect(d / "archive.sqlite3")
    assert archive_schema.migrate(db, upto=1) == 1
    db.close()
    a = Archive(d, parser=kit.parse)
    assert archive_schema.version(a.db) == archive_schema.LATEST
    assert a.note_device("dev1", "fs1", []) == []
    a.db.execute("INSERT INTO schema_version(version) VALUES (99)")
    a.db.commit()
    a.close()
    with pytest.raises(archive_schema.SchemaError, match="newer"):
        Archive(d, parser=kit.parse)


def test_note_device_warns_on_reformat(arc):
    assert arc.note_device("dev1", "aaaa", ["s00001.ttl", "s00002.ttl"]) == []
    assert arc.note_device("dev1", "aaaa", ["s00003.ttl"]) == []
    warnings = arc.note_device("dev1", "bbbb", [])
    assert len(warnings) == 1 and "reformatted" in warnings[0] and "1 session file" in warnings[0]
    assert arc.note_device("dev1", "bbbb", []) == []
    assert arc.note_device("dev2", "bbbb", []) == []


def test_damaged_header_is_skipped(arc, tmp_path):
    raw = bytearray(raw_session(2))
    raw[12] ^= 0x40  # inside the header (session id / CRC-protected part)
    bad = tmp_path / "flipped.ttl"
    bad.write_bytes(bytes(raw))
    report = arc.import_files([bad])
    assert report.new == [] and len(report.skipped) == 1
    assert arc.sessions() == [] and stored(arc) == {}
