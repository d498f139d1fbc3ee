"""Serial framing of the talktoken protocol (docs/protocol.md) and device discovery."""

from __future__ import annotations

import json
import os
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


@dataclass
class Reply:
    """One device line: kind is ok, err, chunk or ev; rid is None for events."""

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
            return Reply("ev", None, json.loads(rest))
        rid = int(head)
        if kind == b"ok":
            return Reply("ok", rid, json.loads(rest) if rest.strip() else {})
        if kind == b"err":
            code, _, msg = rest.partition(b" ")
            return Reply("err", rid, code=code.decode(), message=msg.decode(errors="replace"))
        if kind == b"chunk":
            off, crc, b64 = rest.split(b" ", 2)
            return Reply("chunk", rid, offset=int(off), crc=int(crc, 16), payload=b64.strip())
    except (ValueError, UnicodeDecodeError):
        return None
    return None


class Link:
    """A serial connection speaking request lines; `transport` may be any pyserial-like object."""

    def __init__(self, port: str | None = None, transport: Any = None, timeout: float = 5.0):
        self.timeout = timeout
        if transport is None:
            name = resolve_port(port)
            transport = open_serial(name)
            self.port = name
        else:
            self.port = port or "?"
        self.ser = transport
        self._buf = bytearray()
        self.bytes_in = 0
        self.ignored = 0  # lines without the prefix (REPL banner, prints)

    def close(self) -> None:
        """Close the serial port; an OSError while closing is ignored."""
        try:
            self.ser.close()
        except OSError:
            pass

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
                self.ser.timeout = max(0.0, min(0.05, deadline - time.monotonic()))
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
    """Open a serial port (a device path, or any pyserial URL) for the protocol."""
    import serial

    if not port.startswith(("socket://", "loop://", "rfc2217://")) and not os.path.exists(port):
        raise NoDeviceError(f"port {port} does not exist; `talktoken ports` lists what is attached")
    try:
        ser = serial.serial_for_url(port, baudrate=115200, timeout=0.05, write_timeout=5)
    except (OSError, ValueError) as exc:
        raise NoDeviceError(
            f"cannot open {port}: {exc}; is another program (a terminal, Thonny) using it?"
        ) from None
    return ser
