# The end-to-end protocol checks against a real Pico (pytest --pico-port PORT); skipped otherwise.
from __future__ import annotations

import json
import time

import pytest
from proto_sim import cli
from talktoken.agenda import file as agendafile
from talktoken.device.client import Client
from talktoken.device.errors import DeviceError

pytestmark = pytest.mark.hardware


def test_pico_info_clock_agenda_logs_watch(pico_port, tmp_path):
    r = cli(pico_port, "--json", "info")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["proto"] == 1
    r = cli(pico_port, "clock", "sync")
    assert r.returncode == 0, r.stderr
    assert abs(json.loads(cli(pico_port, "--json", "info").stdout)["clock"] - time.time()) < 5
    if info["state"] in ("ready", "ended"):
        path = tmp_path / "a.toml"
        path.write_text(agendafile.template_text("interpersonal"))
        r = cli(pico_port, "agenda", "push", str(path))
        assert r.returncode == 0, r.stderr
        before = json.loads(cli(pico_port, "--json", "info").stdout)["agenda"]
        bad = agendafile.load(path)
        bad["seats"] = 40
        with Client.connect(pico_port) as c, pytest.raises(DeviceError):
            c.agenda_set(bad)
        assert json.loads(cli(pico_port, "--json", "info").stdout)["agenda"] == before
        out = tmp_path / "pulled.toml"
        assert cli(pico_port, "agenda", "pull", "-o", str(out)).returncode == 0
        assert agendafile.load(out) == agendafile.load(path)
    r = cli(pico_port, "--json", "logs", "list")
    assert r.returncode == 0, r.stderr
    arch = tmp_path / "archive"
    r = cli(pico_port, "--json", "logs", "pull", archive=arch)
    assert r.returncode == 0, r.stderr
    again = json.loads(cli(pico_port, "--json", "logs", "pull", archive=arch).stdout)
    assert all(s["status"] in ("archived", "running") for s in again["sessions"])
    assert cli(pico_port, "watch", "--seconds", "1").returncode == 0


def test_pico_answers_malformed_lines(pico_port):
    import random

    import fuzzlines

    with Client.connect(pico_port) as c:
        rng = random.Random(7)
        for i in range(300):
            line, framed = fuzzlines.line(rng, 500_000 + i)
            if b"\x03" in line:
                continue  # no session may be running: 0x03 would stop the firmware (by design)
            c.link.ser.write(line + b"\n")
            if framed:
                reply = c._wait(500_000 + i, "fuzz")
                assert reply.kind in ("ok", "err", "chunk")
        assert c.info()["proto"] == 1
