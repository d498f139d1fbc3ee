# Sessions the device could not date: bounds from what the archive knows, dates set by hand,
# and trend slopes that leave them out until dated.
from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from proto_sim import cli
from report_kit import dated, device_log, encode
from talktoken.archive import dating, schema
from talktoken.archive.store import Archive
from talktoken.logfile.read import parse
from talktoken.metrics import trends

DEVICE = "e6614103e7452d2f"


def _log(i: int, known: bool):
    return device_log(i, known, DEVICE, turns=40)


def _pull(arc: Archive, monkeypatch, when: str, logs) -> list[str]:
    import talktoken.archive.store as imp

    monkeypatch.setattr(imp, "_now", lambda: when)
    ids = []
    for log in logs:
        arc.import_raw(encode(log))
        ids.append(log.session_id)
    return ids


@pytest.fixture
def arc(tmp_path):
    with Archive(tmp_path / "archive", parser=parse) as a:
        yield a


def test_bounds_from_pulls_and_dated_neighbours(arc, monkeypatch):
    first = _pull(arc, monkeypatch, "2025-01-10T12:00:00+00:00", [_log(0, True)])
    # a month on battery: dated, two undated, dated, one undated, then the pull
    second = _pull(
        arc,
        monkeypatch,
        "2025-02-20T09:00:00+00:00",
        [_log(1, True), _log(2, False), _log(3, False), _log(4, True), _log(5, False)],
    )
    d = dating.session_dates(arc.dating_rows(), arc.hand_dates())
    assert d[first[0]].kind == "clock"
    a, b = d[second[1]], d[second[2]]
    assert a.kind == b.kind == "unknown"
    assert a.after == b.after == dated(1).isoformat()  # the dated session before them
    assert a.before == b.before == dated(4).isoformat()  # the dated session after them
    last = d[second[4]]
    assert last.after == dated(4).isoformat() and last.before == "2025-02-20T09:00:00+00:00"
    assert last.text() == "date unknown, between 2025-02-04 18:00 and 2025-02-20 09:00"
    # never the import time as the date
    assert all(x.date is None for x in (a, b, last))


def test_only_undated_sessions_lie_between_pulls(arc, monkeypatch):
    _pull(arc, monkeypatch, "2025-03-01T10:00:00+00:00", [_log(0, False)])
    ids = _pull(arc, monkeypatch, "2025-04-01T10:00:00+00:00", [_log(1, False)])
    d = dating.session_dates(arc.dating_rows(), {})[ids[0]]
    assert (d.after, d.before) == ("2025-03-01T10:00:00+00:00", "2025-04-01T10:00:00+00:00")


def test_hand_date_is_stored_and_shown_as_set_by_hand(arc, monkeypatch):
    ids = _pull(arc, monkeypatch, "2025-03-01T10:00:00+00:00", [_log(0, False), _log(1, True)])
    arc.set_date(ids[0], dating.parse_date("2025-02-11T18:30"))
    d = dating.session_dates(arc.dating_rows(), arc.hand_dates())
    assert d[ids[0]].kind == "hand"
    assert d[ids[0]].text() == "2025-02-11 18:30 (set by hand)"
    arc.set_date(ids[1], dating.parse_date("2020-01-01"))
    assert dating.session_dates(arc.dating_rows(), arc.hand_dates())[ids[1]].kind == "clock"


@pytest.mark.parametrize("bad", ["2025-13-01", "11/02/2025", "2025-02-11 18:30", "", "soon"])
def test_bad_dates_are_refused_with_a_sentence(bad):
    with pytest.raises(dating.BadDateError) as exc:
        dating.parse_date(bad)
    assert "YYYY-MM-DD" in str(exc.value) and exc.value.exit_code == 107


def test_undated_sessions_stay_out_of_slopes_until_dated():
    s = [
        {"session_id": "a", "started_at": "2025-01-07T18:00:00+00:00", "imported_at": "x"},
        {"session_id": "b", "started_at": None, "imported_at": "2025-01-08T00:00:00+00:00"},
        {"session_id": "c", "started_at": None, "date_set": "2025-01-21T18:00:00+00:00"},
    ]
    assert [trends.session_date(x) for x in s] == [s[0]["started_at"], None, s[2]["date_set"]]


