# A shortened phase (negative extension) reads as a signed change in the text report.
from __future__ import annotations

import logstore
from coretest import MemFs, make
from session import Session
from talktoken.logfile import read as logread
from talktoken.metrics import summary as metrics
from talktoken.report import table as report_table
from talktoken.report.data import Detail


def test_shortened_phase_shows_a_minus_in_the_table():
    a = make(phases=[("Open", 20, "open", 0, 120), ("Close", 10, "open", 0, 60)])
    fs = MemFs(file_cap=32768)
    st = logstore.LogStore(fs, "e6614103e7452d2f", "0.2.0")
    st.begin(a, 1767225600)
    s = Session(a, st)
    s.start(0)
    s.give_floor(2, 1000)
    s.extend(-12, 3 * 60_000)
    s.next_phase(6 * 60_000)
    s.end(8 * 60_000)
    st.service(8 * 60_000)
    st.end()
    log = logread.parse(fs.text(next(n for n in fs.files if n.endswith(".ttl"))))
    summary = metrics.summarize(log)
    assert summary["phases"][0]["extended_ms"] == -12 * 60_000
    text = report_table._session(Detail(None, summary, metrics.timeline(log)), None)
    row = next(ln for ln in text.splitlines() if ln.lstrip("| ").startswith("1. Open"))
    assert "8:00 (-12:00)" in row, row
