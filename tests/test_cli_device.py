# End to end: the talktoken command against a simulated device (MicroPython) over a real pty.
from __future__ import annotations

import json
import subprocess
import time

import pytest
from proto_sim import SHORT, TALKTOKEN, cli, play, start_session
from talktoken.agenda import file as agendafile
from talktoken.device.client import Client
from talktoken.sim.device import SimDevice


@pytest.fixture
def dev():
    with SimDevice(vm="micropython") as d:
        yield d


def test_ports_lists_without_a_device():
    r = cli(None, "--json", "ports")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert isinstance(rows, list)
    assert all({"port", "talktoken"} <= set(row) for row in rows)


def test_no_device_and_missing_port_have_clear_errors(tmp_path):
    r = cli(str(tmp_path / "nope"), "info")
    assert r.returncode == 20
    assert r.stderr.startswith("talktoken: port ") and "talktoken ports" in r.stderr


def test_info_human_and_json(dev):
    r = cli(dev.port, "info")
    assert r.returncode == 0, r.stderr
    assert "Interpersonal process group" in r.stdout and "not set since boot" in r.stdout
    r = cli(dev.port, "--json", "info")
    info = json.loads(r.stdout)
    assert info["state"] == "ready" and info["proto"] == 1 and info["sessions"] == 0
    assert info["free"] > 1_000_000 and info["fresh"] is True


def test_port_option_wins_over_environment(dev, tmp_path):
    r = cli(str(tmp_path / "nope"), "--port", dev.port, "--json", "info")
    assert r.returncode == 0, r.stderr


def test_clock_show_and_sync(dev):
    r = cli(dev.port, "--json", "clock")
    before = json.loads(r.stdout)
    assert before["clock_set"] is False and before["offset_s"] < -10_000_000
    r = cli(dev.port, "clock", "sync")
    assert r.returncode == 0 and "device clock set" in r.stdout
    after = json.loads(cli(dev.port, "--json", "info").stdout)
    assert after["clock_set"] is True
    assert abs(after["clock"] - time.time()) < 5


def test_agenda_template_check_push_pull(dev, tmp_path):
    r = cli(None, "agenda", "template", "grief")
    assert r.returncode == 0
    path = tmp_path / "tuesday.toml"
    path.write_text(r.stdout.replace("seats = 8", "seats = 10"))
    r = cli(None, "agenda", "check", str(path))
    assert r.returncode == 0 and ": ok:" in r.stdout, r.stdout + r.stderr
    r = cli(dev.port, "--json", "agenda", "push", str(path))
    assert r.returncode == 0, r.stderr
    pushed = json.loads(r.stdout)
    data = agendafile.load(path)
    assert pushed["hash"] == agendafile.digest(data) and "clock" in pushed
    info = json.loads(cli(dev.port, "--json", "info").stdout)
    assert info["agenda"]["hash"] == pushed["hash"] and info["clock_set"] is True
    assert dev.state()["seats"] == 10
    out = tmp_path / "pulled.toml"
    r = cli(dev.port, "agenda", "pull", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert agendafile.load(out) == data
    r = cli(dev.port, "agenda", "pull")
    assert agendafile.check_text(r.stdout)[0] == data
    r = cli(None, "--json", "agenda", "template")
    assert json.loads(r.stdout) == list(agendafile.TEMPLATES)


def test_rejected_push_leaves_the_device_agenda(dev, tmp_path):
    before = json.loads(cli(dev.port, "--json", "info").stdout)["agenda"]
    bad = tmp_path / "bad.toml"
    bad.write_text(
        agendafile.template_text("cbt")
        .replace("seats = 9", "seats = 99")
        .replace("minutes = 20", "minutes = 0")
    )
    r = cli(dev.port, "agenda", "push", str(bad))
    assert r.returncode == 25
    assert "seats" in r.stderr and "line " in r.stderr
    assert "phase 3 (" in r.stderr and "): minutes:" in r.stderr  # phases as people count them
    r = cli(None, "--json", "agenda", "check", str(bad))
    assert r.returncode == 25
    assert {p["field"] for p in json.loads(r.stdout)["problems"]} == {"seats", "phases[2].minutes"}
    # The device validates too: send the bad agenda past the host's check.
    data = agendafile.check(bad)[0]
    with Client.connect(dev.port) as client:
        from talktoken.device.errors import DeviceError

        with pytest.raises(DeviceError) as exc:
            client.agenda_set(data)
        assert exc.value.code == "agenda"
        assert {f for f, _ in exc.value.detail} == {"seats", "phases[2].minutes"}
    after = json.loads(cli(dev.port, "--json", "info").stdout)["agenda"]
    assert after == before


def test_push_refused_while_a_session_runs(dev, tmp_path):
    start_session(dev)
    path = tmp_path / "cbt.toml"
    path.write_text(agendafile.template_text("cbt"))
    r = cli(dev.port, "agenda", "push", str(path))
    assert r.returncode == 27, r.stderr
    assert "session is running" in r.stderr
    assert dev.state()["state"] == "running"
    info = json.loads(cli(dev.port, "--json", "info").stdout)
    assert info["state"] == "running" and info["interrupt"] is False


def test_watch_prints_live_events(dev):
    proc = subprocess.Popen(
        [TALKTOKEN, "--port", dev.port, "--json", "watch", "--count", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    assert "watching" in proc.stderr.readline()  # printed once `watch` is on
    play(dev, SHORT[:3])  # start, floor to seat 0, next seat
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    events = [json.loads(line) for line in out.splitlines()]
    kinds = [e["ev"] for e in events]
    assert kinds[:3] == ["session_start", "phase_start", "turn_start"], kinds
    assert len(events) == 4 and events[2]["seat"] == 0


def test_watch_seconds_stops_and_human_text(dev):
    start_session(dev)
    t0 = time.monotonic()
    r = cli(dev.port, "watch", "--seconds", "0.5")
    assert r.returncode == 0 and time.monotonic() - t0 < 10
    assert "watching" in r.stderr
