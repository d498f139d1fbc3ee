# A DS3231-class battery-backed RTC module on I2C: epoch seconds in and out (UTC, 2000-2099).
from micropython import const

_ADDR = const(0x68)
_REG_TIME = const(0x00)  # seconds, minutes, hours, weekday, date, month, year (BCD)
_REG_STATUS = const(0x0F)
_OSF = const(0x80)  # oscillator stopped: the time is not to be trusted (battery was out)
_DAYS_1970_TO_2000 = const(10957)


def _bcd(v):
    return (v >> 4) * 10 + (v & 15)


def _to_bcd(v):
    return (v // 10) << 4 | v % 10


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


class DS3231:
    """The module on an I2C bus object (machine.I2C's readfrom_mem / writeto_mem).

    Boot-time and clock-set use only (it allocates). Bus errors are OSError, as machine.I2C
    raises them; `probe()` turns absence into False.
    """

    def __init__(self, i2c, addr=_ADDR):
        self.i2c = i2c
        self.addr = addr

    def probe(self):
        """True when a module answers at the address."""
        try:
            self.i2c.readfrom_mem(self.addr, _REG_STATUS, 1)
        except OSError:
            return False
        return True

    def read_epoch(self):
        """Seconds since 1970 from the module, or -1 when its oscillator stopped (no battery,
        never set) or the registers hold no valid time. Raises OSError on a bus error."""
        st = self.i2c.readfrom_mem(self.addr, _REG_STATUS, 1)[0]
        if st & _OSF:
            return -1
        r = self.i2c.readfrom_mem(self.addr, _REG_TIME, 7)
        s = _bcd(r[0] & 0x7F)
        mi = _bcd(r[1] & 0x7F)
        h = r[2]
        if h & 0x40:  # 12-hour mode (never written by us, but a module may come so)
            h = _bcd(h & 0x1F) % 12 + (12 if h & 0x20 else 0)
        else:
            h = _bcd(h & 0x3F)
        d = _bcd(r[4] & 0x3F)
        mo = _bcd(r[5] & 0x1F)
        y = 2000 + _bcd(r[6])
        if not (1 <= mo <= 12 and 1 <= d <= 31 and h < 24 and mi < 60 and s < 60):
            return -1
        return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s

    def write_epoch(self, epoch):
        """Set the module to epoch seconds (2000..2099) and clear its oscillator-stop flag."""
        days = epoch // 86400
        if days < _DAYS_1970_TO_2000 or days >= _DAYS_1970_TO_2000 + 36525:
            raise ValueError("the module keeps 2000-2099 only")
        secs = epoch - days * 86400
        y, mo, d = civil_from_days(days)
        wd = (days + 3) % 7 + 1  # 1..7, Monday = 1
        buf = bytes(
            (
                _to_bcd(secs % 60),
                _to_bcd(secs // 60 % 60),
                _to_bcd(secs // 3600),  # bit 6 clear: 24-hour mode
                wd,
                _to_bcd(d),
                _to_bcd(mo),  # century bit clear: 2000-2099
                _to_bcd(y - 2000),
            )
        )
        self.i2c.writeto_mem(self.addr, _REG_TIME, buf)
        st = self.i2c.readfrom_mem(self.addr, _REG_STATUS, 1)[0]
        self.i2c.writeto_mem(self.addr, _REG_STATUS, bytes((st & ~_OSF & 0xFF,)))
