# `talktoken deploy` for real against the MicroPython unix port behind a pseudo-terminal.
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import tty
from pathlib import Path

import pytest
from mpvm import micropython_exe
from talktoken.deploy import plan as plan_mod
from talktoken.deploy import update as dep
from talktoken.fwtree.paths import firmware_dir

# A stand-in for running firmware: answers hello/info/prepare_update like firmware/proto.py
# and, like the Pico's USB CDC, turns a 0x03 into KeyboardInterrupt only while allowed.
FAKE_FW = r"""
import sys, select, json
STATE = open('fake_state').read().strip()
intr = STATE not in ('running', 'paused')
inp = sys.stdin.buffer
out = sys.stdout.buffer
poll = select.poll()
poll.register(sys.stdin, select.POLLIN)
line = bytearray()
print('fake firmware up')
while True:
    if not poll.poll(50):
        continue
    c = inp.read(1)
    if c == b'\x03':
        if intr:
            raise KeyboardInterrupt
        continue
    if c != b'\n' and c != b'\r':
        line.extend(c)
        continue
    parts = bytes(line).split(b' ', 2)
    line = bytearray()
    if len(parts) < 2 or not parts[0].startswith(b'@'):
        continue
    rid = int(parts[0][1:])
    op = parts[1].decode()
    if op == 'hello':
        res = {'proto': 1, 'fw': 'fake', 'device': 'f00d'}
    elif op == 'info':
        res = {'proto': 1, 'fw': 'fake', 'state': STATE, 'interrupt': intr}
    elif op == 'prepare_update':
        f = open('prepared', 'w')
        f.write(STATE)
        f.close()
        intr = True
        res = {'interrupt': True}
    else:
        out.write(b'TT:%d err op unknown\n' % rid)
        continue
    out.write(b'TT:%d ok %s\n' % (rid, json.dumps(res).encode()))
"""


# The boot's stand-in for the Pico's `machine`: board.py imports it once main.py has finished
# any cut switch-over and starts the app, which is as far as a boot can go on the unix port.
BOOT_MACHINE = "raise SystemExit(0)\n"


class PtyDevice:
    """The unix port on a pseudo-terminal; its cwd (a temp dir) is the device's filesystem.

    A reset makes the process exit; `restart()` plays the part of the boot that follows: the
    device's own main.py runs (finishing a cut switch-over) up to where the app starts, then
    the REPL comes up again in its place.
    """

    def __init__(self, root: Path, fake_state: str | None = None):
        self.root = root
        self.fake_state = fake_state
        self.proc: subprocess.Popen | None = None
        self.port = ""
        self._slave = -1

    def start(self) -> PtyDevice:
        args = [micropython_exe()]
        if self.fake_state is not None:
            (self.root / "fake_state").write_text(self.fake_state)
            (self.root / "fakefw.py").write_text(FAKE_FW)
            args += ["-i", "fakefw.py"]
        master, slave = os.openpty()
        # Raw from the start, like a USB CDC port: a cooked pty would echo the REPL's banner
        # back into the REPL before the host opens the port.
        tty.setraw(slave)
        self.port = os.ttyname(slave)
        self._slave = slave  # held open: the REPL exits if nobody holds the other end
        self.proc = subprocess.Popen(
            args, stdin=master, stdout=master, stderr=master, cwd=self.root, close_fds=True
        )
        os.close(master)
        if self.fake_state is not None:
            time.sleep(0.3)  # let the script reach its loop
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout: float = 5.0) -> bool:
        assert self.proc is not None
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self._slave >= 0:
            os.close(self._slave)
            self._slave = -1

    def boot(self) -> str:
        """Run the device's main.py from its files until it starts the app; its output."""
        stub = self.root.parent / "boot-stub"
        stub.mkdir(exist_ok=True)
        (stub / "machine.py").write_text(BOOT_MACHINE)
        env = dict(os.environ, MICROPYPATH=f"{self.root}{os.pathsep}{stub}")
        proc = subprocess.run(
            [micropython_exe(), "main.py"], cwd=self.root, env=env, capture_output=True, timeout=30
        )
        out = (proc.stdout + proc.stderr).decode(errors="replace")
        assert proc.returncode == 0 and "Traceback" not in out, out
        return out

    def restart(self, boot: bool = True) -> PtyDevice:
        """Power off and on: main.py boots (when the device has one), then the REPL is up."""
        self.stop()
        self.fake_state = None
        if boot and (self.root / "main.py").exists():
            self.boot()
        return self.start()

    def files(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in self.root.iterdir() if p.is_file()}


def device_set(src: Path | None = None) -> dict[str, bytes]:
    """What the device must hold after a deploy of src (default: the firmware tree)."""
    out = Path(os.environ.get("PYTEST_TMP_BUILD", "/tmp")) / f"tt-expect-{os.getpid()}"
    shutil.rmtree(out, ignore_errors=True)
    files = dep.build(out, src)
    shutil.rmtree(out, ignore_errors=True)
    return files


