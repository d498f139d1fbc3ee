"""figures() -> proto_fuzz_sequences, proto_fuzz_crashes (goal >= 10,000 and 0).

Seeded protocol fuzz sequences (tests/fw/protofuzz.py: requests valid and not, pipelined, cut,
replayed ids, gestures and time, against the App with the real LogStore on LittleFS and a twin
without a host; every invariant checked) in CPython for breadth and in the MicroPython unix port
from .mpy. A crash is a sequence in which any invariant failed or anything raised.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from mpvm import BUILD, build_all, run_micropython  # noqa: E402

CPYTHON_SEQUENCES = 10_000
MICROPYTHON_SEQUENCES = 500


def _parse(out: str) -> tuple[int, int, list[str]]:
    n = fails = -1
    detail = []
    for line in out.splitlines():
        parts = line.split()
        if parts[:2] == ["RESULT", "fuzz"]:
            n, fails = int(parts[3]), int(parts[5])
        elif parts[:1] == ["FAIL"]:
            detail.append(line)
    if n < 0:
        raise RuntimeError(f"the fuzz driver gave no result:\n{out[-2000:]}")
    return n, fails, detail


def cpython(sequences: int = CPYTHON_SEQUENCES) -> tuple[int, int, list[str]]:
    paths = [str(ROOT / "tests" / "fw"), str(ROOT / "tests"), str(ROOT / "host")]
    proc = subprocess.run(
        [sys.executable, str(HERE / "fwbench_fuzz.py"), str(sequences), "100000", *paths],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    return _parse(proc.stdout + proc.stderr)


def micropython(sequences: int = MICROPYTHON_SEQUENCES) -> tuple[int, int, list[str]]:
    from talktoken.fwtree.mpy import compile_file

    build_all()
    out_dir = BUILD / "bench"
    compile_file(HERE / "fwbench_fuzz.py", out_dir / "fwbench_fuzz.mpy")
    proc = run_micropython(
        ["-m", "fwbench_fuzz", str(sequences), "200000"],
        heapsize="4m",
        timeout=3600,
        extra_path=[out_dir],
    )
    return _parse(proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace"))


def figures() -> dict:
    cn, cf, cd = cpython()
    mn, mf, md = micropython()
    return {
        "proto_fuzz_sequences": cn + mn,
        "proto_fuzz_crashes": cf + mf,
        "proto_fuzz_sequences_micropython": mn,
        "proto_fuzz_failures_detail": (cd + md)[:5],
    }
