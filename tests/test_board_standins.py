# firmware/board.py in the MicroPython unix port against stand-ins that accept only rp2's API.
from __future__ import annotations

import datetime
import json
import textwrap
from pathlib import Path

import pytest
from mpvm import ROOT, run_micropython

STANDINS = ROOT / "tests" / "standins"

SETUP = """
import json, machine, neopixel, micropython
import board, hwconfig
"""


def mp(code: str, input_bytes: bytes = b"", extra: list[Path] | None = None, heapsize=None):
    """Run code in micropython with the stand-ins first on the path; return its JSON output."""
    proc = run_micropython(
        ["-c", SETUP + textwrap.dedent(code)],
        extra_path=(extra or []) + [STANDINS],
        input_bytes=input_bytes,
        heapsize=heapsize,
        timeout=60,
    )
    out = proc.stdout.decode(errors="replace")
    err = proc.stderr.decode(errors="replace")
    assert proc.returncode == 0, out + err
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    assert lines, out + err
    return json.loads(lines[-1])


def test_inputs_active_low_to_mask():
    res = mp(
        """
        b = board.Board()
        out = {"idle": b.read_inputs()}
        pins = (hwconfig.PIN_KNOB_SW, hwconfig.PIN_PHASE_BTN, hwconfig.PIN_HOLD_BTN,
                hwconfig.PIN_ENC_A, hwconfig.PIN_ENC_B)
        for i, g in enumerate(pins):
            machine._set_level(g, 0)
            out["bit%d" % i] = b.read_inputs()
            machine._set_level(g, 1)
        machine._set_level(hwconfig.PIN_PHASE_BTN, 0)
        machine._set_level(hwconfig.PIN_HOLD_BTN, 0)
        out["chord"] = b.read_inputs()
        print(json.dumps(out))
        """
    )
    assert res == {"idle": 0, "bit0": 1, "bit1": 2, "bit2": 4, "bit3": 8, "bit4": 16, "chord": 6}


def test_show_writes_grb_without_allocating():
    res = mp(
        """
        b = board.Board()
        f = bytearray(72)
        for i in range(72):
            f[i] = i
        b.show(f)  # warm up (the first feed starts the watchdog)
        b.feed_watchdog()
        micropython.heap_lock()
        try:
            for _ in range(100):
                b.show(f)
                b.feed_watchdog()
                b.read_inputs()
        finally:
            micropython.heap_unlock()
        np = neopixel._last[0]
        print(json.dumps({"buf": list(np.buf), "writes": np.writes, "n": np.n,
                          "feeds": machine._wdt[0].feeds, "timeout": machine._wdt[0].timeout,
                          "wdts": len(machine._wdt)}))
        """
    )
    expect = []
    for led in range(24):
        r, g, b = 3 * led, 3 * led + 1, 3 * led + 2
        expect += [g, r, b]
    assert res["buf"] == expect
    assert res["writes"] == 101 and res["n"] == 24
    assert res["wdts"] == 1 and res["feeds"] == 101 and res["timeout"] <= 8388


def test_watchdog_starts_on_first_feed_only():
    res = mp(
        """
        b = board.Board()
        before = len(machine._wdt)
        b.feed_watchdog(); b.feed_watchdog()
        print(json.dumps({"before": before, "after": len(machine._wdt)}))
        """
    )
    assert res == {"before": 0, "after": 1}


def test_serial_reads_stdin_bytes_nonblocking():
    res = mp(
        """
        b = board.Board()
        buf = bytearray(64)
        n0 = b.serial.read_into(buf, 0, 2)  # ipoll's result tuple is made once, then reused
        counts = [0, 0, 0]

        def reads():
            counts[0] = b.serial.read_into(buf, 2, 5)
            counts[1] = b.serial.read_into(buf, 2 + counts[0], 60)
            counts[2] = b.serial.read_into(buf, 2 + counts[0] + counts[1], 60)  # none left

        micropython.heap_lock()
        try:
            reads()
        finally:
            micropython.heap_unlock()
        n1, n2, n3 = counts
        b.serial.set_interrupt(False)
        b.serial.set_interrupt(True)
        b.serial.write(b"TT:* hello\\n")
        print(json.dumps({"n1": n1, "n2": n2, "n3": n3, "data": bytes(buf[:2 + n1 + n2]).decode()}))
        """,
        input_bytes=b"@@1 hello {}\n",
    )
    assert res == {"n1": 5, "n2": 6, "n3": 0, "data": "@@1 hello {}\n"}


