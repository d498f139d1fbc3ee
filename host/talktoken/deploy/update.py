"""Deploy the firmware to a device through mpremote's raw REPL, verified on the device.

The device file set is exactly: `main.py` as source and every other firmware module as `.mpy`
(no `__init__.py`). A manifest on the device (`talktoken-manifest.json`) lists what deploy
installed, so files that leave the firmware are removed and nothing else is ever touched.
New files are staged as `<name>.tt-new` and verified; the switch-over then runs a journal on
the device (`talktoken-switch.txt`, see firmware/fwswitch.py), which the firmware finishes at
boot if a power cut or reset stops it part-way: the device holds the old or the new firmware,
never a mix. Planning lives in talktoken.deploy.plan, the device's file operations in
talktoken.deploy.device; their public names are importable from here too.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talktoken.deploy.device import WRITE_CHUNK, Device
from talktoken.deploy.plan import (
    JOURNAL,
    MANIFEST,
    NEW_SUFFIX,
    DeployError,
    Plan,
    build,
    fw_version,
    journal_text,
    make_plan,
    sha256_hex,
    switch_code,
)

__all__ = [
    "JOURNAL",
    "MANIFEST",
    "NEW_SUFFIX",
    "RUNNING_STATES",
    "WRITE_CHUNK",
    "DeployError",
    "DeployResult",
    "Device",
    "DeviceVerifyError",
    "Plan",
    "SessionRunningError",
    "UnsupportedDeviceError",
    "check_target",
    "ask_firmware",
    "build",
    "deploy",
    "fw_version",
    "make_plan",
    "quiesce",
    "sha256_hex",
]

RUNNING_STATES = ("running", "paused")


class SessionRunningError(DeployError):
    """A session is running on the device and --force was not given."""

    exit_code = 31


class DeviceVerifyError(DeployError):
    """A file's SHA-256 computed on the device differs from the one built here."""

    exit_code = 32


class SimulatorDeployError(DeployError):
    """The port is a simulated device's: it runs this checkout's firmware already."""

    exit_code = 65


class UnsupportedDeviceError(DeployError):
    """The device's MicroPython is too old for the .mpy files, or its board is not known."""

    exit_code = 67


KNOWN_PLATFORMS = ("rp2", "linux")  # a Pico / Pico 2, and the unix port the tests use
FLASH_HINT = (
    "flash MicroPython 1.22 or newer for your board first: hold BOOTSEL while plugging it in "
    "and copy the .uf2 from https://micropython.org/download/RPI_PICO/ (or RPI_PICO2)"
)


def check_target(impl: tuple, mpy_version: int) -> None:
    """Refuse (UnsupportedDeviceError) a device whose MicroPython cannot load `.mpy` files of
    `mpy_version`, or whose platform is not one talktoken runs on. `impl`: (version tuple,
    sys.implementation._mpy, _machine, sys.platform) as the device printed them."""
    version, mpy, machine, platform = impl
    dotted = ".".join(str(v) for v in version)
    if platform not in KNOWN_PLATFORMS:
        raise UnsupportedDeviceError(
            f"the device is a {machine or platform} ({platform}); talktoken runs on a "
            "Raspberry Pi Pico or Pico 2 (rp2): nothing was copied"
        )
    if (int(mpy) & 0xFF) < mpy_version:
        raise UnsupportedDeviceError(
            f"the device runs MicroPython {dotted}, which cannot load .mpy version "
            f"{mpy_version} files; nothing was copied; {FLASH_HINT}"
        )


def _mpy_version(files: dict[str, bytes]) -> int:
    heads = [data[1] for name, data in files.items() if name.endswith(".mpy") and len(data) > 1]
    return max(heads, default=0)


class DeployLinkError(DeployError):
    """The link to the device failed in the middle of a deploy step."""

    exit_code = 66


@dataclass
class DeployResult:
    """Outcome of one deploy (or dry run)."""

    plan: Plan
    dry_run: bool
    firmware_answered: bool  # the talktoken firmware was running and answered the protocol
    session_state: str | None  # its state when it answered
    forced: bool
    reset: bool
    resumed_switch: bool  # an earlier deploy's cut switch-over was finished first
    fw_version: str
    seconds: float

    def to_dict(self) -> dict:
        """The outcome as a JSON-ready dict (for --json)."""
        return {
            "dry_run": self.dry_run,
            "copy": self.plan.copy,
            "new": self.plan.new,
            "unchanged": self.plan.same,
            "remove": self.plan.remove,
            "firmware_answered": self.firmware_answered,
            "session_state": self.session_state,
            "forced": self.forced,
            "reset": self.reset,
            "resumed_switch": self.resumed_switch,
            "fw_version": self.fw_version,
            "seconds": round(self.seconds, 3),
        }


