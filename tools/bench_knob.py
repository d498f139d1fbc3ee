"""figures() -> press_ack_ms_worst, knob_missed_detents[_polled] (typical and worst-case flash
stalls) and flash_stall_ms_per_session.

Each runs tools/fwbench_knob.py (compiled to .mpy) in `micropython` on the simulator's board
and flash, whose operations stall the loop for the W25Q16JV datasheet times (flashtime.py), the
loop stepped on its real 10 ms period.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "host"))
sys.path.insert(0, str(ROOT / "tests"))

from mpvm import BUILD, run_micropython  # noqa: E402
from talktoken.fwtree.mpy import compile_file  # noqa: E402
from talktoken.sim import vmrun  # noqa: E402

BENCH_DIR = BUILD / "bench"


def run(kind: str, stall: str, knob: str, seed: int = 1, scale: int = 1) -> list[int]:
    """One fwbench_knob run in micropython; its RESULT numbers."""
    compile_file(HERE / "fwbench_knob.py", BENCH_DIR / "fwbench_knob.mpy")
    sim_out, _ = vmrun.build()
    args = ["-m", "fwbench_knob", kind, stall, knob, str(seed), str(scale)]
    proc = run_micropython(args, timeout=1800, extra_path=[BENCH_DIR, sim_out])
    out = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "RESULT" and parts[1] == kind:
            return [int(p) for p in parts[2:]]
    raise RuntimeError(f"fwbench_knob {kind} gave no result:\n{out[-2000:]}")


def figures() -> dict:
    out: dict[str, object] = {}
    for stall, suffix in (("typical", ""), ("worst", "_worst_stall")):
        for knob, name in (
            ("pio", "knob_missed_detents"),
            ("polled", "knob_missed_detents_polled"),
        ):
            scripted, missed, _, _, _, _ = run("knob", stall, knob)
            out[name + suffix] = missed
        out["knob_scripted_detents"] = scripted
        worst, acked, lost, stall_ms, stalls, longest = run("ack", stall, "pio")
        out["press_ack_ms_worst" + suffix] = worst
        out["press_lost" + suffix] = lost
        out["press_count"] = acked + lost
        out["flash_stall_ms_per_session" + suffix] = stall_ms
        out["flash_stall_longest_ms" + suffix] = longest
        out["flash_stalls_per_session" + suffix] = stalls
    return out
