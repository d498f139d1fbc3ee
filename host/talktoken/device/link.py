"""Serial framing of the talktoken protocol (docs/protocol.md) and device discovery."""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from talktoken.errors import TalktokenError

PICO_VID = 0x2E8A  # Raspberry Pi (RP2040 / RP2350 boards running MicroPython)
PREFIX = b"TT:"
MAX_LINE = 1024  # the device's request line cap (protoframe.MAX_LINE)


class NoDeviceError(TalktokenError):
    """No device found, or the port cannot be opened."""

    exit_code = 20


class SeveralDevicesError(TalktokenError):
    """More than one candidate device and no --port given."""

    exit_code = 21


class LinkError(TalktokenError):
    """The link went quiet, closed, or carried something that is not the protocol."""

    exit_code = 22


class NotSerialPortError(NoDeviceError):
    """The --port names a file or directory that is not a serial device."""

    exit_code = 61


class NoAnswerError(LinkError):
    """The port opened but nothing on it answered the protocol's hello in time."""

    exit_code = 62


class MalformedReplyError(LinkError):
    """The device answered with a line of the protocol's frame but not of its shape."""

    exit_code = 63


@dataclass
class Reply:
    """One device line: kind is ok, err, chunk or ev; rid is None for events.

    kind "bad": a reply to request `rid` whose body is not of the protocol's shape (`message`).
    """

    kind: str
    rid: int | None
    data: Any = None
    code: str = ""
    message: str = ""
    offset: int = 0
    crc: int = 0
    payload: bytes = b""


@dataclass
class PortInfo:
    """A serial port and whether it looks like a talktoken (a MicroPython Pico)."""

    device: str
    description: str = ""
    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None
    talktoken: bool = False
    extra: dict = field(default_factory=dict)


def list_ports() -> list[PortInfo]:
    """Every serial port of this computer; `talktoken` marks the ones with the Pico's USB VID."""
    from serial.tools import list_ports as lp

    out = []
    for p in sorted(lp.comports(), key=lambda p: p.device):
        out.append(
            PortInfo(
                device=p.device,
                description=p.description or "",
                vid=p.vid,
                pid=p.pid,
                serial_number=p.serial_number,
                talktoken=p.vid == PICO_VID,
            )
        )
    return out


def resolve_port(port: str | None) -> str:
    """The port to use: the one given, else the single attached Pico (clear errors otherwise)."""
    if port:
        return port
    found = [p for p in list_ports() if p.talktoken]
    if not found:
        drive = bootsel_drive()
        if drive:
            raise NoDeviceError(
                f"a Pico in BOOTSEL mode is attached (the drive {drive}) but it has no "
                "MicroPython yet: copy the MicroPython .uf2 for your board (from "
                "https://micropython.org/download/RPI_PICO/ or RPI_PICO2) onto that drive; "
                "the Pico restarts with a serial port, then run `talktoken deploy`"
            )
        raise NoDeviceError(
            "no talktoken found on USB; plug it in, or name the port with --port "
            "(or TALKTOKEN_PORT); `talktoken ports` lists what is attached"
        )
    if len(found) > 1:
        names = ", ".join(p.device for p in found)
        raise SeveralDevicesError(
            f"{len(found)} Picos are attached ({names}); choose one with --port"
        )
    return found[0].device


WINDOWS_PORT = re.compile(r"(?i)^(\\\\\.\\)?com[1-9][0-9]*$")  # COM3, \\.\COM12