# ---- the protocol check ---------------------------------------------------------------


def ask_firmware(port: str, force: bool, timeout: float = 1.0) -> dict | None:
    """Ask running talktoken firmware to stand down; None when nothing answers the protocol.

    Refuses (SessionRunningError) while a session runs unless force; otherwise sends
    `prepare_update`, which flushes the log and lets Ctrl-C through.
    """
    from talktoken.device.client import PROTO_VERSION, Client
    from talktoken.device.errors import DeviceError
    from talktoken.device.link import Link, LinkError

    client = Client(Link(port, timeout=timeout), timeout=timeout)
    try:
        try:
            client.request("hello", {"proto": PROTO_VERSION}, timeout=timeout)
            info = client.request("info")  # only `state` matters here (any firmware version)
        except (LinkError, DeviceError):
            return None  # a REPL, a busy script or other firmware: mpremote's Ctrl-C decides
        if info.get("state") in RUNNING_STATES and not force:
            raise SessionRunningError(
                f"a session is {info.get('state')} on the device; end it there (long HOLD) "
                "and deploy again, or pass --force (the log is flushed and the session "
                "resumes after the update)"
            )
        client.prepare_update()
        return info
    finally:
        client.close()


# ---- the whole deploy -------------------------------------------------------------------


def quiesce(ser: Any, quiet_s: float = 0.25, limit_s: float = 3.0) -> None:
    """Ctrl-C, then discard output until the line is quiet (so the raw REPL starts clean).

    Late REPL output (say, the REPL's answer to our protocol probe) would otherwise be read
    as the raw REPL's replies and throw mpremote out of step.
    """
    ser.write(b"\r\x03")
    end = time.monotonic() + limit_s
    last = time.monotonic()
    while time.monotonic() < end and time.monotonic() - last < quiet_s:
        n = ser.in_waiting
        if n:
            ser.read(n)
            last = time.monotonic()
        else:
            time.sleep(0.02)


def deploy(
    port: str,
    dry_run: bool = False,
    force: bool = False,
    root: str = "/",
    src_dir: Path | None = None,
    log: Callable[[str], None] | None = None,
    probe_timeout: float = 1.0,
) -> DeployResult:
    """Deploy the firmware to the device on `port` (any pyserial port name or URL)."""
    from mpremote.transport import TransportError
    from mpremote.transport_serial import SerialTransport

    from talktoken.device.portlock import is_sim_port

    if is_sim_port(port):
        raise SimulatorDeployError(
            f"{port} is a simulated talktoken: the simulator already runs this checkout's "
            "firmware (restart `talktoken sim` to pick up changes); deploy is for a Pico on USB"
        )
    say = log or (lambda _msg: None)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="talktoken-deploy-") as tmp:
        files = build(Path(tmp), src_dir)
    local = {name: sha256_hex(data) for name, data in files.items()}
    version = fw_version(src_dir)

    info = ask_firmware(port, force, probe_timeout)
    state = info.get("state") if info else None
    if info:
        say(f"firmware {info.get('fw', '?')} answered ({state}); it is standing down")
    try:
        transport = SerialTransport(port, baudrate=115200)
    except TransportError as exc:
        raise DeployError(f"cannot open {port} for mpremote: {exc}") from None
    reset = False
    try:
        try:
            quiesce(transport.serial)
            transport.enter_raw_repl(soft_reset=False)
        except TransportError:
            raise DeployError(
                "the device did not stop for mpremote (Ctrl-C); unplug it, hold PHASE+HOLD "
                "while plugging it in, and deploy again"
            ) from None
        dev = Device(transport, root)
        try:
            plan, resumed = _steps(dev, files, local, version, dry_run, info is not None, say)
        except (DeployError, TransportError, OSError) as exc:
            # Restart the firmware on the device (old or new, both whole), or leave the REPL.
            _leave(dev, transport, restart=info is not None)
            if isinstance(exc, DeployError):
                raise
            raise DeployLinkError(_link_failed(exc)) from None
        if not dry_run or info is not None:
            dev.reset()  # a dry run restarts firmware it interrupted
            reset = True
        else:
            transport.exit_raw_repl()
    except (TransportError, OSError) as exc:
        raise DeployLinkError(_link_failed(exc)) from None
    finally:
        try:
            transport.close()
        except OSError:
            pass  # the port vanished with the reset
    return DeployResult(
        plan=plan,
        dry_run=dry_run,
        firmware_answered=info is not None,
        session_state=state,
        forced=force and state in RUNNING_STATES,
        reset=reset,
        resumed_switch=resumed,
        fw_version=version,
        seconds=time.perf_counter() - started,
    )


