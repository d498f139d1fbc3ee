"""archive verify, purge (confirmation, durability under kills) and info; kills during a pull."""

from __future__ import annotations

import hashlib
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import report_kit as kit
from report_kit import dated, synthetic
from talktoken.archive import upkeep
from talktoken.archive.store import Archive

CHILD = Path(__file__).with_name("archive_child.py")


def raw_session(i: int) -> bytes:
    return kit.encode(synthetic(i, turns=20, when=dated(i)).log(session_id="%016x" % (i + 1)))


def make(path: Path, n: int) -> dict[str, bytes]:
    """An archive of n weekly sessions; returns session id -> raw bytes."""
    raws = {"%016x" % (i + 1): raw_session(i) for i in range(n)}
    with Archive(path, parser=kit.parse) as a:
        a.import_many([(r, None) for r in raws.values()])
    return raws


def run_cli(args: list[str], stdin: str = "") -> tuple[int, str]:
    from click.testing import CliRunner
    from talktoken.cli import root

    result = CliRunner().invoke(root.cli, args, input=stdin, catch_exceptions=True)
    code = result.exit_code
    exc = result.exception
    if exc is not None and hasattr(exc, "exit_code") and not isinstance(exc, SystemExit):
        code = exc.exit_code
        return code, result.output + str(exc)
    return code, result.output


def whole_or_gone(path: Path, raws: dict[str, bytes]) -> set[str]:
    """Every session is either whole (row, bytes with its hash, seat rows) or entirely gone;
    `verify` agrees. Returns the ids still there."""
    with Archive(path, parser=kit.parse) as a:
        report = upkeep.verify(a)
        assert report.clean, report.as_dict()
        rows = {sid for (sid,) in a.db.execute("SELECT session_id FROM sessions")}
        blobs = {sid for (sid,) in a.db.execute("SELECT session_id FROM blobs")}
        stats = {sid for (sid,) in a.db.execute("SELECT DISTINCT session_id FROM seat_stats")}
        assert rows == blobs and stats <= rows
        for sid in rows:
            assert a.raw(sid) == raws[sid]
            assert a.has(sid, hashlib.sha256(raws[sid]).hexdigest())
        return rows


def test_verify_a_good_archive(tmp_path):
    make(tmp_path / "a", 3)
    code, out = run_cli(["--archive", str(tmp_path / "a"), "archive", "verify"])
    assert code == 0 and "3 of 3" in out


def test_verify_names_each_damaged_session(tmp_path):
    raws = make(tmp_path / "a", 5)
    ids = sorted(raws)
    with Archive(tmp_path / "a", parser=kit.parse) as a:
        flipped = bytearray(raws[ids[0]])
        flipped[40] ^= 1
        a.db.execute("UPDATE blobs SET raw = ? WHERE session_id = ?", (bytes(flipped), ids[0]))
        a.db.execute("DELETE FROM blobs WHERE session_id = ?", (ids[1],))
        a.db.execute("UPDATE sessions SET summary = '{' WHERE session_id = ?", (ids[2],))
        a.db.execute("DELETE FROM sessions WHERE session_id = ?", (ids[3],))  # bytes left alone
        a.db.commit()
    code, out = run_cli(["--archive", str(tmp_path / "a"), "archive", "verify"])
    assert code == upkeep.ArchiveDamagedError.exit_code == 91
    for sid in ids[:4]:
        assert f"DAMAGED {sid}" in out
    assert ids[4] not in out.split("damaged session(s):")[1]
    code, out = run_cli(["--json", "--archive", str(tmp_path / "a"), "archive", "verify"])
    doc = json.loads(out[: out.rindex("}") + 1])
    assert doc["ok"] == 1 and len(doc["damaged"]) == 4
    assert "hash to" in {d["session_id"]: d["reason"] for d in doc["damaged"]}[ids[0]]


def test_purge_asks_and_only_removes_what_is_confirmed(tmp_path):
    raws = make(tmp_path / "a", 6)  # weekly from 2025-01-07
    args = ["--archive", str(tmp_path / "a"), "archive", "purge", "--before", "2025-01-22"]
    code, out = run_cli(args, stdin="n\n")
    assert code != 0 and "Remove 3 session(s)" in out
    assert len(whole_or_gone(tmp_path / "a", raws)) == 6
    code, out = run_cli(args, stdin="y\n")
    assert code == 0 and "removed 3 session(s)" in out
    left = whole_or_gone(tmp_path / "a", raws)
    assert left == set(sorted(raws)[3:])
    code, out = run_cli([*args[:-2], "--older-than", "0", "--yes"])
    assert code == 0 and "removed 3" in out
    assert whole_or_gone(tmp_path / "a", raws) == set()
    with Archive(tmp_path / "a") as a:  # the bytes are overwritten, not left in free pages
        a.db.execute("PRAGMA wal_checkpoint")
    db = (tmp_path / "a" / "archive.sqlite3").read_bytes()
    assert all(r[100:160] not in db for r in raws.values())