@pytest.fixture
def device(tmp_path):
    root = tmp_path / "fs"
    root.mkdir()
    d = PtyDevice(root).start()
    yield d
    d.stop()


def run_deploy(d: PtyDevice, **kw) -> dep.DeployResult:
    return dep.deploy(d.port, root=str(d.root), **kw)


def test_first_deploy_installs_exactly_the_device_set(device):
    (device.root / "keep.log").write_bytes(b"a session log, not ours")
    (device.root / "session.py").write_text("# old source copy that would shadow session.mpy\n")
    result = run_deploy(device)
    expected = device_set()
    assert "main.py" in expected and "__init__.py" not in expected
    assert all(n == "main.py" or n.endswith(".mpy") for n in expected)
    assert sorted(result.plan.copy) == sorted(expected)
    assert result.plan.remove == ["session.py"]
    assert result.reset and device.wait_exit(), "reset must end the unix-port process"
    files = device.files()
    assert set(files) == set(expected) | {"keep.log", dep.MANIFEST}
    for name, data in expected.items():
        assert files[name] == data, name
    assert files["keep.log"] == b"a session log, not ours"
    manifest = json.loads(files[dep.MANIFEST])
    assert set(manifest["files"]) == set(expected)
    assert manifest["fw"] == dep.fw_version()


def test_redeploy_changes_nothing(device):
    run_deploy(device)
    before = device.files()
    device.restart()
    again = run_deploy(device)
    assert again.plan.copy == [] and again.plan.remove == []
    assert sorted(again.plan.same) == sorted(device_set())
    assert device.files() == before


def test_changed_and_dropped_files(device, tmp_path):
    src = tmp_path / "fw"
    shutil.copytree(firmware_dir(), src, ignore=shutil.ignore_patterns("__pycache__"))
    (src / "extra_tool.py").write_text("X = 1\n")
    run_deploy(device, src_dir=src)
    assert "extra_tool.mpy" in device.files()
    # Change one module, drop another.
    (src / "events.py").write_text((src / "events.py").read_text() + "\nDEPLOY_TEST = 7\n")
    (src / "extra_tool.py").unlink()
    device.restart()
    before = device.files()
    dry = run_deploy(device, src_dir=src, dry_run=True)
    assert dry.plan.copy == ["events.mpy"]
    assert dry.plan.remove == ["extra_tool.mpy"]
    assert device.files() == before, "a dry run must change nothing"
    assert device.alive(), "a dry run of an idle REPL leaves the device running"
    device.restart()
    result = run_deploy(device, src_dir=src)
    assert result.plan.copy == ["events.mpy"] and result.plan.remove == ["extra_tool.mpy"]
    files = device.files()
    assert "extra_tool.mpy" not in files
    assert files["events.mpy"] == device_set(src)["events.mpy"]
    assert files["events.mpy"] != before["events.mpy"]


def test_damaged_transfer_switches_nothing(device, tmp_path, monkeypatch):
    src = tmp_path / "fw"
    shutil.copytree(firmware_dir(), src, ignore=shutil.ignore_patterns("__pycache__"))
    run_deploy(device, src_dir=src)
    before = device.files()
    device.restart()
    for name in ("ledring.py", "session.py"):
        (src / name).write_text((src / name).read_text() + "\nDEPLOY_TEST = 1\n")
    original = dep.Device.write

    def corrupting(self, name, data):
        if name.startswith("ledring"):
            data = data[:-1] + bytes([data[-1] ^ 0xFF])  # one flipped byte on the way
        original(self, name, data)

    monkeypatch.setattr(dep.Device, "write", corrupting)
    with pytest.raises(dep.DeviceVerifyError) as err:
        run_deploy(device, src_dir=src)
    assert "ledring.mpy" in str(err.value) and "session.mpy" not in str(err.value)
    assert device.files() == before, "old firmware intact, no staged files left"


def test_refuses_while_a_session_runs(tmp_path):
    root = tmp_path / "fs"
    root.mkdir()
    d = PtyDevice(root, fake_state="running").start()
    try:
        with pytest.raises(dep.SessionRunningError) as err:
            run_deploy(d)
        assert "--force" in str(err.value)
        assert d.alive(), "the firmware keeps running"
        assert not (root / "prepared").exists()
        assert not (root / "main.py").exists()
        # With --force: the log is flushed (prepare_update), then Ctrl-C stops it.
        result = run_deploy(d, force=True)
        assert (root / "prepared").read_text() == "running"
        assert result.forced and result.session_state == "running"
        assert (root / "main.py").exists()
    finally:
        d.stop()


def test_idle_firmware_is_interrupted_safely(tmp_path):
    root = tmp_path / "fs"
    root.mkdir()
    d = PtyDevice(root, fake_state="ready").start()
    try:
        result = run_deploy(d)
        assert result.firmware_answered and not result.forced
        assert (root / "prepared").read_text() == "ready"
        assert d.wait_exit()
        assert set(device_set()) <= set(d.files())
    finally:
        d.stop()