def _steps(
    dev: Device,
    files: dict[str, bytes],
    local: dict[str, str],
    version: str,
    dry_run: bool,
    firmware_ran: bool,
    say: Callable[[str], None],
) -> tuple[Plan, bool]:
    """Everything deploy does in the raw REPL: check, plan, copy and switch over. Returns the
    plan and whether an earlier deploy's cut switch-over was finished first."""
    if firmware_ran:
        dev.keep_watchdog_fed()  # the firmware fed a watchdog; starting one would not do
    check_target(dev.implementation(), _mpy_version(files))
    listing = dev.listdir()
    resumed = False
    if JOURNAL in listing:
        if dry_run:
            say(
                "an earlier deploy was cut during its switch-over; the device finishes it "
                "when it next starts, and a deploy finishes it first"
            )
        else:
            resumed = dev.finish_switch(switch_code())
            say(
                "an earlier deploy was cut during its switch-over (its files had all "
                "arrived verified); finished it first"
            )
            listing = dev.listdir()
    owned = dev.read_manifest()
    plan = make_plan(local, dev.hashes(sorted(local)), owned, listing)
    if not dry_run:
        _apply(dev, plan, files, version, say)
    return plan, resumed


def _link_failed(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if len(text) > 120:
        text = text[:120] + "..."
    return (
        f"the link to the device failed during the deploy ({text}); files are switched over "
        "only after all arrived verified, and a switch-over once begun is finished by the "
        "device when it next starts, so run `talktoken deploy` again: it copies what still "
        "differs; if the device no longer answers, unplug it, hold PHASE+HOLD while "
        "plugging it in, and deploy again"
    )


def _leave(dev: Device, transport: Any, restart: bool) -> None:
    try:
        if restart:
            dev.reset()
        else:
            transport.exit_raw_repl()
    except (OSError, Exception):  # noqa: BLE001 - the link may be gone; nothing else to undo
        pass


def _apply(dev: Device, plan: Plan, files: dict[str, bytes], version: str, say) -> None:
    manifest = json.dumps({"fw": version, "files": plan.local}, sort_keys=True).encode()
    staged = {n + NEW_SUFFIX: files[n] for n in plan.copy}
    staged[MANIFEST + NEW_SUFFIX] = manifest
    staged[JOURNAL + NEW_SUFFIX] = journal_text(plan)  # refuses before anything is copied
    for name, data in staged.items():
        if name.removesuffix(NEW_SUFFIX) in files:
            say(f"copy {name.removesuffix(NEW_SUFFIX)} ({len(data)} bytes)")
        dev.write(name, data)
    got = dev.hashes(list(staged))
    bad = [n.removesuffix(NEW_SUFFIX) for n, data in staged.items() if got[n] != sha256_hex(data)]
    if bad:
        dev.remove_all(list(staged))
        raise DeviceVerifyError(
            f"{', '.join(bad)} arrived damaged (SHA-256 differs on the device); nothing was "
            "switched over; check the cable and deploy again"
        )
    if plan.remove:
        say("remove " + ", ".join(plan.remove))
    # The journal in place is the commit point: from here on the switch-over only goes
    # forward, finished by the device at boot (firmware/fwswitch.py) if this is cut.
    dev.rename_all([(JOURNAL + NEW_SUFFIX, JOURNAL)])
    dev.finish_switch(switch_code())
    final = dev.hashes(sorted(plan.local))
    wrong = [n for n, h in plan.local.items() if final.get(n) != h]
    if wrong:
        raise DeviceVerifyError(
            f"after the copy, {', '.join(sorted(wrong))} differ on the device; deploy again"
        )
