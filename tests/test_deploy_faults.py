# Deploy never strands a device: a failure injected at every device step of a deploy.
from __future__ import annotations

import shutil

import pytest
from mpremote.transport import TransportError
from mpremote.transport_serial import SerialTransport
from talktoken.deploy import update as dep
from talktoken.fwtree.paths import firmware_dir
from test_deploy import PtyDevice, device_set, run_deploy


def _firmware(files: dict[str, bytes]) -> dict[str, bytes]:
    return {n: b for n, b in files.items() if not n.endswith(dep.NEW_SUFFIX) and n != dep.MANIFEST}


def test_a_failure_at_any_step_leaves_a_whole_firmware(tmp_path, monkeypatch):
    root = tmp_path / "fs"
    root.mkdir()
    src = tmp_path / "fw"
    shutil.copytree(firmware_dir(), src, ignore=shutil.ignore_patterns("__pycache__"))
    (src / "extra_tool.py").write_text("X = 1\n")
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
        failures = 0
        for step in range(1, 60):
            dev.restart()
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
            fw = _firmware(dev.files())
            # Whole: every file of one firmware as built (a file only the old one had may
            # stay until the next deploy removes it; the new firmware never imports it).
            whole = [all(fw.get(n) == b for n, b in want.items()) for want in (old_fw, new_fw)]
            assert any(whole), (step, sorted(n for n in new_fw if fw.get(n) != new_fw[n]))
            if done:
                break
            # The raw REPL was left or the device reset: a plain deploy now finishes the job.
            if not dev.alive():
                dev.restart()
            run_deploy(dev, src_dir=src)
            assert _firmware(dev.files()) == new_fw, step
            # Back to the old firmware for the next step.
            dev.restart()
            for p in list(root.iterdir()):
                p.unlink()
            for n, b in snapshot.items():
                (root / n).write_bytes(b)
        assert done and failures >= 5, failures
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
