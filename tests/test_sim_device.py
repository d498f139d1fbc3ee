# SimDevice in both VMs: buttons, knob and clock drive the real firmware; flash, serial, power.
from __future__ import annotations

import os
import signal
import time

import pytest
import serial
from talktoken.sim import SimCrashed, SimDevice, SimError
from talktoken.sim.scenario import point

VMS = ["micropython", "cpython"]


@pytest.fixture(params=VMS)
def vm(request) -> str:
    return request.param


def lit(leds) -> set[int]:
    return {i for i, rgb in enumerate(leds) if any(rgb)}


def test_session_starts_and_floor_moves(vm: str) -> None:
    with SimDevice(vm=vm) as dev:
        st = dev.state()
        assert st["vm"] == vm
        assert st["state"] == "ready" and st["speaker"] == -1
        ready_leds = dev.leds()
        assert len(ready_leds) == 24 and all(len(c) == 3 for c in ready_leds)

        dev.press("phase")  # a short PHASE press does not start a session
        assert dev.state()["state"] == "ready"
        dev.long_press("phase")
        st = dev.state()
        assert st["state"] == "running"
        assert (st["phase"], st["phase_name"]) == (0, "Check-in")

        dev.turn(3)
        assert dev.state()["ui"]["cursor"] == 3
        dev.turn(-1)
        assert dev.state()["ui"]["cursor"] == 2
        before = dev.leds()
        dev.press("knob")
        st = dev.state()
        assert st["speaker"] == 2
        assert st["ui"]["cursor"] == 3  # a go-round: the cursor moves on by itself
        dev.advance(1000)
        assert dev.leds() != before  # the speaker's arc lights up


def test_advance_is_exact_virtual_time(vm: str) -> None:
    with SimDevice(vm=vm) as dev:
        dev.long_press("phase")
        point(dev, 4)
        dev.press("knob")
        t0 = dev.state()["talk_ms"][4]
        dev.advance(45_000)
        st = dev.state()
        assert st["talk_ms"][4] - t0 == 45_000
        assert st["turn_warning"]  # 45 s of a 60 s turn: the warning is on
        assert not st["turn_overrun"]
        dev.advance(16_000)
        assert dev.state()["turn_overrun"]
        dev.advance(90 * 60_000)  # far past the phase plan
        st = dev.state()
        assert st["phase_overrun"]
        assert st["vt"] == dev.vt


def test_pass_pause_extend_and_end(vm: str) -> None:
    with SimDevice(vm=vm) as dev:
        dev.long_press("phase")
        point(dev, 1)
        dev.press("knob")
        dev.advance(3_000)
        dev.long_press("knob")  # within the grace: seat 1 passes; the token moves to seat 2
        st = dev.state()
        assert st["passes"][1] == 1 and st["turns"][1] == 0
        assert st["speaker"] == 2

        dev.press("hold")
        assert dev.state()["state"] == "paused"
        talk = dev.state()["talk_ms"][2]
        dev.advance(60_000)
        assert dev.state()["talk_ms"][2] == talk  # the clocks stand still while paused
        dev.press("hold")
        assert dev.state()["state"] == "running"

        planned = dev.state()["phase_planned_ms"]
        dev.down("phase")
        dev.turn(3)
        dev.up("phase")
        st = dev.state()
        assert st["extend_min"] == 3
        assert st["phase_planned_ms"] == planned + 3 * 60_000
        assert st["phase"] == 0  # PHASE + turn is not a phase change

        dev.long_press("hold")
        assert dev.state()["state"] == "ended"


def test_ticks_wrap_mid_session(vm: str) -> None:
    with SimDevice(vm=vm, ticks0=2**30 - 20_000) as dev:
        dev.long_press("phase")
        point(dev, 5)
        dev.press("knob")
        t0 = dev.state()["talk_ms"][5]
        dev.advance(40_000)  # the tick counter wraps during this turn
        st = dev.state()
        assert st["now"] < 2**30 - 20_000
        assert st["talk_ms"][5] - t0 == 40_000


def test_flash_persists_across_reboot(vm: str, tmp_path) -> None:
    image = tmp_path / "dev.img"
    with SimDevice(vm=vm, flash=image) as dev:
        first = dev.state()
        assert first["flash"]["reformatted"]  # a new image is formatted at first boot
        dev.long_press("phase")
        point(dev, 3)
        dev.press("knob")
        dev.advance(20_000)
        dev.press("knob")  # seat 3's turn ends (a flushed boundary); seat 4 speaks
        before = dev.state()
        assert before["turns"][3] == 1
        dev.reboot()
        st = dev.state()
        assert not st["flash"]["reformatted"]
        assert st["vt"] < before["vt"]  # the clock restarted with the process
        assert st["state"] == "running"  # the session was recovered from the log
        assert st["turns"][3] == 1
        assert st["talk_ms"][3] == before["talk_ms"][3]
        assert st["ui"]["alert"] == 2  # "resumed after power loss"
    assert image.stat().st_size == 352 * 4096
    with SimDevice(vm=vm, flash=image) as again:  # a new process on the same image
        assert again.state()["turns"][3] == 1