def test_rtc_epoch_round_trip_and_battery():
    stamps = [0, 951782400, 1700000000, 1709164799, 4102444800 - 1]
    res = mp(
        f"""
        b = board.Board()
        out = {{"boot": b.rtc_now(), "trip": [], "dt": []}}
        for e in {stamps!r}:
            b.rtc_set(e)
            out["trip"].append(b.rtc_now())
            out["dt"].append(list(machine.RTC().datetime()))
        out["none"] = b.battery_mv()
        machine._adc_u16[0] = 32768  # 1.65 V at the pin: a 3.3 V cell through 1/2
        out["mv"] = b.battery_mv()
        out["uid"] = b.unique_id()
        print(json.dumps(out))
        """
    )
    boot = datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc).timestamp()
    assert res["boot"] == boot
    assert res["trip"] == stamps
    for e, dt in zip(stamps, res["dt"], strict=True):
        want = datetime.datetime.fromtimestamp(e, datetime.timezone.utc)
        assert dt == [
            want.year,
            want.month,
            want.day,
            want.weekday(),
            want.hour,
            want.minute,
            want.second,
            0,
        ]
    assert res["none"] == -1
    assert 3290 <= res["mv"] <= 3310
    assert res["uid"] == "e66138041b2f4a2c"


@pytest.mark.parametrize(
    ("call", "exc"),
    [
        ("machine.Pin(30, machine.Pin.IN)", "ValueError"),
        ("machine.Pin(5, machine.Pin.IN, machine.Pin.PULL_UP, pullup=True)", "TypeError"),
        ("machine.Pin(5, machine.Pin.IN, machine.Pin.PULL_UP, 1)", "TypeError"),
        ("machine.Pin('GP31')", "ValueError"),
        ("machine.WDT(timeout=9000)", "ValueError"),
        ("machine.WDT(1)", "ValueError"),
        ("machine.ADC(25)", "ValueError"),
        ("machine.RTC().datetime((2024, 1, 1))", "ValueError"),
        ("machine.RTC().datetime((2024, 2, 30, 0, 0, 0, 0, 0))", "OSError"),
        ("neopixel.NeoPixel(22, 24)", "AttributeError"),
    ],
)
def test_standins_reject_what_rp2_rejects(call: str, exc: str):
    res = mp(
        f"""
        try:
            {call}
            got = "nothing"
        except Exception as e:
            got = type(e).__name__
        print(json.dumps({{"got": got}}))
        """
    )
    assert res["got"] == exc


def test_main_wires_board_store_app(tmp_path: Path):
    fakes = tmp_path / "fakes"
    fakes.mkdir()
    (fakes / "app.py").write_text(
        textwrap.dedent(
            """
            FW_VERSION = "test"
            made = []
            class App:
                def __init__(self, board, store=None, protocol_factory=None, agenda_obj=None):
                    made.append((board, store, protocol_factory))
                def run(self):
                    import json, sys
                    b, store, pf = made[0]
                    print(json.dumps({"store": store.args[1:], "pf": pf,
                                      "selftest": getattr(b, "selftest_ran", []),
                                      "board": type(b).__name__,
                                      "loaded": sorted(m for m in ("fwswitch", "proto", "selftest")
                                                       if m in sys.modules)}))
            """
        )
    )
    (fakes / "logstore.py").write_text(
        "class LogStore:\n    def __init__(self, *args):\n        self.args = args\n"
    )
    (fakes / "proto.py").write_text("class Proto:\n    pass\n")  # must stay unloaded
    (fakes / "fsio.py").write_text("class DeviceFs:\n    def __init__(self, root):\n        pass\n")
    (fakes / "selftest.py").write_text(
        "def wanted(m):\n    return (m & 6) == 6\ndef run(b):\n    b.selftest_ran = [1]\n"
    )
    main_src = (ROOT / "firmware" / "main.py").read_text()
    plain = mp(main_src, extra=[fakes])
    assert plain == {
        "store": ["e66138041b2f4a2c", "test"],
        # the modules the app imports when a host sends its first byte
        "pf": ["sessindex", "logserve", "protoframe", "argcheck", "proto"],
        "selftest": [],
        "board": "Board",
        "loaded": [],  # no switch code, protocol or self-test is resident while the app runs
    }
    held = mp(
        "machine._set_level(hwconfig.PIN_PHASE_BTN, 0)\n"
        "machine._set_level(hwconfig.PIN_HOLD_BTN, 0)\n" + main_src,
        extra=[fakes],
    )
    assert held["selftest"] == [1]
    assert held["loaded"] == [], "the self-test is unloaded after it ran"


