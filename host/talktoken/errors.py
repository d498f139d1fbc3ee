"""Errors raised by the talktoken host package."""


class TalktokenError(Exception):
    """Root of every error the host tool reports to a person.

    The message says what went wrong and what to do; `exit_code` is the process exit status.
    """

    exit_code = 1


class FileProblemError(TalktokenError):
    """A file or directory the command reads or writes cannot be used (missing, read-only,
    full disk, not a directory)."""

    exit_code = 69


def file_problem(exc: OSError, what: str = "") -> FileProblemError:
    """A sentence for an OSError on a file: which file, what went wrong, what to do."""
    import errno

    name = exc.filename or what or "a file"
    hint = {
        errno.ENOSPC: "the disk is full; free some space and try again",
        errno.EROFS: "that file system is read-only; choose another place",
        errno.EACCES: "you may not write there; choose another place or fix its permissions",
        errno.EPERM: "you may not write there; choose another place or fix its permissions",
        errno.ENOENT: "it does not exist; check the path (its folder must exist)",
        errno.ENOTDIR: "a part of that path is a file, not a folder; check the path",
        errno.EISDIR: "that is a folder; give a file name",
        errno.EEXIST: "something else is in the way there; choose another path",
    }.get(exc.errno or 0, "check the path and try again")
    return FileProblemError(f"cannot use {name}: {exc.strerror or exc}; {hint}")
