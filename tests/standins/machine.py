# Stand-in `machine` for the MicroPython unix port that accepts only what the rp2 (Pico) port does.
# ruff: noqa: UP031  (runs in MicroPython, which lacks some str.format features; % is the rule)
"""The subset of the rp2 port's `machine` that talktoken uses, with its argument checks.

Rejections use the exception types the rp2 port raises (ports/rp2/machine_pin.c, machine_wdt.c,
machine_adc.c, machine_rtc.c): ValueError for a bad pin/channel/id/timeout/tuple length,
TypeError for unknown keyword or extra positional arguments (Python's own call checks here),
OSError(EINVAL) for an impossible date. Test hooks start with an underscore.
"""

_NUM_GPIO = 30  # RP2040: GPIO0..GPIO29

# ---- test hooks ----
_levels = {}  # GPIO -> level the outside world drives (inputs)
_adc_u16 = {}  # ADC channel 0..3 -> raw reading
_wdt = []  # every WDT created (at most one on a real Pico)
_uid = b"\xe6\x61\x38\x04\x1b\x2f\x4a\x2c"


def _set_level(gpio, level):
    _levels[gpio] = 1 if level else 0


def _check_gpio(id):
    if isinstance(id, Pin):
        return id._id
    if isinstance(id, str):
        if id.startswith("GP") and id[2:].isdigit() and int(id[2:]) < _NUM_GPIO:
            return int(id[2:])
        if id == "LED":
            return 25
        raise ValueError('unknown named pin "%s"' % id)
    if isinstance(id, int) and not isinstance(id, bool) and 0 <= id < _NUM_GPIO:
        return id
    raise ValueError("invalid pin")


class Pin:
    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    ALT = 3
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_FALLING = 4
    IRQ_RISING = 8

    def __init__(self, id, mode=None, pull=None, *, value=None, alt=None):
        self._id = _check_gpio(id)
        self._mode = self.IN
        self._pull = 0
        self._out = 0
        self.init(mode, pull, value=value, alt=alt)

    def init(self, mode=None, pull=None, *, value=None, alt=None):
        if alt is not None and not isinstance(alt, int):
            raise TypeError("can't convert %s to int" % type(alt).__name__)
        if value is not None:
            self._out = 1 if value else 0
        if mode is not None:
            if not isinstance(mode, int):
                raise TypeError("can't convert %s to int" % type(mode).__name__)
            if mode not in (self.IN, self.OUT, self.OPEN_DRAIN):
                raise ValueError("invalid pin af: %d" % (alt if alt is not None else 5))
            self._mode = mode
        if pull is None:
            self._pull = 0
        elif not isinstance(pull, int):
            raise TypeError("can't convert %s to int" % type(pull).__name__)
        else:
            self._pull = pull

    def value(self, *args):
        if len(args) > 1:
            raise TypeError("function takes at most 2 positional arguments")
        if args:
            self._out = 1 if args[0] else 0
            return None
        if self._mode == self.OUT:
            return self._out
        if self._id in _levels:
            return _levels[self._id]
        return 1 if self._pull & self.PULL_UP else 0

    def __call__(self, *args):
        return self.value(*args)

    def on(self):
        self._out = 1

    def off(self):
        self._out = 0

    def __repr__(self):
        return "Pin(GPIO%d, mode=%s)" % (self._id, ("IN", "OUT", "OPEN_DRAIN")[self._mode])


class WDT:
    def __init__(self, id=0, timeout=5000):
        if not isinstance(id, int) or not isinstance(timeout, int):
            raise TypeError("can't convert to int")
        if id != 0:
            raise ValueError("WDT(%d) doesn't exist" % id)
        if timeout > 8388:
            raise ValueError("timeout exceeds 8388")
        self.timeout = timeout
        self.feeds = 0
        _wdt.append(self)

    def feed(self):
        self.feeds += 1


class ADC:
    CORE_TEMP = 4

    def __init__(self, id):
        if isinstance(id, Pin):
            id = id._id
        if not isinstance(id, int) or isinstance(id, bool):
            raise TypeError("can't convert %s to int" % type(id).__name__)
        if 26 <= id <= 29:
            id -= 26
        elif not 0 <= id <= 4:
            raise ValueError("invalid channel")
        self._channel = id

    def read_u16(self):
        return _adc_u16.get(self._channel, 0)


_pwm = []  # every PWM created; each keeps ._calls, a list of ("freq"|"duty_u16", value)
_PWM_FREQ_MIN = 8  # 125 MHz / (256 * 65536): slower needs a divider the RP2040 lacks
_PWM_FREQ_MAX = 62500000  # half the system clock


