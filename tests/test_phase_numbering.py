# People count phases from 1 everywhere they read them; JSON and CSV keep 0-based indices.
from __future__ import annotations

import csv
import io
import json
import re

import report_kit as kit
from talktoken.cli.report import make_report
from talktoken.demo.flow import first_events, run
from talktoken.report.fmt import phase_label
from talktoken.sim.summary import as_text


def test_phase_label_counts_from_1():
    assert [phase_label(i, n) for i, n in enumerate(["a", "b"])] == ["1. a", "2. b"]


def test_report_table_numbers_phases_from_1_and_csv_json_from_0(tmp_path):
    with kit.make_archive(tmp_path / "arc", n=1, turns=40) as arc:
        table = make_report(arc, "table", last=True).text
        data = json.loads(make_report(arc, "json", last=True).text)
        turns = make_report(arc, "csv", last=True).text.split("\n\n")[0]
    names = [p["name"] for p in data["sessions"][0]["phases"]]
    for i, name in enumerate(names):
        assert re.search(rf"^{i + 1}\. {re.escape(name)}\b", table, re.M), table
    rows = list(csv.DictReader(io.StringIO(turns)))
    used = {int(r["phase"]) for r in rows}
    assert min(used) == 0 and all(names[int(r["phase"])] == r["phase_name"] for r in rows)


def test_demo_counts_phases_from_1(tmp_path):
    result = run(vm="cpython", archive_dir=str(tmp_path / "arc"))
    events = first_events(result.log)
    assert events[0].endswith(f"phase 1 ({result.log.phases[0].name})")
    assert all(" phase 0 " not in e for e in events)
    text = as_text(result.played)
    assert "\n1. Check-in " in text and "\n5. Closing round " in text
