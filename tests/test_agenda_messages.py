# Agenda files as people write them: a BOM, TOML mistakes in plain words, phases counted from 1.
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from proto_sim import cli
from talktoken.agenda import file as agendafile

BOM = "\ufeff"


@pytest.mark.parametrize("name", agendafile.TEMPLATES)
def test_a_utf8_bom_is_accepted(name, tmp_path):
    text = agendafile.template_text(name)
    path = tmp_path / "bom.toml"
    path.write_bytes((BOM + text).encode("utf-8"))
    assert agendafile.load(path) == agendafile.check_text(text)[0]
    r = cli(None, "agenda", "check", str(path))
    assert r.returncode == 0 and ": ok:" in r.stdout, r.stdout + r.stderr


def _problems(text: str) -> list[str]:
    data, problems = agendafile.check_text(text)
    assert problems, "expected a problem"
    return [str(p) for p in problems]


def test_duplicate_key_names_the_key_and_both_lines():
    text = agendafile.template_text("grief")
    lines = text.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("seats"))
    lines.insert(at + 1, "seats = 9")
    (msg,) = _problems("\n".join(lines) + "\n")
    assert msg == f"line {at + 2}: seats is given twice (first on line {at + 1}); keep one of them"


def test_duplicate_key_inside_a_phase_names_the_phase_from_1():
    text = 'name = "x"\nseats = 8\n\n[[phases]]\nname = "Warm-up"\nminutes = 5\nminutes = 6\n'
    (msg,) = _problems(text)
    assert msg.startswith("line 7: phase 1 (Warm-up): minutes is given twice (first on line 6)")


def test_missing_quote_is_said_plainly():
    (msg,) = _problems('name = "Tuesday group\nseats = 8\n')
    assert msg.startswith("line 1: a quote is missing")
    assert "Illegal character" not in msg


def test_stray_character_is_shown_with_its_column():
    (msg,) = _problems('name = "x"\n%seats = 8\n')
    assert msg.startswith("line 2: unexpected '%' at column 1")
    (msg,) = _problems('name = "x" ;\n')
    assert msg.startswith("line 1: unexpected ';' after the value at column 12")


def test_bare_text_value_asks_for_quotes():
    (msg,) = _problems("name = Tuesday\n")
    assert msg.startswith("line 1: the value at column 8") and "quotes" in msg


def test_phase_problems_count_phases_from_1_with_their_names():
    text = agendafile.template_text("interpersonal").replace("warn_seconds =", "warn_secnds =")
    data, problems = agendafile.check_text(text)
    rows = text.splitlines()
    third = [i for i, ln in enumerate(rows) if ln.startswith("[[phases]]")][2]
    line = next(i for i in range(third, len(rows)) if rows[i].startswith("warn_secnds")) + 1
    name = data["phases"][2]["name"]
    assert f"line {line}: phase 3 ({name}): warn_secnds: unknown field" in [
        str(p).split(";")[0] for p in problems
    ]


def test_check_json_keeps_the_0_based_path_and_adds_the_1_based_words(tmp_path):
    path = tmp_path / "a.toml"
    text = agendafile.template_text("cbt")
    path.write_text(text.replace("minutes = ", "minutes = -", 1))
    r = cli(None, "agenda", "check", str(path), "--json")
    assert r.returncode == 25
    (p,) = json.loads(r.stdout)["problems"]
    assert p["field"] == "phases[0].minutes" and p["where"].startswith("phase 1 (")
    assert f"phase 1 ({agendafile.check_text(text)[0]['phases'][0]['name']}): minutes" in r.stderr


TEXT = agendafile.template_text("supportive")
RAW = ("Illegal character", "Invalid statement", "Cannot overwrite", "Invalid value")


@settings(max_examples=300, deadline=None)
@given(
    at=st.integers(min_value=0, max_value=len(TEXT)),
    junk=st.text(alphabet='"=[]{}#@%;\n x1', min_size=1, max_size=3),
)
def test_any_typo_gets_sentences_with_lines_and_a_bom_changes_nothing(at, junk):
    """Whatever a slip of the keyboard inserts, check_text answers in sentences, never raises."""
    text = TEXT[:at] + junk + TEXT[at:]
    data, problems = agendafile.check_text(text)
    assert (data, problems) == agendafile.check_text(BOM + text)
    for p in problems:
        assert not any(raw in p.reason for raw in RAW), p
        assert 0 <= p.line <= text.count("\n") + 1
        if p.field.startswith("phases["):
            assert str(p).split(": ")[1 if p.line else 0].startswith("phase ")
    if data is None:
        assert len(problems) == 1 and problems[0].field == ""
