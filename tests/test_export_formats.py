"""Every export format read back with the field's own readers, checked against the report."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path

import pympi
import pytest
import report_kit as kit
from export_kit import GOLDEN_ID, golden_log, golden_script
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from praatio import textgrid as praat_tg
from pyannote.database import util as pyannote_util
from talktoken.archive.store import Archive
from talktoken.export import run
from talktoken.export.spans import spans
from talktoken.metrics import summary as metrics

GOLDEN = Path(__file__).parent / "golden" / "export"


def _write(tmp_path: Path, log, fmt: str, labels=None) -> Path:
    (path,) = run.write_files([log], fmt, tmp_path / fmt, labels)
    return path


def _ms(x: float) -> int:
    return round(x * 1000)


def read_rttm(path: Path, sid: str) -> list[tuple[str, int, int]]:
    """(speaker, start ms, end ms) as pyannote reads them."""
    ann = pyannote_util.load_rttm(str(path))[sid]
    return sorted((lab, _ms(seg.start), _ms(seg.end)) for seg, _, lab in ann.itertracks(True))


def read_uem(path: Path, sid: str) -> list[tuple[int, int]]:
    return [(_ms(s.start), _ms(s.end)) for s in pyannote_util.load_uem(str(path))[sid]]


def read_eaf(path: Path) -> dict[str, tuple[str, list[tuple[int, int, str]]]]:
    """tier -> (PARTICIPANT, [(start, end, value)]) as pympi reads them."""
    eaf = pympi.Elan.Eaf(str(path))
    out = {}
    for tier in eaf.get_tier_names():
        who = eaf.get_parameters_for_tier(tier).get("PARTICIPANT", "")
        out[tier] = (who, sorted(eaf.get_annotation_data_for_tier(tier)))
    return out


def read_textgrid_praatio(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    grid = praat_tg.openTextgrid(str(path), includeEmptyIntervals=False)
    return {
        name: [(_ms(e.start), _ms(e.end), e.label) for e in grid.getTier(name).entries]
        for name in grid.tierNames
    }


def read_textgrid_pympi(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    grid = pympi.Praat.TextGrid(str(path))
    return {
        tier.name: [(_ms(a), _ms(b), text) for a, b, text in tier.get_intervals() if text]
        for tier in grid.get_tiers()
    }


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def check_against_summary(tmp_path: Path, log, summary: dict, turns_list: list[dict]) -> None:
    """Every format read back gives the turn counts, seats and durations of the report."""
    sid = log.session_id
    talk = [
        t for t in turns_list if t["kind"] in ("turn", "resumed") and t["end_ms"] > t["start_ms"]
    ]
    want = sorted((f"seat{t['seat']:02d}", t["start_ms"], t["end_ms"]) for t in talk)
    if want:
        assert read_rttm(_write(tmp_path, log, "rttm"), sid) == want
    # UEM: the scored regions add up to the phases' unpaused time
    regions = read_uem(_write(tmp_path, log, "uem"), sid) if spans(log).active else []
    assert sum(b - a for a, b in regions) == sum(p["actual_ms"] for p in summary["phases"])
    # scored over the UEM, each seat's RTTM speech is exactly its talk time (pauses excluded)
    for row in summary["seats"]:
        name = f"seat{row['seat']:02d}"
        inside = sum(
            max(0, min(e, b) - max(s, a)) for who, s, e in want if who == name for a, b in regions
        )
        assert inside == row["talk_ms"], (name, inside, row["talk_ms"])
    tiers = read_eaf(_write(tmp_path, log, "eaf"))
    grid = read_textgrid_praatio(_write(tmp_path, log, "textgrid"))
    grid2 = read_textgrid_pympi(tmp_path / "textgrid" / f"{sid}.TextGrid")
    assert grid == grid2
    for row in summary["seats"]:
        name = f"seat{row['seat']:02d}"
        who, anns = tiers[name]
        assert who == name
        spoken = [(t["start_ms"], t["end_ms"]) for t in talk if t["seat"] == row["seat"]]
        assert [(a, b) for a, b, _ in anns] == sorted(spoken)
        assert [(a, b) for a, b, _ in grid[name]] == sorted(spoken)
        n_turns = sum(1 for _, _, v in anns if v == "turn")
        assert n_turns == row["turns"] - sum(
            1
            for t in turns_list
            if t["seat"] == row["seat"] and t["kind"] == "turn" and t["end_ms"] == t["start_ms"]
        )
        assert [v for _, _, v in grid[name]] == [v for _, _, v in anns]
    assert set(tiers) >= {"phases", "passes", "pauses", "gaps"}
    assert len(tiers["passes"][1]) == summary["passes"]
    assert len(tiers["gaps"][1]) == summary["gaps"]
    assert sum(b - a for a, b, _ in tiers["pauses"][1]) == summary["paused_ms"]
    ran = [p for p in summary["phases"] if p["ran"] and p["end_ms"] > p["start_ms"]]
    assert [v for _, _, v in tiers["phases"][1]] == [p["name"] for p in ran]
    assert [v for _, _, v in grid["phases"]] == [p["name"] for p in ran]
    rows = read_csv(_write(tmp_path, log, "csv"))
    assert len(rows) == len(turns_list)
    assert sum(r["utterance"] == "pass" for r in rows) == summary["passes"]
    for r, t in zip(
        rows,
        sorted(turns_list, key=lambda t: (t["start_ms"], t["end_ms"], t["seat"])),
        strict=True,
    ):
        assert (int(r["begin"]), int(r["end"]), r["participant"]) == (
            t["start_ms"],
            t["end_ms"],
            f"seat{t['seat']:02d}",
        )
        assert r["source"] == sid


def _report_json(tmp_path: Path, raw: bytes, monkeypatch) -> dict:
    """`talktoken report --format json` of the one session in a fresh archive."""
    from talktoken.archive import store as archive_mod
    from talktoken.cli.root import main

    arc_dir = tmp_path / "arc"
    with Archive(arc_dir, parser=kit.parse) as arc:
        arc.import_raw(raw)
    monkeypatch.setattr(archive_mod, "_default_parser", kit.parse)
    out = tmp_path / "r.json"
    main(["--archive", str(arc_dir), "report", "--format", "json", "--last", "--out", str(out)])
    (session,) = json.loads(out.read_text())["sessions"]
    return session


def test_golden_session_agrees_with_the_report_json(tmp_path, monkeypatch):
    raw = kit.encode(golden_log())
    session = _report_json(tmp_path, raw, monkeypatch)
    log = kit.parse(raw)
    assert session["turns"] == 5 and session["passes"] == 1 and session["gaps"] == 1
    check_against_summary(tmp_path, log, session, session["turns_list"])


@pytest.mark.parametrize("fmt", list(run.FORMATS))
def test_golden_files(tmp_path, fmt):
    got = _write(tmp_path, kit.parse(kit.encode(golden_log())), fmt)
    if os.environ.get("TALKTOKEN_REGOLD"):
        (GOLDEN / got.name).write_text(got.read_text())
    assert got.read_text() == (GOLDEN / got.name).read_text()
    assert got.name == GOLDEN_ID + run.FORMATS[fmt].EXT
    assert got.stat().st_mode & 0o077 == 0


def test_cli_export_every_format_and_bundle(tmp_path, monkeypatch):
    from talktoken.archive import store as archive_mod
    from talktoken.cli.root import main

    arc_dir = tmp_path / "arc"
    with Archive(arc_dir, parser=kit.parse) as arc:
        arc.import_raw(kit.encode(golden_log()))
        other = kit.synthetic(3, turns=20, seats=4, when=kit.dated(1)).log(
            session_id=kit.rand_hex()
        )
        arc.import_raw(kit.encode(other))
    monkeypatch.setattr(archive_mod, "_default_parser", kit.parse)
    for fmt in run.FORMATS:
        main(
            [
                "--archive",
                str(arc_dir),
                "export",
                "--all",
                "--format",
                fmt,
                "--out",
                str(tmp_path / "o"),
            ]
        )
    names = sorted(p.name for p in (tmp_path / "o").iterdir())
    assert len(names) == 10 and f"{GOLDEN_ID}.TextGrid" in names
    bundle = tmp_path / "b.zip"
    main(["--archive", str(arc_dir), "export", "--all", "--bundle", str(bundle)])
    with zipfile.ZipFile(bundle) as zf:
        members = sorted(zf.namelist())
        book = json.loads(zf.read("codebook.json"))
        assert zf.read(f"{GOLDEN_ID}.rttm") == (GOLDEN / f"{GOLDEN_ID}.rttm").read_bytes()
    assert len(members) == 11
    assert book["labels"]["applied"] is False
    assert [s["session_id"] for s in book["sessions"]][0] == GOLDEN_ID
    assert book["sessions"][0]["facilitator_seats"] == [0]
    assert book["sessions"][0]["phases"][1]["name"] == "Talk"
    assert book["event_codes"]["11"] == "gap"
    assert {"talktoken_version", "log_format_version", "metrics"} <= set(book)
    assert "seats" not in book["labels"]


def test_labels_only_when_asked_and_the_codebook_says_so(tmp_path, monkeypatch):
    from talktoken.archive import store as archive_mod
    from talktoken.cli.root import main

    arc_dir = tmp_path / "arc"
    with Archive(arc_dir, parser=kit.parse) as arc:
        arc.import_raw(kit.encode(golden_log()))
    monkeypatch.setattr(archive_mod, "_default_parser", kit.parse)
    labels = tmp_path / "l.toml"
    labels.write_text('[seats]\n0 = "Dr Lee"\n2 = "Sam"\n')
    bundle = tmp_path / "b.zip"
    main(["--archive", str(arc_dir), "export", "--bundle", str(bundle), "--labels", str(labels)])
    with zipfile.ZipFile(bundle) as zf:
        book = json.loads(zf.read("codebook.json"))
        rttm_text = zf.read(f"{GOLDEN_ID}.rttm").decode()
        eaf_path = tmp_path / "x.eaf"
        eaf_path.write_bytes(zf.read(f"{GOLDEN_ID}.eaf"))
    assert book["labels"]["applied"] is True and book["labels"]["seats"]["seat02"] == "Sam"
    assert " Dr_Lee " in rttm_text and " seat01 " in rttm_text
    tiers = read_eaf(eaf_path)
    assert tiers["seat00"][0] == "Dr Lee" and tiers["seat01"][0] == "seat01"
    plain = tmp_path / "plain.zip"
    main(["--archive", str(arc_dir), "export", "--bundle", str(plain)])
    with zipfile.ZipFile(plain) as zf:
        assert not any(b"Dr Lee" in zf.read(n) or b"Dr_Lee" in zf.read(n) for n in zf.namelist())


def test_export_refuses_without_a_target(tmp_path):
    from talktoken.cli.root import main

    with pytest.raises(SystemExit) as failed:
        main(["--archive", str(tmp_path / "a"), "export", "--format", "rttm"])
    assert failed.value.code == 2
    (tmp_path / "f").write_text("x")
    with pytest.raises(run.ExportError, match="not a directory"):
        run.write_files([golden_log()], "rttm", tmp_path / "f")


def test_markers_get_a_tier_when_the_log_has_them(tmp_path):
    s = golden_script()
    s.events.insert(5, kit.Event(4100, "marker", None, 0, 3))
    tiers = read_eaf(_write(tmp_path, s.log(session_id=GOLDEN_ID), "eaf"))
    assert tiers["markers"][1] == [(4100, 4101, "marker 3")]
    assert "markers" not in read_eaf(_write(tmp_path / "b", golden_log(), "eaf"))


@st.composite
def sessions(draw):
    """Random plausible sessions: turns, passes, pauses, gaps and phase changes in time order."""
    seats = draw(st.integers(2, 6))
    s = kit.Script(seats=seats, phases=(("A", 5, "round"), ("B", 5, "open"), ("C", 5, "open")))
    s.start(0)
    t = 0
    for step in draw(
        st.lists(
            st.tuples(
                st.integers(0, 6),
                st.integers(0, seats - 1),
                st.integers(1, 9000),
                st.integers(0, 3000),
            ),
            max_size=25,
        )
    ):
        kind, seat, length, wait = step
        t += wait
        if kind <= 1:
            s.turn(seat, t, t + length)
        elif kind == 2:
            s.passed(seat, t, t + length)
        elif kind == 3:
            s.ev(t, "pause").ev(t + length, "resume")
        elif kind == 6:  # a pause inside a turn: only the unpaused part is talk
            s.ev(t, "turn_start", seat).ev(t + length // 3, "pause")
            s.ev(t + length // 2, "resume").ev(t + length, "turn_end", seat)
        elif kind == 4 and s.phase < 2:
            s.next_phase(t)
        else:
            s.ev(t, "turn_start", seat).ev(t + length, "gap").ev(t + 2 * length, "turn_end", seat)
            t += length
        t += length
    s.end(t + 1)
    return s.log(session_id=kit.rand_hex())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(log=sessions())
def test_random_sessions_read_back_as_summarized(tmp_path_factory, log):
    log = kit.parse(kit.encode(log))
    tmp = tmp_path_factory.mktemp("x")
    tl = metrics.timeline(log)
    summary = metrics.summarize(log)
    turns_list = [t.__dict__ for t in tl.turns]
    check_against_summary(tmp, log, summary, turns_list)
