"""figures() -> fw_code_kb, fw_timer_drift_ms, fw_loop_alloc_bytes, fw_min_heapsize_kb[_host].

Each figure runs a driver compiled to .mpy with the firmware in `micropython`: the heap figures
tools/fwbench_heap.py (small, so the figure measures the firmware), the others
tools/fwbench_device.py; both play tools/fwbench_script.py's session.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tty
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "host"))
sys.path.insert(0, str(ROOT / "tests"))

from mpvm import BUILD, run_micropython  # noqa: E402
from talktoken.fwtree.mpy import compile_file  # noqa: E402

BENCH_DIR = BUILD / "bench"


DRIVERS = ("fwbench_code", "fwbench_device", "fwbench_heap", "fwbench_script", "fwbench_stall")


def _compile_drivers() -> None:
    for name in DRIVERS:
        compile_file(HERE / f"{name}.py", BENCH_DIR / f"{name}.mpy")


def _device(
    args: list[str],
    heapsize: str | None = None,
    timeout: float = 900,
    driver: str = "fwbench_device",
) -> tuple[bool, str]:
    _compile_drivers()
    proc = run_micropython(
        ["-m", driver, *args], heapsize=heapsize, timeout=timeout, extra_path=[BENCH_DIR]
    )
    out = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
    return proc.returncode == 0 and "RESULT" in out, out


def _result(out: str, kind: str) -> list[str]:
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "RESULT" and parts[1] == kind:
            return parts[2:]
    raise RuntimeError(f"fwbench_device {kind} gave no result:\n{out[-2000:]}")


def timer_drift(seeds: tuple[int, ...] = (1, 2)) -> dict:
    """Worst |logged - true| phase or turn duration over 3-hour sessions with jitter and a wrap."""
    worst = 0
    intervals = 0
    for seed in seeds:
        ok, out = _device(["drift", str(seed)])
        r = _result(out, "drift")
        if r[4] != "1":
            raise RuntimeError("the drift session did not cross the tick wrap")
        worst = max(worst, int(r[0]))
        intervals += int(r[2])
    return {"fw_timer_drift_ms": worst, "fw_timer_drift_intervals": intervals}


def loop_alloc() -> dict:
    ok, out = _device(["alloc"])
    return {"fw_loop_alloc_bytes": int(_result(out, "alloc")[0])}


def _heap_ok(kb: int, root: Path, max_turns: int = 0, host: bool = False) -> tuple[bool, str]:
    for p in root.glob("*"):
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()
    args = [str(root), str(max_turns)] + (["host"] if host else [])
    ok, out = _device(args, heapsize=f"{kb}k", driver="fwbench_heap")
    if ok:
        ok = _served(_result(out, "heap"), host)
    return ok, out


def _served(detail: list[str], host: bool) -> bool:
    """Without a host the protocol never loads; with one, every request has its ok reply (a
    device that could not load the protocol keeps its session but fails this heap size)."""
    if not host:
        return _field(detail, "proto") == 0
    asked = _field(detail, "asked")
    return (
        _field(detail, "proto") == 1
        and asked > 0
        and _field(detail, "replies") == asked
        and _field(detail, "errors") == 0
    )


def _bisect(
    root: Path, lo: int, hi: int, max_turns: int = 0, host: bool = False
) -> tuple[int, list[str]]:
    ok, out = _heap_ok(hi, root, max_turns, host)
    if not ok:
        raise RuntimeError(
            f"the heap session fails (or its host is not served) at {hi} KB:\n{out[-2000:]}"
        )
    detail = _result(out, "heap")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _heap_ok(mid, root, max_turns, host)[0]:
            hi = mid
        else:
            lo = mid
    return hi, detail


def _qstr_pools(out: str) -> dict[str, int]:
    """The figures of micropython.qstr_info()'s line in a driver's output."""
    m = re.search(r"qstr pool: (.*)", out)
    if not m:
        raise RuntimeError(f"no qstr_info line in:\n{out[-2000:]}")
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}


def _field(detail: list[str], name: str) -> int:
    """The number after `name` in a RESULT heap line (its words after "RESULT heap")."""
    return int(detail[detail.index(name) + 1])


def min_heapsize(lo: int = 8, hi: int = 256) -> dict:
    """Smallest -X heapsize (KB) that runs the 12-seat, 2-hour, 2,000-turn session from .mpy.

    Also the same for a session ended after 20 turns (equal figures show the heap does not grow
    with the length of a session), and for the long session with a host that connects 30 minutes
    in (hello, info, sessions, watch, then state every minute): the price of the protocol, which
    is loaded only when a host sends its first byte."""
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() else None
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        root = Path(tmp)
        need, detail = _bisect(root, lo, hi)
        need_short, _ = _bisect(root, lo, hi, max_turns=20)
        need_host, host_detail = _bisect(root, lo, hi, host=True)
        qstr = _qstr_pools(_heap_ok(need_host, root, 0, True)[1])
    return {
        "fw_min_heapsize_kb": need,
        "fw_min_heapsize_kb_20_turns": need_short,
        "fw_min_heapsize_kb_host": need_host,
        "fw_min_heapsize_turns": _field(detail, "turns"),
        "fw_min_heapsize_minutes": _field(detail, "minutes"),
        "fw_heap_modules_kb": round(_field(detail, "code") / 1024, 1),
        "fw_heap_after_session_kb": round(_field(detail, "used") / 1024, 1),
        "fw_heap_after_session_host_kb": round(_field(host_detail, "used") / 1024, 1),
        "fw_min_heapsize_host_replies": _field(host_detail, "replies"),
        # Names MicroPython interns (qstrs) sit in pools that double: 20, 40, ... 320, 640
        # entries. The 621st name takes a new 640-entry pool (7 KB on this 64-bit port).
        "fw_qstr_host": qstr["n_qstr"],
        "fw_qstr_pools_host": qstr["n_pool"],
        "fw_qstr_kb_host": round(qstr["n_total_bytes"] / 1024, 1),
        "fw_min_heapsize_host_events": _field(host_detail, "events"),
        "fw_min_heapsize_store": "LogStore on fsio.DeviceFs in a tmpfs directory"
        if base
        else "LogStore on fsio.DeviceFs in a temporary directory",
    }


def code_size(top: int = 5) -> dict:
    """fw_code_kb: the heap the firmware modules take once loaded (the app's, then the
    protocol's, as a host connecting loads them), and the `top` largest modules by KB."""
    ok, out = _device([], driver="fwbench_code")
    words = _result(out, "code")
    sizes = {words[i]: int(words[i + 1]) for i in range(0, len(words), 2)}
    largest = sorted(sizes.items(), key=lambda kv: -kv[1])[:top]
    return {
        "fw_code_kb": round(sum(sizes.values()) / 1024, 1),
        "fw_code_top_kb": {name: round(n / 1024, 1) for name, n in largest},
        "fw_code_modules": len(sizes),
    }


def stall_stuck_reader(iterations: int = 3000) -> dict:
    """fw_loop_max_stall_ms_stuck_reader: the worst wall time of one loop iteration in the
    MicroPython VM while a host holds the pty open, sent hello, watch, a 96 KB fetch and more
    requests, and reads nothing (tools/fwbench_stall.py; the simulator's serial as the Pico's)."""
    from talktoken.sim import vmrun

    sim_out, fw_out = vmrun.build()
    _compile_drivers()
    master, slave = os.openpty()
    tty.setraw(slave)
    os.set_blocking(master, False)
    env = dict(os.environ)
    env["MICROPYPATH"] = os.pathsep.join([str(BENCH_DIR), str(sim_out), str(fw_out), ".frozen"])
    exe = vmrun.micropython_exe()
    proc = subprocess.Popen(
        [str(exe), "-X", "heapsize=4m", "-m", "fwbench_stall", str(iterations)],
        stdin=master,
        stdout=master,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stderr is not None
        if proc.stderr.readline().strip() != b"ready":
            raise RuntimeError("fwbench_stall did not start")
        os.write(
            slave,
            b'\n@1 hello {"proto":1}\n@2 watch {"on":true}\n@3 fetch {"name":"s00001.ttl"}\n'
            b"@4 sessions {}\n@5 info {}\n@6 state {}\n",
        )
        started = time.perf_counter()
        err = proc.stderr.read().decode(errors="replace")
        proc.wait(timeout=600)
        wall = time.perf_counter() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
        os.close(slave)
    words = _result(err, "stall")
    return {
        "fw_loop_max_stall_ms_stuck_reader": _field(words, "max_ms"),
        "fw_loop_stuck_reader_iterations": _field(words, "iterations"),
        "fw_loop_stuck_reader_events_dropped": _field(words, "dropped"),
        "fw_loop_stuck_reader_tx_timeouts": _field(words, "timeouts"),
        "fw_loop_stuck_reader_faults": _field(words, "faults"),
        "fw_loop_stuck_reader_wall_s": round(wall, 1),
    }


def figures() -> dict:
    out: dict = {}
    out.update(stall_stuck_reader())
    out.update(code_size())
    out.update(loop_alloc())
    out.update(timer_drift())
    out.update(min_heapsize())
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(figures(), indent=2, sort_keys=True))
