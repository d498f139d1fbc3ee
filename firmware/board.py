"""The Pico: the only module touching machine, neopixel and rp2 (pins, LEDs, watchdog, RTC, USB)."""

import select
import sys
import time

import battery
import hwconfig
import machine
import micropython
import neopixel
from micropython import const

_NO_BATTERY_U16 = const(1500)  # below ~0.15 V at the pin (0.3 V cell): nothing is fitted
_WDT_MS = const(8000)  # the RP2040 maximum is 8388 ms
_DAYS_1970_TO_2000 = const(10957)
_PIECE = const(64)  # bytes a USB CDC write: one full-speed packet


class UsbSerial:
    """USB CDC through sys.stdin.buffer / sys.stdout.buffer, never blocking on input.

    After select.poll says readable, a 1-byte read does not block, while a larger read may
    wait for more bytes (MicroPython's stdin stream), so input is taken one byte at a time into
    a pre-allocated buffer.
    """

    def __init__(self, stdin=None, stdout=None):
        self._in = stdin if stdin is not None else sys.stdin.buffer
        self._out = stdout if stdout is not None else sys.stdout.buffer
        self._poll = select.poll()
        self._poll.register(self._in, select.POLLIN)
        self._poll_out = select.poll()
        self._poll_out.register(self._out, select.POLLOUT)
        self._one = bytearray(1)

    def _ready(self):
        for _ in self._poll.ipoll(0):  # ipoll: no list allocated
            return True
        return False

    def read_into(self, buf, start, maxlen):
        """Copy up to maxlen waiting bytes into buf[start:]; return the count (0 when none)."""
        n = 0
        one = self._one
        while n < maxlen and self._ready():
            if not self._in.readinto(one):
                break
            buf[start + n] = one[0]
            n += 1
        return n

    def _writable(self):
        for _ in self._poll_out.ipoll(0):
            return True
        return False

    def write(self, data, start=0):
        """Write what the port takes now of data[start:]; the count (0 when it takes nothing).

        Never waits: a stdout write on the rp2 port waits up to MICROPY_HW_USB_CDC_TX_TIMEOUT
        (500 ms) for a host that holds the port without reading. POLLOUT says the TinyUSB FIFO
        has room (or no host is attached), so data goes in pieces of _PIECE bytes, each after
        a POLLOUT check; the caller keeps the rest for the next loop iteration."""
        n = len(data)
        done = start
        if done >= n or not self._writable():
            return 0  # a full port costs no allocation
        mv = memoryview(data)
        while done < n and self._writable():
            end = done + _PIECE if n - done > _PIECE else n
            w = self._out.write(mv[done:end])
            if not w:
                break
            done += w
        return done - start

    def set_interrupt(self, enabled):
        """0x03 raises KeyboardInterrupt only while enabled (mpremote needs it; sessions do not)."""
        micropython.kbd_intr(3 if enabled else -1)


def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a Gregorian date (integer math)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    """(year, month, day) of a day count since 1970-01-01."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


class Board:
    """The reference build on a Raspberry Pi Pico (docs/architecture.md, Board interface)."""

    fs_root = "/"

    def __init__(self, watchdog_ms=_WDT_MS):
        pin = machine.Pin
        self._inputs = (
            pin(hwconfig.PIN_KNOB_SW, pin.IN, pin.PULL_UP),
            pin(hwconfig.PIN_PHASE_BTN, pin.IN, pin.PULL_UP),
            pin(hwconfig.PIN_HOLD_BTN, pin.IN, pin.PULL_UP),
            pin(hwconfig.PIN_ENC_A, pin.IN, pin.PULL_UP),
            pin(hwconfig.PIN_ENC_B, pin.IN, pin.PULL_UP),
        )
        self._np = neopixel.NeoPixel(pin(hwconfig.PIN_LED_DATA, pin.OUT), hwconfig.LED_COUNT)
        self._buf = self._np.buf
        self._wdt = None
        self._wdt_ms = watchdog_ms
        self._rtc = machine.RTC()
        self._adc = machine.ADC(hwconfig.PIN_VBAT_ADC)
        self._fs = None
        self.serial = UsbSerial()

    # ---- time ----
    def ticks_ms(self):
        return time.ticks_ms()

    def sleep_ms(self, ms):
        time.sleep_ms(ms)

    # ---- inputs and LEDs ----
    def read_inputs(self):
        """Bit mask: bit0 KNOB, bit1 PHASE, bit2 HOLD, bit3 encoder A, bit4 B (1 = low = active)."""
        mask = 0
        bit = 1
        for p in self._inputs:
            if not p.value():
                mask |= bit
            bit <<= 1
        return mask

    def show(self, frame):
        """Send a 72-byte RGB frame to the ring (the driver's buffer is GRB). No allocation."""
        buf = self._buf
        for i in range(0, hwconfig.LED_COUNT * 3, 3):
            buf[i] = frame[i + 1]
            buf[i + 1] = frame[i]
            buf[i + 2] = frame[i + 2]
        self._np.write()

    # ---- watchdog ----
    def feed_watchdog(self):
        """Feed the WDT; the first call starts it (so a long boot/recovery cannot reset-loop)."""
        if self._wdt is None:
            self._wdt = machine.WDT(timeout=self._wdt_ms)
        self._wdt.feed()

    # ---- clock, identity, battery, files ----
    def rtc_now(self):
        """Seconds since 1970-01-01 from the RTC (which the host sets; it resets at boot)."""
        dt = self._rtc.datetime()  # (year, month, day, weekday, hours, minutes, seconds, sub)
        days = days_from_civil(dt[0], dt[1], dt[2])
        return days * 86400 + dt[4] * 3600 + dt[5] * 60 + dt[6]

    def rtc_set(self, epoch_s):
        days = epoch_s // 86400
        secs = epoch_s - days * 86400
        y, m, d = civil_from_days(days)
        weekday = (days + 3) % 7  # Monday = 0; 1970-01-01 was a Thursday
        self._rtc.datetime((y, m, d, weekday, secs // 3600, secs // 60 % 60, secs % 60, 0))

    def unique_id(self):
        """The flash chip's unique id as lowercase hex."""
        return "".join("%02x" % b for b in machine.unique_id())

    def battery_mv(self):
        """Cell voltage in mV, or -1 when no battery is fitted (the sense pin reads about 0 V)."""
        raw = self._adc.read_u16()
        if raw < _NO_BATTERY_U16:
            return -1
        return battery.adc_to_mv(raw)

    @property
    def fs(self):
        """The log file system (fsio.DeviceFs on the Pico's LittleFS root)."""
        if self._fs is None:
            import fsio  # imported here so this module loads before/without the log store

            self._fs = fsio.DeviceFs(self.fs_root)
        return self._fs
