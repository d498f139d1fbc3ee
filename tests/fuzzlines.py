# Test support: random and malformed protocol lines, each tagged with whether it must be answered.
from __future__ import annotations

import json
import random

KINDS = (
    "garbage",
    "ctrl",
    "badutf8",
    "toolong",
    "toolong_noid",
    "deep",
    "wrongtype",
    "unknown",
    "badargs",
    "badjson",
    "badid",
    "valid",
)

_BAD_ARGS = [
    ("clock_set", {"epoch": -5}),
    ("clock_set", {"epoch": "now"}),
    ("clock_set", {"epoch": 1.5}),
    ("clock_set", {"epoch": True}),
    ("clock_set", {"epoch": 10**30}),
    ("fetch", {"name": "nope.ttl"}),
    ("fetch", {"name": "../../x"}),
    ("fetch", {"name": ""}),
    ("fetch", {"name": "s00001.ttl", "offset": -3}),
    ("fetch", {"name": "s00001.ttl", "length": "all"}),
    ("hash", {"name": 7}),
    ("delete", {"name": "s00001.ttl", "sha256": "0" * 64}),
    ("delete", {"name": "s00001.ttl", "sha256": "zz"}),
    ("delete", {"name": "s00001.ttl"}),
    ("watch", {"on": "yes"}),
    ("agenda_set", {"agenda": 5}),
    ("agenda_set", {"agenda": {"name": "x", "seats": 99}}),
    (
        "agenda_set",
        {
            "agenda": {
                "name": "ok",
                "seats": 4,
                "phases": [{"name": "p", "minutes": 5, "floor": "open"}],
            }
        },
    ),
    ("info", {"extra": 1}),
    ("sessions", {"x": None}),
]
_VALID = [
    ("hello", {}),
    ("info", {}),
    ("state", {}),
    ("sessions", {}),
    ("agenda_get", {}),
    ("watch", {"on": True}),
    ("watch", {"on": False}),
    ("hash", {"name": "s00001.ttl"}),
]
_WRONG_TYPES = ["[]", "5", '"text"', "null", "true", "[1,2,3]", "3.5"]
_JUNK_OPS = ["HELLO", "x", "fetch2", "eval", "__import__", "info;", "abcdefghijklmnopqrstu"]


def _noise(rng: random.Random, n: int, ascii_only: bool = False) -> bytes:
    lo, hi = (32, 126) if ascii_only else (0, 255)
    out = bytes(rng.randint(lo, hi) for _ in range(n))
    return out.replace(b"\n", b" ")


def line(rng: random.Random, rid: int) -> tuple[bytes, bool]:
    """One fuzz line (without newline) using request id rid; True when it must be answered."""
    kind = rng.choice(KINDS)
    at = b"@%d " % rid
    if kind == "garbage":
        body = _noise(rng, rng.randint(0, 120))
        return (b"#" + body if body[:1] == b"@" else body), False
    if kind == "ctrl":
        return bytes(rng.choice([0, 3, 3, 4, 13, 27]) for _ in range(rng.randint(1, 8))), False
    if kind == "badutf8":
        bad = rng.choice([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\x00", b"\x03"])
        return at + b'info {"a":"' + bad + b'"}', True
    if kind == "toolong":
        return at + b'info {"pad":"' + b"x" * rng.randint(1030, 2500) + b'"}', True
    if kind == "toolong_noid":
        return b"x" * rng.randint(1100, 2000), False
    if kind == "deep":
        d = rng.randint(9, 60)
        return at + b"info " + b'{"a":' * d + b"1" + b"}" * d, True
    if kind == "wrongtype":
        op = rng.choice(["info", "clock_set", "fetch", "delete", "agenda_set"])
        return at + op.encode() + b" " + rng.choice(_WRONG_TYPES).encode(), True
    if kind == "unknown":
        return at + rng.choice(_JUNK_OPS).encode() + b" {}", True
    if kind == "badargs":
        op, args = rng.choice(_BAD_ARGS)
        return at + op.encode() + b" " + json.dumps(args).encode(), True
    if kind == "badjson":
        junk = rng.choice([b"{", b"{]", b'{"a":}', b'{"a" 1}', b"{'a':1}", b"nul", b"}{"])
        return at + b"info " + junk + _noise(rng, rng.randint(0, 10), ascii_only=True), True
    if kind == "badid":
        return rng.choice(
            [
                b"@0 info {}",
                b"@1000000 info {}",
                b"@x info {}",
                b"@ info",
                b"@-1 info {}",
                b"@12a info {}",
            ]
        ), False
    op, args = rng.choice(_VALID)
    return at + op.encode() + b" " + json.dumps(args).encode(), True
