# A host that stops reading mid-pull: the device's USB output drops what waited too long.
from __future__ import annotations

import time

import pytest
from proto_sim import copy_image, make_long_image
from talktoken.archive.store import Archive
from talktoken.device.client import Client
from talktoken.device.pull import pull_sessions
from talktoken.sim.device import SimDevice

SESSIONS = 16


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    # 16 sessions of 36 KB, 8 fetches in flight: more than a pty holds while the host sleeps.
    return make_long_image(tmp_path_factory.mktemp("slow") / "image.img", SESSIONS, 3000)


@pytest.mark.parametrize("pause_at", [2, 9, 15])
def test_a_pull_survives_a_host_that_stops_reading(image, tmp_path, pause_at):
    """A host that pauses while fetches stream fills the port; the device holds its output
    and goes on when the host reads again, as the Pico's loop does. (The stepped simulator
    used to wait for the host's next byte instead, and the pull gave up after 5 s.)"""
    paused = []

    def progress(name: str, done: int, size: int) -> None:
        if len(paused) < 1 and name.endswith(f"{pause_at:05d}.ttl"):
            paused.append(name)
            time.sleep(1.2)  # the port fills up meanwhile

    with SimDevice(flash=copy_image(image, tmp_path / "f.img")) as dev:
        with Client.connect(dev.port) as c, Archive(tmp_path / "a") as a:
            t0 = time.monotonic()
            result = pull_sessions(c, a, progress=progress)
            took = time.monotonic() - t0
        assert paused, "the pause never happened: the test proves nothing"
        assert not result.failed, [p.error for p in result.failed]
        assert len(result.sessions) == SESSIONS
        with Archive(tmp_path / "a") as a:
            assert len(a.sessions()) == SESSIONS
    assert took < 4, took  # the device wrote on as soon as the host read again


@pytest.mark.parametrize("lie", ["silence", "truncate"])
def test_a_fetch_lost_on_the_way_is_asked_again(tmp_path, lie, monkeypatch):
    """The Pico's USB drops output that waits too long for a reader: a fetch's reply can be
    lost whole ("silence") or cut in its last line ("truncate"). The pull asks for it again
    after a short silence and archives every file, verified."""
    from hostile_device import HostileDevice, genuine_files
    from talktoken.device import pipeline
    from talktoken.device.link import Link

    monkeypatch.setattr(pipeline, "STALL_S", 0.2)
    files = genuine_files(tmp_path / "g")
    # hello, info + sessions (pipelined), then one fetch per file: the 2nd fetch is spoiled
    assert len(files) >= 2
    dev = HostileDevice(files, ["honest"] * 4 + [lie] + ["honest"] * 40)
    client = Client(Link("hostile", transport=dev, timeout=2.0), timeout=2.0)
    client.hello()
    with Archive(tmp_path / "a") as a:
        t0 = time.monotonic()
        result = pull_sessions(client, a)
        took = time.monotonic() - t0
        assert not result.failed, [p.error for p in result.failed]
        assert {s.session_id for s in a.sessions()} == {p.session_id for p in result.sessions}
        assert len(a.sessions()) == len(files)
    assert dev.n > 3 + len(files), "no fetch was asked again: the test proves nothing"
    assert took < 2.0, took  # asked again after the silence, not given up at the timeout
