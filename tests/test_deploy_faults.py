# Deploy never strands a device: a failure injected at every device step of a deploy.
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import serial
from mpremote.transport import TransportError
from mpremote.transport_serial import SerialTransport
from talktoken.deploy import update as dep
from talktoken.fwtree.paths import firmware_dir
from test_deploy import PtyDevice, device_set, run_deploy

FAKE_FILES = ("fake_state", "fakefw.py", "prepared")  # the stand-in firmware's own


def _firmware(files: dict[str, bytes]) -> dict[str, bytes]:
    return {
        n: b
        for n, b in files.items()
        if not n.endswith(dep.NEW_SUFFIX) and n not in (dep.MANIFEST, dep.JOURNAL, *FAKE_FILES)
    }


def _drain(port: serial.Serial, quiet_s: float = 0.1) -> bytes:
    got = b""
    last = time.monotonic()
    while time.monotonic() - last < quiet_s:
        chunk = port.read(port.in_waiting or 1)
        if chunk:
            got += chunk
            last = time.monotonic()
    return got


def answer_to_enter(dev: PtyDevice, limit_s: float = 2.0) -> bytes:
    """What the device prints for a plain Enter (no Ctrl-C, no Ctrl-A), after old output."""
    with serial.Serial(dev.port, 115200, timeout=0.05) as port:
        _drain(port)
        port.write(b"\r\n")
        got = b""
        end = time.monotonic() + limit_s
        while time.monotonic() < end and b">>> " not in got:
            got += port.read(64)
        return got + _drain(port, 0.05)


def assert_repl_left(dev: PtyDevice, step, reset: bool) -> int:
    """The raw REPL was left: the device was reset (on the unix port its process ends), or
    it is still running and a plain Enter brings the friendly prompt. Returns 1."""
    if reset:
        assert dev.wait_exit(3.0), (step, "the device was not reset")
        return 1
    assert dev.alive(), (step, "the device stopped")
    got = answer_to_enter(dev)
    assert b">>> " in got and b"raw REPL" not in got, (step, got)
    return 1


@pytest.mark.parametrize("firmware", [False, True], ids=["idle-repl", "firmware-running"])
def test_a_failure_at_any_step_leaves_a_whole_firmware(tmp_path, monkeypatch, firmware):
    # With firmware running (it answered the protocol), a failure resets the device so the
    # firmware starts again; at an idle REPL, deploy leaves the raw REPL. The reset path is
    # the same for every step, so that sweep takes every third step only.
    root = tmp_path / "fs"
    root.mkdir()
    src = _fw_tree(tmp_path)
    old = device_set(src)
    dev = PtyDevice(root).start()
    try:
        run_deploy(dev, src_dir=src)
        snapshot = dev.files()  # the old firmware and its manifest
        old_fw = _firmware(snapshot)
        assert old_fw == old
        for name in ("events.py", "session.py"):
            (src / name).write_text((src / name).read_text() + "\nDEPLOY_FAULT = 1\n")
        (src / "extra_tool.py").unlink()
        new_fw = device_set(src)
        failures = left = journaled = 0
        done = False
        for step in range(1, 80, 3 if firmware else 1):
            # The old firmware on the device, then power on.
            dev.stop()
            for p in list(root.iterdir()):
                p.unlink()
            for n, b in snapshot.items():
                (root / n).write_bytes(b)
            dev.fake_state = "ready" if firmware else None
            dev.start()
            calls = {"n": 0}
            real_exec, real_write = SerialTransport.exec, SerialTransport.fs_writefile

            def counted(real, calls=calls, step=step):
                def wrapper(self, *a, **kw):
                    calls["n"] += 1
                    if calls["n"] == step:
                        raise TransportError("link cut (injected)")
                    return real(self, *a, **kw)

                return wrapper

            monkeypatch.setattr(SerialTransport, "exec", counted(real_exec))
            monkeypatch.setattr(SerialTransport, "fs_writefile", counted(real_write))
            try:
                run_deploy(dev, src_dir=src)
                done = True
            except dep.DeployError as exc:
                done = False
                failures += 1
                assert "deploy again" in str(exc) or "`talktoken deploy` again" in str(exc), exc
            finally:
                monkeypatch.setattr(SerialTransport, "exec", real_exec)
                monkeypatch.setattr(SerialTransport, "fs_writefile", real_write)
            _assert_whole(dev.files(), old_fw, new_fw, step)
            if done:
                if calls["n"] < step:
                    break  # past the last device step: nothing was injected
                # The one step deploy may lose (taking over a watchdog the unix port lacks).
                assert _firmware(dev.files()) == new_fw, step
                continue
            left += assert_repl_left(dev, step, reset=firmware)
            # A power cut now: the device boots a whole firmware, the new one once the
            # switch-over's journal was in place.
            journal = (root / dep.JOURNAL).exists()
            dev.restart()
            fw = _assert_whole(dev.files(), old_fw, new_fw, step)
            assert not journal or fw == new_fw, step
            journaled += journal
            assert not (root / dep.JOURNAL).exists(), step
            # A plain deploy now finishes the job.
            run_deploy(dev, src_dir=src)
            assert _firmware(dev.files()) == new_fw, step
        assert done and failures >= (5 if firmware else 20), failures
        assert left == failures, "every failure left the raw REPL or reset the device"
        assert firmware or journaled >= 1, "a failure with the journal in place was injected"
    finally:
        dev.stop()


