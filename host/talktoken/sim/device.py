"""The simulator's Python API for tests, scripts, `talktoken sim` and `talktoken demo`."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from talktoken.errors import TalktokenError
from talktoken.sim import vmrun
from talktoken.sim.link import PtyLink

BUTTONS = ("knob", "phase", "hold")
LONG_PRESS_MS = {"knob": 1800, "phase": 1800, "hold": 3300}  # comfortably past the thresholds
SHORT_PRESS_MS = 120


class SimError(TalktokenError):
    """The simulated device could not do what was asked."""

    exit_code = 41


class SimCrashed(SimError):
    """The simulated device's process stopped; the message carries its stderr tail."""

    exit_code = 43


class SimDevice:
    """A simulated device: the firmware's App in a child process (MicroPython or CPython).

    Stepped mode (default): the device's clock moves only in advance(), press() and turn().
    press(button, ms) holds the button for ms virtual ms and then lets the release settle
    (SETTLE 100 ms), so the gesture has happened when it returns. realtime=True: the clock runs
    at `speed` x wall time and press()/turn() return at once.

    `port` is a serial port (pty) on which the firmware's USB CDC is served, even while the
    virtual clock stands still. `flash` is a LittleFS image file kept across reboot() (a
    temporary one when None). `stall`: the flash stall model ("typical" by default, "worst",
    "none"); `knob`: "pio" (counted through stalls, the default build) or "polled";
    `rtc_module`: fit the battery-backed RTC module (its time is kept beside the flash image).
    """

    def __init__(
        self,
        vm: str | None = None,
        flash: str | os.PathLike | None = None,
        *,
        realtime: bool = False,
        speed: float = 1.0,
        link: str | os.PathLike | None = None,
        agenda: dict | None = None,
        seats: int | None = None,
        ticks0: int = 0,
        battery_mv: int = -1,
        uid: str | None = None,
        heapsize: str | None = None,
        timeout: float = 120.0,
        stall: str = "typical",
        knob: str = "pio",
        rtc_module: bool = False,
    ) -> None:
        self.vm = vm or vmrun.default_vm()
        if self.vm not in vmrun.VMS:
            raise SimError(f"unknown VM {self.vm!r}: use micropython or cpython")
        self.realtime = realtime
        self.speed = speed
        self.timeout = timeout
        self._tmp = Path(tempfile.mkdtemp(prefix="talktoken-sim-"))
        self.flash = Path(flash) if flash is not None else self._tmp / "flash.img"
        self._uid = uid or (vmrun.uid_for(self.flash) if flash is not None else None)
        self._heapsize = heapsize
        self._ticks0 = ticks0
        self._battery = battery_mv
        self._stall = stall
        self._knob = knob
        self._rtc = rtc_module
        self._agenda = vmrun.agenda_json(agenda, seats, SimError)
        self._proc: subprocess.Popen | None = None
        self._ctl_in = self._ctl_out = -1
        self._rbuf = b""
        self.vt = 0
        self.link: PtyLink | None = None
        try:
            self._ctl_paths = (self._tmp / "ctl-in", self._tmp / "ctl-out")
            for p in self._ctl_paths:
                os.mkfifo(p)
            # Opened read-write here, so neither side ever blocks in open().
            self._ctl_in = os.open(self._ctl_paths[0], os.O_RDWR)
            self._ctl_out = os.open(self._ctl_paths[1], os.O_RDWR)
            self.link = PtyLink(link)
            self._spawn(first=True)
        except BaseException:
            self.close()
            raise

    # ---- life cycle ----
    @property
    def port(self) -> str:
        """Serial port path for pyserial / `talktoken --port`."""
        assert self.link is not None
        return self.link.port

    @property
    def pid(self) -> int | None:
        """Process id of the child VM running the firmware, or None if there is none."""
        return self._proc.pid if self._proc else None

    def _spawn(self, first: bool = False) -> None:
        args = [
            f"ctl_in={self._ctl_paths[0]}",
            f"ctl_out={self._ctl_paths[1]}",
            f"flash={self.flash}",
            f"realtime={1 if self.realtime else 0}",
            f"speed={self.speed}",
            f"ticks0={self._ticks0}",
            f"battery={self._battery}",
            f"stall={self._stall}",
            f"knob={self._knob}",
            f"rtc={1 if self._rtc else 0}",
        ]
        if self._uid:
            args.append(f"uid={self._uid}")
        if first and self._agenda is not None:
            path = self._tmp / "agenda.json"
            path.write_text(self._agenda)
            args.append(f"agenda={path}")
        argv, env = vmrun.command(self.vm, args, self._heapsize)
        self._stderr_path = self._tmp / "stderr.txt"
        assert self.link is not None
        with open(self._stderr_path, "ab") as err:
            self._proc = subprocess.Popen(
                argv,
                stdin=self.link.master,
                stdout=self.link.master,
                stderr=err,
                env=env,
                close_fds=True,
                start_new_session=True,  # Ctrl-C in the terminal goes to us, not the device
            )
        self._rbuf = b""
        reply = self._read_line(timeout=max(self.timeout, 30.0))
        if not reply.startswith("ready"):
            raise self._crashed(f"unexpected first line {reply!r}")
        self.vt = 0

    def _stderr_tail(self, n: int = 2000) -> str:
        try:
            data = self._stderr_path.read_bytes()
        except (OSError, AttributeError):
            return ""
        return data[-n:].decode(errors="replace").strip()

    def _crashed(self, what: str) -> SimCrashed:
        rc = self._proc.poll() if self._proc else None
        tail = self._stderr_tail()
        msg = f"the simulated device ({self.vm}) {what}"
        if rc is not None:
            msg += f"; it exited with status {rc}"
        if tail:
            msg += f"\n--- its stderr ---\n{tail}"
        return SimCrashed(msg)

    def _read_line(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._rbuf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._crashed(f"did not answer within {timeout:.0f} s")
            ready, _, _ = select.select([self._ctl_out], [], [], min(left, 0.2))
            if ready:
                self._rbuf += os.read(self._ctl_out, 65536)
            elif self._proc is None or self._proc.poll() is not None:
                raise self._crashed("stopped")
        line, _, self._rbuf = self._rbuf.partition(b"\n")
        return line.decode()

    def _cmd(self, line: str) -> str:
        if self._proc is None:
            raise SimError("the simulated device is closed")
        if self._proc.poll() is not None:
            raise self._crashed("stopped")
        os.write(self._ctl_in, line.encode() + b"\n")
        reply = self._read_line(self.timeout)
        if reply.startswith("err "):
            raise SimError(f"simulated device: {reply[4:]}")
        if reply.startswith("ok "):
            return reply[3:]
        if reply in ("ok", "bye"):
            return ""
        raise self._crashed(f"sent an unexpected reply {reply[:200]!r}")

    def _moved(self, reply: str) -> None:
        self.vt = int(reply.split()[0])

    def reboot(self) -> None:
        """Reset the device (like unplugging it): RAM is lost, the flash image stays."""
        self._stop(kill=True)
        self._spawn()

    def close(self) -> None:
        """Stop the device process, remove the serial link and the temporary files."""
        self._stop(kill=False)
        for fd in (self._ctl_in, self._ctl_out):
            if fd >= 0:
                os.close(fd)
        self._ctl_in = self._ctl_out = -1
        if self.link is not None:
            self.link.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def _stop(self, kill: bool) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None and not kill:
            try:
                os.write(self._ctl_in, b"quit\n")
                proc.wait(2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()

    def __enter__(self) -> SimDevice:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- the person at the table ----
    def press(self, button: str, ms: int | None = None) -> None:
        """Press and release a button ("knob", "phase", "hold") held for ms (default short)."""
        self._moved(self._cmd(f"press {_button(button)} {int(ms or SHORT_PRESS_MS)}"))

    def long_press(self, button: str) -> None:
        """A press held past the button's long-press time."""
        self.press(button, LONG_PRESS_MS[_button(button)])

    def down(self, button: str) -> None:
        """Press a button and keep it held (for chords like PHASE + turn)."""
        self._moved(self._cmd(f"down {_button(button)}"))

    def up(self, button: str) -> None:
        """Release a held button."""
        self._moved(self._cmd(f"up {_button(button)}"))

    def turn(self, steps: int) -> None:
        """Turn the knob by steps detents (+ clockwise, - counter-clockwise)."""
        if steps:
            self._moved(self._cmd(f"turn {int(steps)}"))

    def advance(self, ms: int) -> None:
        """Let ms virtual milliseconds pass (stepped mode only)."""
        if self.realtime:
            raise SimError("advance() needs a stepped device (realtime=False)")
        if ms < 0:
            raise SimError("advance() takes a duration >= 0")
        self._moved(self._cmd(f"adv {int(ms)}"))

    # ---- what the room sees ----
    def leds(self) -> list[tuple[int, int, int]]:
        """The ring's 24 LEDs as (r, g, b), LED 0 first (seat 0's arc starts there)."""
        raw = bytes.fromhex(self._cmd("leds"))
        return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, 72, 3)]

    def state(self) -> dict:
        """Session and ui state: state, phase, phase_name, speaker, talk_ms, turns, passes, ..."""
        st = json.loads(self._cmd("state"))
        self.vt = st["vt"]
        return st

    # ---- the lab bench ----
    def cut_power(self, after_writes: int = 0) -> None:
        """After `after_writes` more flash writes/erases, the power fails (the next is torn).

        The device then stops (state()["off"]); reboot() brings it back from its flash.
        """
        self._cmd(f"cut {int(after_writes)}")

    def set_battery(self, mv: int) -> None:
        """Battery voltage the board reports (-1 = none fitted)."""
        self._battery = int(mv)
        self._cmd(f"battery {int(mv)}")

    def set_speed(self, speed: float) -> None:
        """Real-time mode: virtual ms per wall ms from now on."""
        self.speed = speed
        self._cmd(f"speed {float(speed)}")

    def ping(self) -> int:
        """Round trip to the device process; the virtual time."""
        self._moved(self._cmd("ping"))
        return self.vt


def _button(name: str) -> str:
    key = name.lower()
    if key not in BUTTONS:
        raise SimError(f"no button {name!r}: use knob, phase or hold")
    return key
