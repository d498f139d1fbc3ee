# Firmware deployment: compile, ask the firmware to stand down, copy changes, verify, reset.
"""Deploy the firmware to a device through mpremote's raw REPL, verified on the device.

The device file set is exactly: `main.py` as source and every other firmware module as `.mpy`
(no `__init__.py`). A manifest on the device (`talktoken-manifest.json`) lists what deploy
installed, so files that leave the firmware are removed and nothing else is ever touched.
"""

from __future__ import annotations

import ast
import hashlib
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from talktoken.errors import TalktokenError

MANIFEST = "talktoken-manifest.json"
NEW_SUFFIX = ".tt-new"
WRITE_CHUNK = 1024
RUNNING_STATES = ("running", "paused")


class DeployError(TalktokenError):
    """The firmware could not be deployed; the message says what to do."""

    exit_code = 30


class SessionRunningError(DeployError):
    """A session is running on the device and --force was not given."""

    exit_code = 31


class DeviceVerifyError(DeployError):
    """A file's SHA-256 computed on the device differs from the one built here."""

    exit_code = 32


@dataclass
class Plan:
    """What a deploy changes: names relative to the device root."""

    local: dict[str, str]  # every file of the firmware -> sha256 hex
    copy: list[str] = field(default_factory=list)  # new or changed
    same: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)  # stale files deploy owns, or shadows
    new: list[str] = field(default_factory=list)  # subset of copy: not on the device before

    @property
    def changes(self) -> bool:
        return bool(self.copy or self.remove)


@dataclass
class DeployResult:
    """Outcome of one deploy (or dry run)."""

    plan: Plan
    dry_run: bool
    firmware_answered: bool  # the talktoken firmware was running and answered the protocol
    session_state: str | None  # its state when it answered
    forced: bool
    reset: bool
    fw_version: str
    seconds: float

    def to_dict(self) -> dict:
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
            "fw_version": self.fw_version,
            "seconds": round(self.seconds, 3),
        }


# ---- local side ----------------------------------------------------------------------


def build(out_dir: Path, src_dir: Path | None = None) -> dict[str, bytes]:
    """Compile the firmware into out_dir; return {device name: bytes} of exactly the device set."""
    from talktoken.fwpath import firmware_dir
    from talktoken.mpy import compile_tree

    src = src_dir or firmware_dir()
    files = {p.name: p.read_bytes() for p in compile_tree(src, out_dir)}
    if "main.py" not in files:
        raise DeployError(f"{src} has no main.py; is this a talktoken firmware tree?")
    return files


def fw_version(src_dir: Path | None = None) -> str:
    """FW_VERSION from firmware/app.py (read, not imported)."""
    from talktoken.fwpath import firmware_dir

    path = (src_dir or firmware_dir()) / "app.py"
    try:
        tree = ast.parse(path.read_text())
    except (OSError, SyntaxError):
        return "?"
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "FW_VERSION" for t in node.targets
        ):
            value = node.value
            if isinstance(value, ast.Constant):
                return str(value.value)
    return "?"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_plan(
    local: dict[str, str], device: dict[str, str | None], manifest: list[str], listing: list[str]
) -> Plan:
    """Compare the built files with the device's hashes, manifest and root listing."""
    plan = Plan(local=dict(local))
    for name in sorted(local):
        have = device.get(name)
        if have == local[name]:
            plan.same.append(name)
        else:
            plan.copy.append(name)
            if have is None:
                plan.new.append(name)
    present = set(listing)
    stale = {n for n in manifest if n not in local and n in present}
    # A leftover X.py shadows X.mpy (MicroPython imports .py first); main.mpy is never run.
    for name in local:
        stem, ext = name.rsplit(".", 1)
        twin = stem + (".py" if ext == "mpy" else ".mpy")
        if twin in present and twin not in local:
            stale.add(twin)
    stale |= {n for n in present if n.endswith(NEW_SUFFIX)}
    plan.remove = sorted(stale)
    return plan


# ---- device side (code run in the raw REPL) ---------------------------------------------

_HASH_CODE = """
def _tt_hash(names):
    import hashlib, binascii
    buf = bytearray(1024)
    mv = memoryview(buf)
    out = {}
    for n in names:
        try:
            f = open(n, 'rb')
        except OSError:
            out[n] = None
            continue
        h = hashlib.sha256()
        while True:
            k = f.readinto(buf)
            if not k:
                break
            h.update(mv[:k])
        f.close()
        out[n] = binascii.hexlify(h.digest()).decode()
    print(repr(out))
"""

_RESET_CODE = """
import sys, time
try:
    from machine import reset
except ImportError:
    reset = sys.exit
time.sleep_ms(50)
reset()
"""


