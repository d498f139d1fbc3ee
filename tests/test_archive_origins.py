# The device's order of sessions, from the file names and storage markers pulls record: it
# survives `archive rebuild`, a lost index and re-imports, and a reformat starts a later storage.
from __future__ import annotations

import hashlib
import json
import sqlite3

import agenda as agendamod
import events as E
import logstore
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_kit import dated, device_log, encode, rand_hex
from talktoken.archive import dating, origins, schema, upkeep
from talktoken.archive.rows import insert_row
from talktoken.archive.store import Archive
from talktoken.device.client import Client
from talktoken.device.pull import pull_sessions
from talktoken.logfile.read import parse
from talktoken.sim.device import SimDevice
from talktoken.sim.vm import flash_cpy

DEVICE = "e6614103e7452d2f"
EPOCH = 1767225600  # 2026-01-01 00:00 UTC


def _log(i: int, known: bool):
    return device_log(i, known, DEVICE, turns=20)


def _at(monkeypatch, when: str) -> None:
    import talktoken.archive.store as store

    monkeypatch.setattr(store, "_now", lambda: when)


# ---- pure ordering ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("s00042.ttl", 42),
        ("/tt/s00000.ttl", 0),
        ("s7.ttl", 7),
        ("x00042.ttl", None),
        ("s.ttl", None),
    ],
)
def test_file_number(name, number):
    assert origins.file_number(name) == number


def test_unnamed_sessions_keep_their_place_in_import_order():
    k = origins.order_key
    rows = [
        ("a", "D", k(2, "f", 3)),
        ("u", "D", None),
        ("b", "D", k(2, "f", 1)),
        ("x", "E", k(1, "g", 9)),
        ("c", "D", k(1, "e", 7)),  # an earlier storage: first of the named
    ]
    assert [r[0] for r in origins.device_order(rows)] == ["c", "u", "b", "x", "a"]
    assert all(len(r) == 2 for r in origins.device_order(rows))


# ---- the archive -----------------------------------------------------------------------------
@pytest.fixture
def arc(tmp_path):
    with Archive(tmp_path / "archive", parser=parse) as a:
        yield a


def _device_plan():
    """Two storages of one device: (fs_id, [(name, log)]); the second after a reformat, its
    names starting again."""
    old = [(f"s{i + 1:05d}.ttl", _log(i, i in (0, 3))) for i in range(4)]
    new = [(f"s{i + 1:05d}.ttl", _log(4 + i, i == 1)) for i in range(3)]
    return [("aaaaaaaaaaaaaaaa", old), ("bbbbbbbbbbbbbbbb", new)]


def _pull(arc, monkeypatch, when, fs_id, files, order=None):
    _at(monkeypatch, when)
    todo = list(files) if order is None else [files[i] for i in order]
    arc.import_many([(encode(log), None) for _, log in todo])
    arc.note_origins(DEVICE, fs_id, [(log.session_id, name) for name, log in todo])


def _dates(arc):
    return dating.session_dates(arc.dating_rows(), arc.hand_dates())


def test_order_and_bounds_survive_rebuild_and_a_lost_index(arc, monkeypatch):
    (fs1, old), (fs2, new) = _device_plan()
    _pull(arc, monkeypatch, "2025-02-01T10:00:00+00:00", fs1, old)
    _pull(arc, monkeypatch, "2025-03-01T10:00:00+00:00", fs2, new)
    truth = [log.session_id for _, log in old + new]
    assert [r[0] for r in arc.dating_rows()] == truth
    rows, dates = arc.dating_rows(), _dates(arc)
    assert dates[truth[4]].kind == "unknown"  # the reformatted storage's first, undated
    assert dates[truth[4]].after == "2025-02-01T10:00:00+00:00"  # the pull before it
    assert dates[truth[4]].before == dated(5).isoformat()  # its dated neighbour
    _at(monkeypatch, "2025-06-01T00:00:00+00:00")  # rebuilt months later
    arc.rebuild()
    assert arc.dating_rows() == rows and _dates(arc) == dates
    with arc.db:  # the index is lost: rebuild has only the stored bytes, in session id order
        arc.db.execute("DELETE FROM seat_stats")
        arc.db.execute("DELETE FROM sessions")
    assert sorted(arc.rebuild().new) == sorted(truth)
    assert arc.dating_rows() == rows and _dates(arc) == dates
    assert upkeep.verify(arc).clean


