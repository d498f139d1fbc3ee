"""The Pico: the only module touching machine, neopixel and rp2 (pins, PIO, LEDs, PWM, RTC, USB)."""

import array
import select
import sys
import time

import battery
import clocksrc
import ds3231
import hwconfig
import machine
import micropython
import neopixel
import rp2
from ds3231 import civil_from_days, days_from_civil
from micropython import const

MYPY = False
if MYPY:  # the names asm_pio gives a PIO program while it assembles, for mypy and ruff only
    from rp2.asm_pio import (
        invert,
        jmp,
        label,
        mov,
        pin,
        wait,
        wrap,
        wrap_target,
        x,
        x_dec,
        y,
        y_dec,
    )

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


# The knob's counter: a PIO state machine counts the edges of encoder A, +1 or -1 by the level
# of B at that edge, in X. It runs on its own clock, so it keeps counting while a flash erase
# or program stops both cores. Two A edges make one detent of a 4-transition encoder; a bounce
# on A counts +1 then -1 (it cancels), a bounce on B is never counted. Only jmp addresses
# (relocated at load), so the program loads at any offset. Levels are raw: 1 = released.
# X is never left half-updated (+1 works in Y), so the loop may copy it out at any moment.
@rp2.asm_pio()
def knob_pio():
    wrap_target()
    label("top")
    wait(0, pin, 0)  # A falls
    jmp(pin, "fall_cw")  # B still high: A leads, clockwise
    jmp(x_dec, "rise")  # B low: anticlockwise, -1 (at 0 it falls through to "rise" too)
    label("rise")
    wait(1, pin, 0)  # A rises
    jmp(pin, "rise_ccw")  # B high: anticlockwise
    mov(y, invert(x))  # B low: clockwise, +1: y = ~x; y -= 1; x = ~y
    jmp(y_dec, "rise_inc")
    label("rise_inc")
    mov(x, invert(y))
    jmp("top")
    label("fall_cw")
    mov(y, invert(x))  # +1
    jmp(y_dec, "fall_inc")
    label("fall_inc")
    mov(x, invert(y))
    jmp("rise")
    label("rise_ccw")
    jmp(x_dec, "top")  # -1 (at 0 it falls through to the wrap, which is "top")
    wrap()


class KnobCounter:
    """The PIO knob counter: `count()` is the signed running count in encoder transitions.

    Reading copies X out through the RX FIFO (two executed instructions) into a 16-bit buffer,
    so no int is ever allocated; the 16-bit value is unwrapped against the last reading (the
    loop reads far more often than 32768 edges).
    """

    def __init__(self, sm_id, pin_a, pin_b, freq=1000000):
        self._sm = rp2.StateMachine(sm_id, knob_pio, freq=freq, in_base=pin_a, jmp_pin=pin_b)
        self._copy = rp2.asm_pio_encode("mov(isr, x)", 0)
        self._push = rp2.asm_pio_encode("push(noblock)", 0)
        self._word = array.array("h", [0])
        self._last = 0
        self._edges = 0
        self._sm.exec(rp2.asm_pio_encode("mov(x, null)", 0))  # X is not cleared by init
        self._sm.active(1)

    def count(self):
        sm = self._sm
        word = self._word
        while sm.rx_fifo():
            sm.get(word)  # nothing is left there in normal use; never read a stale word
        sm.exec(self._copy)
        sm.exec(self._push)
        sm.get(word)
        d = word[0] - self._last
        if d > 32767:
            d -= 65536
        elif d < -32768:
            d += 65536
        self._last = word[0]
        self._edges += d
        return self._edges * 2  # two transitions per A edge


class Board:
    """The reference build on a Raspberry Pi Pico (docs/architecture.md, Board interface)."""

    fs_root = "/"

    def __init__(self, watchdog_ms=_WDT_MS):
        pin = machine.Pin
        ga, gb = hwconfig.PIN_ENC_A, hwconfig.PIN_ENC_B
        if hwconfig.ENC_SWAPPED:
            ga, gb = gb, ga
        enc_a = pin(ga, pin.IN, pin.PULL_UP)
        enc_b = pin(gb, pin.IN, pin.PULL_UP)
        self._inputs = (
            pin(hwconfig.PIN_KNOB_SW, pin.IN, pin.PULL_UP),
            pin(hwconfig.PIN_PHASE_BTN, pin.IN, pin.PULL_UP),
            pin(hwconfig.PIN_HOLD_BTN, pin.IN, pin.PULL_UP),
            enc_a,
            enc_b,
        )
        self.knob_counted = bool(hwconfig.KNOB_PIO)
        if self.knob_counted:
            self._knob = KnobCounter(hwconfig.KNOB_SM, enc_a, enc_b)
        self._np = neopixel.NeoPixel(pin(hwconfig.PIN_LED_DATA, pin.OUT), hwconfig.LED_COUNT)
        self._buf = self._np.buf
        self._wdt = None
        self._wdt_ms = watchdog_ms
        self._rtc = machine.RTC()
        self._ext = None  # the RTC module, when one answers on I2C
        self.rtc_module = False
        self.clock_source = clocksrc.CLOCK_NONE  # where the clock's time came from since boot
        self._rtc_module_boot()
        self._adc = machine.ADC(hwconfig.PIN_VBAT_ADC)
        self._fs = None
        self._pwm = machine.PWM(pin(hwconfig.PIN_BUZZER, pin.OUT))
        self._pwm.duty_u16(0)  # silent until the agenda asks for a cue
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

    def knob_count(self):
        """Signed running count of encoder transitions (4 per detent), from the hardware counter.

        Only when `knob_counted`; otherwise the encoder is decoded from read_inputs() bits.
        """
        return self._knob.count()

    def show(self, frame):
        """Send a 72-byte RGB frame to the ring (the driver's buffer is GRB). No allocation."""
        buf = self._buf
        for i in range(0, hwconfig.LED_COUNT * 3, 3):
            buf[i] = frame[i + 1]
            buf[i + 1] = frame[i]
            buf[i + 2] = frame[i + 2]
        self._np.write()

    def tone(self, freq_hz, duty_u16):
        """Drive PIN_BUZZER: PWM at freq_hz with duty_u16 (0..65535); duty 0 = off."""
        if duty_u16 <= 0:
            self._pwm.duty_u16(0)
            return
        self._pwm.freq(freq_hz)
        self._pwm.duty_u16(duty_u16)

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

    def _rtc_module_boot(self):
        """Find the optional RTC module; when it holds a valid time, load it into the RTC."""
        pin = machine.Pin
        i2c = machine.I2C(
            hwconfig.RTC_I2C,
            scl=pin(hwconfig.PIN_RTC_SCL),
            sda=pin(hwconfig.PIN_RTC_SDA),
            freq=100000,
        )
        ext = ds3231.DS3231(i2c)
        if not ext.probe():
            return
        self._ext = ext
        self.rtc_module = True
        try:
            t = ext.read_epoch()
        except OSError:
            return
        if t > 0:
            self._pico_rtc_set(t)
            self.clock_source = clocksrc.CLOCK_RTC

    def rtc_set(self, epoch_s):
        """Set the clock (and the RTC module when fitted, so it survives power-off)."""
        self._pico_rtc_set(epoch_s)
        if self._ext is not None:
            try:
                self._ext.write_epoch(epoch_s)
            except (OSError, ValueError):
                pass  # the Pico's clock is set; the module keeps its old time

    def _pico_rtc_set(self, epoch_s):
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
