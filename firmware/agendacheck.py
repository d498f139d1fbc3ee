"""Agenda validation: every problem of an agenda dict, with its field path and a reason.

Loaded only while an agenda is validated, then dropped from sys.modules: it stays off the heap."""

from events import BALANCE_NAMES, CUE_NAMES, FLOOR_NAMES, QUEUE_NAMES
from micropython import const

# The limits: private consts are folded into the code (no globals, no qstrs on the device).
_MAX_NAME_BYTES = const(32)
_MIN_SEATS = const(2)
_MAX_SEATS = const(12)
_MAX_PHASES = const(12)
_MAX_PHASE_MIN = const(240)
_MAX_TOTAL_MIN = const(480)
_MIN_TURN_S = const(10)
_MAX_TURN_S = const(1800)
_MAX_WARN_S = const(3600)
_MIN_REVEAL_S = const(5)
_MAX_REVEAL_S = const(120)

_TOP_KEYS = (
    "name",
    "seats",
    "facilitators",
    "balance",
    "reveal_seconds",
    "queue",
    "cue",
    "cue_turns",
    "phases",
)
_PHASE_KEYS = ("name", "minutes", "floor", "turn_seconds", "warn_seconds")


def _is_int(v):
    return type(v) is int  # bool is not an int here


def _name_problem(v):
    if type(v) is not str:
        return "must be a string"
    n = len(v.encode())
    if n < 1:
        return "must not be empty"
    if n > _MAX_NAME_BYTES:
        return "is %d bytes long; the limit is %d UTF-8 bytes" % (n, _MAX_NAME_BYTES)
    for ch in v:
        c = ord(ch)
        if c < 32 or c == 127 or 128 <= c < 160:
            return "must not contain control characters (found code %d)" % c
    return None


def _int_problem(v, lo, hi, what):
    if not _is_int(v):
        return "must be a whole number (%s), not %s" % (what, _type_name(v))
    if v < lo or v > hi:
        return "is %d; allowed %d..%d %s" % (v, lo, hi, what)
    return None


def _type_name(v):
    if v is None:
        return "null"
    t = type(v)
    if t is bool:
        return "true/false"
    if t is str:
        return "text"
    if t is float:
        return "a decimal number"
    if t is list or t is tuple:
        return "a list"
    if t is dict:
        return "a table"
    return "something else"


def _unknown_keys(d, allowed, prefix, out):
    for k in d:
        if k not in allowed:
            out.append((prefix + str(k), "unknown field; allowed fields: %s" % ", ".join(allowed)))


def _phase_problems(p, i, out):
    pre = "phases[%d]." % i
    if type(p) is not dict:
        out.append(("phases[%d]" % i, "must be a table, not %s" % _type_name(p)))
        return None
    _unknown_keys(p, _PHASE_KEYS, pre, out)
    minutes = None
    for key in ("name", "minutes", "floor"):
        if key not in p:
            out.append((pre + key, "is missing"))
    if "name" in p:
        why = _name_problem(p["name"])
        if why:
            out.append((pre + "name", why))
    if "minutes" in p:
        why = _int_problem(p["minutes"], 1, _MAX_PHASE_MIN, "minutes")
        if why:
            out.append((pre + "minutes", why))
        else:
            minutes = p["minutes"]
    if "floor" in p and p["floor"] not in FLOOR_NAMES:
        out.append((pre + "floor", 'must be "round" or "open"'))
    turn = p.get("turn_seconds", 0)
    if not _is_int(turn):
        out.append((pre + "turn_seconds", "must be a whole number of seconds"))
    elif turn != 0 and (turn < _MIN_TURN_S or turn > _MAX_TURN_S):
        out.append(
            (
                pre + "turn_seconds",
                "is %d; use 0 (no turn budget) or %d..%d seconds"
                % (turn, _MIN_TURN_S, _MAX_TURN_S),
            )
        )
    warn = p.get("warn_seconds", 0)
    if not _is_int(warn):
        out.append((pre + "warn_seconds", "must be a whole number of seconds"))
    else:
        hi = _MAX_WARN_S
        if minutes is not None and minutes * 60 - 1 < hi:
            hi = minutes * 60 - 1
        if warn < 0 or warn > hi:
            out.append(
                (
                    pre + "warn_seconds",
                    "is %d; allowed 0..%d seconds (less than the phase, at most %d)"
                    % (warn, hi, _MAX_WARN_S),
                )
            )
    return minutes


def problems(d):
    """Every problem of agenda dict d as a list of (field, reason); empty when it is valid."""
    out = []  # type: list
    if type(d) is not dict:
        return [("", "an agenda must be a table (JSON object), not %s" % _type_name(d))]
    _unknown_keys(d, _TOP_KEYS, "", out)
    for key in ("name", "seats", "phases"):
        if key not in d:
            out.append((key, "is missing"))
    if "name" in d:
        why = _name_problem(d["name"])
        if why:
            out.append(("name", why))
    seats = None
    if "seats" in d:
        why = _int_problem(d["seats"], _MIN_SEATS, _MAX_SEATS, "seats")
        if why:
            out.append(("seats", why))
        else:
            seats = d["seats"]
    fac = d.get("facilitators", [0])
    if type(fac) is not list:
        out.append(("facilitators", "must be a list of seat numbers"))
    else:
        seen = 0
        for i, s in enumerate(fac):
            f = "facilitators[%d]" % i
            if not _is_int(s):
                out.append((f, "must be a seat number, not %s" % _type_name(s)))
            elif s < 0 or (seats is not None and s >= seats) or s >= _MAX_SEATS:
                top = (seats if seats is not None else _MAX_SEATS) - 1
                out.append((f, "seat %d does not exist; seats are 0..%d" % (s, top)))
            elif seen & (1 << s):
                out.append((f, "seat %d is listed twice" % s))
            else:
                seen |= 1 << s
        if seats is not None and len(fac) > seats - 1:
            out.append(
                ("facilitators", "at most %d facilitators for %d seats" % (seats - 1, seats))
            )
    if "balance" in d and d["balance"] not in BALANCE_NAMES:
        out.append(("balance", 'must be "always", "on_demand", "off" or "phase_end"'))
    if "reveal_seconds" in d:
        why = _int_problem(d["reveal_seconds"], _MIN_REVEAL_S, _MAX_REVEAL_S, "seconds")
        if why:
            out.append(("reveal_seconds", why))
    if "queue" in d and d["queue"] not in QUEUE_NAMES:
        out.append(("queue", 'must be "off", "fifo" or "quiet_first"'))
    if "cue" in d and d["cue"] not in CUE_NAMES:
        out.append(("cue", 'must be "off", "chime" or "vibrate"'))
    if "cue_turns" in d and type(d["cue_turns"]) is not bool:
        out.append(("cue_turns", "must be true or false, not %s" % _type_name(d["cue_turns"])))
    if "phases" in d:
        phases = d["phases"]
        if type(phases) is not list:
            out.append(("phases", "must be a list of phases"))
        elif len(phases) < 1 or len(phases) > _MAX_PHASES:
            out.append(("phases", "has %d phases; allowed 1..%d" % (len(phases), _MAX_PHASES)))
        if type(phases) is list:
            total = 0
            for i, p in enumerate(phases):
                m = _phase_problems(p, i, out)
                if m is not None:
                    total += m
            if total > _MAX_TOTAL_MIN:
                why = "total %d minutes; the limit is %d" % (total, _MAX_TOTAL_MIN)
                out.append(("phases", why))
    return out
