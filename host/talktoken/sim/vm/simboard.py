"""The simulator's board: firmware/board.py's interface on virtual pins, clock, LEDs and USB CDC."""

# Runs INSIDE the VM (MicroPython unix port or CPython); stdin/stdout are the pty master.
# ruff: noqa: UP031  (MicroPython: %-formatting)
import os
import select
import sys

MICROPYTHON = sys.implementation.name == "micropython"
RTC_AT_BOOT = 1609459200  # 2021-01-01 00:00:00 UTC: where the Pico's RTC starts at every boot
DEFAULT_UID = "5130000000000001"  # fixed id of a simulated device without its own flash image
TICKS_MASK = 0x3FFFFFFF
TX_TIMEOUT_MS = 500  # the Pico's USB CDC drops output after 500 ms without a reader
PIECE = 64  # bytes a write, as board.UsbSerial writes them
_EAGAIN = 11


class SimSerial:
    """USB CDC on the pty master (fd 0 in, fd 1 out; both non-blocking, set by the host side).

    read_into never blocks. While interrupts are enabled a 0x03 byte clears the pending input
    and raises KeyboardInterrupt, as MicroPython's USB CDC does on the Pico. write takes what
    the pty takes now; a pty nobody reads fills up and then takes nothing, like the Pico's FIFO.
    """

    def __init__(self, in_fd=0, out_fd=1, tx_timeout_ms=TX_TIMEOUT_MS):
        self.in_fd = in_fd
        self.out_fd = out_fd
        self.interrupt = True
        self.bytes_in = 0
        self.bytes_out = 0
        self.dropped_out = 0
        self.timeouts = 0  # pieces cut by the TX timeout
        self.held = False  # the last write took less than it was given: the writer holds the rest
        self.writes = 0  # write calls with something to write
        self.tx_timeout_ms = tx_timeout_ms
        self.interrupts = 0
        self._buf = bytearray(256)
        self._mv = memoryview(self._buf)
        self._poll_out = select.poll()
        self._poll_out.register(out_fd, select.POLLOUT)
        if MICROPYTHON:
            self._in = sys.stdin.buffer
            self._out = sys.stdout.buffer

    def _read(self, n):
        """Up to n bytes into self._buf without blocking; the count."""
        if MICROPYTHON:
            try:
                got = self._in.readinto(self._mv[:n])
            except OSError:
                return 0
            return got or 0
        try:
            data = os.read(self.in_fd, n)
        except (BlockingIOError, InterruptedError):
            return 0
        except OSError:
            return 0
        self._buf[: len(data)] = data
        return len(data)

    def _write_some(self, mv):
        if MICROPYTHON:
            try:
                n = self._out.write(mv)
            except OSError:
                return 0
            return n or 0
        try:
            return os.write(self.out_fd, mv)
        except (BlockingIOError, InterruptedError):
            return 0
        except OSError:
            return 0

    def read_into(self, buf, start, maxlen):
        """Copy up to maxlen waiting bytes into buf[start:]; the count (0 when none)."""
        n = self._read(min(maxlen, len(self._buf)))
        if n <= 0:
            return 0
        self.bytes_in += n
        if self.interrupt:
            for i in range(n):
                if self._buf[i] == 3:
                    self.drain()
                    self.interrupts += 1
                    raise KeyboardInterrupt
        buf[start : start + n] = self._mv[:n]
        return n

    def drain(self):
        """Throw away every byte waiting on the input (what the Pico does on 0x03)."""
        while self._read(len(self._buf)) > 0:
            pass

    def write(self, data, start=0):
        """Write what the port takes now of data[start:]; the count (0 when it takes nothing).

        As board.UsbSerial: pieces of PIECE bytes from `start`, written while POLLOUT says
        there is room, here in one write of all that fits. As the Pico's TinyUSB: a piece the
        port takes only in part waits up to tx_timeout_ms for the rest, then drops what is
        left of it (counted in dropped_out)."""
        mv = memoryview(data)
        total = len(mv)
        done = start
        if done >= total:
            return 0
        self.writes += 1
        n = self._write_some(mv[done:]) if self._poll_out.poll(0) else 0
        self.held = n < total - done
        if n <= 0:
            return 0
        done += n
        cut = (done - start) % PIECE
        if done < total and cut:
            end = min(done + PIECE - cut, total)  # the end of the piece taken in part
            while done < end:
                if not self._poll_out.poll(self.tx_timeout_ms):
                    self.dropped_out += end - done
                    self.timeouts += 1
                    done = end
                    break
                n = self._write_some(mv[done:end])
                if n > 0:
                    done += n
        self.bytes_out += done - start
        return done - start

    def set_interrupt(self, enabled):
        """Whether a 0x03 byte on the input raises KeyboardInterrupt."""
        self.interrupt = bool(enabled)


def make_fs(image, blocks=0, stall="typical"):
    """The simulated flash for this VM (flash_mp in MicroPython, flash_cpy in CPython).

    stall: "typical" (default), "worst" or "none": the datasheet time each operation stops the
    loop for (flashtime.py).
    """
    if MICROPYTHON:
        import flash_mp as flash
    else:
        import flash_cpy as flash
    return flash.FlashFs(image or None, blocks or flash.PICO_BLOCKS, stall=stall)


