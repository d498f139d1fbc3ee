# End to end with more sessions than one `sessions` page: list, info and pull see every one.
from __future__ import annotations

import json

import agenda as agendamod
import events as E
import logstore
import pytest
from proto_sim import cli
from talktoken.device.client import Client
from talktoken.sim.device import SimDevice
from talktoken.sim.vm import flash_cpy

MANY = 75  # three pages of 32 (the device's default), and a last page of 11


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """A flash image holding MANY tiny finished sessions, written by the firmware's store."""
    path = tmp_path_factory.mktemp("img") / "many.img"
    fs = flash_cpy.mkfs(str(path))
    st = logstore.LogStore(fs, "e6614c311b7d2a35", "0.1.0")
    a = agendamod.default()
    for i in range(MANY):
        st.begin(a, 1767225600 + i * 3600, agendamod.digest(a))
        st.record(E.EV_SESSION_START, 15, 0, 0)
        st.record(E.EV_TURN_START, i % 8, 0, 100)
        st.record(E.EV_SESSION_END, 15, 0, 5000)
        assert st.end()
    fs.close()
    return path


@pytest.fixture
def dev(image, tmp_path):
    flash = tmp_path / "flash.img"
    flash.write_bytes(image.read_bytes())
    with SimDevice(vm="micropython", flash=flash) as d:
        yield d


def test_list_info_and_pull_see_every_session(dev, tmp_path):
    with Client.connect(dev.port) as c:
        first = c.request("sessions")
        assert (len(first["sessions"]), first["total"], first["next"]) == (32, MANY, 32)
        rows = c.sessions()
        assert c.info()["sessions"] == MANY
    names = [r["name"] for r in rows]
    assert names == [f"s{i + 1:05d}.ttl" for i in range(MANY)]
    assert all(r["complete"] and len(r["id"]) == 16 for r in rows)
    r = cli(dev.port, "--json", "logs", "list")
    assert r.returncode == 0, r.stderr
    assert [row["name"] for row in json.loads(r.stdout)] == names
    r = cli(dev.port, "--json", "logs", "pull", "--delete", archive=tmp_path / "a", timeout=180)
    assert r.returncode == 0, r.stderr
    pulled = json.loads(r.stdout)["sessions"]
    assert sorted(p["name"] for p in pulled) == names
    assert all(p["deleted"] for p in pulled)
    with Client.connect(dev.port) as c:
        assert c.sessions() == [] and c.info()["sessions"] == 0


class _Paged:
    """A stand-in device for all_sessions: `sessions` pages over a list that may change."""

    def __init__(self, names: list[str], paged: bool = True):
        self.names = names
        self.paged = paged
        self.asked = 0

    def request(self, op: str, args: dict | None = None) -> dict:
        return self.page(**(args or {}))

    def page(self, start: int = 0, count: int = 32) -> dict:
        self.asked += 1
        rows = [{"name": n} for n in self.names]
        if not self.paged:
            return {"sessions": rows}
        end = min(start + count, len(rows))
        nxt = end if end < len(rows) else None
        return {"sessions": rows[start:end], "total": len(rows), "next": nxt}


def test_all_sessions_old_firmware_and_a_listing_that_changes(monkeypatch):
    from talktoken.device import pipeline

    old = _Paged([f"s{i:05d}.ttl" for i in range(50)], paged=False)
    assert len(pipeline.all_sessions(old)) == 50 and old.asked == 1
    dev = _Paged([f"s{i:05d}.ttl" for i in range(70)])

    def run(client, asks, window):
        if len(dev.names) == 70:  # a session begins while the first listing is read
            dev.names.append("s99999.ttl")
        return [client.page(**args) for _, args in asks]

    monkeypatch.setattr(pipeline, "run_requests", run)
    rows = pipeline.all_sessions(dev)
    assert [r["name"] for r in rows] == dev.names and len(dev.names) == 71
    assert dev.asked == 3 + 3  # the listing read again once: first page + two more, twice
