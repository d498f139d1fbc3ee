# `talktoken agenda check` and the agenda model for the in-room fields (balance, queue, cue).
from __future__ import annotations

import json

import agenda
import pytest
from proto_sim import cli
from talktoken.agenda import file as agendafile

BASE = agendafile.template_text("interpersonal")


def _with(field: str, value: str) -> str:
    lines = [ln for ln in BASE.splitlines() if not ln.startswith(f"{field} =")]
    at = next(i for i, ln in enumerate(lines) if ln.startswith("balance ="))
    lines.insert(at + 1, f"{field} = {value}")
    return "\n".join(lines) + "\n"


GOOD = [
    ("balance", '"phase_end"'),
    ("queue", '"fifo"'),
    ("queue", '"quiet_first"'),
    ("cue", '"chime"'),
    ("cue", '"vibrate"'),
    ("cue_turns", "true"),
    ("reveal_seconds", "5"),
    ("reveal_seconds", "120"),
]
BAD = [
    ("balance", '"at_end"'),
    ("queue", '"lifo"'),
    ("queue", "1"),
    ("cue", '"beep"'),
    ("cue_turns", '"yes"'),
    ("reveal_seconds", "4"),
    ("reveal_seconds", "121"),
    ("reveal_seconds", "20.5"),
]


@pytest.mark.parametrize(("field", "value"), GOOD, ids=[f"{f}={v}" for f, v in GOOD])
def test_agenda_check_accepts(tmp_path, field, value):
    path = tmp_path / "a.toml"
    if field == "balance":
        path.write_text(BASE.replace('balance = "on_demand"', f"balance = {value}"))
    else:
        path.write_text(_with(field, value))
    r = cli(None, "agenda", "check", str(path))
    assert r.returncode == 0 and ": ok:" in r.stdout, r.stdout + r.stderr
    data = agendafile.load(path)
    back, problems = agendafile.check_text(agendafile.to_toml(data))
    assert problems == [] and back == data, "to_toml keeps the field"


@pytest.mark.parametrize(("field", "value"), BAD, ids=[f"{f}={v}" for f, v in BAD])
def test_agenda_check_refuses_naming_the_field(tmp_path, field, value):
    path = tmp_path / "a.toml"
    if field == "balance":
        path.write_text(BASE.replace('balance = "on_demand"', f"balance = {value}"))
    else:
        path.write_text(_with(field, value))
    r = cli(None, "--json", "agenda", "check", str(path))
    assert r.returncode == 25, r.stdout + r.stderr
    problems = json.loads(r.stdout)["problems"]
    assert [p["field"] for p in problems] == [field]
    r = cli(None, "agenda", "check", str(path))
    assert field in r.stderr + r.stdout


def test_every_problem_named_at_once():
    d = agendafile.check_text(BASE)[0]
    d.update(balance="x", queue="x", cue="x", cue_turns=1, reveal_seconds=0)
    fields = {f for f, _ in agenda.problems(d)}
    assert fields == {"balance", "queue", "cue", "cue_turns", "reveal_seconds"}


def test_new_fields_change_the_canonical_bytes_and_hash():
    d = agendafile.check_text(BASE)[0]
    base = agenda.parse(d)
    seen = {agenda.digest(base)}
    for field, value in (
        ("balance", "phase_end"),
        ("queue", "fifo"),
        ("queue", "off"),  # the template queues quiet first
        ("cue", "chime"),
        ("cue", "vibrate"),
        ("cue_turns", True),
        ("reveal_seconds", 45),
    ):
        a = agenda.parse({**d, field: value})
        assert agenda.parse(json.loads(agenda.to_json(a))) == a, "round trip"
        seen.add(agenda.digest(a))
    assert len(seen) == 8, "every field value is part of the hash"
    c = agenda.canonical(agenda.parse({**d, "queue": "fifo", "cue": "chime"}))
    assert b'"queue":"fifo"' in c and b'"cue":"chime"' in c and b'"cue_turns":false' in c
