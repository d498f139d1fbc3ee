"""Errors raised by the talktoken host package."""


class TalktokenError(Exception):
    """Root of every error the host tool reports to a person.

    The message says what went wrong and what to do; `exit_code` is the process exit status.
    """

    exit_code = 1