def test_migration_5_on_an_archive_of_version_4(tmp_path):
    db = sqlite3.connect(tmp_path / "old.sqlite")
    assert schema.migrate(db, upto=4) == 4
    db.execute(
        "INSERT INTO sessions VALUES ('s1','h','d','0.1.0',1,'a','h',4,NULL,'t','t',1,0,'{}',1)"
    )
    db.commit()
    assert schema.migrate(db) == schema.LATEST >= 5
    db.execute("INSERT INTO session_dates VALUES ('s1', '2025-01-01T00:00:00+00:00', 'now')")
    assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 2)), min_size=1, max_size=12))
def test_bounds_always_hold_the_true_date(plan):
    """Sessions in device order with true dates; some known, pulled in batches: every
    unknown one's bounds contain its true date, and `after` < `before`."""
    rows, truth = [], {}
    day = 0
    pull_day = None
    pending = []
    for i, (known, gap) in enumerate(plan + [(True, 0)]):
        day += 1 + gap
        sid = f"s{i:03d}"
        truth[sid] = f"2025-01-{day:02d}T12:00:00+00:00"
        pending.append((sid, truth[sid] if known else None))
        if gap == 2 or i == len(plan):  # a pull after this session
            pull_day = day
            for p, started in pending:
                rows.append((p, DEVICE, started, f"2025-01-{pull_day:02d}T20:00:00+00:00"))
            pending = []
    for sid, d in dating.session_dates(rows, {}).items():
        if d.kind == "unknown":
            assert d.before and truth[sid] <= d.before
            assert d.after is None or d.after < truth[sid]


def test_cli_logs_date_and_dates(tmp_path, monkeypatch):
    with Archive(tmp_path / "archive", parser=parse) as a:
        ids = _pull(a, monkeypatch, "2025-03-01T10:00:00+00:00", [_log(0, True), _log(1, False)])
    r = cli(None, "logs", "dates", archive=tmp_path / "archive")
    assert r.returncode == 0, r.stderr
    assert "date unknown, between 2025-01-07 18:00 and 2025-03-01 10:00" in r.stdout
    r = cli(None, "logs", "date", ids[1][:8], "2025-02-11", archive=tmp_path / "archive")
    assert r.returncode == 0, r.stderr
    assert "2025-02-11 00:00 (set by hand)" in r.stdout
    rows = json.loads(cli(None, "--json", "logs", "dates", archive=tmp_path / "archive").stdout)
    assert {x["session_id"]: x["kind"] for x in rows} == {ids[0]: "clock", ids[1]: "hand"}
    r = cli(None, "logs", "date", ids[1][:8], "next week", archive=tmp_path / "archive")
    assert r.returncode == 107 and "Traceback" not in r.stderr and "YYYY-MM-DD" in r.stderr


def test_seat_slope_ignores_the_undated_session():
    def summ(sid, started, share, **extra):
        row = {"seat": 0, "facilitator": False, "member_share": share, "share": share}
        row.update(talk_ms=1, turns=1, passes=0)
        return {"session_id": sid, "started_at": started, "seats": [row], **extra}

    s = [
        summ("a", "2025-01-07T18:00:00+00:00", 0.2),
        summ("b", None, 0.9, imported_at="2025-01-08T00:00:00+00:00"),
        summ("c", "2025-01-14T18:00:00+00:00", 0.4),
        summ("d", "2025-01-21T18:00:00+00:00", 0.6),
    ]
    (seat,) = trends.seat_trends(s)
    assert seat["slope_per_week"] == pytest.approx(0.2)  # a, c, d: b has no date
    s[1]["date_set"] = "2025-01-28T18:00:00+00:00"  # dated by hand: now it counts
    (seat,) = trends.seat_trends(s)
    assert seat["slope_per_week"] == pytest.approx(7 * 8.05 / 245)


def test_the_date_text_says_what_is_known():
    from talktoken.archive.dating import SessionDate

    t1, t2 = "2026-11-03T10:00:00+00:00", "2026-11-20T09:12:00+00:00"
    assert SessionDate("clock", t1).text() == "2026-11-03 10:00"
    assert SessionDate("hand", t1).text() == "2026-11-03 10:00 (set by hand)"
    both = SessionDate("unknown", after=t1, before=t2).text()
    assert both == "date unknown, between 2026-11-03 10:00 and 2026-11-20 09:12"
    # no lower bound (the first pull of its device): no "?" for a person to puzzle over
    assert SessionDate("unknown", before=t2).text() == "date unknown, before 2026-11-20 09:12"
