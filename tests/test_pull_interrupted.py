# Interrupted pulls: the link is cut at >= 200 random byte offsets; nothing partial, nothing lost.
from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from proto_sim import copy_image, make_image
from talktoken.archive.store import Archive
from talktoken.device.client import Client
from talktoken.device.link import Link, LinkError, open_serial
from talktoken.device.pull import pull_sessions
from talktoken.sim.device import SimDevice

CASES = 200
WORKERS = 4


class CutSerial:
    """A pyserial port that dies after `budget` bytes in either direction (like a pulled cable)."""

    def __init__(self, ser, budget: int):
        self.ser = ser
        self.left = budget
        self.used = 0
        self.dead = False

    def _check(self) -> None:
        if self.dead:
            raise OSError("link cut")

    @property
    def in_waiting(self) -> int:
        self._check()
        return self.ser.in_waiting

    @property
    def timeout(self):
        return self.ser.timeout

    @timeout.setter
    def timeout(self, value) -> None:
        self.ser.timeout = value

    def _spend(self, n: int) -> int:
        take = min(n, self.left)
        self.left -= take
        self.used += take
        return take

    def read(self, n: int = 1) -> bytes:
        self._check()
        data = self.ser.read(n)
        take = self._spend(len(data))
        if take < len(data):
            self._die()
            return data[:take]
        return data

    def write(self, data: bytes) -> int:
        self._check()
        take = self._spend(len(data))
        self.ser.write(data[:take])
        if take < len(data):
            self._die()
            raise OSError("link cut")
        return take

    def flush(self) -> None:
        self._check()
        self.ser.flush()

    def _die(self) -> None:
        self.dead = True
        self.ser.close()

    def close(self) -> None:
        if not self.dead:
            self.ser.close()


def _pull(port: str, archive: Archive, budget: int) -> tuple[int, bool]:
    """One `logs pull --delete` through a link cut after budget bytes; (bytes used, completed)."""
    cut = CutSerial(open_serial(port), budget)
    client = Client(Link(port, transport=cut), timeout=3.0)
    try:
        client.hello()
        result = pull_sessions(client, archive, delete=True)
        assert not result.failed, result.failed
        return cut.used, True
    except LinkError:
        return cut.used, False
    finally:
        client.close()


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    return make_image(tmp_path_factory.mktemp("cut") / "image.img", 3)


@pytest.fixture(scope="module")
def originals(image, tmp_path_factory):
    """name -> (session id, sha256) of the image's sessions, and the bytes a full pull takes."""
    tmp = tmp_path_factory.mktemp("orig")
    with SimDevice(flash=copy_image(image, tmp / "f.img")) as dev:
        with Client.connect(dev.port) as c:
            files = {}
            for s in c.sessions():
                raw, sha = c.fetch(s["name"])
                files[s["name"]] = (s["id"], sha, raw)
        with Archive(tmp / "a") as a:
            total, done = _pull(dev.port, a, 1 << 40)
        assert done
    return files, total


def _case(seed: int, budget: int, image, files, tmp) -> dict:
    tmp.mkdir()
    with SimDevice(flash=copy_image(image, tmp / "f.img")) as dev, Archive(tmp / "a") as a:
        used, done = _pull(dev.port, a, budget)
        # The archive holds only whole, verified sessions, each once.
        rows = a.sessions()
        ids = [r.session_id for r in rows]
        assert len(ids) == len(set(ids))
        by_id = {sid: (sha, raw) for sid, sha, raw in files.values()}
        for r in rows:
            sha, raw = by_id[r.session_id]
            assert r.sha256 == sha
            assert a.raw(r.session_id) == raw
        assert not list((tmp / "a" / "sessions").glob("*.tmp"))
        # The device deleted nothing the archive does not hold verified.
        with Client.connect(dev.port) as c:
            left = {s["name"] for s in c.sessions()}
        for name, (sid, sha, _) in files.items():
            if name not in left:
                assert a.has(sid, sha), (seed, budget, name)
        # A re-run completes.
        _, again = _pull(dev.port, a, 1 << 40)
        assert again
        assert sorted(r.session_id for r in a.sessions()) == sorted(by_id)
        with Client.connect(dev.port) as c:
            assert c.sessions() == []
    return {"budget": budget, "used": used, "completed": done, "archived": len(rows)}


def test_cut_link_at_random_offsets(image, originals, tmp_path):
    files, total = originals
    rng = random.Random(4242)
    budgets = sorted(rng.randrange(0, total) for _ in range(CASES))
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(
            pool.map(
                lambda ib: _case(ib[0], ib[1], image, files, tmp_path / f"c{ib[0]}"),
                enumerate(budgets),
            )
        )
    assert len(results) == CASES
    cut = sum(not r["completed"] for r in results)
    assert cut >= CASES * 0.95  # (request ids vary in length, so a budget near the end may pass)
    partial = [r for r in results if 0 < r["archived"] < len(files)]
    assert partial, "some cuts should fall between sessions"
    print(f"cut cases {CASES} ({cut} mid-pull), full pull {total} B, partial {len(partial)}")
