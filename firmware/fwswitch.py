"""Finishes a firmware switch-over that a deploy began: the roll-forward journal, run at boot.

A deploy stages every new file as `<name>.tt-new`, verifies them all on the device, writes the
journal (staged and renamed into place, so it is whole or absent), then runs `run()` over the
raw REPL. A power cut or reset part-way leaves the journal; main.py calls `run()` before it
imports any other firmware module, so the next boot finishes the switch. Each line of the
journal is one step, done in order: `R <staged> <final>` renames a staged file over its final
name (skipped when the staged file is gone: that step was done), `D <name>` removes a file
(skipped when it is gone). The last step renames the manifest; then the journal is removed.
Running it again after a cut at any point gives the same result. A journal that cannot be read
(too big, not text) is removed unread: the device boots the files it has.
"""

import os

JOURNAL = "talktoken-switch.txt"
MAX_BYTES = 8192  # a journal for ~40 files is ~2 KB; anything bigger is not one of ours


def run(root=""):
    """Do the steps of a pending journal under `root`, then remove it; False if there is none."""
    path = root + JOURNAL
    try:
        size = os.stat(path)[6]
    except OSError:
        return False
    if size <= MAX_BYTES:
        try:
            f = open(path)
            try:
                for line in f:
                    _step(root, line.split())
            finally:
                f.close()
        except (OSError, ValueError, MemoryError):
            pass  # unreadable: what was done stays done, the rest is left to the next deploy
    try:
        os.remove(path)
    except OSError:
        pass  # not a file (a directory of that name): nothing a deploy wrote, nothing to undo
    return True


def _step(root, words):
    try:
        if len(words) == 3 and words[0] == "R":
            os.rename(root + words[1], root + words[2])
        elif len(words) == 2 and words[0] == "D":
            os.remove(root + words[1])
    except OSError:
        pass  # done already (the journal is replayed after a cut), or nothing to do