def test_reformatted_storage_orders_after_the_old_one_whatever_the_import_order(arc, monkeypatch):
    (fs1, old), (fs2, new) = _device_plan()
    # the new storage's files imported first (e.g. `logs import` of a backup), then the pulls
    _at(monkeypatch, "2025-01-01T00:00:00+00:00")
    arc.import_many([(encode(log), None) for _, log in reversed(new)])
    _pull(arc, monkeypatch, "2025-02-01T10:00:00+00:00", fs1, old, order=[2, 0, 3, 1])
    _pull(arc, monkeypatch, "2025-03-01T10:00:00+00:00", fs2, new)
    ids = [r[0] for r in arc.dating_rows()]
    new_ids = [log.session_id for _, log in new]
    # the imported files were first seen on fs2 by the later pull: fs2 is the later storage,
    # and within each storage the file numbers give the order
    assert ids == [log.session_id for _, log in old] + new_ids


def test_sessions_without_a_name_keep_import_order(arc, monkeypatch):
    _at(monkeypatch, "2025-01-01T00:00:00+00:00")
    logs = [_log(i, i == 2) for i in range(4)]
    arc.import_many([(encode(log), None) for log in logs])
    assert [r[0] for r in arc.dating_rows()] == [log.session_id for log in logs]
    arc.rebuild()  # keeps the import order too
    assert [r[0] for r in arc.dating_rows()] == [log.session_id for log in logs]


def test_first_record_of_a_session_stays(arc, monkeypatch):
    _at(monkeypatch, "2025-01-01T00:00:00+00:00")
    log = _log(0, False)
    arc.import_raw(encode(log))
    assert arc.note_origins(DEVICE, "f1", [(log.session_id, "s00003.ttl")]) == 1
    _at(monkeypatch, "2025-01-02T00:00:00+00:00")
    assert arc.note_origins(DEVICE, "f2", [(log.session_id, "s00009.ttl")]) == 0
    row = arc.db.execute(
        "SELECT device_id, fs_id, name, number, pull, seen_at, imported_at FROM session_origins"
    ).fetchone()
    first = "2025-01-01T00:00:00+00:00"
    assert row == (DEVICE, "f1", "s00003.ttl", 3, 1, first, first)


def test_purge_removes_the_recorded_names(arc, monkeypatch):
    (fs1, old), _ = _device_plan()
    _pull(arc, monkeypatch, "2025-02-01T10:00:00+00:00", fs1, old)
    gone = [old[0][1].session_id, old[1][1].session_id]
    assert upkeep.purge(arc, gone) == 2
    left = {sid for (sid,) in arc.db.execute("SELECT session_id FROM session_origins")}
    assert left == {log.session_id for _, log in old[2:]}
    assert upkeep.verify(arc).clean


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 4), min_size=1, max_size=4),  # sessions on each storage
    st.randoms(use_true_random=False),
    st.booleans(),
)
def test_any_import_order_gives_the_device_order(tmp_path_factory, sizes, rng, lose_index):
    """Sessions of successive storages, each pulled (in any order within the pull), then maybe
    a lost index, then rebuild: dating_rows is the device's order."""
    import talktoken.archive.store as store

    path = tmp_path_factory.mktemp("arc")
    truth = []
    real_now = store._now
    try:
        with Archive(path, parser=parse) as a:
            for k, n in enumerate(sizes):
                files = [(f"s{i:05d}.ttl", _log(i, rng.random() < 0.5)) for i in range(n)]
                truth += [log.session_id for _, log in files]
                shuffled = files[:]
                rng.shuffle(shuffled)
                when = f"2025-{k + 1:02d}-01T00:00:00+00:00"
                store._now = lambda when=when: when
                a.import_many([(encode(log), None) for _, log in shuffled])
                fs_id = rand_hex()  # a new storage: its marker says nothing of its age
                a.note_origins(DEVICE, fs_id, [(log.session_id, nm) for nm, log in files])
            if lose_index:
                with a.db:
                    a.db.execute("DELETE FROM seat_stats")
                    a.db.execute("DELETE FROM sessions")
            a.rebuild()
            assert [r[0] for r in a.dating_rows()] == truth
    finally:
        store._now = real_now


def test_migration_7_on_an_archive_of_version_6(tmp_path, monkeypatch):
    path = tmp_path / "archive"
    path.mkdir(mode=0o700)
    db = sqlite3.connect(path / "archive.sqlite3")
    assert schema.migrate(db, upto=6) == 6
    logs = [_log(i, i == 1) for i in range(3)]
    for i, log in enumerate(logs):
        raw = encode(log)
        insert_row(db, parse(raw), hashlib.sha256(raw).hexdigest(), f"2025-01-0{i + 1}")
        db.execute("INSERT INTO blobs VALUES (?, ?)", (log.session_id, raw))
    db.execute(
        "INSERT INTO session_dates VALUES (?, '2025-01-01T00:00:00+00:00', 'x')",
        (logs[0].session_id,),
    )
    db.commit()
    db.close()
    with Archive(path, parser=parse) as a:
        assert schema.version(a.db) == schema.LATEST == 7
        assert [r[0] for r in a.dating_rows()] == [log.session_id for log in logs]
        assert a.hand_dates() == {logs[0].session_id: "2025-01-01T00:00:00+00:00"}
        assert upkeep.verify(a).clean
        # a later pull names them: the device order takes over
        a.note_origins(DEVICE, "f", [(logs[i].session_id, f"s{9 - i:05d}.ttl") for i in range(3)])
        assert [r[0] for r in a.dating_rows()] == [log.session_id for log in reversed(logs)]


