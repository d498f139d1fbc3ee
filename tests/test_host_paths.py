# No traceback on any host path: bad files and folders, a full or read-only disk, Ctrl-C mid-pull.
from __future__ import annotations

import json
import os
import subprocess

import pytest
from hostile_device import HostileDevice, genuine_files
from proto_sim import cli, copy_image, make_image
from talktoken.archive.store import DB_NAME, Archive
from talktoken.device.client import Client
from talktoken.device.link import Link, LinkError
from talktoken.device.pull import PullInterrupted, pull_sessions
from talktoken.sim.device import SimDevice


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    return make_image(tmp_path_factory.mktemp("paths") / "image.img", 2)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return genuine_files(tmp_path_factory.mktemp("genuine"))


@pytest.fixture
def dev(image, tmp_path):
    with SimDevice(flash=copy_image(image, tmp_path / "f.img")) as d:
        yield d


def _sentence(r, code):
    assert "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("talktoken: "), r.stderr
    assert r.returncode == code, (r.returncode, r.stderr)


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs (needs root); filled up by the test that wants a full disk."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)])
    if r.returncode:
        pytest.skip("mounting a tmpfs needs root: run the tests as root, or `sudo`")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)])


def test_agenda_pull_into_a_missing_folder(dev, tmp_path):
    r = cli(dev.port, "agenda", "pull", "-o", str(tmp_path / "missing" / "x.toml"))
    _sentence(r, 69)
    assert "does not exist" in r.stderr


def test_archive_that_is_a_file(tmp_path):
    f = tmp_path / "notadir"
    f.write_text("x")
    r = cli(None, "report", archive=f)  # click's own check of --archive: a usage error
    assert "Traceback" not in r.stderr and r.returncode == 2 and "is a file" in r.stderr
    from talktoken.archive.errors import ArchiveError

    with pytest.raises(ArchiveError, match="is a file, not a folder"):
        Archive(f)  # the same for callers of the API


def test_archive_with_a_corrupt_database(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / DB_NAME).write_bytes(b"this is not SQLite" * 100)
    r = cli(None, "report", archive=tmp_path / "a")
    _sentence(r, 6)
    assert "damaged or not talktoken's" in r.stderr


def test_labels_key_that_is_a_digit_but_not_a_number(tmp_path):
    labels = tmp_path / "l.json"
    labels.write_text(json.dumps({"²": "Ann"}))
    r = cli(None, "report", "--labels", str(labels), archive=tmp_path / "a")
    assert "Traceback" not in r.stderr and r.returncode != 0, r.stderr
    assert "is not a seat number" in r.stderr or "no sessions" in r.stderr


def test_full_disk_for_the_archive_and_for_a_report(dev, small_disk, tmp_path):
    fd = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)  # fill the small disk
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    r = cli(dev.port, "logs", "pull", archive=small_disk / "archive")
    _sentence(r, r.returncode)
    assert r.returncode in (5, 6, 69), r.stderr  # SchemaError, ArchiveError, FileProblemError
    ok = tmp_path / "ok"
    assert cli(dev.port, "logs", "pull", archive=ok).returncode == 0
    r = cli(
        None, "report", "--all", "--format", "html", "--out", str(small_disk / "r.html"), archive=ok
    )
    _sentence(r, r.returncode)
    assert r.returncode in (10, 69), r.stderr  # ReportError, FileProblemError
    assert "full" in r.stderr or "space" in r.stderr, r.stderr


def test_read_only_archive(dev, small_disk, tmp_path):
    archive = small_disk / "archive"
    assert cli(dev.port, "logs", "pull", archive=archive).returncode == 0
    # A pull leaves the metrics to the first report, which caches them in the archive: a
    # read-only archive can be read once a report has run on it.
    assert cli(None, "report", "--all", archive=archive).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    r = cli(None, "report", "--all", archive=archive)  # reading works
    assert r.returncode == 0, r.stderr
    r = cli(dev.port, "logs", "pull", archive=archive)
    _sentence(r, r.returncode)
    assert r.returncode in (5, 6, 69)  # SchemaError, ArchiveError, FileProblemError
    r = cli(None, "agenda", "template", "grief")
    r = cli(dev.port, "agenda", "pull", "-o", str(small_disk / "x.toml"))
    _sentence(r, 69)
    assert "read-only" in r.stderr


def test_ctrl_c_during_a_pull_keeps_the_archive_consistent(files, tmp_path):
    client = Client(Link("h", transport=HostileDevice(files, ["honest"]), timeout=0.5), 0.5)
    client.hello()
    seen = []

    def progress(name, done, total):
        seen.append(name)
        if len(set(seen)) == 2:
            raise KeyboardInterrupt

    with Archive(tmp_path / "a") as a:
        with pytest.raises(PullInterrupted) as got:
            pull_sessions(client, a, delete=True, progress=progress)
        msg = str(got.value)
        assert got.value.exit_code == 64
        assert "1 of 2 sessions are stored in" in msg and "logs pull` again" in msg
        rows = a.sessions()
        assert len(rows) == 1
        raw = a.raw(rows[0].session_id)
        assert raw in files.values()
    with Archive(tmp_path / "a") as a:  # the next pull finishes it
        c2 = Client(Link("h", transport=HostileDevice(files, ["honest"]), timeout=0.5), 0.5)
        c2.hello()
        res = pull_sessions(c2, a)
        assert not res.failed and len(a.sessions()) == 2


def test_a_cut_link_says_how_many_were_stored(files, tmp_path):
    # hello, info, sessions, then two fetches in flight: the device vanishes in the second
    dev = HostileDevice(files, ["honest"] * 4 + ["vanish"])
    client = Client(Link("h", transport=dev, timeout=0.5), 0.5)
    client.hello()
    with Archive(tmp_path / "a") as a, pytest.raises(LinkError) as got:
        pull_sessions(client, a)
    assert "1 of 2 sessions are stored in" in str(got.value), got.value
    assert "run `talktoken logs pull` again to finish" in str(got.value)


def test_logs_pull_names_the_archive(dev, tmp_path):
    archive = tmp_path / "arch"
    r = cli(dev.port, "logs", "pull", archive=archive)
    assert r.returncode == 0, r.stderr
    assert f"archive: {archive}" in r.stdout
    r = cli(dev.port, "--json", "logs", "pull", archive=archive)
    assert json.loads(r.stdout)["archive"] == str(archive)
