# Deploy's protocol check against the real firmware on a simulated device (MicroPython VM).
from __future__ import annotations

import time

import pytest
import serial
from talktoken.deploy.update import SessionRunningError, ask_firmware
from talktoken.sim import SimDevice


@pytest.fixture
def running_device():
    with SimDevice(vm="micropython") as dev:
        dev.long_press("phase")  # the session starts
        dev.turn(2)
        dev.press("knob")  # seat 2 has the floor
        dev.advance(30_000)
        assert dev.state()["state"] == "running"
        yield dev


def test_deploy_refuses_while_a_session_runs(running_device) -> None:
    dev = running_device
    with pytest.raises(SessionRunningError, match="session is running"):
        ask_firmware(dev.port, force=False)
    st = dev.state()
    assert st["state"] == "running" and st["speaker"] == 2
    assert not st["serial"]["interrupt_enabled"]  # a stray 0x03 still cannot stop it


def test_forced_deploy_flushes_then_lets_ctrl_c_through_and_the_session_resumes(
    running_device,
) -> None:
    dev = running_device
    info = ask_firmware(dev.port, force=True)
    assert info is not None and info["state"] == "running"
    assert dev.state()["serial"]["interrupt_enabled"]
    boots = dev.state()["boots"]
    with serial.Serial(dev.port, timeout=0.2) as port:
        port.write(b"\r\x03")  # what mpremote sends to reach the raw REPL
        port.flush()
        deadline = time.monotonic() + 5
        while dev.state()["boots"] == boots and time.monotonic() < deadline:
            dev.advance(10)
    st = dev.state()
    assert st["boots"] == boots + 1  # the firmware stopped (on a Pico: to the REPL)
    # after the update the device boots again and resumes the same session from its log
    assert st["state"] == "running" and st["speaker"] == 2
    assert st["session_ms"] >= 30_000  # prepare_update recorded the clock before the stop