class KnobCounter:
    """What the Pico's PIO knob program (board.knob_pio) counts, fed every change of the pins.

    It counts the edges of encoder A (mask bit 3, 1 = active = low): A going low with B high,
    or A going high with B low, is +1 (A leads: clockwise), the other two are -1. Fed by the
    driver at every input change, also while the loop is stalled by flash, as the PIO runs on.
    """

    def __init__(self):
        self.edges = 0
        self._a = 0

    def pins(self, mask):
        """Take the input mask after a change."""
        a = (mask >> 3) & 1
        if a == self._a:
            return
        self._a = a
        b = (mask >> 4) & 1
        if a:
            self.edges += -1 if b else 1  # A went low: B still high is clockwise
        else:
            self.edges += 1 if b else -1  # A went high: B low (active) is clockwise


class SimRtcModule:
    """A battery-backed RTC module, kept in a small file beside the flash image (path), so it
    survives restarts of the simulated device. Unset (-1) until a host sets it, as a module
    with a fresh coin cell comes; its time stands still while the simulated device is off.
    """

    def __init__(self, path=None):
        self.path = path
        self._base = -1
        self._at = 0
        if path:
            try:
                with open(path) as f:
                    self._base = int(f.read().strip() or "-1")
            except (OSError, ValueError):
                self._base = -1

    def epoch(self, vt):
        """The module's time at virtual ms vt, or -1 when it was never set."""
        if self._base < 0:
            return -1
        return self._base + (vt - self._at) // 1000

    def set(self, epoch_s, vt):
        """Set the module to epoch_s at virtual ms vt."""
        self._base = epoch_s
        self._at = vt
        if self.path:
            with open(self.path, "w") as f:
                f.write("%d\n" % epoch_s)


class SimBoard:
    """Board interface of docs/architecture.md for the simulator: virtual time and pins.

    The driver sets `now` (a 2**30 tick) before each App.step and `inputs` (the pin mask), and
    feeds every change of the pins to `pins_changed` (the knob counter's view). show() keeps
    a copy of the frame in `frame`, and `frame_vt` when it was shown (after any flash stall of
    that step). knob_counted: the knob is counted as by the Pico's PIO program (the default,
    as hwconfig.KNOB_PIO); False: the firmware polls the A/B bits (the fallback).
    """

    fs_root = "/flash"

    def __init__(
        self,
        fs=None,
        uid=DEFAULT_UID,
        battery_mv=-1,
        ticks0=0,
        serial=None,
        knob_counted=True,
        rtc_module=None,
    ):
        self.now = ticks0 & TICKS_MASK
        self.inputs = 0
        self.knob_counted = knob_counted
        self.counter = KnobCounter()
        self.frame_vt = 0
        self.frame = bytearray(72)
        self.frames = 0
        self.watchdog_feeds = 0
        self.fs = fs
        self.uid = uid
        self.battery = battery_mv
        self.tone_hz = 0  # the buzzer (PIN_BUZZER) as the firmware set it; 0 = silent
        self.tone_duty = 0
        self.tones = 0
        self.serial = serial if serial is not None else SimSerial()
        self._rtc_base = RTC_AT_BOOT
        self._rtc_vt = 0
        self.vt = 0  # virtual ms since boot (never wraps); the driver keeps it with `now`
        # the optional battery-backed RTC module: a SimRtcModule (kept by the driver across
        # reboots) or None; read at boot as board.Board does
        self._ext = rtc_module
        self.rtc_module = rtc_module is not None
        self.clock_source = 0  # clocksrc.CLOCK_NONE
        if rtc_module is not None and rtc_module.epoch(0) > 0:
            self._rtc_base = rtc_module.epoch(0)
            self.clock_source = 2  # clocksrc.CLOCK_RTC

    def ticks_ms(self):
        """The current tick in ms (wraps at 2**30)."""
        return self.now

    def read_inputs(self):
        """The input bit mask: buttons in bits 0-2, encoder A and B in bits 3-4."""
        return self.inputs

    def pins_changed(self, mask):
        """The driver: the input pins changed to mask (the PIO-like counter sees every change)."""
        self.counter.pins(mask)

    def knob_count(self):
        """The running count of encoder transitions (4 a detent), as board.Board gives it."""
        return self.counter.edges * 2

    def show(self, frame):
        """Keep a copy of the 72-byte LED frame (24 LEDs x r,g,b)."""
        self.frame[:] = frame
        self.frames += 1
        timer = getattr(self.fs, "timer", None)
        self.frame_vt = self.vt + (timer.pending_ms() if timer is not None else 0)

    def feed_watchdog(self):
        """Count a watchdog feed (there is no watchdog here)."""
        self.watchdog_feeds += 1

    def sleep_ms(self, ms):
        """Do nothing: the driver owns the clock."""
        pass  # the driver owns the clock; App.run() is not used in the simulator

    def rtc_now(self):
        """Wall clock in epoch seconds, advancing with virtual time."""
        return self._rtc_base + (self.vt - self._rtc_vt) // 1000

    def rtc_set(self, epoch_s):
        """Set the wall clock to epoch_s seconds (and the RTC module, when fitted)."""
        self._rtc_base = int(epoch_s)
        self._rtc_vt = self.vt
        if self._ext is not None:
            self._ext.set(int(epoch_s), self.vt)

    def unique_id(self):
        """The device id as a hex string."""
        return self.uid

    def battery_mv(self):
        """Battery voltage in mV, or -1 when none is fitted."""
        return self.battery

    def tone(self, freq_hz, duty_u16):
        """The buzzer: keep the setting (duty 0 = silent) and count the pulses started."""
        self.tone_hz = freq_hz if duty_u16 > 0 else 0
        self.tone_duty = duty_u16 if duty_u16 > 0 else 0
        if duty_u16 > 0:
            self.tones += 1