class PWM:
    """rp2 machine.PWM: PWM(dest, *, freq, duty_u16, duty_ns, invert); freq() and duty_u16()
    read with no argument and set with one (ports/rp2/machine_pwm.c)."""

    def __init__(self, dest, *, freq=None, duty_u16=None, duty_ns=None, invert=None):
        self._gpio = _check_gpio(dest)
        self._freq = 1000 if freq is None else 0
        self._duty = 0
        self._calls = []
        self._live = True
        if freq is not None:
            self.freq(freq)
        if duty_u16 is not None:
            self.duty_u16(duty_u16)
        _pwm.append(self)

    def freq(self, *args):
        if len(args) > 1:
            raise TypeError("function takes at most 2 positional arguments")
        if not args:
            return self._freq
        f = args[0]
        if not isinstance(f, int) or isinstance(f, bool):
            raise TypeError("can't convert %s to int" % type(f).__name__)
        if f < _PWM_FREQ_MIN:
            raise ValueError("freq too small")
        if f > _PWM_FREQ_MAX:
            raise ValueError("freq too large")
        self._freq = f
        self._calls.append(("freq", f))
        return None

    def duty_u16(self, *args):
        if len(args) > 1:
            raise TypeError("function takes at most 2 positional arguments")
        if not args:
            return self._duty
        d = args[0]
        if not isinstance(d, int) or isinstance(d, bool):
            raise TypeError("can't convert %s to int" % type(d).__name__)
        if not 0 <= d <= 65535:
            raise ValueError("duty_u16 must be from 0 to 65535")
        self._duty = d
        self._calls.append(("duty_u16", d))
        return None

    def deinit(self):
        self._live = False


_rtc_dt = [2021, 1, 1, 4, 0, 0, 0, 0]  # the RP2040 RTC after every boot


def _days_in_month(y, m):
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    return 30 if m in (4, 6, 9, 11) else 31


class RTC:
    def __init__(self, id=0):
        if id != 0:
            raise ValueError("RTC(%d) doesn't exist" % id)

    def datetime(self, *args):
        if len(args) > 1:
            raise TypeError("function takes at most 2 positional arguments")
        if not args:
            return tuple(_rtc_dt)
        t = args[0]
        if not isinstance(t, (tuple, list)):
            raise TypeError("object '%s' isn't a tuple or list" % type(t).__name__)
        if len(t) != 8:
            raise ValueError("requested length 8 but object has length %d" % len(t))
        for v in t:
            if not isinstance(v, int):
                raise TypeError("can't convert %s to int" % type(v).__name__)
        y, mo, d, wd, h, mi, s = t[0], t[1], t[2], t[3], t[4], t[5], t[6]
        ok = (
            0 <= y <= 4095
            and 1 <= mo <= 12
            and 1 <= d <= _days_in_month(y, mo)
            and 0 <= wd <= 6
            and 0 <= h <= 23
            and 0 <= mi <= 59
            and 0 <= s <= 59
        )
        if not ok:
            raise OSError(22)  # EINVAL
        for i in range(7):
            _rtc_dt[i] = t[i]
        _rtc_dt[7] = 0
        return None


def unique_id():
    return _uid


def reset():
    raise SystemExit("machine.reset()")


def freq(*args):
    return 125000000


# ---- I2C (ports/rp2/machine_i2c.c): hardware I2C0/I2C1 on their own pins ----
_I2C_SDA = ((0, 4, 8, 12, 16, 20, 24, 28), (2, 6, 10, 14, 18, 22, 26))
_I2C_SCL = ((1, 5, 9, 13, 17, 21, 25, 29), (3, 7, 11, 15, 19, 23, 27))
_i2c_devices = {}  # (bus, addr) -> bytearray of registers (test hook: _i2c_attach)
_i2c_log = []  # (bus, "r"/"w", addr, memaddr, n) of every transfer


def _i2c_attach(bus, addr, regs):
    """Test hook: a register-file device at addr on bus (None detaches it)."""
    if regs is None:
        _i2c_devices.pop((bus, addr), None)
    else:
        _i2c_devices[(bus, addr)] = regs


class I2C:
    def __init__(self, id, *, scl=None, sda=None, freq=400000, timeout=50000):
        if not isinstance(id, int) or isinstance(id, bool):
            raise TypeError("can't convert %s to int" % type(id).__name__)
        if id not in (0, 1):
            raise ValueError("I2C(%d) doesn't exist" % id)
        self._id = id
        if scl is not None and _check_gpio(scl) not in _I2C_SCL[id]:
            raise ValueError("bad SCL pin")
        if sda is not None and _check_gpio(sda) not in _I2C_SDA[id]:
            raise ValueError("bad SDA pin")
        if not isinstance(freq, int) or freq <= 0:
            raise ValueError("freq")
        self.freq = freq

    def _dev(self, addr):
        if not isinstance(addr, int) or not 0 <= addr < 128:
            raise ValueError("bad address")
        regs = _i2c_devices.get((self._id, addr))
        if regs is None:
            raise OSError(5)  # EIO: nothing acknowledged the address
        return regs

    def scan(self):
        return sorted(a for (b, a) in _i2c_devices if b == self._id)

    def readfrom_mem(self, addr, memaddr, nbytes, *, addrsize=8):
        regs = self._dev(addr)
        if addrsize != 8:
            raise ValueError("addrsize")
        _i2c_log.append((self._id, "r", addr, memaddr, nbytes))
        out = bytearray(nbytes)
        for i in range(nbytes):
            out[i] = regs[(memaddr + i) % len(regs)]
        return bytes(out)

    def writeto_mem(self, addr, memaddr, buf, *, addrsize=8):
        regs = self._dev(addr)
        if addrsize != 8:
            raise ValueError("addrsize")
        data = memoryview(buf)  # TypeError for an int or str, as the port raises
        _i2c_log.append((self._id, "w", addr, memaddr, len(data)))
        for i in range(len(data)):
            regs[(memaddr + i) % len(regs)] = data[i]
        return None
