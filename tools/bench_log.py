"""Measured in the MicroPython unix port on the simulated Pico flash (flash_mp.py).

Figures: log_bytes_per_turn, flash_writes_per_turn (littlefs flushes per turn),
flash_block_ops_per_turn, sessions_per_pico_fs (2-hour 12-seat 400-turn sessions written into a
fresh 1,408 KiB image until the store refuses one), power_cut_points, power_cut_failures,
fw_index_bytes_per_session (heap the session index and a full paged `sessions` listing leave
behind, per stored session, gc.mem_alloc after gc.collect; 64-bit unix port, 300 sessions).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from log_sweep import SIM, sweep  # noqa: E402
from mpvm import run_micropython  # noqa: E402


def session_figures() -> dict:
    proc = run_micropython(["-m", "powercut_run", "bench"], heapsize="8m", extra_path=[SIM])
    out = proc.stdout.decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"powercut_run bench failed:\n{out}\n{proc.stderr.decode()}")
    figs: dict = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == "SESSION":
            turns, size, flushes, ops, records, dur = (int(v) for v in parts[1:7])
            figs["log_bytes_per_turn"] = round(size / turns, 2)
            figs["log_bench_session"] = {
                "turns": turns,
                "file_bytes": size,
                "records": records,
                "flushes": flushes,
                "block_ops": ops,
                "minutes": round(dur / 60000, 1),
            }
            figs["flash_writes_per_turn"] = round(flushes / turns, 3)
            figs["flash_block_ops_per_turn"] = round(ops / turns, 2)
        elif parts and parts[0] == "FILL":
            figs["sessions_per_pico_fs"] = int(parts[1])
            figs["log_fill_free_bytes_left"] = int(parts[2])
            figs["log_fill_refusal"] = " ".join(parts[3:])
    return figs


INDEX_SESSIONS = 300


def index_figures() -> dict:
    code = f"import test_logstore_index as t\nprint('INDEX', t.index_bytes({INDEX_SESSIONS})[2])\n"
    proc = run_micropython(["-c", code])
    out = proc.stdout.decode(errors="replace")
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "INDEX":
            return {"fw_index_bytes_per_session": round(int(parts[1]) / INDEX_SESSIONS, 1)}
    raise RuntimeError(f"index measurement failed:\n{out}\n{proc.stderr.decode()}")


def figures() -> dict:
    figs = session_figures()
    figs.update(index_figures())
    r = sweep()
    figs["power_cut_points"] = r["points"]
    figs["power_cut_failures"] = len(r["failures"])
    figs["power_cut_block_ops"] = r["session"]["ops"]
    figs["power_cut_max_lost_ms"] = r["max_lost_ms"]
    return figs


if __name__ == "__main__":
    import json

    quick = "--quick" in sys.argv
    print(json.dumps({**session_figures(), **index_figures()} if quick else figures(), indent=2))
