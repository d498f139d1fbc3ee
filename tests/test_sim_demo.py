# `talktoken demo`: the scripted session plays on a simulated device and prints its summary.
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from talktoken.sim import SimDevice
from talktoken.sim.scenario import DEMO, act, play
from talktoken.sim.summary import as_dict, mmss

TALKTOKEN = str(Path(sys.executable).parent / "talktoken")


def test_demo_command_prints_the_summary(tmp_path: Path) -> None:
    proc = subprocess.run(
        [TALKTOKEN, "--archive", str(tmp_path), "demo"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Session: Interpersonal process group" in out
    seat_rows = re.findall(r"^\s+(\d+)\s+(facilitator|member)\s", out, re.M)
    assert [int(s) for s, _ in seat_rows] == list(range(8))
    names = ("Check-in", "Supportive space", "Exploring relationships", "Closing round")
    for no, name in zip((1, 2, 3, 5), names, strict=True):  # phases counted from 1
        assert re.search(rf"^{no}\. {name}\s+(round|open)\s", out, re.M), name
    assert "+2 min" in out  # the extension shows in the phase table


@pytest.mark.parametrize("vm", ["micropython", "cpython"])
def test_demo_script_plays_out_as_written(vm: str) -> None:
    with SimDevice(vm=vm) as dev:
        played = play(dev, DEMO)
    d = as_dict(played)
    assert d["state"] == "ended"
    seats = d["seats"]
    assert seats[3]["passes"] == 1 and seats[3]["turns"] >= 1  # passed in check-in
    assert seats[4]["passes"] == 1  # passed in the closing round
    members = [s for s in seats if not s["facilitator"]]
    top = sorted(members, key=lambda s: s["talk_ms"])[-2:]
    assert {s["seat"] for s in top} == {2, 5}  # the uneven talkers of the script
    assert abs(sum(s["member_share"] for s in members) - 1) < 0.01
    phases = {p["name"]: p for p in d["phases"]}
    assert len(phases) == 5
    assert phases["Supportive space"]["extend_min"] == 2
    assert phases["Supportive space"]["planned_ms"] == 12 * 60_000
    strategies = phases["Developing strategies"]
    assert 3 * 60_000 < strategies["overrun_ms"] < 6 * 60_000
    assert phases["Check-in"]["passes"] == 1 and phases["Check-in"]["turns"] == 7
    assert phases["Check-in"]["overrun_ms"] == 0


def test_demo_json(tmp_path: Path) -> None:
    proc = subprocess.run(
        [TALKTOKEN, "--json", "--archive", str(tmp_path), "demo", "--vm", "cpython"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["vm"] == "cpython" and len(d["seats"]) == 8 and len(d["phases"]) == 5


def test_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown scripted action"):
        act(None, "dance", None)


def test_mmss() -> None:
    assert mmss(0) == "0:00"
    assert mmss(61_999) == "1:02"  # rounded to the second, as every report rounds
    assert mmss(61_499) == "1:01"
    assert mmss(3_600_000 + 65_000) == "1:01:05"