# ---- end to end: the simulated device, its storage reformatted -------------------------------
def _image(path, wall_epochs):
    """A flash image of the device with one short session per epoch (0: no wall clock)."""
    fs = flash_cpy.mkfs(str(path))
    store = logstore.LogStore(fs, DEVICE, "0.1.0")
    a = agendamod.default()
    for t in wall_epochs:
        store.begin(a, t, agendamod.digest(a))
        store.record(E.EV_SESSION_START, 15, 0, 0)
        store.record(E.EV_TURN_START, 1, 0, 100)
        store.record(E.EV_SESSION_END, 15, 0, 5000)
        assert store.end()
    fs.close()
    return path


def _pull_device(image, archive_dir):
    with (
        SimDevice(vm="cpython", flash=image, uid=DEVICE) as dev,
        Client.connect(dev.port) as c,
        Archive(archive_dir, lazy=True) as a,
    ):
        result = pull_sessions(c, a, delete=True)
    assert not result.failed
    return result


@pytest.mark.parametrize("lose_index", [False, True])
def test_pull_reformat_rebuild_keeps_order_and_bounds(tmp_path, lose_index):
    first = _image(tmp_path / "a.img", [EPOCH, 0, 0, EPOCH + 7200])
    old = _pull_device(first, tmp_path / "arc")
    second = _image(tmp_path / "b.img", [0, EPOCH + 86400, 0])  # reformatted: s00001 again
    new = _pull_device(second, tmp_path / "arc")
    assert any("reformatted" in w for w in new.warnings)
    assert [p.name for p in old.sessions[:3]] == [p.name for p in new.sessions]
    truth = [p.session_id for p in old.sessions + new.sessions]
    with Archive(tmp_path / "arc") as a:
        rows = a.dating_rows()
        dates = dating.session_dates(rows, {})
        assert [r[0] for r in rows] == truth
        if lose_index:
            with a.db:
                a.db.execute("DELETE FROM seat_stats")
                a.db.execute("DELETE FROM sessions")
        a.rebuild()
        assert a.dating_rows() == rows
        assert dating.session_dates(a.dating_rows(), {}) == dates
    undated = dates[truth[4]]  # the new storage's first session: after all of the old
    assert undated.kind == "unknown" and undated.after >= dates[truth[3]].date


def test_cli_pull_reformat_rebuild_keeps_logs_dates(tmp_path):
    """As a facilitator would: pull, the device reformatted, pull again, rebuild the archive:
    `logs dates` says the same before and after, the new storage's sessions last."""
    from proto_sim import cli

    arc = tmp_path / "arc"
    for image in (
        _image(tmp_path / "a.img", [EPOCH, 0, EPOCH + 7200]),
        _image(tmp_path / "b.img", [0, EPOCH + 86400]),
    ):
        with SimDevice(vm="cpython", flash=image, uid=DEVICE) as dev:
            r = cli(dev.port, "logs", "pull", "--delete", archive=arc)
            assert r.returncode == 0, r.stderr
    before = cli(None, "--json", "logs", "dates", archive=arc)
    assert before.returncode == 0, before.stderr
    rows = json.loads(before.stdout)
    assert [x["kind"] for x in rows] == ["clock", "unknown", "clock", "unknown", "clock"]
    assert rows[3]["after"] >= rows[2]["date"] and rows[3]["before"] == rows[4]["date"]
    r = cli(None, "archive", "rebuild", archive=arc)
    assert r.returncode == 0, r.stderr
    assert cli(None, "--json", "logs", "dates", archive=arc).stdout == before.stdout
    assert cli(None, "archive", "verify", archive=arc).returncode == 0


def test_undated_sessions_of_one_pull_list_in_the_devices_order(arc, monkeypatch):
    """A monthly pull of four undated sessions: one import time for all four. The archive's
    listing (reports, `--last`) puts them in the device's order, not by session id."""
    logs = [(f"s{i + 1:05d}.ttl", _log(i, known=False)) for i in range(4)]
    for i, (_, log) in enumerate(logs):
        log.session_id = f"{15 - i:x}" * 16  # ids in the reverse of the device's order
    _pull(arc, monkeypatch, "2025-02-01T10:00:00+00:00", "aaaaaaaaaaaaaaaa", logs, [2, 0, 3, 1])
    truth = [log.session_id for _, log in logs]
    assert [s.session_id for s in arc.sessions()] == truth
