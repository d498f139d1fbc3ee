"""Agenda model: parse (validated by agendacheck, loaded then), canonical bytes, digest, default."""

import hashlib
import json
import sys

from events import (
    BAL_ON_DEMAND,
    BALANCE_NAMES,
    CUE_NAMES,
    CUE_OFF,
    FLOOR_NAMES,
    MODE_OPEN,
    MODE_ROUND,
    QUEUE_NAMES,
    QUEUE_OFF,
    QUEUE_QUIET_FIRST,
)

REVEAL_S_DEFAULT = 20  # balance = "phase_end": seconds the balance shows (agendacheck: 5..120)


def problems(d):
    """Every problem of agenda dict d as a list of (field, reason); empty when it is valid.

    The validator (agendacheck, with the limits) is loaded for the call and unloaded after it:
    the device validates only when an agenda is pushed or read at boot, so its code is freed
    between uses (its qstrs are not: MicroPython never frees interned strings)."""
    import agendacheck

    try:
        return agendacheck.problems(d)
    finally:
        sys.modules.pop("agendacheck", None)


class AgendaError(ValueError):
    """A rejected agenda: `field` (e.g. "phases[2].minutes"), `reason`, and every `problems`."""

    def __init__(self, field, reason, problems=None):
        super().__init__("%s: %s" % (field, reason) if field else reason)
        self.field = field
        self.reason = reason
        self.problems = problems if problems is not None else [(field, reason)]


class Phase:
    """One phase of an agenda (validated)."""

    def __init__(self, name, minutes, mode, turn_s, warn_s):
        self.name = name
        self.minutes = minutes
        self.mode = mode
        self.turn_s = turn_s
        self.warn_s = warn_s


class Agenda:
    """A validated agenda; build it with parse(), from_json() or default()."""

    def __init__(
        self,
        name,
        seats,
        facilitators,
        balance,
        phases,
        reveal_s=REVEAL_S_DEFAULT,
        queue=QUEUE_OFF,
        cue=CUE_OFF,
        cue_turns=False,
    ):
        self.name = name
        self.seats = seats
        self.facilitators = tuple(sorted(facilitators))
        mask = 0
        for s in self.facilitators:
            mask |= 1 << s
        self.fac_mask = mask
        self.balance = balance
        self.reveal_s = reveal_s
        self.queue = queue
        self.cue = cue
        self.cue_turns = bool(cue_turns)
        self.phases = tuple(phases)

    def total_minutes(self):
        total = 0
        for p in self.phases:
            total += p.minutes
        return total

    def to_dict(self):
        """The agenda as a plain dict of the documented shape (every field present)."""
        return {
            "name": self.name,
            "seats": self.seats,
            "facilitators": list(self.facilitators),
            "balance": BALANCE_NAMES[self.balance],
            "reveal_seconds": self.reveal_s,
            "queue": QUEUE_NAMES[self.queue],
            "cue": CUE_NAMES[self.cue],
            "cue_turns": self.cue_turns,
            "phases": [
                {
                    "name": p.name,
                    "minutes": p.minutes,
                    "floor": FLOOR_NAMES[p.mode],
                    "turn_seconds": p.turn_s,
                    "warn_seconds": p.warn_s,
                }
                for p in self.phases
            ],
        }

    def __eq__(self, other):
        return isinstance(other, Agenda) and canonical(self) == canonical(other)


def parse(d):
    """Validate dict d and return an Agenda, or raise AgendaError listing every problem."""
    found = problems(d)
    if found:
        field, reason = found[0]
        raise AgendaError(field, reason, found)
    phases = []
    for p in d["phases"]:
        phases.append(
            Phase(
                p["name"],
                p["minutes"],
                FLOOR_NAMES.index(p["floor"]),
                p.get("turn_seconds", 0),
                p.get("warn_seconds", 0),
            )
        )
    return Agenda(
        d["name"],
        d["seats"],
        d.get("facilitators", [0]),
        BALANCE_NAMES.index(d.get("balance", "on_demand")),
        phases,
        d.get("reveal_seconds", REVEAL_S_DEFAULT),
        QUEUE_NAMES.index(d.get("queue", "off")),
        CUE_NAMES.index(d.get("cue", "off")),
        d.get("cue_turns", False),
    )


def from_json(text):
    """Parse JSON text (str or bytes) into an Agenda; AgendaError for bad JSON or bad fields."""
    if type(text) is not str:
        try:
            text = bytes(text).decode()
        except Exception:
            raise AgendaError("", "the agenda is not valid UTF-8")
    try:
        d = json.loads(text)
    except Exception:
        raise AgendaError("", "the agenda is not valid JSON")
    return parse(d)


def to_json(a):
    """The canonical JSON text of an Agenda (what the device stores)."""
    return canonical(a).decode()


def _put_str(out, s):
    out.append(34)  # "
    for b in s.encode():
        if b == 34 or b == 92:  # " and \ are escaped; control chars never pass validation
            out.append(92)
        out.append(b)
    out.append(34)


def _put(out, s):
    for b in s.encode():
        out.append(b)


def canonical(a):
    """Deterministic UTF-8 JSON bytes of an Agenda: fixed key order, no spaces, sorted seats."""
    out = bytearray()
    _put(out, '{"name":')
    _put_str(out, a.name)
    _put(out, ',"seats":%d,"facilitators":[' % a.seats)
    _put(out, ",".join([str(s) for s in a.facilitators]))
    _put(out, '],"balance":')
    _put_str(out, BALANCE_NAMES[a.balance])
    _put(out, ',"reveal_seconds":%d,"queue":' % a.reveal_s)
    _put_str(out, QUEUE_NAMES[a.queue])
    _put(out, ',"cue":')
    _put_str(out, CUE_NAMES[a.cue])
    _put(out, ',"cue_turns":%s' % ("true" if a.cue_turns else "false"))
    _put(out, ',"phases":[')
    for i, p in enumerate(a.phases):
        if i:
            out.append(44)
        _put(out, '{"name":')
        _put_str(out, p.name)
        _put(out, ',"minutes":%d,"floor":' % p.minutes)
        _put_str(out, FLOOR_NAMES[p.mode])
        _put(out, ',"turn_seconds":%d,"warn_seconds":%d}' % (p.turn_s, p.warn_s))
    _put(out, "]}")
    return bytes(out)


def digest(a):
    """First 16 hex characters of the SHA-256 of canonical(a)."""
    h = hashlib.sha256(canonical(a)).digest()
    return "".join(["%02x" % b for b in h[:8]])


def default():
    """The built-in agenda: an interpersonal process group of 8 seats and 90 minutes, with a
    quiet-first queue for its open floor."""
    return Agenda(
        "Interpersonal process group",
        8,
        (0,),
        BAL_ON_DEMAND,
        (
            Phase("Check-in", 12, MODE_ROUND, 60, 60),
            Phase("Supportive space", 10, MODE_OPEN, 0, 60),
            Phase("Exploring relationships", 35, MODE_OPEN, 0, 120),
            Phase("Developing strategies", 20, MODE_OPEN, 0, 120),
            Phase("Closing round", 13, MODE_ROUND, 60, 60),
        ),
        queue=QUEUE_QUIET_FIRST,
    )
