# Reports a supervisor can trust: trends by agenda, overruns per seat, phase flags, balance,
# quiet seats, labels kept out of the archive, damage that does not spread, one rounding.
from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import report_kit as kit
from hypothesis import given
from hypothesis import strategies as st
from report_kit import Script, dated
from talktoken.archive.store import Archive
from talktoken.metrics import balance, trends
from talktoken.metrics import summary as metrics
from talktoken.report import fmt
from talktoken.report.make import PartialReportError, ReportError, make_report


def _log(script: Script, agenda: str = "Tuesday group"):
    return dataclasses.replace(script.log(session_id=kit.rand_hex()), agenda_name=agenda)


def _session(when, seat1_ms: int, seat2_ms: int = 20_000, seat3_ms: int = 20_000):
    s = Script(seats=4, started=when).start(0)
    t = 0
    for seat, ms in ((1, seat1_ms), (2, seat2_ms), (3, seat3_ms)):
        s.turn(seat, t, t + ms)
        t += ms
    return s.end(t)


def _archive(path, logs) -> Archive:
    arc = Archive(path, parser=kit.parse)
    for log in logs:
        arc.import_raw(kit.encode(log))
    return arc


# -- 1. trends ------------------------------------------------------------------------------


def test_sessions_minutes_apart_have_no_slope(tmp_path):
    t0 = dated(0)
    logs = [_log(_session(t0 + timedelta(minutes=5 * i), 1_000 + 30_000 * i)) for i in range(4)]
    with _archive(tmp_path / "a", logs) as arc:
        text = make_report(arc, "table", all_=True).text
        data = json.loads(make_report(arc, "json", all_=True).text)
    assert "pts/week" not in text and fmt.NO_SLOPE in text
    assert all(e["slope_per_week"] is None for e in data["trends"][0]["seats"])


def test_slope_needs_three_sessions_over_two_weeks():
    pts2 = [(0.0, 0.1), (21.0, 0.5)]
    assert trends.slope_per_week(pts2) is None
    assert trends.slope_per_week([(0.0, 0.1), (6.0, 0.2), (13.0, 0.3)]) is None
    slope = trends.slope_per_week([(0.0, 0.1), (7.0, 0.2), (14.0, 0.3)])
    assert slope == pytest.approx(0.1)


def test_two_agendas_never_mix(tmp_path):
    logs = [_log(_session(dated(i), 10_000 * (i + 1)), "Tuesday group") for i in range(3)]
    logs += [_log(_session(dated(i), 90_000), "Thursday group") for i in range(3)]
    with _archive(tmp_path / "a", logs) as arc:
        doc = json.loads(make_report(arc, "json", all_=True).text)
        text = make_report(arc, "table", all_=True).text
        html = make_report(arc, "html", all_=True, out=tmp_path / "r.html").paths[0].read_text()
    blocks = {b["agenda"]: b for b in doc["trends"]}
    assert set(blocks) == {"Tuesday group", "Thursday group"}
    ids = {s["session_id"]: s["agenda_name"] for s in doc["sessions"]}
    for name, b in blocks.items():
        assert len(b["sessions"]) == 3 and {ids[i] for i in b["sessions"]} == {name}
    assert "Trends for agenda 'Tuesday group'" in text
    assert "Trends for agenda 'Thursday group'" in text
    assert html.count("<h3>Agenda: ") == 2
    # Tuesday: seat 1 grows over 14 days: a slope; Thursday: flat, and never "-0.0"
    tue = {e["seat"]: e for e in blocks["Tuesday group"]["seats"]}
    assert tue[1]["slope_per_week"] > 0
    assert "-0.0" not in text and "-0.00" not in html


def test_one_y_scale_per_block(tmp_path):
    logs = [_log(_session(dated(i), 5_000 + 40_000 * i, 1_000)) for i in range(3)]
    with _archive(tmp_path / "a", logs) as arc:
        html = make_report(arc, "html", all_=True, out=tmp_path / "r.html").paths[0].read_text()
    tops = re.findall(r'<svg class="trend".*?text-anchor="end">0%</text><text[^>]*>([^<]+)<', html)
    assert len(tops) == 4 and len(set(tops)) == 1  # every seat's chart: the same top
    assert "2025-01-07" in html and "2025-01-21" in html  # dates under the charts


def test_undated_sessions_say_date_unknown_and_stay_out_of_slopes():
    assert trends.session_date({"started_at": None, "imported_at": "2025-01-01T00:00"}) is None
    assert fmt.day(None) == "date unknown"
    s = [metrics.summarize(_log(_session(dated(i), 10_000 * (i + 1)))) for i in range(3)]
    for x in s:
        x["started_at"] = None
        x["imported_at"] = "2025-03-01T00:00:00+00:00"
    assert all(e["slope_per_week"] is None for e in trends.seat_trends(s))


