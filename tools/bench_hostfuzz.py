"""figures(): host_fuzz_replies, host_fuzz_tracebacks, host_fuzz_cases.

The host's device operations (hello, info, sessions, hash, fetch, a whole pull with delete
into a fresh archive, state) run in-process against tests/hostile_device.py, which answers
each request and then spoils the reply as a random list of lies says (cut lines, wrong ids
and types, huge numbers, lying CRCs, offsets, sizes and SHA-256s, endless chunks, floods,
silence, a device that vanishes mid-line). A traceback is any exception that is not a
TalktokenError with a sentence and its own exit code, or an archive holding bytes that are
not a genuine session; the goal is none in at least 10,000 replies (and 250 runs).
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "host"))
sys.path.insert(0, str(ROOT / "tests"))

GOAL_REPLIES = 10_000
MIN_CASES = 250  # endless streams and floods are many replies each: also this many runs


def figures() -> dict:
    from hostile_device import LIES, drive, genuine_files

    rng = random.Random(1111)
    cache = Path(tempfile.gettempdir()) / "talktoken-bench-hostile"
    files = genuine_files(cache)
    replies = tracebacks = cases = 0
    while replies < GOAL_REPLIES or cases < MIN_CASES:
        lies = [rng.choice(LIES) for _ in range(rng.randint(1, 12))]
        with tempfile.TemporaryDirectory() as tmp:
            n, problem = drive(files, lies, rng.randrange(2**31), Path(tmp) / "a")
        replies += n
        cases += 1
        if problem:
            tracebacks += 1
            print(f"bench: host fuzz problem with {lies}:\n{problem}", file=sys.stderr)
    return {
        "host_fuzz_replies": replies,
        "host_fuzz_tracebacks": tracebacks,
        "host_fuzz_cases": cases,
    }
