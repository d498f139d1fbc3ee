# End to end: logs list / pull (idempotent, verified, --delete) against a simulated device.
from __future__ import annotations

import hashlib
import json

import pytest
from proto_sim import cli, copy_image, make_image, play, start_session
from talktoken.archive.store import Archive
from talktoken.device.client import Client
from talktoken.sim.device import SimDevice


@pytest.fixture(scope="module")
def image3(tmp_path_factory):
    return make_image(tmp_path_factory.mktemp("img") / "three.img", 3)


@pytest.fixture
def dev(image3, tmp_path):
    with SimDevice(vm="micropython", flash=copy_image(image3, tmp_path / "flash.img")) as d:
        yield d


def _device_files(port: str) -> dict[str, tuple[str, bytes]]:
    with Client.connect(port) as c:
        return {s["name"]: (s["id"], c.fetch(s["name"])[0]) for s in c.sessions()}


def test_logs_list(dev):
    r = cli(dev.port, "logs", "list")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(".ttl") == 3 and "yes" in r.stdout
    rows = json.loads(cli(dev.port, "--json", "logs", "list").stdout)
    assert [r["complete"] for r in rows] == [True, True, True]
    assert len({r["id"] for r in rows}) == 3


def test_pull_is_verified_and_idempotent(dev, tmp_path):
    files = _device_files(dev.port)
    arch = tmp_path / "archive"
    r = cli(dev.port, "logs", "pull", archive=arch)
    assert r.returncode == 0, r.stderr
    assert "3 new, 0 already archived" in r.stdout
    assert "[" not in r.stderr  # no progress bar when stderr is not a terminal
    with Archive(arch) as a:
        rows = a.sessions()
        assert sorted(x.session_id for x in rows) == sorted(i for i, _ in files.values())
        for sid, raw in files.values():
            assert a.has(sid, hashlib.sha256(raw).hexdigest())
            assert a.raw(sid) == raw
    r = cli(dev.port, "--json", "logs", "pull", "--no-progress", archive=arch)
    assert r.returncode == 0
    statuses = [s["status"] for s in json.loads(r.stdout)["sessions"]]
    assert statuses == ["archived"] * 3
    assert len(json.loads(cli(dev.port, "--json", "logs", "list").stdout)) == 3  # nothing deleted


def test_pull_delete_removes_only_archived(dev, tmp_path):
    arch = tmp_path / "archive"
    files = _device_files(dev.port)
    victim = sorted(files)[1]
    sid, raw = files[victim]
    with Archive(arch) as a:  # a session already archived: delete may remove it without a fetch
        a.import_raw(raw, hashlib.sha256(raw).hexdigest())
    r = cli(dev.port, "--json", "logs", "pull", "--delete", archive=arch)
    assert r.returncode == 0, r.stderr
    got = {s["name"]: s for s in json.loads(r.stdout)["sessions"]}
    assert got[victim]["status"] == "archived" and got[victim]["deleted"]
    assert all(s["deleted"] for s in got.values())
    assert json.loads(cli(dev.port, "--json", "logs", "list").stdout) == []
    with Archive(arch) as a:
        assert len(a.sessions()) == 3


def test_session_pulled_while_another_runs(dev, tmp_path):
    arch = tmp_path / "archive"
    start_session(dev)
    r = cli(dev.port, "--json", "logs", "pull", "--delete", archive=arch)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)["sessions"]
    assert [s["status"] for s in got] == ["new", "new", "new", "running"]
    assert [s["deleted"] for s in got] == [True, True, True, False]
    st = dev.state()
    assert st["state"] == "running"
    play(dev, [("next", None, 3000), ("end", None, 500)])
    r = cli(dev.port, "--json", "logs", "pull", archive=arch)
    got = json.loads(r.stdout)["sessions"]
    assert [s["status"] for s in got] == ["new"]
    with Archive(arch) as a:
        rows = a.sessions()
        assert len(rows) == 4 and all(x.complete for x in rows)


def test_pull_without_archive_option_uses_env(dev, tmp_path):
    r = cli(dev.port, "logs", "pull", env={"TALKTOKEN_ARCHIVE": str(tmp_path / "a2")})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "a2").is_dir()
