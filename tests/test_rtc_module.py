# The optional DS3231-class RTC module: driver and board against the strict machine.I2C stand-in.
from __future__ import annotations

import datetime
import textwrap

import pytest
from test_board_standins import mp as _mp

FIT = """
import ds3231, clocksrc
regs = bytearray(0x13)
def fit(osf=False):
    regs[0x0F] = 0x80 if osf else 0
    machine._i2c_attach(hwconfig.RTC_I2C, 0x68, regs)
"""


def mp(code: str):
    return _mp(FIT + textwrap.dedent(code))


def test_absent_module_is_reported_and_leaves_the_clock_unset():
    res = mp(
        """
        b = board.Board()
        print(json.dumps({"module": b.rtc_module, "source": b.clock_source,
                          "clock": b.rtc_now()}))
        """
    )
    assert res == {"module": False, "source": 0, "clock": 1609459200}


def test_set_then_boot_loads_the_module_time():
    when = int(datetime.datetime(2026, 11, 30, 21, 45, 7, tzinfo=datetime.UTC).timestamp())
    res = mp(
        f"""
        fit(osf=True)  # a fresh coin cell: the oscillator-stop flag is set
        b = board.Board()
        first = {{"module": b.rtc_module, "source": b.clock_source}}
        b.rtc_set({when})
        after_set = list(regs[0:7])
        machine._rtc_dt[:] = [2021, 1, 1, 4, 0, 0, 0, 0]  # power off: the Pico's RTC resets
        b2 = board.Board()
        print(json.dumps({{"first": first, "regs": after_set, "osf": regs[0x0F] & 0x80,
                          "source": b2.clock_source, "clock": b2.rtc_now()}}))
        """
    )
    assert res["first"] == {"module": True, "source": 0}
    # BCD: 07 s, 45 min, 21 h (24-hour), Monday = 1, 30th, November, (20)26
    assert res["regs"] == [0x07, 0x45, 0x21, 1, 0x30, 0x11, 0x26]
    assert res["osf"] == 0
    assert res["source"] == 2 and res["clock"] == when


@pytest.mark.parametrize(
    ("regs", "want"),
    [
        ([0x59, 0x59, 0x23, 5, 0x31, 0x12, 0x99], 4102444799),  # 2099-12-31 23:59:59
        ([0x00, 0x00, 0x00, 6, 0x01, 0x01, 0x00], 946684800),  # 2000-01-01
        ([0x30, 0x15, 0x72, 3, 0x29, 0x02, 0x28], 1835439330),  # 12-hour mode, 12 pm
        ([0x00, 0x00, 0x00, 1, 0x00, 0x13, 0x26], -1),  # day 0, month 13: garbage
    ],
)
def test_driver_reads_registers(regs, want):
    res = mp(
        f"""
        fit()
        regs[0:7] = bytes({regs})
        d = ds3231.DS3231(machine.I2C(0, scl=machine.Pin(5), sda=machine.Pin(4)))
        print(json.dumps({{"t": d.read_epoch(), "probe": d.probe()}}))
        """
    )
    assert res == {"t": want, "probe": True}


def test_driver_round_trips_and_refuses_out_of_range():
    res = mp(
        """
        fit()
        d = ds3231.DS3231(machine.I2C(0, scl=machine.Pin(5), sda=machine.Pin(4)))
        out = []
        for t in (946684800, 1700000000, 1709164799, 4102444799):
            d.write_epoch(t)
            out.append(d.read_epoch() == t)
        try:
            d.write_epoch(946684799)
            out.append("accepted 1999")
        except ValueError:
            out.append("refused")
        print(json.dumps({"out": out}))
        """
    )
    assert res == {"out": [True, True, True, True, "refused"]}


def test_bus_rejects_what_the_rp2_port_rejects():
    res = mp(
        """
        out = []
        for kw in ({"scl": machine.Pin(4), "sda": machine.Pin(5)}, {"scl": 5, "sda": 6}):
            try:
                machine.I2C(0, **kw)
                out.append("accepted")
            except ValueError:
                out.append("ValueError")
        i2c = machine.I2C(0, scl=machine.Pin(5), sda=machine.Pin(4))
        try:
            i2c.readfrom_mem(0x68, 0, 1)
        except OSError as e:
            out.append(e.args[0])
        print(json.dumps({"out": out}))
        """
    )
    assert res == {"out": ["ValueError", "ValueError", 5]}
