# tools/ring_pictures.py draws every ring state from the real renderer into valid, distinct SVGs.
from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import ring_pictures  # noqa: E402


def test_pictures_written_and_distinct(tmp_path: Path):
    paths = ring_pictures.render_all(tmp_path)
    assert len(paths) == len(ring_pictures.states()) + 1
    bodies = set()
    for path in paths:
        root = ET.parse(path).getroot()  # well-formed XML
        circles = root.findall(".//{http://www.w3.org/2000/svg}circle")
        assert len(circles) >= 24 + 2
        bodies.add(path.read_text().split("<text", 1)[0])
    assert len(bodies) == len(paths), "every state looks different"
