# Agenda validation (every field and limit, with its reason), canonical bytes, digest, default.
import gc
import sys

import agenda
from events import BAL_ON_DEMAND, MODE_OPEN, MODE_ROUND
from fwtest import eq, raises


def base():
    return {
        "name": "Tuesday group",
        "seats": 8,
        "facilitators": [0, 4],
        "balance": "on_demand",
        "phases": [
            {
                "name": "Check-in",
                "minutes": 10,
                "floor": "round",
                "turn_seconds": 60,
                "warn_seconds": 60,
            },
            {
                "name": "Open",
                "minutes": 60,
                "floor": "open",
                "turn_seconds": 0,
                "warn_seconds": 120,
            },
        ],
    }


def _set(d, path, value):
    # path: ("phases", 0, "minutes"); value _DEL removes the key
    cur = d
    for k in path[:-1]:
        cur = cur[k]
    if value is _DEL:
        del cur[path[-1]]
    else:
        cur[path[-1]] = value


_DEL = object()
P0 = ("phases", 0)

# (path, value, field expected, words expected in the reason)
CASES = (
    (("name",), _DEL, "name", "missing"),
    (("name",), "", "name", "empty"),
    (("name",), "\u00e9" * 17, "name", "34 bytes"),
    (("name",), "Group\n2", "name", "control"),
    (("name",), "Group\x7f", "name", "control"),
    (("name",), 7, "name", "string"),
    (("seats",), _DEL, "seats", "missing"),
    (("seats",), 1, "seats", "2..12"),
    (("seats",), 13, "seats", "2..12"),
    (("seats",), True, "seats", "true/false"),
    (("seats",), 8.0, "seats", "decimal"),
    (("seats",), "8", "seats", "text"),
    (("facilitators",), 0, "facilitators", "list"),
    (("facilitators",), [0, 8], "facilitators[1]", "does not exist"),
    (("facilitators",), [-1], "facilitators[0]", "does not exist"),
    (("facilitators",), [3, 3], "facilitators[1]", "twice"),
    (("facilitators",), [0, True], "facilitators[1]", "seat number"),
    (("facilitators",), [0, 1, 2, 3, 4, 5, 6, 7], "facilitators", "at most 7"),
    (("balance",), "sometimes", "balance", "on_demand"),
    (("balance",), 1, "balance", "on_demand"),
    (("phases",), _DEL, "phases", "missing"),
    (("phases",), [], "phases", "1..12"),
    (("phases",), {"name": "x"}, "phases", "list"),
    (("phases", 1), "Open", "phases[1]", "table"),
    (P0 + ("name",), _DEL, "phases[0].name", "missing"),
    (P0 + ("name",), "x" * 33, "phases[0].name", "33 bytes"),
    (P0 + ("name",), "Tab\there", "phases[0].name", "control"),
    (P0 + ("minutes",), _DEL, "phases[0].minutes", "missing"),
    (P0 + ("minutes",), 0, "phases[0].minutes", "1..240"),
    (P0 + ("minutes",), 241, "phases[0].minutes", "1..240"),
    (P0 + ("minutes",), False, "phases[0].minutes", "true/false"),
    (P0 + ("minutes",), 1.5, "phases[0].minutes", "decimal"),
    (P0 + ("floor",), _DEL, "phases[0].floor", "missing"),
    (P0 + ("floor",), "closed", "phases[0].floor", "round"),
    (P0 + ("turn_seconds",), 5, "phases[0].turn_seconds", "10..1800"),
    (P0 + ("turn_seconds",), 1801, "phases[0].turn_seconds", "10..1800"),
    (P0 + ("turn_seconds",), -1, "phases[0].turn_seconds", "10..1800"),
    (P0 + ("turn_seconds",), True, "phases[0].turn_seconds", "whole number"),
    (P0 + ("warn_seconds",), -1, "phases[0].warn_seconds", "0..599"),
    (P0 + ("warn_seconds",), 600, "phases[0].warn_seconds", "0..599"),
    (P0 + ("warn_seconds",), "60", "phases[0].warn_seconds", "whole number"),
    (P0 + ("minuts",), 10, "phases[0].minuts", "unknown field"),
    (("sets",), 8, "sets", "unknown field"),
)