class Device:
    """File operations on a device in the raw REPL, through an mpremote transport."""

    def __init__(self, transport: Any, root: str = "/"):
        self.t = transport
        self.root = root.rstrip("/") + "/"
        self._hash_defined = False
        self._wdt = False

    def keep_watchdog_fed(self) -> bool:
        """Take over the watchdog the stopped firmware started (it cannot be stopped).

        On a Pico the firmware's WDT would reset the board within 8 s of the Ctrl-C; deploy
        feeds it before every step instead. Returns False where there is no WDT (unix port).
        """
        from mpremote.transport import TransportError

        try:
            self.t.exec("from machine import WDT\n_tt_w = WDT(timeout=8000)\n_tt_w.feed()")
        except TransportError:
            return False
        self._wdt = True
        return True

    def feed(self) -> None:
        if self._wdt:
            self.t.exec("_tt_w.feed()")

    def path(self, name: str) -> str:
        return self.root + name

    def _eval(self, code: str) -> Any:
        from mpremote.transport import TransportError

        self.feed()
        try:
            out = self.t.exec(code)
        except TransportError as exc:
            raise DeployError(f"the device failed a deploy step: {exc}") from None
        return ast.literal_eval(out.decode().strip())

    def listdir(self) -> list[str]:
        return self._eval(f"import os\nprint(repr(os.listdir({self.root!r})))")

    def hashes(self, names: list[str]) -> dict[str, str | None]:
        if not names:
            return {}
        if not self._hash_defined:
            self.t.exec(_HASH_CODE)
            self._hash_defined = True
        got = self._eval(f"_tt_hash({[self.path(n) for n in names]!r})")
        return {n: got[self.path(n)] for n in names}

    def read_manifest(self) -> list[str]:
        path = self.path(MANIFEST)
        code = (
            f"try:\n f=open({path!r})\n print(repr(f.read()))\n f.close()\n"
            "except OSError:\n print(repr(''))\n"
        )
        text = self._eval(code)
        if not text:
            return []
        try:
            files = json.loads(text).get("files", {})
        except (ValueError, AttributeError):
            return []  # an unreadable manifest owns nothing; it is rewritten below
        return [n for n in files if isinstance(n, str) and "/" not in n]

    def write(self, name: str, data: bytes) -> None:
        from mpremote.transport import TransportError

        self.feed()
        try:
            self.t.fs_writefile(self.path(name), data, chunk_size=WRITE_CHUNK)
        except TransportError as exc:
            raise DeployError(f"could not write {name} on the device: {exc}") from None

    def rename_all(self, pairs: list[tuple[str, str]]) -> None:
        if pairs:
            moves = [(self.path(a), self.path(b)) for a, b in pairs]
            self.t.exec(f"import os\nfor a, b in {moves!r}:\n os.rename(a, b)\n")

    def remove_all(self, names: list[str]) -> None:
        if names:
            paths = [self.path(n) for n in names]
            self.t.exec(
                f"import os\nfor p in {paths!r}:\n try:\n  os.remove(p)\n except OSError:\n  pass\n"
            )

    def reset(self) -> None:
        """machine.reset() on a Pico; on the unix port the process exits (a 'reset')."""
        try:
            self.t.exec_raw_no_follow(_RESET_CODE)
        except OSError:
            pass  # the device may drop off USB before the exchange completes


# ---- the protocol check ---------------------------------------------------------------


def ask_firmware(port: str, force: bool, timeout: float = 1.0) -> dict | None:
    """Ask running talktoken firmware to stand down; None when nothing answers the protocol.

    Refuses (SessionRunningError) while a session runs unless force; otherwise sends
    `prepare_update`, which flushes the log and lets Ctrl-C through.
    """
    from talktoken.client import PROTO_VERSION, Client, DeviceError
    from talktoken.link import Link, LinkError

    client = Client(Link(port, timeout=timeout), timeout=timeout)
    try:
        try:
            client.request("hello", {"proto": PROTO_VERSION}, timeout=timeout)
            info = client.info()
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
        if info is not None:
            dev.keep_watchdog_fed()  # the firmware fed a watchdog; starting one would not do
        listing = dev.listdir()
        owned = dev.read_manifest()
        plan = make_plan(local, dev.hashes(sorted(local)), owned, listing)
        if not dry_run:
            try:
                _apply(dev, plan, files, version, say)
            except DeployError:
                # Nothing was switched over: restart the old firmware, or leave the REPL.
                _leave(dev, transport, restart=info is not None)
                raise
        if not dry_run or info is not None:
            dev.reset()  # a dry run restarts firmware it interrupted
            reset = True
        else:
            transport.exit_raw_repl()
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
        fw_version=version,
        seconds=time.perf_counter() - started,
    )


def _leave(dev: Device, transport: Any, restart: bool) -> None:
    try:
        if restart:
            dev.reset()
        else:
            transport.exit_raw_repl()
    except OSError:
        pass


def _apply(dev: Device, plan: Plan, files: dict[str, bytes], version: str, say) -> None:
    for name in plan.copy:
        say(f"copy {name} ({len(files[name])} bytes)")
        dev.write(name + NEW_SUFFIX, files[name])
    staged = dev.hashes([n + NEW_SUFFIX for n in plan.copy])
    bad = [n for n in plan.copy if staged[n + NEW_SUFFIX] != plan.local[n]]
    if bad:
        dev.remove_all([n + NEW_SUFFIX for n in plan.copy])
        raise DeviceVerifyError(
            f"{', '.join(bad)} arrived damaged (SHA-256 differs on the device); nothing was "
            "switched over; check the cable and deploy again"
        )
    dev.rename_all([(n + NEW_SUFFIX, n) for n in plan.copy])
    if plan.remove:
        say("remove " + ", ".join(plan.remove))
        dev.remove_all(plan.remove)
    manifest = json.dumps({"fw": version, "files": plan.local}, sort_keys=True).encode()
    dev.write(MANIFEST + NEW_SUFFIX, manifest)
    dev.rename_all([(MANIFEST + NEW_SUFFIX, MANIFEST)])
    final = dev.hashes(sorted(plan.local))
    wrong = [n for n, h in plan.local.items() if final.get(n) != h]
    if wrong:
        raise DeviceVerifyError(
            f"after the copy, {', '.join(sorted(wrong))} differ on the device; deploy again"
        )
