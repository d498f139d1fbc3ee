"""Drive tests/fw/powercut_run.py in batches of MicroPython processes and gather the results."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from mpvm import ROOT, run_micropython

SIM = ROOT / "host" / "talktoken" / "sim" / "vm"
HEAP = "8m"


def _run(args: list[str], stdin: str = "") -> str:
    proc = run_micropython(
        ["-m", "powercut_run", *args],
        heapsize=HEAP,
        extra_path=[SIM],
        input_bytes=stdin.encode(),
    )
    out = proc.stdout.decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"powercut_run {args[0]} failed:\n{out}\n{proc.stderr.decode()}")
    return out


def count() -> dict:
    """Block operations, writes, erases, records and flushes of the uncut 300-turn session."""
    for line in _run(["count"]).splitlines():
        if line.startswith("COUNT "):
            ops, writes, erases, records, flushes = (int(v) for v in line.split()[1:])
            return {
                "ops": ops,
                "writes": writes,
                "erases": erases,
                "records": records,
                "flushes": flushes,
            }
    raise RuntimeError("powercut_run count printed no COUNT line")


def sweep(points: list[int] | None = None, jobs: int | None = None, batches: int = 8) -> dict:
    """Cut power at every given operation index (default: every one of the session).

    Returns counts: points, failures (with their lines), and how each point ended
    (resumed / complete / empty: the cut came before the first event was committed).
    """
    total = count()
    if points is None:
        points = list(range(total["ops"]))
    jobs = jobs or max(2, os.cpu_count() or 2)
    groups = [points[i::batches] for i in range(batches)]
    groups = [g for g in groups if g]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outs = list(pool.map(lambda g: _run(["points"], ",".join(map(str, g))), groups))
    results: dict[int, str] = {}
    for out in outs:
        if "DONE" not in out:
            raise RuntimeError(f"a sweep batch died:\n{out[-2000:]}")
        for line in out.splitlines():
            if line.startswith("PT "):
                _, n, res = line.split(" ", 2)
                results[int(n)] = res
    failures = [f"{n}: {r}" for n, r in sorted(results.items()) if r.startswith("FAIL")]
    kinds: dict[str, int] = {}
    for r in results.values():
        kinds[r.split()[0]] = kinds.get(r.split()[0], 0) + 1
    lost = [int(r.rsplit(" ", 1)[1]) for r in results.values() if r.startswith("resumed")]
    return {
        "session": total,
        "points": len(results),
        "missing": sorted(set(points) - set(results)),
        "failures": failures,
        "kinds": kinds,
        "max_lost_ms": max(lost) if lost else 0,
    }