def test_purge_needs_one_cutoff(tmp_path):
    make(tmp_path / "a", 1)
    code, out = run_cli(["--archive", str(tmp_path / "a"), "archive", "purge", "--yes"])
    assert code == upkeep.ArchiveError.exit_code and "--before" in out
    code, out = run_cli(
        ["--archive", str(tmp_path / "a"), "archive", "purge", "--before", "soon", "--yes"]
    )
    assert "wants a date" in out


def test_info(tmp_path):
    make(tmp_path / "a", 4)
    code, out = run_cli(["--json", "--archive", str(tmp_path / "a"), "archive", "info"])
    doc = json.loads(out)
    assert code == 0 and doc["sessions"] == 4 and doc["path"] == str(tmp_path / "a")
    assert doc["oldest"].startswith("2025-01-07") and doc["newest"].startswith("2025-01-28")
    assert doc["size_bytes"] >= doc["raw_bytes"] > 0
    code, out = run_cli(["--archive", str(tmp_path / "a"), "archive", "info"])
    assert "sessions  4" in out


def _child(args: list[str]) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, str(CHILD), *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_purge_killed_at_every_statement_leaves_no_half_session(tmp_path):
    raws = make(tmp_path / "base", 4)
    base = (tmp_path / "base" / "archive.sqlite3").read_bytes()
    seen = set()
    for k in [*range(0, 13), "commit"]:
        arc = tmp_path / f"k{k}"
        arc.mkdir(mode=0o700)
        (arc / "archive.sqlite3").write_bytes(base)
        proc = _child(["purge", str(arc), "2025-01-22T00:00:00+00:00", str(k)])
        proc.wait(30)
        left = whole_or_gone(arc, raws)
        assert left in (set(raws), set(sorted(raws)[3:])), (k, left)
        seen.add(len(left))
    assert seen == {4, 1}  # killed before and after the commit


def test_purge_killed_at_random_moments(tmp_path):
    raws = make(tmp_path / "base", 60)
    base = (tmp_path / "base" / "archive.sqlite3").read_bytes()
    rng = random.Random(15)
    for i in range(6):
        arc = tmp_path / f"r{i}"
        arc.mkdir(mode=0o700)
        (arc / "archive.sqlite3").write_bytes(base)
        proc = _child(["purge", str(arc), "2099-01-01"])
        time.sleep(rng.uniform(0, 0.03))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        assert whole_or_gone(arc, raws) in (set(raws), set())


@pytest.fixture(scope="module")
def device_image(tmp_path_factory):
    from proto_sim import make_image

    return make_image(tmp_path_factory.mktemp("kill") / "image.img", 4)


@pytest.mark.parametrize("exit_at", ["0", "3", "7", "commit", "random", "random"])
def test_pull_killed_leaves_sessions_archived_and_verified_or_absent(
    tmp_path, device_image, exit_at
):
    from proto_sim import copy_image
    from talktoken.device.client import Client
    from talktoken.device.pull import pull_sessions
    from talktoken.sim.device import SimDevice

    with SimDevice(flash=copy_image(device_image, tmp_path / "f.img")) as dev:
        with Client.connect(dev.port) as c:
            originals = {}
            for s in c.sessions():
                raw, sha = c.fetch(s["name"])
                originals[s["name"]] = (s["id"], sha, raw)
        raws = {sid: raw for sid, _, raw in originals.values()}
        arc = tmp_path / "a"
        if exit_at == "random":
            proc = _child(["pull", str(arc), dev.port])
            time.sleep(random.uniform(0, 1.0))
            proc.send_signal(signal.SIGKILL)
        else:
            proc = _child(["pull", str(arc), dev.port, exit_at])
        proc.wait(60)
        held = whole_or_gone(arc, raws)
        if exit_at in ("0", "3"):
            assert held == set()
        with Client.connect(dev.port) as c:
            left = {s["name"] for s in c.sessions()}
        for name, (sid, _, _) in originals.items():
            assert name in left or sid in held, (exit_at, name)
        with Archive(arc, lazy=True) as a, Client.connect(dev.port) as c:  # a re-run completes
            assert not pull_sessions(c, a, delete=True).failed
        assert whole_or_gone(arc, raws) == set(raws)


def test_new_errors_have_their_own_exit_codes():
    import importlib
    import pkgutil

    import talktoken
    from talktoken.errors import TalktokenError
    from talktoken.export.run import ExportError

    for mod in pkgutil.walk_packages(talktoken.__path__, "talktoken."):
        if not any(x in mod.name for x in (".vm", "vmshim", "__main__")):
            importlib.import_module(mod.name)
    seen: dict[int, list[str]] = {}
    stack = [TalktokenError]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if "exit_code" in vars(cls):
            seen.setdefault(cls.exit_code, []).append(cls.__name__)
    assert seen[90] == [ExportError.__name__]
    assert seen[91] == [upkeep.ArchiveDamagedError.__name__]