def test_cue_drives_pwm_on_the_buzzer_pin():
    res = mp(
        """
        b = board.Board()
        pwm = machine._pwm[-1]
        start = list(pwm._calls)
        b.tone(hwconfig.CHIME_HZ, hwconfig.CHIME_DUTY_U16)
        b.tone(0, 0)
        b.tone(hwconfig.VIBRATE_HZ, hwconfig.VIBRATE_DUTY_U16)
        b.tone(0, 0)
        calls = pwm._calls[len(start):]
        bad = []
        for f, d in ((4, 100), (2000, 70000)):
            try:
                pwm.freq(f)
                pwm.duty_u16(d)
                bad.append("accepted")
            except ValueError as e:
                bad.append(str(e))
        print(json.dumps({"pin": pwm._gpio, "start": start, "calls": calls,
                          "bad": bad}))
        """
    )
    assert res["pin"] == 18
    assert res["start"] == [["duty_u16", 0]], "silent from boot"
    assert res["calls"] == [
        ["freq", 2000],
        ["duty_u16", 3277],
        ["duty_u16", 0],
        ["freq", 1000],
        ["duty_u16", 39321],
        ["duty_u16", 0],
    ]
    assert res["bad"] == ["freq too small", "duty_u16 must be from 0 to 65535"]


def test_pio_knob_counts_and_reads_without_allocating():
    res = mp(
        """
        import rp2
        b = board.Board()
        assert b.knob_counted
        sm = rp2._sms[hwconfig.KNOB_SM]
        a, bb = hwconfig.PIN_ENC_A, hwconfig.PIN_ENC_B
        def level(g, v):
            machine._set_level(g, v)
            rp2._run(8)
        def detent(cw):
            first, second = (a, bb) if cw else (bb, a)
            level(first, 0); level(second, 0); level(first, 1); level(second, 1)
        level(a, 1); level(bb, 1)
        out = {"start": b.knob_count(), "in_base": sm._in_base, "jmp_pin": sm._jmp_pin}
        def read():
            micropython.heap_lock()  # the loop's read allocates nothing
            try:
                return b.knob_count()
            finally:
                micropython.heap_unlock()
        read()
        for _ in range(3):
            detent(True)
        out["cw3"] = read()
        for _ in range(5):
            detent(False)
        out["ccw5"] = read()
        out["execs"] = sm._execs
        print(json.dumps(out))
        """
    )
    assert res["start"] == 0
    assert (res["in_base"], res["jmp_pin"]) == (10, 11)
    assert res["cw3"] == 12 and res["ccw5"] == -8
    assert res["execs"] == 1 + 2 * 4  # X cleared at start, then two executed instructions a read


def test_pio_knob_unwraps_the_16_bit_reading():
    res = mp(
        """
        import rp2
        b = board.Board()
        sm = rp2._sms[hwconfig.KNOB_SM]
        sm._x = 0xFFFFFFF0  # X has counted down past zero: -16 A edges
        one = b.knob_count()
        sm._x = 0x7000  # up by 28688 edges between two reads
        two = b.knob_count()
        sm._x = 0x9000  # past the 16-bit word's sign: still +8192
        three = b.knob_count()
        print(json.dumps({"one": one, "two": two, "three": three}))
        """
    )
    assert res == {"one": -32, "two": 2 * 0x7000, "three": 2 * 0x9000}
