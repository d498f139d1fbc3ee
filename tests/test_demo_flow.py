# The demo end to end: agenda pushed and log pulled over the protocol, read back, reported.
from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
from talktoken.archive.store import Archive
from talktoken.demo.flow import DemoMismatch, check_log_matches_device, first_events, run

TALKTOKEN = str(Path(sys.executable).parent / "talktoken")


@pytest.fixture(scope="module")
def demo_result(tmp_path_factory):
    archive = tmp_path_factory.mktemp("archive")
    captions: list[str] = []
    return run(vm="micropython", archive_dir=str(archive), say=captions.append), captions


def test_demo_pushes_pulls_and_reports(demo_result) -> None:
    result, captions = demo_result
    assert any("pushed" in c and "clock set" in c for c in captions)
    assert [p["status"] for p in result.pulled] == ["new"]
    log = result.log
    assert log.complete and not log.problems
    assert log.agenda_name == "Interpersonal process group"
    assert log.started_at is not None  # the clock was set before the session
    assert log.seats == 8 and log.facilitators == [0]
    kinds = {e.kind for e in log.events}
    assert {"pass", "pause", "resume", "extend", "turn_start", "session_end"} <= kinds
    assert {"queue_add", "marker"} <= kinds, "the demo shows the queue and a marker"
    waits = log.queue_waits()
    assert [(w["seat"], w["ended"]) for w in waits] == [(3, "floor"), (6, "floor")]
    assert waits[1]["start_ms"] < waits[0]["start_ms"], "quiet first: 6 queued first, 3 spoke"
    assert len(log.markers()) == 1
    stored = Archive(result.archive_dir).load(log.session_id)
    assert stored.sha256 == log.sha256
    html = Path(result.report_path).read_text()
    assert "<svg" in html and log.session_id[:8] in html


def test_log_check_catches_a_disagreement(demo_result) -> None:
    result, _ = demo_result
    played = copy.deepcopy(result.played)
    check_log_matches_device(result.log, played)  # agrees as pulled
    played.final["talk_ms"][2] += 1000
    with pytest.raises(DemoMismatch, match="seat 2"):
        check_log_matches_device(result.log, played)


def test_first_events_are_seat_numbers_only(demo_result) -> None:
    result, _ = demo_result
    lines = first_events(result.log, 5)
    assert len(lines) == 5 and "session_start" in lines[0]
    assert any("seat 1" in line for line in lines)


def test_demo_command_prints_report_path(tmp_path) -> None:
    proc = subprocess.run(
        [TALKTOKEN, "--archive", str(tmp_path), "demo", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = [ln for ln in proc.stdout.splitlines() if ln.startswith("HTML report: ")]
    assert report and Path(report[0].split(": ", 1)[1]).is_file()
    assert str(tmp_path) in report[0]
