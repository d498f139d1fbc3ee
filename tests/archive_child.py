"""A child process that purges an archive or pulls into one, to be killed part way.

    python archive_child.py purge ARCHIVE BEFORE_ISO [EXIT_AT]
    python archive_child.py pull ARCHIVE PORT [EXIT_AT]

It prints "ready" just before the work starts. With EXIT_AT = k it dies (os._exit, no cleanup,
as a kill does) at its k-th database statement of the work, or at "commit" right after the
transaction committed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "host"))

from talktoken.archive.store import Archive  # noqa: E402


class DyingDb:
    """An sqlite3 connection that ends the process at its k-th execute (or after the commit)."""

    def __init__(self, db, exit_at: str | None):
        self._db = db
        self._left = int(exit_at) if exit_at and exit_at != "commit" else None
        self._after_commit = exit_at == "commit"

    def execute(self, *args):
        if self._left is not None:
            self._left -= 1
            if self._left < 0:
                os._exit(9)
        return self._db.execute(*args)

    def __enter__(self):
        return self._db.__enter__()

    def __exit__(self, *exc):
        out = self._db.__exit__(*exc)
        if self._after_commit and exc[0] is None:
            os._exit(9)
        return out

    def __getattr__(self, name):
        return getattr(self._db, name)


def main(argv: list[str]) -> None:
    what, path, arg = argv[:3]
    exit_at = argv[3] if len(argv) > 3 else None
    if what == "purge":
        from talktoken.archive import upkeep

        arc = Archive(path)
        ids = [sid for sid, _ in upkeep.purge_candidates(arc, arg)]
        arc.db = DyingDb(arc.db, exit_at)
        print("ready", flush=True)
        upkeep.purge(arc, ids)
    else:
        from talktoken.device.client import Client
        from talktoken.device.pull import pull_sessions

        arc = Archive(path, lazy=True)
        arc.db = DyingDb(arc.db, exit_at)
        print("ready", flush=True)
        with Client.connect(arg) as client:
            pull_sessions(client, arc, delete=True)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
