# Flash stalls in the simulator, in both VMs: the PIO-like counter keeps every detent, polling not.
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import bench_knob  # noqa: E402
from talktoken.fwtree import paths as fwpath  # noqa: E402
from talktoken.sim.vm import flashtime  # noqa: E402
from talktoken.sim.vmrun import SIM_DIR  # noqa: E402


def run_cpython(kind: str, stall: str, knob: str, scale: int) -> list[int]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(SIM_DIR), str(fwpath.SHIM_DIR), str(fwpath.firmware_dir())]
    )
    script = ROOT / "tools" / "fwbench_knob.py"
    proc = subprocess.run(
        [sys.executable, str(script), kind, stall, knob, "3", str(scale)],
        capture_output=True,
        env=env,
        timeout=600,
    )
    out = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode == 0, out
    line = [ln for ln in out.splitlines() if ln.startswith("RESULT " + kind)][-1]
    return [int(p) for p in line.split()[2:]]


def run(vm: str, kind: str, stall: str, knob: str, scale: int = 4) -> list[int]:
    if vm == "micropython":
        return bench_knob.run(kind, stall, knob, seed=3, scale=scale)
    return run_cpython(kind, stall, knob, scale)


@pytest.mark.parametrize("vm", ["micropython", "cpython"])
@pytest.mark.parametrize("stall", ["typical", "worst"])
def test_counted_knob_keeps_every_detent_through_stalls(vm, stall):
    scripted, missed, _, stall_ms, stalls, longest = run(vm, "knob", stall, "pio")
    assert scripted > 100
    assert stalls > 0 and stall_ms > 0, "the flushes stalled the loop"
    assert longest >= flashtime.SECTOR_ERASE_US[1 if stall == "worst" else 0] // 1000
    assert missed == 0


@pytest.mark.parametrize("vm", ["micropython", "cpython"])
def test_polled_knob_misses_detents_in_a_worst_case_stall(vm):
    scripted, missed, *_ = run(vm, "knob", "worst", "polled")
    assert missed > 0


@pytest.mark.parametrize("vm", ["micropython", "cpython"])
def test_no_stall_model_charges_nothing(vm):
    _, missed, _, stall_ms, stalls, longest = run(vm, "knob", "none", "pio")
    assert (missed, stall_ms, stalls, longest) == (0, 0, 0, 0)


@pytest.mark.parametrize("vm", ["micropython", "cpython"])
def test_presses_acknowledged_with_typical_stalls(vm):
    worst, acked, lost, stall_ms, _, _ = run(vm, "ack", "typical", "pio", scale=12)
    assert acked > 20 and lost == 0 and stall_ms > 0
    assert worst > 0


def test_flash_timer_charges_datasheet_times():
    t = flashtime.FlashTimer()
    t.erase()
    t.program(256)
    t.program(257)  # two pages
    assert t.total_us == 45000 + 3 * 400
    assert t.take_ms() == 46 and t.pending_us == 200
    w = flashtime.FlashTimer("worst")
    w.erase()
    w.program(100)
    assert w.take_ms() == 403
    n = flashtime.FlashTimer("none")
    n.erase()
    assert n.total_us == 0
    with pytest.raises(ValueError):
        flashtime.FlashTimer("fast")
