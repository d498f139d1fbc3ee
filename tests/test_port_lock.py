# One talktoken command per port: the lock, its message and exit code, and the port names.
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from proto_sim import SHORT, TALKTOKEN, cli, play
from talktoken.device import link as linkmod
from talktoken.device import portlock
from talktoken.device.link import Link, NoDeviceError, NotSerialPortError, check_port_name
from talktoken.sim.device import SimDevice


@pytest.fixture
def dev():
    with SimDevice(vm="micropython") as d:
        yield d


def test_second_command_names_the_first_and_the_first_keeps_working(dev):
    watch = subprocess.Popen(
        [TALKTOKEN, "--port", dev.port, "--json", "watch", "--count", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert watch.stderr is not None
        assert "watching" in watch.stderr.readline()
        r = cli(dev.port, "info")
        assert r.returncode == portlock.PortBusyError.exit_code == 60, r.stderr
        assert r.stderr.startswith(
            f"talktoken: {dev.port} is in use by another talktoken command (pid {watch.pid}, watch)"
        ), r.stderr
        assert "Traceback" not in r.stderr
        play(dev, SHORT[:3])
        out, err = watch.communicate(timeout=30)
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.wait()
    assert watch.returncode == 0, err
    kinds = [json.loads(line)["ev"] for line in out.splitlines()]
    assert kinds == ["session_start", "phase_start", "turn_start"]
    r = cli(dev.port, "--json", "info")  # the lock is gone with the first command
    assert r.returncode == 0, r.stderr


def test_lock_follows_symlinks_and_is_reentrant_in_one_process(dev, tmp_path):
    alias = tmp_path / "alias"
    alias.symlink_to(dev.port)
    assert portlock.port_key(str(alias)) == portlock.port_key(dev.port)
    with Link(dev.port):
        key = portlock.acquire(str(alias))  # this process may take it again (deploy)
        portlock.release(key)
        code = (
            "import sys; from talktoken.device.link import Link\n"
            "from talktoken.errors import TalktokenError\n"
            "try:\n Link(sys.argv[1])\nexcept TalktokenError as e:\n"
            " print(e.exit_code, e)\n"
        )
        r = subprocess.run([sys.executable, "-c", code, str(alias)], capture_output=True, text=True)
        assert r.stdout.startswith(
            f"60 {alias} is in use by another talktoken command (pid {os.getpid()},"
        ), r.stdout + r.stderr
    with Link(str(alias)):  # released: opens again
        pass


def test_another_program_holding_the_port_exclusively(dev):
    import serial

    other = serial.Serial(dev.port, exclusive=True)  # like a terminal with a lock
    try:
        with pytest.raises(portlock.PortBusyError, match="another program"):
            Link(dev.port)
    finally:
        other.close()


@pytest.mark.parametrize("name", ["COM3", "com12", r"\\.\COM10"])
def test_windows_names_pass_on_windows_only(name):
    assert check_port_name(name, "win32") == name
    with pytest.raises(NoDeviceError, match="Windows port name"):
        check_port_name(name, "linux")
    with pytest.raises(NoDeviceError, match="not a Windows port name"):
        check_port_name("/dev/ttyACM0", "win32")


def test_macos_tty_name_uses_the_callout_device(dev, tmp_path, monkeypatch):
    real = os.path.exists
    cu = "/dev/cu.usbmodem1101"
    monkeypatch.setattr(linkmod.os.path, "exists", lambda p: p == cu or real(p))
    monkeypatch.setattr(linkmod.os, "stat", lambda p: os.lstat(dev.port) if p == cu else os.stat(p))
    assert check_port_name("/dev/tty.usbmodem1101", "darwin") == cu
    assert check_port_name(cu, "darwin") == cu


def test_linux_and_url_names(dev):
    assert check_port_name(dev.port, "linux") == dev.port
    assert check_port_name("loop://", "linux") == "loop://"
    with Link("loop://") as link:  # a real pyserial open through the same path
        link.send(1, "hello", {})
        assert link.read_reply(0.5) is None  # the loop echoes the request: not a reply


@pytest.mark.parametrize("path", ["/etc/passwd", "/tmp"])
def test_a_file_that_is_not_a_serial_port_says_so(path):
    with pytest.raises(NotSerialPortError, match="not a serial port"):
        check_port_name(path, "linux")
    r = cli(path, "info")
    assert r.returncode == 61, r.stderr
    assert "not a serial port" in r.stderr and "Thonny" not in r.stderr


def test_a_port_that_does_not_answer_fails_within_two_seconds(tmp_path):
    import time

    master, slave = os.openpty()  # a serial port with nothing behind it
    try:
        t0 = time.monotonic()
        r = cli(os.ttyname(slave), "info")
        took = time.monotonic() - t0
    finally:
        os.close(master)
        os.close(slave)
    assert r.returncode == 62, r.stderr
    assert "did not answer talktoken's hello within 2 s" in r.stderr
    assert took < 2.0 + 1.5  # the budget, plus starting Python


def test_a_pico_in_bootsel_mode_is_named(tmp_path, monkeypatch):
    drive = tmp_path / "media" / "RPI-RP2"
    drive.mkdir(parents=True)
    (drive / "INFO_UF2.TXT").write_text(
        "UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n"
    )
    assert linkmod.bootsel_drive([str(tmp_path / "media" / "*")]) == str(drive)
    assert linkmod.bootsel_drive([str(tmp_path / "none" / "*")]) == ""
    monkeypatch.setattr(linkmod, "list_ports", lambda: [])
    monkeypatch.setattr(linkmod, "bootsel_drive", lambda roots=None: str(drive))
    with pytest.raises(NoDeviceError, match="BOOTSEL mode.*MicroPython .uf2"):
        linkmod.resolve_port(None)