def _assert_whole(files, old_fw, new_fw, step) -> dict[str, bytes]:
    """Every file of one firmware as built (a file only the old one had may stay until the
    next deploy removes it; the new firmware never imports it). Returns the firmware files."""
    fw = _firmware(files)
    whole = [all(fw.get(n) == b for n, b in want.items()) for want in (old_fw, new_fw)]
    assert any(whole), (step, sorted(n for n in new_fw if fw.get(n) != new_fw[n]))
    return fw


def _cut_switch_after(k: int, dev: PtyDevice):
    """A Device.finish_switch that does the journal's first k steps on the device, in the
    device's Python, then loses power (the process is killed) before the rest."""
    real = dep.Device.finish_switch

    def cut(self, code):
        steps = (dev.root / dep.JOURNAL).read_text().splitlines()[:k]
        ops = [
            f"os.rename({self.path(w[1])!r}, {self.path(w[2])!r})"
            if w[0] == "R"
            else f"os.remove({self.path(w[1])!r})"
            for w in (line.split() for line in steps)
        ]
        self.t.exec("import os\n" + "\n".join(ops) + "\n")
        assert dev.proc is not None
        dev.proc.kill()
        dev.proc.wait()
        return real(self, code)  # on a device that is gone

    return cut


def _fw_tree(tmp_path: Path) -> Path:
    src = tmp_path / "fw"
    shutil.copytree(firmware_dir(), src, ignore=shutil.ignore_patterns("__pycache__"))
    (src / "extra_tool.py").write_text("X = 1\n")
    return src


def test_a_power_cut_in_the_switch_over_boots_the_new_firmware(tmp_path, monkeypatch):
    root = tmp_path / "fs"
    root.mkdir()
    src = _fw_tree(tmp_path)
    dev = PtyDevice(root).start()
    try:
        run_deploy(dev, src_dir=src)
        snapshot = dev.files()
        # Change the boot files too: the journal switches them first.
        for name in ("fwswitch.py", "main.py", "events.py", "session.py"):
            (src / name).write_text((src / name).read_text() + "\nDEPLOY_CUT = 1\n")
        (src / "extra_tool.py").unlink()
        new_fw = device_set(src)
        steps = 4 + 1 + 1  # four renames, one removal, the manifest
        manifests = set()
        for k in range(steps + 1):
            for by_deploy in (False, True) if k in (1, 3, steps) else (False,):
                dev.stop()
                for p in list(root.iterdir()):
                    p.unlink()
                for n, b in snapshot.items():
                    (root / n).write_bytes(b)
                dev.start()
                with monkeypatch.context() as m:
                    m.setattr(dep.Device, "finish_switch", _cut_switch_after(k, dev))
                    with pytest.raises(dep.DeployError) as err:
                        run_deploy(dev, src_dir=src)
                assert "next starts" in str(err.value), err.value
                assert (root / dep.JOURNAL).exists(), k
                assert len((root / dep.JOURNAL).read_text().splitlines()) == steps
                if by_deploy:  # the device came back in the REPL: a deploy finishes it
                    dev.restart(boot=False)
                    again = run_deploy(dev, src_dir=src)
                    assert again.resumed_switch, k
                    assert again.plan.copy == [] and again.plan.remove == [], (k, again.plan)
                else:
                    dev.restart()  # the boot finishes it
                files = dev.files()
                assert _firmware(files) == new_fw, (k, by_deploy)
                assert not any(n.endswith(dep.NEW_SUFFIX) for n in files), (k, sorted(files))
                assert dep.JOURNAL not in files
                assert files[dep.MANIFEST] != snapshot[dep.MANIFEST], k
                manifests.add(files[dep.MANIFEST])
        assert len(manifests) == 1, "every cut ends with the new firmware's manifest"
    finally:
        dev.stop()


