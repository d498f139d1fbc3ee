# Agenda TOML files: templates, 40+ malformed agendas each named by field and line, round trips.
from __future__ import annotations

import agenda
import pytest
from talktoken.agenda import file as agendafile
from talktoken.agenda.file import AgendaFileError

BASE = agendafile.template_text("interpersonal")


def _line_of(text: str, needle: str, nth: int = 0) -> int:
    hits = [i for i, line in enumerate(text.splitlines(), start=1) if line.startswith(needle)]
    return hits[nth]


def _replace(old: str, new: str, nth: int = 0):
    """A mutation of BASE: replace the nth line starting with `old` by `new`."""

    def make() -> tuple[str, int]:
        lines = BASE.splitlines()
        no = _line_of(BASE, old, nth)
        lines[no - 1] = new
        return "\n".join(lines) + "\n", no

    return make


def _append(extra: str, after: str, nth: int = 0):
    def make() -> tuple[str, int]:
        lines = BASE.splitlines()
        no = _line_of(BASE, after, nth)
        lines.insert(no, extra)
        return "\n".join(lines) + "\n", no + 1

    return make


def _drop(old: str, nth: int = 0, line_of: str | None = None, line_nth: int = 0):
    def make() -> tuple[str, int]:
        lines = BASE.splitlines()
        no = _line_of(BASE, old, nth)
        del lines[no - 1]
        text = "\n".join(lines) + "\n"
        return text, (_line_of(text, line_of, line_nth) if line_of else 0)

    return make


# (id, mutation, field named in the problem)
CASES = [
    ("name-empty", _replace("name =", 'name = ""'), "name"),
    ("name-long", _replace("name =", 'name = "' + "x" * 40 + '"'), "name"),
    ("name-int", _replace("name =", "name = 42"), "name"),
    ("name-control", _replace("name =", 'name = "a\\u0007b"'), "name"),
    ("name-missing", _drop("name =", line_of=None), "name"),
    ("seats-low", _replace("seats =", "seats = 1"), "seats"),
    ("seats-high", _replace("seats =", "seats = 13"), "seats"),
    ("seats-string", _replace("seats =", 'seats = "8"'), "seats"),
    ("seats-float", _replace("seats =", "seats = 8.0"), "seats"),
    ("seats-bool", _replace("seats =", "seats = true"), "seats"),
    ("seats-negative", _replace("seats =", "seats = -3"), "seats"),
    ("seats-date", _replace("seats =", "seats = 2024-01-01"), "seats"),
    ("seats-missing", _drop("seats ="), "seats"),
    ("fac-out-of-range", _replace("facilitators =", "facilitators = [8]"), "facilitators[0]"),
    ("fac-negative", _replace("facilitators =", "facilitators = [0, -1]"), "facilitators[1]"),
    ("fac-duplicate", _replace("facilitators =", "facilitators = [0, 0]"), "facilitators[1]"),
    ("fac-string", _replace("facilitators =", 'facilitators = ["0"]'), "facilitators[0]"),
    ("fac-not-list", _replace("facilitators =", "facilitators = 0"), "facilitators"),
    (
        "fac-too-many",
        _replace("facilitators =", "facilitators = [0, 1, 2, 3, 4, 5, 6, 7]"),
        "facilitators",
    ),
    ("balance-bad", _replace("balance =", 'balance = "sometimes"'), "balance"),
    ("balance-int", _replace("balance =", "balance = 1"), "balance"),
    ("unknown-top", _append("colour = 'red'", "balance ="), "colour"),
    ("typo-top", _append("seat = 8", "seats ="), "seat"),
    ("phase-name-empty", _replace("name =", 'name = ""', 1), "phases[0].name"),
    ("phase-name-long", _replace("name =", 'name = "' + "y" * 33 + '"', 2), "phases[1].name"),
    ("phase-minutes-zero", _replace("minutes =", "minutes = 0", 0), "phases[0].minutes"),
    ("phase-minutes-big", _replace("minutes =", "minutes = 241", 1), "phases[1].minutes"),
    ("phase-minutes-str", _replace("minutes =", 'minutes = "35"', 2), "phases[2].minutes"),
    ("phase-minutes-float", _replace("minutes =", "minutes = 12.5", 3), "phases[3].minutes"),
    ("phase-minutes-missing", _drop("minutes =", 4, "[[phases]]", 4), "phases[4].minutes"),
    ("phase-floor-bad", _replace("floor =", 'floor = "closed"', 0), "phases[0].floor"),
    ("phase-floor-int", _replace("floor =", "floor = 1", 1), "phases[1].floor"),
    ("phase-floor-missing", _drop("floor =", 2, "[[phases]]", 2), "phases[2].floor"),
    (
        "phase-turn-small",
        _replace("turn_seconds =", "turn_seconds = 5", 0),
        "phases[0].turn_seconds",
    ),
    (
        "phase-turn-big",
        _replace("turn_seconds =", "turn_seconds = 1801", 4),
        "phases[4].turn_seconds",
    ),
    (
        "phase-turn-str",
        _replace("turn_seconds =", 'turn_seconds = "60"', 0),
        "phases[0].turn_seconds",
    ),
    (
        "phase-warn-long",
        _replace("warn_seconds =", "warn_seconds = 720", 0),
        "phases[0].warn_seconds",
    ),
    (
        "phase-warn-negative",
        _replace("warn_seconds =", "warn_seconds = -1", 1),
        "phases[1].warn_seconds",
    ),
    (
        "phase-warn-bool",
        _replace("warn_seconds =", "warn_seconds = false", 2),
        "phases[2].warn_seconds",
    ),
    ("phase-typo", _append("minuts = 3", "floor =", 3), "phases[3].minuts"),
    ("phase-unknown", _append("speaker = 2", "floor =", 1), "phases[1].speaker"),
    (
        "total-too-long",
        lambda: (
            BASE.replace("minutes = 35", "minutes = 240").replace("minutes = 20", "minutes = 240"),
            0,
        ),
        "phases",
    ),
]


