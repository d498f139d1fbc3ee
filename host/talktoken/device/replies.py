"""Checks of a device's replies: the shape each op's answer must have, and its err replies."""

from __future__ import annotations

import json

from talktoken.device.errors import DeviceBusyError, DeviceError
from talktoken.device.link import MalformedReplyError, Reply

MAX_FILE_BYTES = 16 << 20  # no session file is larger (the biggest Pico flash); a fetch stops


def shape(data: dict, op: str, fields: dict[str, type | tuple[type, ...]]) -> dict:
    """`data` when each named field it has is of its type, else MalformedReplyError.

    Booleans are not integers here (JSON true is not a size).
    """
    for key, kind in fields.items():
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            ok = False
        else:
            ok = isinstance(value, kind)
        if not ok:
            raise MalformedReplyError(
                f"the device's answer to `{op}` has a wrong `{key}` ({type(value).__name__}); "
                "is it a talktoken? `talktoken deploy` installs the firmware"
            )
    return data


def need(data: dict, op: str, *keys: str) -> dict:
    """`data` when it has every key, else MalformedReplyError."""
    missing = [k for k in keys if k not in data]
    if missing:
        raise MalformedReplyError(
            f"the device's answer to `{op}` lacks `{missing[0]}`; is it a talktoken? "
            "`talktoken deploy` installs the firmware"
        )
    return data


def check_sha(data: dict, op: str) -> str:
    """The `sha256` field: 64 lowercase hex digits, else MalformedReplyError."""
    sha = need(data, op, "sha256")["sha256"]
    if not (isinstance(sha, str) and len(sha) == 64 and all(c in "0123456789abcdef" for c in sha)):
        raise MalformedReplyError(f"the device's answer to `{op}` has no valid SHA-256")
    return sha


_INT = int
_OPT_STR = (str, type(None))
INFO_FIELDS: dict[str, type | tuple[type, ...]] = {
    "device": str,
    "fw": str,
    "state": str,
    "phase": _INT,
    "agenda": dict,
    "clock": _INT,
    "clock_set": bool,
    "sessions": _INT,
    "used": (int, float),
    "free": (int, float),
    "battery_mv": _INT,
    "fresh": bool,
    "fs_id": (str, int),
}


def check_info(info: dict) -> dict:
    """An `info` answer whose fields have the types the commands read them as."""
    shape(info, "info", INFO_FIELDS)
    need(info, "info", "state", "agenda", "clock")
    agenda = info["agenda"]
    shape(need(agenda, "info", "name", "hash"), "info", {"name": str, "hash": str})
    if "sessions" in info:
        need(info, "info", "used", "free")
    return info


def check_listing(reply: dict) -> dict:
    """A `sessions` page: a list of {name, size, id, complete, started_at} and paging ints."""
    shape(
        need(reply, "sessions", "sessions"),
        "sessions",
        {"sessions": list, "next": (int, type(None)), "total": int},
    )
    for row in reply["sessions"]:
        if not isinstance(row, dict):
            raise MalformedReplyError("the device's answer to `sessions` lists a non-object")
        shape(
            need(row, "sessions", "name"),
            "sessions",
            {
                "name": str,
                "size": int,
                "id": _OPT_STR,
                "complete": bool,
                "started_at": (int, type(None)),
            },
        )
        if row.get("size", 0) < 0 or row.get("size", 0) > MAX_FILE_BYTES:
            raise MalformedReplyError(f"the device lists {row['name']!r} with an impossible size")
    return reply


def device_error(op: str, reply: Reply) -> DeviceError:
    code, msg = reply.code, reply.message
    if code == "busy":
        return DeviceBusyError(f"the device refused `{op}`: {msg}", code)
    if code == "agenda":
        try:
            problems = [tuple(p) for p in json.loads(msg)["problems"]]
        except (ValueError, KeyError, TypeError):
            problems = [("", msg)]
        lines = "; ".join(f"{f}: {r}" if f else r for f, r in problems)
        return DeviceError(f"the device rejected the agenda: {lines}", code, problems)
    return DeviceError(f"the device refused `{op}` ({code}): {msg}", code)
