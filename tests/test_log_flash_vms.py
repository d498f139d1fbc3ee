# The simulated flash image is the same LittleFS in both VMs: written by one, read by the other.
from __future__ import annotations

from pathlib import Path

import logstore
from logfs_helper import HASH, Agenda, Driver, turns_script
from mpvm import ROOT, run_micropython
from talktoken.logfile import read as logread
from talktoken.sim.vm import flash_cpy

SIM = ROOT / "host" / "talktoken" / "sim" / "vm"


def _mp(image: Path, mode: str) -> list[str]:
    proc = run_micropython(["-m", "flashvm_run", str(image), mode], extra_path=[SIM])
    assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()
    return proc.stdout.decode().splitlines()


def _sessions(st: logstore.LogStore) -> list[str]:
    out = [
        f"S {e['name']} {e['size']} {e['complete']} {st.sha256(e['name'])}" for e in st.sessions()
    ]
    return [*out, f"FSID {st.fs_id}"]


def test_micropython_image_reads_in_cpython(tmp_path: Path) -> None:
    image = tmp_path / "flash.img"
    lines = _mp(image, "write")
    assert image.stat().st_size == 64 * 4096
    fs = flash_cpy.FlashFs(str(image), 64, format_if_bad=False)
    st = logstore.LogStore(fs, "e6614c311b7d2a35", "0.1.0")
    assert _sessions(st) == lines
    buf = bytearray(8192)
    n = st.read_chunk("s00001.ttl", 0, len(buf), buf)
    log = logread.parse(bytes(buf[:n]))
    assert log.complete and not log.problems


def test_cpython_image_reads_in_micropython(tmp_path: Path) -> None:
    image = tmp_path / "flash.img"
    fs = flash_cpy.mkfs(str(image), 64)
    st = logstore.LogStore(fs, "e6614c311b7d2a35", "0.1.0")
    d = Driver(st)
    st.begin(Agenda(), 0, HASH)
    for t, recs in turns_script(50):
        d.step(t, recs)
    assert st.end()
    want = _sessions(st)
    fs.close()
    assert _mp(image, "read") == want


def test_image_file_persists_across_restarts(tmp_path: Path) -> None:
    image = tmp_path / "flash.img"
    fs = flash_cpy.mkfs(str(image), 64)
    st = logstore.LogStore(fs, "e6614c311b7d2a35", "0.1.0")
    fid = st.fs_id
    st.begin(Agenda(), 0, HASH)
    st.record(1, 15, 0, 0, 0)
    st.service(0)
    fs.close()  # the process stops without ending the session
    fs2 = flash_cpy.FlashFs(str(image), 64, format_if_bad=False)
    st2 = logstore.LogStore(fs2, "e6614c311b7d2a35", "0.1.0")
    assert st2.fs_id == fid and not st2.fresh
    u = st2.unfinished()
    assert u is not None and u.records == [(1, 15, 0, 0, 0)]