def test_deploy_to_a_simulator_says_so(tmp_path):
    from talktoken.sim.device import SimDevice

    with SimDevice(vm="micropython") as sim:
        with pytest.raises(dep.SimulatorDeployError, match="already runs this checkout"):
            dep.deploy(sim.port)
        from proto_sim import cli

        r = cli(sim.port, "deploy")
        assert r.returncode == 65 and "Traceback" not in r.stderr, r.stderr


def test_target_check_refuses_old_micropython_and_unknown_boards():
    dep.check_target(((1, 24, 1), 0x2906, "Raspberry Pi Pico with RP2040", "rp2"), 6)
    with pytest.raises(dep.UnsupportedDeviceError, match="MicroPython 1.18.0.*flash") as e:
        dep.check_target(((1, 18, 0), 5, "Raspberry Pi Pico with RP2040", "rp2"), 6)
    assert e.value.exit_code == 67
    with pytest.raises(dep.UnsupportedDeviceError, match="ESP32.*Pico"):
        dep.check_target(((1, 24, 0), 6, "Generic ESP32 module with ESP32", "esp32"), 6)


def test_deploy_reads_the_devices_micropython_first(tmp_path, monkeypatch):
    root = tmp_path / "fs"
    root.mkdir()
    dev = PtyDevice(root).start()
    seen = []
    real = dep.check_target

    def spy(impl, mpy):
        seen.append((impl, mpy))
        real(impl, mpy)
        raise dep.UnsupportedDeviceError("refused for the test")

    monkeypatch.setattr(dep, "check_target", spy)
    try:
        with pytest.raises(dep.UnsupportedDeviceError):
            run_deploy(dev)
        assert not any(p.suffix == ".mpy" for p in root.iterdir()), "nothing copied"
        ((impl, mpy),) = seen
        assert impl[3] == "linux" and mpy >= 6 and (impl[1] & 0xFF) >= mpy
    finally:
        dev.stop()


def test_a_journal_left_on_the_device_is_reported_then_finished(tmp_path, monkeypatch, capsys):
    from test_deploy import run_cli

    root = tmp_path / "fs"
    root.mkdir()
    src = _fw_tree(tmp_path)
    dev = PtyDevice(root).start()
    try:
        run_deploy(dev, src_dir=src)
        (src / "events.py").write_text((src / "events.py").read_text() + "\nDEPLOY_CUT = 2\n")
        dev.restart()
        with monkeypatch.context() as m:
            m.setattr(dep.Device, "finish_switch", _cut_switch_after(0, dev))
            with pytest.raises(dep.DeployError):
                run_deploy(dev, src_dir=src)
        dev.restart(boot=False)  # back in the REPL without booting: the journal is still there
        before = dev.files()
        assert dep.JOURNAL in before
        said: list[str] = []
        dry = run_deploy(dev, src_dir=src, dry_run=True, log=said.append)
        assert any("cut during its switch-over" in s and "next starts" in s for s in said), said
        assert not dry.resumed_switch and dev.files() == before, "a dry run changes nothing"
        capsys.readouterr()
        args = ["deploy", "--port", dev.port, "--device-root", str(root)]
        assert run_cli(args) == 0
        out = capsys.readouterr()
        assert "finished the switch-over of an earlier deploy" in out.out, out
        assert "finished it first" in out.err, out
        files = dev.files()
        assert dep.JOURNAL not in files
        assert _firmware(files) == device_set()  # the CLI deploys the checkout's firmware
    finally:
        dev.stop()
