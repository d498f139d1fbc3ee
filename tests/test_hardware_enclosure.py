# The OpenSCAD puck renders to a non-empty, single, plausible solid (Debian's openscad).
from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCAD = ROOT / "hardware/enclosure/puck.scad"


def _params() -> dict[str, float]:
    text = SCAD.read_text()
    return {k: float(v) for k, v in re.findall(r"^(\w+) = ([0-9.]+);", text, re.M)}


def _render(exe: str, part: str, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [exe, "-o", str(out), "-D", f'part="{part}"', str(SCAD)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stl_facets(path: Path) -> list[tuple[float, ...]]:
    data = path.read_bytes()
    verts: list[tuple[float, ...]] = []
    if data.startswith(b"solid"):
        for m in re.finditer(rb"vertex\s+(\S+)\s+(\S+)\s+(\S+)", data):
            verts.append(tuple(float(x) for x in m.groups()))
    else:
        (n,) = struct.unpack_from("<I", data, 80)
        for i in range(n):
            vals = struct.unpack_from("<12f", data, 84 + i * 50)
            verts += [vals[3:6], vals[6:9], vals[9:12]]
    return verts


@pytest.fixture(scope="module")
def rendered(openscad, tmp_path_factory):
    out = tmp_path_factory.mktemp("stl")
    procs = {p: (_render(openscad, p, out / f"{p}.stl"), out / f"{p}.stl") for p in ("body", "lid")}
    results = {}
    for part, (proc, path) in procs.items():
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"openscad failed on {part}:\n{err}"
        results[part] = (path, err)
    return results


@pytest.mark.parametrize("part", ["body", "lid"])
def test_part_is_one_nonempty_solid(rendered, part):
    path, log = rendered[part]
    verts = _stl_facets(path)
    assert len(verts) // 3 > 500, f"{part}: only {len(verts) // 3} facets"
    volumes = re.search(r"Volumes:\s+(\d+)", log)
    assert volumes, log
    # CGAL counts the outer space as one volume: 2 means exactly one closed solid.
    assert int(volumes.group(1)) == 2, f"{part} is not a single solid:\n{log}"
    assert "WARNING" not in log, log


def test_body_bounding_box_follows_the_ring(rendered):
    p = _params()
    verts = _stl_facets(rendered["body"][0])
    xs, ys, zs = zip(*verts, strict=True)
    diameter = p["ring_od"] + 2 * p["band"]
    assert max(xs) - min(xs) == pytest.approx(diameter, abs=0.5)
    assert max(ys) - min(ys) == pytest.approx(diameter, abs=0.5)
    assert max(zs) - min(zs) == pytest.approx(p["height"], abs=0.01)
    assert diameter > p["ring_od"] + 20, "room for the buttons outside the ring"


def test_lid_fits_inside_the_body(rendered):
    p = _params()
    verts = _stl_facets(rendered["lid"][0])
    xs, _, zs = zip(*verts, strict=True)
    inner = p["ring_od"] + 2 * p["band"] - 2 * p["wall"]
    assert max(xs) - min(xs) < inner
    assert max(zs) - min(zs) == pytest.approx(p["lid_t"] + p["standoff_h"], abs=0.01)
