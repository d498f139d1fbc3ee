# Test support for protocol end-to-end tests: simulated devices with sessions, the CLI as a process.
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from talktoken.sim.device import SimDevice
from talktoken.sim.scenario import act

ROOT = Path(__file__).resolve().parents[1]
TALKTOKEN = str(Path(sys.executable).parent / "talktoken")

# A short session on the default agenda: a go-round with a pass, an open phase, then the end.
SHORT = [
    ("start", None, 2000),
    ("give", 0, 9000),
    ("next", None, 7000),
    ("pass", None, 0),
    ("next", None, 5000),
    ("phase", None, 3000),
    ("give", 3, 12000),
    ("give", 5, 4000),
    ("open", None, 2000),
    ("end", None, 500),
]


def play(dev: SimDevice, steps=SHORT) -> None:
    """Act the steps on a stepped device (no summaries: just the gestures and the waits)."""
    for action, arg, wait_ms in steps:
        act(dev, action, arg)
        if wait_ms:
            dev.advance(wait_ms)


def start_session(dev: SimDevice) -> None:
    """Start a session and give the floor to seat 0; it keeps running."""
    play(dev, SHORT[:2])


def make_image(path: Path, sessions: int, steps=SHORT) -> Path:
    """A flash image holding `sessions` finished sessions (built once, copied per test)."""
    with SimDevice(flash=path) as dev:
        for _ in range(sessions):
            play(dev, steps)
    return path


def make_long_image(image: Path, count: int, turns: int) -> Path:
    """`count` finished sessions of `turns` turns each, written with the firmware's LogStore
    (under CPython, fast) into a flash image the simulator mounts."""
    from talktoken.fwtree.paths import enable_firmware_imports
    from talktoken.sim.vm.flash_cpy import FlashFs

    enable_firmware_imports()
    import agenda
    import events as ev
    from logstore import LogStore

    fs = FlashFs(str(image))
    store = LogStore(fs, device_id="5130000000000001", fw_version="0.1.0")
    a = agenda.default()
    for i in range(count):
        store.begin(a, 1_760_000_000 + i * 604_800)
        t = 0
        store.record(ev.EV_SESSION_START, ev.NO_SEAT, 0, 0, 0)
        store.record(ev.EV_PHASE_START, ev.NO_SEAT, 0, 0, 0)
        for k in range(turns):
            seat = (k * 5) % 8
            store.record(ev.EV_TURN_START, seat, 0, t, 0)
            t += 9_000 + (k * 7919) % 50_000
            store.record(ev.EV_TURN_END, seat, 0, t, 0)
            store.service(t)
        store.record(ev.EV_PHASE_END, ev.NO_SEAT, 0, t, 0)
        store.record(ev.EV_SESSION_END, ev.NO_SEAT, 0, t, 0)
        store.service(t)
        store.end()
    store.service(0)  # the device's next loop iteration: the last session's index record
    fs.close()
    return image


def copy_image(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst


def cli(
    port: str | None,
    *args: str,
    archive: Path | None = None,
    env: dict | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess:
    """Run the installed `talktoken` command as a person would; text output."""
    full = dict(os.environ)
    full.pop("TALKTOKEN_PORT", None)
    if port:
        full["TALKTOKEN_PORT"] = port
    if archive is not None:
        full["TALKTOKEN_ARCHIVE"] = str(archive)
    full.update(env or {})
    return subprocess.run(
        [TALKTOKEN, *args], capture_output=True, text=True, env=full, timeout=timeout
    )