@given(st.floats(min_value=-0.004, max_value=0.004))
def test_zero_never_has_a_sign(x):
    assert fmt.num(x) == "0.00"
    assert fmt.signed(x) == "0.0"
    assert fmt.pct(x / 100) == "0%"


def test_nonzero_keeps_its_sign():
    assert fmt.num(-0.006) == "-0.01" and fmt.signed(0.06) == "+0.1"


# -- 2, 3. overruns per seat, phase flags ----------------------------------------------------


def _overrun_session():
    # go-round budget 60 s (report_kit): seat 2 talks 90 s (over by 30 s), seat 3 passes
    s = Script(
        seats=4,
        started=dated(0),
        phases=(("Round", 2, "round"), ("Open", 35, "open"), ("Late", 10, "open")),
    ).start(0)
    s.turn(1, 0, 50_000).turn(2, 50_000, 140_000).passed(3, 140_000, 145_000)
    s.next_phase(145_000).turn(1, 145_000, 147_000)
    s.next_phase(147_000)  # "Open" ran 2 s of 35:00; "Late" runs its course
    s.turn(2, 147_000, 747_000)
    return s.end(747_000)


def test_overruns_per_seat_in_every_format(tmp_path):
    with _archive(tmp_path / "a", [_log(_overrun_session())]) as arc:
        doc = json.loads(make_report(arc, "json").text)
        text = make_report(arc, "table").text
        seats_csv = make_report(arc, "csv", csv_table="seats").text
        html = make_report(arc, "html", out=tmp_path / "r.html").paths[0].read_text()
    seat2 = doc["sessions"][0]["seats"][2]
    assert (seat2["turn_overruns"], seat2["turn_overrun_ms"]) == (1, 30_000)
    assert seat2["worst_turn_overrun_ms"] == 30_000
    assert doc["sessions"][0]["seats"][1]["turn_overruns"] == 0
    assert "Over budget" in text and re.search(r"^Seat 2 .* 1\s+0:30\s+0:30", text, re.M)
    header, *rows = seats_csv.splitlines()
    cols = header.split(",")
    row2 = dict(zip(cols, rows[2].split(","), strict=True))
    assert row2["turn_overruns"] == "1" and row2["turn_overrun_ms"] == "30000"
    assert "Turns over budget" in html


def test_phases_flagged(tmp_path):
    with _archive(tmp_path / "a", [_log(_overrun_session())]) as arc:
        doc = json.loads(make_report(arc, "json").text)
        text = make_report(arc, "table").text
        html = make_report(arc, "html", out=tmp_path / "r.html").paths[0].read_text()
    phases = doc["sessions"][0]["phases"]
    assert [p["status"] for p in phases] == ["", "ended early", ""]
    assert "ended early: 0:02 of 35:00" in text and "ended early: 0:02 of 35:00" in html
    assert metrics.phase_status(False, 0, 60_000) == "skipped"
    assert "2. Open" in text  # phases numbered from 1 for people


# -- 5, 6. who follows whom, balance ----------------------------------------------------------


def test_no_self_follows_and_handover_shares():
    s = Script(seats=4, started=dated(0)).start(0)
    s.turn(1, 0, 1000).turn(1, 1000, 2000).turn(0, 2000, 3000).turn(2, 3000, 4000)
    s.turn(3, 4000, 5000)
    summary = metrics.summarize(s.end(5000).log())
    assert all(a != b for a, b, _ in summary["transitions"])
    fl = summary["follows"]
    assert fl["handovers"] == 3
    assert fl["member_to_fac"] == pytest.approx(1 / 3)
    assert fl["fac_to_member"] == pytest.approx(1 / 3)
    assert fl["member_to_member"] == pytest.approx(1 / 3)


def test_gini_small_group_correction_and_lorenz():
    assert balance.gini_corrected([0, 0, 10]) == pytest.approx(1.0)
    assert balance.gini([0, 0, 10]) == pytest.approx(2 / 3)
    assert balance.gini_corrected([5, 5, 5]) == pytest.approx(0.0)
    assert balance.lorenz([3, 1]) == [(0.0, 0.0), (0.5, 0.25), (1.0, 1.0)]


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=2, max_size=12))
def test_corrected_gini_stays_in_range(values):
    g = balance.gini_corrected(values)
    assert g is None or 0.0 <= g <= 1.0
    pts = balance.lorenz(values)
    assert all(y <= x + 1e-9 for x, y in pts)  # the curve never rises above even


def test_round_pass_rate_per_seat(tmp_path):
    with _archive(tmp_path / "a", [_log(_overrun_session())]) as arc:
        doc = json.loads(make_report(arc, "json").text)
    seats = doc["sessions"][0]["seats"]
    assert seats[3]["round_pass_rate"] == 1.0 and seats[2]["round_pass_rate"] == 0.0
    assert seats[2]["round_wait_median_ms"] == 0


