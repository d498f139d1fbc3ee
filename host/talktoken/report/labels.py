"""Seat labels for reports. Names never enter the archive; they are read at render time only.

Accepted files (TOML or JSON, by extension; .toml/.json):
    [seats]                      {"seats": {"0": "Dr. Lee", "3": "Sam"}}
    0 = "Dr. Lee"                or the same mapping at the top level.
    3 = "Sam"
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from talktoken.errors import TalktokenError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_SEATS = 12
MAX_LABEL = 40


class LabelsError(TalktokenError):
    """The labels file cannot be read or holds something that is not a seat -> name mapping."""

    exit_code = 11


def parse(data: object, origin: str = "labels") -> dict[int, str]:
    """Validate a decoded mapping; return {seat: name}. Every problem is listed in the error."""
    if isinstance(data, dict) and isinstance(data.get("seats"), dict):
        data = data["seats"]
    if not isinstance(data, dict):
        raise LabelsError(f"{origin}: expected a mapping of seat numbers to names")
    out: dict[int, str] = {}
    problems = []
    for key, value in data.items():
        k = str(key).strip()
        if not (k.isascii() and k.isdigit()) or not 0 <= int(k) < MAX_SEATS:
            problems.append(f"{key!r} is not a seat number 0..{MAX_SEATS - 1}")
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(f"seat {k}: the name must be non-empty text")
            continue
        name = " ".join(value.split())
        if len(name) > MAX_LABEL or any(ord(c) < 32 for c in name):
            problems.append(f"seat {k}: names are at most {MAX_LABEL} printable characters")
            continue
        out[int(k)] = name
    if problems:
        raise LabelsError("{}: {}".format(origin, "; ".join(problems)))
    return out


def load(path: str | Path) -> dict[int, str]:
    """Read a labels file (TOML, or JSON when it ends in .json)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelsError(f"cannot read labels file {p}: {exc}") from exc
    try:
        data = json.loads(text) if p.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise LabelsError(f"labels file {p} is not valid {p.suffix[1:]}: {exc}") from exc
    return parse(data, str(p))


def seat_name(labels: dict[int, str] | None, seat: int, facilitator: bool = False) -> str:
    """The label of a seat, or "Seat N"; "(fac.)" follows a facilitator's name either way."""
    name = labels[seat] if labels and seat in labels else f"Seat {seat}"
    return f"{name} (fac.)" if facilitator else name
