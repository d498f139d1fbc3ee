"""figures(): archive_import_1000_s, report_1000_sessions_s (+ html/csv variants, log format).

The import decodes every session and caches its metrics (the archive's default), so
`report_1000_sessions_s` is the first report after the import and `report_1000_sessions_cached_s`
the same report again. `archive_import_lazy_1000_s` and `report_1000_sessions_lazy_first_s` are
the same two steps for an archive that leaves the metrics to the first report.
`metrics_summarize_ms_per_session` is the median time of one `metrics.summarize` call (what an
import runs per session) over the same sessions, decoded from their files.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT / "host", ROOT / "tests"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from talktoken.fwtree.paths import enable_firmware_imports  # noqa: E402

enable_firmware_imports()

import report_kit as kit  # noqa: E402
from talktoken.archive.store import Archive  # noqa: E402
from talktoken.metrics import summary as metrics  # noqa: E402
from talktoken.report.make import make_report  # noqa: E402

SESSIONS = 1000
TURNS = 300


def _timed(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def summarize_ms(raws: list[bytes]) -> float:
    """Median milliseconds of one metrics.summarize call over the decoded sessions (warmed up)."""
    logs = [kit.parse(raw) for raw in raws]
    for log in logs[:20]:
        metrics.summarize(log)
    clock = time.perf_counter
    times = []
    for log in logs:
        t = clock()
        metrics.summarize(log)
        times.append(clock() - t)
    return statistics.median(times) * 1000


def figures(sessions: int = SESSIONS, turns: int = TURNS) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "pulled"
        src.mkdir()
        files = []
        raws = []
        for i in range(sessions):
            log = kit.synthetic(i, turns=turns, when=kit.dated(i)).log(session_id=kit.rand_hex())
            path = src / f"s{i:05d}.ttl"
            raw = kit.encode(log)
            path.write_bytes(raw)
            files.append(path)
            raws.append(raw)
        arc = Archive(Path(tmp) / "arc", parser=kit.parse)
        import_s, report = _timed(lambda: arc.import_files(files))
        assert len(report.new) == sessions and not report.skipped, report.skipped[:3]
        reimport_s, again = _timed(lambda: arc.import_files(files))
        assert len(again.unchanged) == sessions
        table_s, out = _timed(lambda: make_report(arc, "table", all_=True))
        assert f"{sessions} sessions" in out.text
        cached_s, again_out = _timed(lambda: make_report(arc, "table", all_=True))
        assert f"{sessions} sessions" in again_out.text
        lazy = Archive(Path(tmp) / "lazy", parser=kit.parse, lazy=True)
        lazy_import_s, _ = _timed(lambda: lazy.import_files(files))
        lazy_first_s, lazy_out = _timed(lambda: make_report(lazy, "table", all_=True))
        assert lazy_out.text == out.text
        lazy.close()
        html_s, _ = _timed(lambda: make_report(arc, "html", all_=True, out=Path(tmp) / "r.html"))
        csv_s, _ = _timed(lambda: make_report(arc, "csv", all_=True, out=Path(tmp) / "r.csv"))
        one_s, _ = _timed(lambda: make_report(arc, "html", last=True, out=Path(tmp) / "1.html"))
        arc.close()
        summarize_ms_one = summarize_ms(raws)
    return {
        "archive_import_1000_s": round(import_s, 3),
        "archive_reimport_1000_s": round(reimport_s, 3),
        "report_1000_sessions_s": round(table_s, 3),
        "report_1000_sessions_cached_s": round(cached_s, 3),
        "archive_import_lazy_1000_s": round(lazy_import_s, 3),
        "report_1000_sessions_lazy_first_s": round(lazy_first_s, 3),
        "report_1000_sessions_html_s": round(html_s, 3),
        "report_1000_sessions_csv_turns_s": round(csv_s, 3),
        "report_one_session_html_s": round(one_s, 3),
        "metrics_summarize_ms_per_session": round(summarize_ms_one, 4),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(figures(), indent=2))