def check_port_name(port: str, platform: str = sys.platform) -> str:
    """The name to open for `port` on `platform`, or NoDeviceError saying what is wrong.

    pyserial URLs (loop://, socket://, rfc2217://) pass as they are. Windows ports are names
    such as COM3, never paths. On macOS the call-out device /dev/cu.* is used instead of
    /dev/tty.* (opening the tty waits for a carrier a Pico never raises). Elsewhere the name
    must be an existing character device.
    """
    if "://" in port:
        return port
    if WINDOWS_PORT.match(port):
        if platform == "win32":
            return port
        raise NoDeviceError(
            f"{port} is a Windows port name; here ports are paths such as /dev/ttyACM0; "
            "`talktoken ports` lists what is attached"
        )
    if platform == "win32":
        raise NoDeviceError(
            f"port {port} is not a Windows port name (COM3 and the like); "
            "`talktoken ports` lists what is attached"
        )
    if platform == "darwin" and port.startswith("/dev/tty."):
        callout = "/dev/cu." + port.removeprefix("/dev/tty.")
        if os.path.exists(callout):
            port = callout
    try:
        mode = os.stat(port).st_mode
    except FileNotFoundError:
        raise NoDeviceError(
            f"port {port} does not exist; `talktoken ports` lists what is attached"
        ) from None
    except OSError as exc:
        raise NoDeviceError(f"cannot look at port {port}: {exc.strerror}") from None
    if not stat.S_ISCHR(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "a file"
        raise NotSerialPortError(
            f"{port} is {kind}, not a serial port; `talktoken ports` lists the serial ports"
        )
    return port


def bootsel_drive(roots: list[str] | None = None) -> str:
    """The mount point of a Pico in BOOTSEL mode (a drive holding INFO_UF2.TXT whose board
    is RPI-RP2 or RP2350), or ""."""
    import glob

    if roots is None:
        roots = ["/media/*/*", "/run/media/*/*", "/media/*", "/Volumes/*", "/mnt/*"]
        if sys.platform == "win32":
            roots = [f"{c}:\\" for c in "DEFGHIJKLMNOPQRSTUVWXYZ"]
    for pattern in roots:
        for mount in glob.glob(pattern):
            try:
                with open(os.path.join(mount, "INFO_UF2.TXT"), encoding="ascii") as f:
                    text = f.read(512)
            except (OSError, UnicodeDecodeError):
                continue
            if "RPI-RP2" in text or "RP2350" in text:
                return mount
    return ""


def parse_reply(line: bytes) -> Reply | None:
    """Decode one device line; None for anything that is not a protocol line."""
    if not line.startswith(PREFIX):
        return None
    head, _, rest = line[3:].partition(b" ")
    kind, _, rest = rest.partition(b" ")
    try:
        if head == b"*":
            if kind != b"ev":
                return None
            data = json.loads(rest)
            return Reply("ev", None, data) if isinstance(data, dict) else None
        rid = int(head)
        if kind == b"ok":
            data = json.loads(rest) if rest.strip() else {}
            if not isinstance(data, dict):
                return Reply("bad", rid, message=f"an ok reply carries {type(data).__name__}")
            return Reply("ok", rid, data)
        if kind == b"err":
            code, _, msg = rest.partition(b" ")
            return Reply("err", rid, code=code.decode(), message=msg.decode(errors="replace"))
        if kind == b"chunk":
            off, crc, b64 = rest.split(b" ", 2)
            return Reply("chunk", rid, offset=int(off), crc=int(crc, 16), payload=b64.strip())
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return None


class Link:
    """A serial connection speaking request lines; `transport` may be any pyserial-like object."""

    def __init__(self, port: str | None = None, transport: Any = None, timeout: float = 5.0):
        from talktoken.device import portlock

        self.timeout = timeout
        self._lock: str | None = None
        if transport is None:
            name = resolve_port(port)
            self._lock = portlock.acquire(name)
            try:
                transport = open_serial(name)
            except BaseException:
                portlock.release(self._lock)
                raise
            self.port = name
        else:
            self.port = port or "?"
        self.ser = transport
        self._buf = bytearray()
        self.bytes_in = 0
        self.ignored = 0  # lines without the prefix (REPL banner, prints)

    def close(self) -> None:
        """Close the serial port; an OSError while closing is ignored."""
        from talktoken.device import portlock

        try:
            self.ser.close()
        except OSError:
            pass
        if self._lock is not None:
            portlock.release(self._lock)
            self._lock = None

    def __enter__(self) -> Link:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def resync(self) -> None:
        """End any partial line a previous (cut) connection left on the device."""
        try:
            self.ser.write(b"\n")
        except OSError as exc:
            raise LinkError(f"cannot write to {self.port}: {exc}") from None

    def send(self, rid: int, op: str, args: dict) -> None:
        """Write one request line (ASCII JSON; the device refuses other bytes)."""
        body = json.dumps(args, separators=(",", ":"), ensure_ascii=True)
        line = f"@{rid} {op} {body}\n".encode("ascii")
        if len(line) - 1 > MAX_LINE:
            raise LinkError(f"request {op} is {len(line)} bytes; the device accepts {MAX_LINE}")
        try:
            self.ser.write(line)
            self.ser.flush()
        except OSError as exc:
            raise LinkError(
                f"cannot write to {self.port}: {exc}; is the device still plugged in?"
            ) from None

    def read_reply(self, timeout: float | None = None) -> Reply | None:
        """The next protocol line, or None after `timeout` seconds of silence."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            nl = self._buf.find(b"\n")
            if nl >= 0:
                line = bytes(self._buf[:nl]).rstrip(b"\r")
                del self._buf[: nl + 1]
                reply = parse_reply(line)
                if reply is None:
                    self.ignored += 1
                    continue
                return reply
            if time.monotonic() >= deadline:
                return None
            self._fill(deadline)

    def _fill(self, deadline: float) -> None:
        try:
            waiting = self.ser.in_waiting
            if not waiting:
                wait = max(0.0, min(0.05, deadline - time.monotonic()))
                if wait < 0.05 or self.ser.timeout != 0.05:
                    self.ser.timeout = wait  # pyserial reconfigures the port on each set
                data = self.ser.read(1)
                waiting = self.ser.in_waiting if data else 0
                if waiting:
                    data += self.ser.read(waiting)
            else:
                data = self.ser.read(waiting)
        except (OSError, TypeError) as exc:  # pyserial raises SerialException (an OSError)
            raise LinkError(
                f"lost the link on {self.port}: {exc}; plug the device in and try again"
            ) from None
        self.bytes_in += len(data)
        self._buf += data
        if len(self._buf) > 1 << 20 and b"\n" not in self._buf:
            raise LinkError(f"{self.port} sends data without line breaks; is it a talktoken?")


def open_serial(port: str) -> Any:
    """Open a serial port (a device name, or any pyserial URL) for the protocol, exclusively
    where the platform can (pyserial's `exclusive`; Windows ports are exclusive anyway)."""
    import serial

    from talktoken.device.portlock import PortBusyError, busy_message

    name = check_port_name(port)
    extra = {} if "://" in name or sys.platform == "win32" else {"exclusive": True}
    for attempt in range(6):
        try:
            return serial.serial_for_url(
                name, baudrate=115200, timeout=0.05, write_timeout=5, **extra
            )
        except (OSError, ValueError) as exc:
            text = str(exc)
            if "exclusively lock" in text or "Access is denied" in text or "EBUSY" in text:
                if attempt < 5:  # a child process being started may hold it for a moment
                    time.sleep(0.05)
                    continue
                raise PortBusyError(busy_message(port)) from None
            problem = exc
            break
    text = str(problem)
    if "Inappropriate ioctl" in text or "Errno 25" in text:
        raise NotSerialPortError(f"{port} is not a serial port")
    raise NoDeviceError(
        f"cannot open {port}: {getattr(problem, 'strerror', None) or text}; "
        "is the device plugged in? `talktoken ports` lists what is attached"
    )