def test_watchdog_fed_while_the_firmware_is_stopped(tmp_path, monkeypatch):
    # The unix port has no machine.WDT: stand one in that logs each feed to a file.
    def fake_wdt(self):
        self.t.exec(
            "class _W:\n def feed(self):\n  f = open('fed', 'a')\n  f.write('x')\n  f.close()\n"
            "_tt_w = _W()"
        )
        self._wdt = True
        return True

    monkeypatch.setattr(dep.Device, "keep_watchdog_fed", fake_wdt)
    root = tmp_path / "fs"
    root.mkdir()
    d = PtyDevice(root, fake_state="ready").start()
    try:
        result = run_deploy(d)
        fed = len((root / "fed").read_text())
        # At least once per file written (staged copies and the manifest).
        assert fed >= len(result.plan.copy) + 1, fed
    finally:
        d.stop()


def test_no_watchdog_taken_over_without_firmware(device, monkeypatch):
    calls = []
    monkeypatch.setattr(dep.Device, "keep_watchdog_fed", lambda self: calls.append(1))
    run_deploy(device, dry_run=True)
    assert calls == [], "starting a WDT on an idle board would reset it 8 s later"


def run_cli(args: list[str]) -> int:
    from talktoken.cli.root import main

    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_dry_run_json(device, capsys):
    # --device-root: the unix port's "/" is this machine's root, never a place to deploy to.
    args = ["--json", "deploy", "--port", device.port, "--dry-run", "--device-root"]
    assert run_cli([*args, str(device.root)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dry_run"] is True
    assert sorted(data["copy"]) == sorted(device_set())
    assert device.files() == {}


def test_cli_refusal_exit_code(tmp_path, capsys):
    root = tmp_path / "fs"
    root.mkdir()
    d = PtyDevice(root, fake_state="paused").start()
    try:
        code = run_cli(["deploy", "--port", d.port, "--device-root", str(root)])
        assert code == dep.SessionRunningError.exit_code
        assert "session is paused" in capsys.readouterr().err
    finally:
        d.stop()


def test_plan_logic_without_a_device():
    local = {"main.py": "a", "x.mpy": "b", "y.mpy": "c"}
    device = {"main.py": "a", "x.mpy": "old", "y.mpy": None}
    manifest = ["main.py", "gone.mpy", "missing.mpy"]
    listing = ["main.py", "x.mpy", "gone.mpy", "x.py", "notes.txt", "y.mpy.tt-new"]
    plan = dep.make_plan(local, device, manifest, listing)
    assert plan.same == ["main.py"]
    assert plan.copy == ["x.mpy", "y.mpy"] and plan.new == ["y.mpy"]
    assert plan.remove == ["gone.mpy", "x.py", "y.mpy.tt-new"]  # never notes.txt


def test_journal_lists_the_boot_files_first_and_the_manifest_last():
    import fwswitch  # the firmware's own names (CPython imports it by its bare name)

    assert (dep.JOURNAL, plan_mod.JOURNAL_MAX_BYTES) == (fwswitch.JOURNAL, fwswitch.MAX_BYTES)
    local = {n: "h" for n in ("app.mpy", "fwswitch.mpy", "main.py", "ui.mpy")}
    plan = dep.make_plan(local, {"ui.mpy": "h"}, ["gone.mpy"], ["gone.mpy", "app.mpy.tt-new"])
    lines = plan_mod.journal_text(plan).decode().splitlines()
    assert lines == [
        "R fwswitch.mpy.tt-new fwswitch.mpy",
        "R main.py.tt-new main.py",
        "R app.mpy.tt-new app.mpy",
        # app.mpy.tt-new is staged again by this deploy: never removed under it
        "D gone.mpy",
        f"R {dep.MANIFEST}.tt-new {dep.MANIFEST}",
    ]
    plan.copy.append("bad name.mpy")
    with pytest.raises(dep.DeployError, match="space"):
        plan_mod.journal_text(plan)


def test_the_boot_finishes_a_journal_and_survives_without_fwswitch(device):
    run_deploy(device)
    assert device.wait_exit()
    root = device.root
    (root / "ui.mpy.tt-new").write_bytes((root / "ui.mpy").read_bytes())
    (root / "ui.mpy").write_bytes(b"half switched")
    (root / dep.JOURNAL).write_text("R ui.mpy.tt-new ui.mpy\n")
    device.restart()  # boots main.py
    assert (root / "ui.mpy").read_bytes() == device_set()["ui.mpy"]
    assert not (root / dep.JOURNAL).exists() and not (root / "ui.mpy.tt-new").exists()
    (root / "fwswitch.mpy").unlink()
    (root / dep.JOURNAL).write_text("D ui.mpy\n")
    device.restart()  # must not fail (PtyDevice.boot asserts a clean exit)
    assert (root / "ui.mpy").exists(), "no fwswitch, no journal run"