def test_cut_power_stops_the_device(vm: str) -> None:
    with SimDevice(vm=vm) as dev:
        dev.long_press("phase")
        dev.cut_power(after_writes=0)
        point(dev, 2)
        dev.press("knob")  # the turn start is flushed: the first write tears, power is gone
        dev.advance(2000)
        st = dev.state()
        assert st["off"]
        assert st["flash"]["dead"]
        assert not any(any(rgb) for rgb in dev.leds())
        dev.reboot()
        st = dev.state()
        assert not st["off"]
        assert st["state"] in ("running", "ready")  # recovered or never started: never lost fs
        assert not st["flash"]["reformatted"]


def test_serial_port_talks_to_the_firmware(vm: str, tmp_path) -> None:
    link = tmp_path / "ttyTT"
    with SimDevice(vm=vm, link=link) as dev:
        assert dev.port == str(link) and os.path.islink(link)
        vt = dev.state()["vt"]
        with serial.Serial(dev.port, 115200, timeout=5) as port:
            port.write(b"@7 hello {}\n")
            line = port.readline()
            assert line.startswith(b"TT:7 ok "), line
            assert b'"device"' in line
        with serial.Serial(dev.port, 115200, timeout=5) as port:  # a second client, later
            port.write(b"@8 hello {}\n")
            assert port.readline().startswith(b"TT:8 ok ")
        st = dev.state()
        assert st["vt"] == vt  # answered while the virtual clock stood still
        assert st["serial"]["in"] >= 24
    assert not os.path.lexists(link)  # close() removes the link


def test_ctrl_c_restarts_firmware_when_idle(vm: str) -> None:
    with SimDevice(vm=vm) as dev, serial.Serial(dev.port, 115200, timeout=5) as port:
        port.write(b"\x03")
        deadline = time.monotonic() + 5
        while dev.state()["boots"] < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert dev.state()["boots"] == 2
        assert b"KeyboardInterrupt" in port.read_until(b"soft reboot")


def test_ctrl_c_ignored_during_a_session(vm: str) -> None:
    with SimDevice(vm=vm) as dev:
        dev.long_press("phase")
        with serial.Serial(dev.port, 115200, timeout=5) as port:
            port.write(b"\x03\n@3 hello {}\n")  # the stray byte spoils only its own line
            assert port.readline().startswith(b"TT:3 ok ")
        st = dev.state()
        assert st["boots"] == 1 and st["state"] == "running"


def test_agenda_and_seats_before_first_boot() -> None:
    with SimDevice(seats=5) as dev:
        st = dev.state()
        assert st["seats"] == 5
        dev.turn(7)
        assert dev.state()["ui"]["cursor"] == 2
    with pytest.raises(SimError, match="seats"):
        SimDevice(seats=40)


def test_bad_requests_and_a_dead_process() -> None:
    with SimDevice(vm="cpython") as dev:
        with pytest.raises(SimError, match="no button"):
            dev.press("reset")
        with pytest.raises(SimError, match=">= 0"):
            dev.advance(-1)
        os.kill(dev.pid, signal.SIGKILL)
        with pytest.raises(SimCrashed, match="cpython"):
            dev.state()
    with pytest.raises(SimError, match="unknown VM"):
        SimDevice(vm="jython")


def test_a_device_that_cannot_boot_says_why(vm: str, tmp_path) -> None:
    image = tmp_path / "short.img"
    image.write_bytes(b"\xff" * 1000)  # not a flash image of the Pico's size
    with pytest.raises(SimCrashed, match="1000 bytes"):
        SimDevice(vm=vm, flash=image)
    assert image.read_bytes() == b"\xff" * 1000  # and it was left alone


def test_realtime_clock_runs() -> None:
    with SimDevice(realtime=True, speed=50) as dev:
        dev.long_press("phase")  # returns at once; happens on the device's own clock
        deadline = time.monotonic() + 5
        while dev.state()["state"] != "running" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert dev.state()["state"] == "running"
        v0 = dev.ping()
        time.sleep(0.2)
        assert dev.ping() - v0 >= 0.1 * 50 * 1000  # generous: at least half the expected
        with pytest.raises(SimError, match="stepped"):
            dev.advance(10)


@pytest.mark.parametrize("vm", VMS)
def test_queue_marker_and_state(vm: str) -> None:
    from talktoken.sim.scenario import act

    with SimDevice(vm=vm) as dev:
        dev.long_press("phase")
        dev.advance(60_000)
        dev.long_press("phase")  # the open-floor phase of the default agenda
        st = dev.state()
        assert st["phase_mode"] == "open" and st["queue"] == []
        act(dev, "give", 2)
        dev.advance(30_000)
        act(dev, "queue", 5)
        act(dev, "queue", 4)
        st = dev.state()
        assert st["queue"] == [5, 4] and st["queue_next"] == 5, "quiet first, ties: first queued"
        assert st["state"] == "running"
        act(dev, "mark", None)
        assert dev.state()["state"] == "running", "the HOLD release is no pause"
        act(dev, "take", None)
        st = dev.state()
        assert st["speaker"] == 5 and st["queue"] == [4]
        act(dev, "queue", 4)
        assert dev.state()["queue"] == []
