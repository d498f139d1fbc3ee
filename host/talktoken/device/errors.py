"""The errors a device or its data can raise: refusals, versions, bytes that do not verify."""

from __future__ import annotations

import json
from typing import Any

from talktoken.device.link import Reply
from talktoken.errors import TalktokenError


class DeviceError(TalktokenError):
    """The device answered a request with an error (`code` names the kind)."""

    exit_code = 23

    def __init__(self, message: str, code: str = "", detail: Any = None):
        super().__init__(message)
        self.code = code
        self.detail = detail


class DeviceBusyError(DeviceError):
    """The device refused because a session is running."""

    exit_code = 27


class VersionError(TalktokenError):
    """The device speaks another protocol version."""

    exit_code = 24


class VerifyError(TalktokenError):
    """Fetched bytes do not match the device's size or SHA-256."""

    exit_code = 26


def device_error(op: str, reply: Reply) -> DeviceError:
    """The error a device `err` reply to `op` stands for."""
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
