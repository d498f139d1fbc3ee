# The HTML report: self-contained (static check), opened in headless Chromium offline, screenshot.
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import report_kit as kit
from talktoken.report.make import make_report

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "img" / "report.png"
BUILD_SHOT = ROOT / "build" / "img" / "report.png"
QUIET = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # any name lookup fails: nothing could load
]


@pytest.fixture(scope="module")
def html_file(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("html")
    labels = tmp / "labels.toml"
    labels.write_text('[seats]\n0 = "Dr. Rivera"\n3 = "Sam"\n')
    arc = kit.make_archive(tmp / "arc", n=8, turns=150)
    out = tmp / "report.html"
    make_report(arc, "html", last=True, labels_path=str(labels), out=out)
    arc.close()
    return out


def test_static_self_contained(html_file):
    html = html_file.read_text()
    assert "<script" not in html.lower()
    assert not re.search(r"(?i)\b(https?|ftp|wss?):", html.replace("http-equiv", ""))
    assert not re.search(r"(?i)@import|url\((?!#)", html)
    for attr in re.findall(
        r"""(?i)\b(?:src|href|xlink:href|action|srcset)\s*=\s*["']?([^"' >]*)""", html
    ):
        assert attr.startswith(("#", "data:")), attr
    assert "default-src 'none'" in html  # the page itself forbids any fetch
    assert "Dr. Rivera" in html  # labels applied at render time


def test_charts_present(html_file):
    html = html_file.read_text()
    for chart in ("ring", "timeline", "phases"):
        assert html.count(f'<svg id="{chart}"') == 1, chart
    assert html.count('class="trend"') == 8  # one small chart per seat
    assert html.count('class="led ') == 24  # the device ring's 24 LEDs
    assert html.count('<rect class="turn ') > 100
    assert "@media (prefers-color-scheme:dark)" in html and "@media print" in html


def _page_fetches(netlog: Path) -> list[str]:
    """URLs requested on behalf of the page (browser-internal traffic has another isolation key)."""
    data = json.loads(netlog.read_text())
    start = data["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for ev in data["events"]:
        p = ev.get("params") or {}
        if ev["type"] == start and str(p.get("network_isolation_key", "")).startswith("file://"):
            urls.append(p["url"])
    return urls


def _chromium(chromium: str, page: Path, tmp: Path, *extra: str) -> tuple[str, list[str]]:
    netlog = tmp / (f"net-{page.stem}.json")
    cmd = [chromium, *QUIET, f"--log-net-log={netlog}", *extra, page.as_uri()]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout, _page_fetches(netlog)


def test_network_check_catches_a_fetch(chromium, tmp_path):
    """The negative control: a page that does fetch is caught by the same check."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><img src="http://example.invalid/x.png"><p>x</p>')
    _, fetched = _chromium(chromium, bad, tmp_path, "--dump-dom")
    assert fetched == ["http://example.invalid/x.png"]


def test_renders_offline_without_fetching(chromium, html_file, tmp_path):
    dom, fetched = _chromium(chromium, html_file, tmp_path, "--dump-dom")
    assert fetched == []
    assert dom.count("<svg") >= 3 + 8
    for chart in ('id="ring"', 'id="timeline"', 'id="phases"', 'id="trends"'):
        assert chart in dom


def test_screenshot(chromium, html_file, tmp_path):
    shot = tmp_path / "report.png"
    _, fetched = _chromium(
        chromium, html_file, tmp_path, "--window-size=1100,2600", f"--screenshot={shot}"
    )
    assert fetched == []
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000
    # The README's picture is refreshed on request only, so a test run never edits tracked files:
    # UPDATE_DOC_IMAGES=1 .venv/bin/pytest tests/test_report_html.py
    target = SCREENSHOT if os.environ.get("UPDATE_DOC_IMAGES") else BUILD_SHOT
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, target)
