"""The errors a device or its data can raise: refusals, versions, bytes that do not verify."""

from __future__ import annotations

from typing import Any

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
