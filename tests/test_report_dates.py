# Every report format shows how a session is dated, as `logs dates` does: the device's clock,
# a date set by hand, or "date unknown, between … and …" (never the import time).
from __future__ import annotations

import csv
import io
import json

import pytest
import report_kit as kit
from report_kit import dated, synthetic
from talktoken.archive import dating
from talktoken.archive.store import Archive
from talktoken.report import fmt
from talktoken.report.make import make_report
from test_report_html import _chromium

PULLED = "2025-03-01T10:00:00+00:00"
BETWEEN = "date unknown, between 2025-01-07 18:00 and 2025-01-21 18:00"
BY_HAND = "2025-01-28 19:30 (set by hand)"


def _log(i: int, known: bool):
    log = synthetic(i, turns=40, seats=4, when=dated(i) if known else None).log(
        session_id=kit.rand_hex()
    )
    if not known:
        log.started_at = None
    return log


@pytest.fixture
def arc(tmp_path, monkeypatch):
    """One device's sessions in its order: dated, undated, dated, undated then set by hand."""
    import talktoken.archive.store as store

    monkeypatch.setattr(store, "_now", lambda: PULLED)
    logs = [_log(0, True), _log(1, False), _log(2, True), _log(3, False)]
    with Archive(tmp_path / "archive", parser=kit.parse) as a:
        a.import_many([(kit.encode(log), None) for log in logs])
        a.set_date(logs[3].session_id, dating.parse_date("2025-01-28T19:30"))
        a.ids = [log.session_id for log in logs]
        yield a


def test_the_dates_agree_with_logs_dates(arc):
    d = dating.session_dates(arc.dating_rows(), arc.hand_dates())
    assert d[arc.ids[1]].text() == BETWEEN
    assert d[arc.ids[3]].text() == BY_HAND


def test_table_shows_bounds_and_hand_dates(arc):
    text = make_report(arc, "table", all_=True).text
    assert BETWEEN in text and BY_HAND in text
    assert "2025-01-07 18:00 UTC" in text  # the clock's dates as before
    assert "imported" not in text and "2025-03-01" not in text  # never the import time
    # one session on its own: its head line says it too
    one = make_report(arc, "table", session_id=arc.ids[1]).text
    assert f"Session {arc.ids[1][:8]} · Tuesday group · {BETWEEN}" in one


def test_json_carries_the_kind_and_the_bounds(arc):
    doc = json.loads(make_report(arc, "json", all_=True).text)
    by_id = {s["session_id"]: s for s in doc["sessions"]}
    kinds = [(by_id[i]["date_kind"], by_id[i]["date"]) for i in arc.ids]
    assert kinds == [
        ("clock", dated(0).isoformat()),
        ("unknown", None),
        ("clock", dated(2).isoformat()),
        ("hand", "2025-01-28T19:30:00+00:00"),
    ]
    mid = by_id[arc.ids[1]]
    assert (mid["date_after"], mid["date_before"]) == (dated(0).isoformat(), dated(2).isoformat())
    assert mid["started_at"] is None and mid["imported_at"] == PULLED  # kept as before
    assert by_id[arc.ids[0]]["date_after"] is None and by_id[arc.ids[0]]["date_before"] is None


@pytest.mark.parametrize("table", ["turns", "seats"])
def test_csv_carries_the_kind_and_the_bounds(arc, table):
    text = make_report(arc, "csv", all_=True, csv_table=table).text
    rows = list(csv.DictReader(io.StringIO(text)))
    seen = {r["session_id"]: r for r in rows}
    assert set(seen) == set(arc.ids)
    mid, hand, first = seen[arc.ids[1]], seen[arc.ids[3]], seen[arc.ids[0]]
    assert (mid["date_kind"], mid["date"]) == ("unknown", "")
    assert (mid["date_after"], mid["date_before"]) == (dated(0).isoformat(), dated(2).isoformat())
    assert mid["session_date"] == PULLED  # the old column keeps its meaning
    assert (hand["date_kind"], hand["date"]) == ("hand", "2025-01-28T19:30:00+00:00")
    assert (first["date_kind"], first["date"], first["date_after"]) == (
        "clock",
        dated(0).isoformat(),
        "",
    )
    assert all(len(r) == len(rows[0]) for r in rows)
    header = text.splitlines()[0].split(",")
    assert header[-4:] == ["date_kind", "date", "date_after", "date_before"]


def test_html_shows_bounds_and_hand_dates(arc, tmp_path):
    out = tmp_path / "r.html"
    make_report(arc, "html", all_=True, out=out)
    html = out.read_text()
    assert BETWEEN in html and BY_HAND in html
    assert "imported" not in html
    # the trend charts' axis: the hand-set day counts as a day, the unknown one does not
    one = tmp_path / "one.html"
    make_report(arc, "html", session_id=arc.ids[1], out=one)
    page = one.read_text()
    assert f"<h1>Tuesday group · {BETWEEN}</h1>" in page


def test_html_dates_render_in_chromium(arc, tmp_path, chromium):
    out = tmp_path / "r.html"
    make_report(arc, "html", all_=True, out=out)
    dom, fetched = _chromium(chromium, out, tmp_path, "--dump-dom")
    assert fetched == []
    assert BETWEEN in dom and BY_HAND in dom


def test_trends_leave_the_undated_session_out(arc):
    doc = json.loads(make_report(arc, "json", all_=True).text)
    (block,) = doc["trends"]
    points = block["seats"][0]["points"]
    # every session is a point; the undated one has no date, so no slope leans on it
    dates = {p["session_id"]: p.get("date") for p in points}
    assert dates[arc.ids[1]] is None
    assert dates[arc.ids[3]] == "2025-01-28T19:30:00+00:00"


def test_format_helpers():
    assert fmt.session_when(dating.SessionDate("unknown")) == "date unknown"
    assert fmt.session_when(dating.SessionDate("clock", dated(0).isoformat())) == (
        "2025-01-07 18:00 UTC"
    )
    assert fmt.session_day(dating.SessionDate("hand", "2025-01-28T19:30:00+00:00")) == "2025-01-28"
    assert fmt.session_day(dating.SessionDate("unknown", after="x", before="y")) == "date unknown"


def test_trend_titles_span_the_dated_sessions(arc, tmp_path):
    span = "4 sessions, 2025-01-07 to 2025-01-28, 1 without a date"
    assert span in make_report(arc, "table", all_=True).text
    out = tmp_path / "r.html"
    make_report(arc, "html", all_=True, out=out)
    assert span in out.read_text()


def test_trend_rows_follow_the_points(arc):
    from talktoken.report import data as report_data

    rows = report_data.select(arc, all_=True)
    data = report_data.build(arc, rows, details=False)
    (block,) = data.trend_blocks
    points = [p["session_id"] for p in block.trends[0]["points"]]
    assert [r.session_id for r in block.rows] == points
    # dated (clock or by hand) in date order; the undated one by its import time, last here
    assert points == [arc.ids[0], arc.ids[2], arc.ids[3], arc.ids[1]]