# -- 7. quiet seats ----------------------------------------------------------------------------


def test_quiet_seat_flagged_after_three_sessions(tmp_path):
    logs = [_log(_session(dated(i), 500, 60_000, 60_000)) for i in range(4)]
    with _archive(tmp_path / "a", logs) as arc:
        text = make_report(arc, "table", all_=True).text
        doc = json.loads(make_report(arc, "json", all_=True).text)
    assert "Seat 1 under 3% of member talk in the last 4 sessions" in text
    assert doc["trends"][0]["silent_seats"] == [{"seat": 1, "sessions": 4, "threshold": 0.03}]
    two = [metrics.summarize(log) for log in logs[:2]]
    assert trends.silent_seats(two) == []


# -- 8. labels out of the archive ----------------------------------------------------------------


def test_labelled_report_never_under_the_archive(tmp_path):
    arc = kit.make_archive(tmp_path / "arc", n=2, turns=30)
    lab = tmp_path / "seats.toml"
    lab.write_text('[seats]\n0 = "Quillon"\n2 = "Zephyrine"\n')
    here = tmp_path / "here"
    here.mkdir()
    try:
        make_report(arc, "html")  # an unlabelled copy may live in the archive
        w = make_report(arc, "html", labels_path=str(lab), cwd=here)
        assert w.paths[0].parent == here
        assert "Quillon (fac.)" in w.paths[0].read_text()
        with pytest.raises(ReportError, match="already exists"):
            make_report(arc, "html", labels_path=str(lab), cwd=here)
        make_report(arc, "html", labels_path=str(lab), cwd=here, force=True)
        with pytest.raises(ReportError, match="inside the archive"):
            make_report(arc, "html", labels_path=str(lab), out=arc.dir / "reports" / "x.html")
        for f in ("table", "json", "csv"):
            make_report(arc, f, all_=True, labels_path=str(lab))
    finally:
        arc.close()
    for root, _dirs, files in os.walk(arc.dir):
        for name in files:
            data = (Path(root) / name).read_bytes()
            assert b"Zephyrine" not in data and b"Quillon" not in data, name


def test_labels_format_in_help():
    from click.testing import CliRunner
    from talktoken.cli.report import report

    out = CliRunner().invoke(report, ["--help"]).output
    assert "[seats]" in out and '3 = "Sam"' in out and "(fac.)" in out


# -- 9. damage does not spread -------------------------------------------------------------------


def test_damaged_file_leaves_the_rest_reportable(tmp_path, monkeypatch):
    arc = kit.make_archive(tmp_path / "arc", n=3, turns=30)
    bad = arc.sessions()[1].session_id
    arc.db.execute("DELETE FROM blobs WHERE session_id = ?", (bad,))  # its bytes are gone
    arc._set_meta("metrics_version", "0")
    arc.db.commit()
    arc.close()
    with Archive(tmp_path / "arc", parser=kit.parse) as arc:
        w = make_report(arc, "table", all_=True)
        assert set(w.damaged) == {bad}
        assert "2 sessions" in w.text and f"Left out, file missing or damaged: session {bad}" in (
            w.text
        )
    from talktoken.archive import store as archive_mod
    from talktoken.cli.root import main

    monkeypatch.setattr(archive_mod, "_default_parser", kit.parse)
    with pytest.raises(SystemExit) as failed:
        main(["--archive", str(tmp_path / "arc"), "report", "--all"])
    assert failed.value.code == PartialReportError.exit_code == 80


# -- 10. one rounding --------------------------------------------------------------------------


def test_demo_and_report_agree(tmp_path):
    talktoken = str(Path(sys.executable).parent / "talktoken")
    demo = subprocess.run(
        [talktoken, "--archive", str(tmp_path), "demo", "--vm", "cpython", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    rep = subprocess.run(
        [talktoken, "--archive", str(tmp_path), "report", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    seats = json.loads(rep.stdout)["sessions"][0]["seats"]
    demo_rows = re.findall(
        r"^\s+(\d+)\s+(?:facilitator|member)\s+(\S+)\s.*\s(\d+)$", demo.stdout, re.M
    )
    assert len(demo_rows) == 8
    for seat, talk, over in demo_rows:
        row = seats[int(seat)]
        assert talk == fmt.duration(row["talk_ms"])
        assert int(over) == row["turn_overruns"]


def test_time_over_never_reads_zero():
    assert fmt.over(220) == "<0:01" and fmt.over(0) == "0:00" and fmt.over(35_220) == "0:35"


def test_shortened_and_extended_minutes():
    s = Script(seats=3, started=dated(0)).start(0)
    s.ev(1000, "extend", arg=3).ev(2000, "extend", arg=-1).turn(1, 2000, 60_000)
    (p,) = metrics.summarize(s.end(60_000).log())["phases"]
    assert (p["extended_ms"], p["shortened_ms"]) == (120_000, 60_000)
