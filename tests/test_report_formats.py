# Report selection, table/CSV/JSON output, labels, and the `talktoken report` command.
from __future__ import annotations

import csv
import io
import json
import stat

import pytest
import report_kit as kit
from report_kit import Script, dated
from talktoken.archive.store import ArchiveError
from talktoken.report import labels
from talktoken.report.make import make_report
from talktoken.report.table import table


@pytest.fixture
def arc(tmp_path):
    a = kit.make_archive(tmp_path / "arc", n=4, turns=60)
    yield a
    a.close()


def test_table_last_session(arc):
    text = make_report(arc, "table").text
    newest = arc.sessions()[-1]
    assert text.startswith(f"Session {newest.session_id[:8]}")
    assert "Check-in" in text and "Closing round" in text and "Gini" in text
    assert "Trends for agenda 'Tuesday group'" in text
    for r in newest.summary["seats"]:
        assert f"Seat {r['seat']}" in text


def test_selectors(arc):
    rows = arc.sessions()
    assert "4 sessions" in make_report(arc, "table", all_=True).text
    since = make_report(arc, "table", since=dated(2).date().isoformat()).text
    assert since.startswith("2 sessions")
    one = make_report(arc, "table", session_id=rows[0].session_id[:8]).text
    assert one.startswith(f"Session {rows[0].session_id[:8]}")
    assert "only one session so far" in one
    with pytest.raises(ArchiveError, match="choose one"):
        make_report(arc, "table", last=True, all_=True)
    with pytest.raises(ArchiveError, match="date"):
        make_report(arc, "table", since="last tuesday")
    with pytest.raises(ArchiveError, match="no archived session since"):
        make_report(arc, "table", since="2031-01-01")


def test_csv_turns_and_seats(arc, tmp_path):
    out = tmp_path / "r.csv"
    paths = make_report(arc, "csv", all_=True, out=out).paths
    assert paths == [out, tmp_path / "r-seats.csv"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    turns = list(csv.DictReader(io.StringIO(out.read_text())))
    seats = list(csv.DictReader(io.StringIO(paths[1].read_text())))
    rows = arc.sessions()
    assert len(seats) == sum(r.summary["seats_n"] for r in rows)
    for r in rows:
        mine = [t for t in turns if t["session_id"] == r.session_id]
        spoken = [t for t in mine if t["kind"] == "turn"]
        assert len(spoken) == r.summary["turns"]
        talk = sum(int(t["duration_ms"]) for t in mine if t["kind"] in ("turn", "resumed"))
        assert talk == r.summary["talk_ms"]
    t0 = turns[0]
    assert int(t0["end_ms"]) - int(t0["start_ms"]) == int(t0["duration_ms"]) + int(t0["paused_ms"])
    assert {"phase_name", "floor", "start_ms", "duration_ms", "kind"} <= set(t0)


def test_csv_to_stdout_is_one_table(arc):
    turns = make_report(arc, "csv").text
    seats = make_report(arc, "csv", csv_table="seats").text
    assert turns.startswith("session_id,session_date,agenda,phase") and "\n\n" not in turns
    assert seats.startswith("session_id,session_date,agenda,seat,label") and "\n\n" not in seats
    assert len({line.count(",") for line in seats.splitlines()}) == 1


def test_json_document(arc, tmp_path):
    lab = tmp_path / "l.json"
    lab.write_text(json.dumps({"seats": {"1": "Ana"}}))
    doc = json.loads(make_report(arc, "json", all_=True, labels_path=str(lab)).text)
    assert doc["format"] == "talktoken-report/2" and len(doc["sessions"]) == 4
    s = doc["sessions"][0]
    assert s["seats"][1]["label"] == "Ana" and s["seats"][2]["label"] == "Seat 2"
    assert len([t for t in s["turns_list"] if t["kind"] == "turn"]) == s["turns"]
    (block,) = doc["trends"]  # one agenda: one block
    assert len(block["seats"]) == 8 and len(block["seats"][0]["points"]) == 4


def test_labels_never_enter_the_archive(arc, tmp_path):
    lab = tmp_path / "l.toml"
    lab.write_text('[seats]\n2 = "Zephyrine"\n')
    text = make_report(arc, "table", labels_path=str(lab)).text
    assert "Zephyrine" in text
    db = (arc.dir / "archive.sqlite3").read_bytes()
    assert b"Zephyrine" not in db
    assert all(b"Zephyrine" not in p.read_bytes() for p in arc.files.iterdir())


def test_html_default_path_is_private(arc):
    paths = make_report(arc, "html").paths
    assert paths[0].parent == arc.dir / "reports" and paths[0].suffix == ".html"
    assert stat.S_IMODE(paths[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(paths[0].parent.stat().st_mode) == 0o700


def test_html_escapes_labels(arc, tmp_path):
    lab = tmp_path / "l.toml"
    lab.write_text('[seats]\n3 = "Sam <b>&"\n')
    html = make_report(arc, "html", labels_path=str(lab), out=tmp_path / "x.html").paths[0]
    text = html.read_text()
    assert "Sam &lt;b&gt;&amp;" in text and "Sam <b>" not in text


@pytest.mark.parametrize(
    "content, message",
    [
        ('[seats]\n13 = "X"\n', "not a seat number"),
        ('[seats]\n1 = ""\n', "non-empty"),
        ("[seats\n", "not valid"),
        ('[seats]\n1 = "%s"\n' % ("x" * 50), "at most 40"),
    ],
)
def test_bad_labels_file(tmp_path, content, message):
    p = tmp_path / "l.toml"
    p.write_text(content)
    with pytest.raises(labels.LabelsError, match=message):
        labels.load(p)


def test_incomplete_and_resumed_session_reported(tmp_path):
    s = Script(seats=3, started=dated(0)).start(0).ev(0, "turn_start", 1).ev(10_000, "gap")
    s.ev(20_000, "turn_end", 1)
    from talktoken.archive.store import Archive

    with Archive(tmp_path / "a", parser=kit.parse) as a:
        a.import_raw(kit.encode(s.log(session_id=kit.rand_hex())))
        text = make_report(a, "table").text
        assert "INCOMPLETE" in text and "resumed after 1 power cut" in text
        html = make_report(a, "html", out=tmp_path / "r.html").paths[0].read_text()
        assert 'class="gap"' in html and "no session end" in html


def test_table_helper_aligns():
    out = table(["a", "bb"], [["x", "1"], ["yyy", "22"]]).splitlines()
    assert out == ["a    bb", "---  --", "x     1", "yyy  22"]


def test_cli_report(tmp_path, monkeypatch):
    from talktoken.archive import store as archive_mod
    from talktoken.cli.root import main

    arc = kit.make_archive(tmp_path / "arc", n=2, turns=30)
    arc.close()
    monkeypatch.setattr(archive_mod, "_default_parser", kit.parse)
    main(
        [
            "--archive",
            str(tmp_path / "arc"),
            "report",
            "--format",
            "json",
            "--all",
            "--out",
            str(tmp_path / "r.json"),
        ]
    )
    assert len(json.loads((tmp_path / "r.json").read_text())["sessions"]) == 2
    with pytest.raises(SystemExit) as failed:
        main(["--archive", str(tmp_path / "empty"), "report"])
    assert failed.value.code == ArchiveError.exit_code
