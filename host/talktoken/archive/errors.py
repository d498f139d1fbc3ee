"""Errors raised by the session archive; both exit the CLI with their own code."""

from __future__ import annotations

from talktoken.errors import TalktokenError


class ArchiveError(TalktokenError):
    """The archive cannot do what was asked (missing session, conflict, newer schema)."""

    exit_code = 6


class CorruptSessionError(ArchiveError):
    """A session file failed its hash check or cannot be decoded; it was not imported."""

    exit_code = 7