def test_base_is_valid():
    eq(agenda.problems(base()), [], "problems of a valid agenda")
    a = agenda.parse(base())
    eq(a.seats, 8)
    eq(a.facilitators, (0, 4))
    eq(a.fac_mask, 0x11)
    eq(a.balance, BAL_ON_DEMAND)
    eq(a.phases[0].mode, MODE_ROUND)
    eq(a.phases[1].mode, MODE_OPEN)
    eq(a.phases[0].turn_s, 60)


def test_each_invalid_field_rejected_with_reason():
    for path, value, field, words in CASES:
        d = base()
        _set(d, path, value)
        found = agenda.problems(d)
        fields = [f for f, _ in found]
        assert field in fields, "%r=%r: expected a problem at %s, got %r" % (
            path,
            value,
            field,
            found,
        )
        reason = [r for f, r in found if f == field][0]
        assert words in reason, "%s: reason %r lacks %r" % (field, reason, words)
        err = raises(agenda.AgendaError, agenda.parse, d)
        assert (err.field, err.reason) in found
        eq(err.problems, found, "AgendaError.problems")


def test_limits_accept_their_edges():
    d = base()
    d["name"] = "x" * 32
    d["seats"] = 12
    d["facilitators"] = list(range(11))
    d["phases"] = [
        {
            "name": "p%d" % i,
            "minutes": 40,
            "floor": "open",
            "turn_seconds": 1800,
            "warn_seconds": 2399,
        }
        for i in range(12)
    ]
    eq(agenda.problems(d), [], "edges")
    d["phases"][0]["minutes"] = 240
    d["phases"][0]["warn_seconds"] = 3600
    d["phases"][1]["turn_seconds"] = 10
    found = agenda.problems(d)
    eq([f for f, _ in found], ["phases"], "only the total is over")
    assert "480" in found[0][1]
    d = base()
    d["seats"] = 2
    d["facilitators"] = []
    del d["balance"]
    del d["phases"][1]["turn_seconds"]
    del d["phases"][1]["warn_seconds"]
    a = agenda.parse(d)
    eq(a.balance, BAL_ON_DEMAND, "default balance")
    eq(a.phases[1].turn_s, 0)
    eq(a.fac_mask, 0)


def test_warning_capped_at_an_hour():
    d = base()
    d["phases"][1]["minutes"] = 120
    d["phases"][1]["warn_seconds"] = 3601
    found = agenda.problems(d)
    eq(len(found), 1)
    assert "0..3600" in found[0][1]


def test_every_problem_listed():
    d = base()
    d["name"] = ""
    d["seats"] = 20
    d["colour"] = "red"
    d["phases"][0]["minuts"] = 5
    d["phases"][1]["floor"] = "none"
    d["phases"][1]["minutes"] = -3
    fields = sorted([f for f, _ in agenda.problems(d)])
    eq(
        fields,
        sorted(
            ["name", "seats", "colour", "phases[0].minuts", "phases[1].floor", "phases[1].minutes"]
        ),
        "all problems",
    )


def test_not_a_table():
    for v in (None, [], "agenda", 3):
        found = agenda.problems(v)
        eq(len(found), 1)
        eq(found[0][0], "")


def test_default_agenda():
    a = agenda.default()
    eq(agenda.problems(a.to_dict()), [], "default is valid")
    eq(a.seats, 8)
    eq(a.facilitators, (0,))
    eq(a.balance, BAL_ON_DEMAND)
    eq(a.total_minutes(), 90)
    eq(
        [p.name for p in a.phases],
        [
            "Check-in",
            "Supportive space",
            "Exploring relationships",
            "Developing strategies",
            "Closing round",
        ],
    )
    eq([p.minutes for p in a.phases], [12, 10, 35, 20, 13])
    eq([p.mode for p in a.phases], [MODE_ROUND, MODE_OPEN, MODE_OPEN, MODE_OPEN, MODE_ROUND])
    eq([p.turn_s for p in a.phases], [60, 0, 0, 0, 60])
    eq([p.warn_s for p in a.phases], [60, 60, 120, 120, 60])