def _extra_cases():
    """Whole-file cases that are not one-line mutations: (id, text, field, line)."""
    head = 'name = "x"\nseats = 4\n'
    phase = '[[phases]]\nname = "p"\nminutes = 5\nfloor = "open"\n'
    yield "no-phases", head, "phases", 0
    yield "phases-empty", head + "phases = []\n", "phases", 3
    yield "phases-13", head + phase * 13, "phases", 3
    yield "phases-not-list", head + "phases = 3\n", "phases", 3
    yield "phase-not-table", head + "phases = [1, 2]\n", "phases[0]", 3
    yield (
        "inline-phase-bad",
        head + 'phases = [{name = "a", minutes = 0, floor = "open"}]\n',
        ("phases[0].minutes"),
        3,
    )
    yield "empty-file", "", "name", 0


ALL = [(cid, mk, field) for cid, mk, field in CASES]


@pytest.mark.parametrize(("cid", "make", "field"), ALL, ids=[c[0] for c in ALL])
def test_malformed_agenda_names_field_and_line(cid, make, field, tmp_path):
    text, line = make()
    path = tmp_path / f"{cid}.toml"
    path.write_text(text)
    data, problems = agendafile.check(path)
    fields = [p.field for p in problems]
    assert field in fields, (cid, problems)
    hit = problems[fields.index(field)]
    if cid.endswith("-missing") and field in ("name", "seats"):
        assert hit.line == 0  # a missing top-level key has no line
    elif cid == "total-too-long":
        assert hit.line == _line_of(text, "[[phases]]")
    else:
        assert hit.line == line, (cid, hit, line)
    assert len(hit.reason) > 5
    with pytest.raises(AgendaFileError) as exc:
        agendafile.load(path)
    assert exc.value.exit_code == 25
    assert str(hit) in str(exc.value)


@pytest.mark.parametrize(
    ("cid", "text", "field", "line"), list(_extra_cases()), ids=[c[0] for c in _extra_cases()]
)
def test_whole_file_cases(cid, text, field, line):
    _, problems = agendafile.check_text(text)
    match = [p for p in problems if p.field == field]
    assert match, (cid, problems)
    assert match[0].line == line, (cid, match)


SYNTAX = [
    ("unclosed-string", 'name = "abc\nseats = 4\n', 1),
    ("no-equals", 'name = "a"\nseats 4\n', 2),
    ("bad-table", 'name = "a"\n[[phases]\n', 2),
    ("duplicate-key", 'name = "a"\nseats = 4\nseats = 5\n', 3),
    ("unclosed-array", 'name = "a"\nfacilitators = [0, 1\nseats = 4\n', 3),
]


@pytest.mark.parametrize(("cid", "text", "line"), SYNTAX, ids=[s[0] for s in SYNTAX])
def test_syntax_errors_have_their_line(cid, text, line):
    data, problems = agendafile.check_text(text)
    assert data is None
    assert len(problems) == 1
    assert problems[0].line == line, problems
    # In a person's words, not tomllib's ("Illegal character", "Cannot overwrite a value").
    assert not any(w in problems[0].reason for w in ("Illegal", "Invalid", "Cannot", "Expected"))


def test_every_problem_is_listed_not_just_the_first():
    text = BASE.replace("seats = 8", "seats = 40").replace('floor = "round"', 'floor = "x"')
    _, problems = agendafile.check_text(text)
    fields = {p.field for p in problems}
    assert {"seats", "phases[0].floor", "phases[4].floor"} <= fields


def test_not_utf8_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b'name = "a"\nseats = \xff\n')
    with pytest.raises(AgendaFileError) as exc:
        agendafile.check(bad)
    assert exc.value.problems[0].line == 2
    with pytest.raises(AgendaFileError):
        agendafile.check(tmp_path / "nope.toml")


@pytest.mark.parametrize("name", agendafile.TEMPLATES)
def test_templates_are_valid_and_round_trip(name):
    data, problems = agendafile.check_text(agendafile.template_text(name))
    assert problems == []
    again, problems = agendafile.check_text(agendafile.to_toml(data, comment="x"))
    assert problems == [] and again == data
    assert agenda.parse(data).total_minutes() == 90


def test_interpersonal_template_is_the_firmware_default():
    data, _ = agendafile.check_text(agendafile.template_text("interpersonal"))
    assert agenda.parse(data) == agenda.default()
    assert agendafile.digest(data) == agenda.digest(agenda.default())


def test_unknown_template():
    with pytest.raises(AgendaFileError):
        agendafile.template_text("yoga")