def test_round_trip_and_canonical():
    a = agenda.parse(base())
    b = agenda.parse(a.to_dict())
    eq(agenda.canonical(a), agenda.canonical(b), "round trip")
    c = agenda.from_json(agenda.to_json(a))
    assert c == a
    # key order and facilitator order do not change the bytes
    d = base()
    d2 = {}
    for k in ("phases", "balance", "facilitators", "seats", "name"):
        d2[k] = d[k]
    d2["facilitators"] = [4, 0]
    eq(agenda.canonical(agenda.parse(d2)), agenda.canonical(a), "order independent")
    raw = agenda.canonical(a)
    assert type(raw) is bytes
    assert raw.startswith(b'{"name":"Tuesday group","seats":8,"facilitators":[0,4],')


def test_canonical_escapes_and_utf8():
    d = base()
    d["name"] = 'Caf\u00e9 "Q" \\ gr'
    a = agenda.parse(d)
    raw = agenda.canonical(a)
    assert b'"Caf\xc3\xa9 \\"Q\\" \\\\ gr"' in raw, raw
    eq(agenda.from_json(raw).name, d["name"], "json of canonical bytes")


def test_digest():
    a = agenda.parse(base())
    h = agenda.digest(a)
    eq(len(h), 16)
    for ch in h:
        assert ch in "0123456789abcdef"
    eq(agenda.digest(agenda.parse(base())), h, "stable")
    seen = {h}
    for path, value in (
        (("name",), "Tuesday groups"),
        (("seats",), 9),
        (("facilitators",), [0]),
        (("balance",), "always"),
        (P0 + ("minutes",), 11),
        (P0 + ("floor",), "open"),
        (P0 + ("turn_seconds",), 0),
        (P0 + ("warn_seconds",), 0),
    ):
        d = base()
        _set(d, path, value)
        h2 = agenda.digest(agenda.parse(d))
        assert h2 not in seen, "digest unchanged by %r" % (path,)
        seen.add(h2)


def test_from_json_errors():
    err = raises(agenda.AgendaError, agenda.from_json, "{not json")
    assert "JSON" in err.reason
    err = raises(agenda.AgendaError, agenda.from_json, b"\xff\xfe")
    eq(err.field, "")
    err = raises(agenda.AgendaError, agenda.from_json, '{"name": "x", "seats": 1, "phases": []}')
    eq(err.field, "seats")
    eq(len(err.problems), 2)


def test_validator_is_loaded_only_to_validate():
    sys.modules.pop("agendacheck", None)
    a = agenda.default()
    agenda.digest(a)
    agenda.to_json(a)
    assert "agendacheck" not in sys.modules, "default, canonical and digest need no validator"
    eq(agenda.digest(agenda.parse(a.to_dict())), agenda.digest(a))
    assert "agendacheck" not in sys.modules, "unloaded after parse()"
    bad = a.to_dict()
    bad["seats"] = 40
    err = raises(agenda.AgendaError, agenda.parse, bad)
    eq(err.field, "seats", "still validates after unloading")
    assert "agendacheck" not in sys.modules
    if sys.implementation.name == "micropython":
        # unloading frees the code (its qstrs stay interned): the point of loading it lazily
        gc.collect()
        before = gc.mem_alloc()
        import agendacheck  # noqa: F401

        gc.collect()
        loaded = gc.mem_alloc()
        del agendacheck
        sys.modules.pop("agendacheck", None)
        gc.collect()
        freed = loaded - gc.mem_alloc()
        assert loaded - before > 2000, "agendacheck costs %d bytes loaded" % (loaded - before)
        assert freed > 2000, "unloading freed only %d bytes" % freed
