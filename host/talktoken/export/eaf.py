"""ELAN `.eaf` (EAF 3.0 XML, TIME_UNITS="milliseconds"): a tier per seat, phases, passes,
pauses, gaps and markers.

ELAN has no point annotations: an instant (a zero-length pass, a gap, a marker) is an
annotation of `POINT_MS` starting at that instant."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from talktoken.export.spans import Spans, participant

EXT = ".eaf"
POINT_MS = 1
LINGUISTIC_TYPE = "talktoken"


def _tiers(sp: Spans, labels) -> list[tuple[str, str, list[tuple[int, int, str]]]]:
    """(TIER_ID, PARTICIPANT, [(start, end, value)]) in document order."""
    seats: list[list[tuple[int, int, str]]] = [[] for _ in range(sp.seats)]
    for t in sp.speech():
        if 0 <= t.seat < sp.seats:
            seats[t.seat].append((t.start_ms, t.end_ms, t.kind))
    out = [(f"seat{s:02d}", participant(s, labels), seats[s]) for s in range(sp.seats)]
    out.append(("phases", "", [(a, b, name) for _, name, a, b in sp.phases if b > a]))

    def point(a: int, b: int) -> tuple[int, int]:
        return (a, b) if b > a else (a, a + POINT_MS)

    passes = [
        (*point(t.start_ms, t.end_ms), f"pass {participant(t.seat, labels)}")
        for t in sp.turns
        if t.kind == "pass"
    ]
    out.append(("passes", "", passes))
    out.append(("pauses", "", [(a, b, "pause") for a, b in sp.pauses if b > a]))
    out.append(("gaps", "", [(*point(g, g), "power loss") for g in sp.gaps]))
    if sp.markers:
        marks = [
            (*point(t, t), f"marker {arg}" + ("" if seat is None else f" {participant(seat)}"))
            for t, seat, arg in sp.markers
        ]
        out.append(("markers", "", marks))
    return out


def render(sp: Spans, labels: dict[int, str] | None = None, date: str = "") -> str:
    """The EAF document; `date` (ISO 8601) goes in its DATE attribute."""
    tiers = _tiers(sp, labels)
    times = sorted({ms for _, _, anns in tiers for a, b, _ in anns for ms in (a, b)})
    slot = {ms: f"ts{i}" for i, ms in enumerate(times, 1)}
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<ANNOTATION_DOCUMENT AUTHOR="talktoken" DATE={quoteattr(date)} FORMAT="3.0"'
        ' VERSION="3.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">\n',
        '  <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">\n',
        f'    <PROPERTY NAME="talktoken_session">{escape(sp.session_id)}</PROPERTY>\n',
        "  </HEADER>\n",
        "  <TIME_ORDER>\n",
    ]
    out += [f'    <TIME_SLOT TIME_SLOT_ID="{slot[ms]}" TIME_VALUE="{ms}"/>\n' for ms in times]
    out.append("  </TIME_ORDER>\n")
    n = 0
    for tier_id, who, anns in tiers:
        out.append(
            f'  <TIER LINGUISTIC_TYPE_REF="{LINGUISTIC_TYPE}" PARTICIPANT={quoteattr(who)}'
            f' TIER_ID="{tier_id}"'
        )
        if not anns:
            out.append("/>\n")
            continue
        out.append(">\n")
        for a, b, value in anns:
            n += 1
            out.append(
                f'    <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a{n}"'
                f' TIME_SLOT_REF1="{slot[a]}" TIME_SLOT_REF2="{slot[b]}">'
                f"<ANNOTATION_VALUE>{escape(value)}</ANNOTATION_VALUE>"
                "</ALIGNABLE_ANNOTATION></ANNOTATION>\n"
            )
        out.append("  </TIER>\n")
    out.append(
        f'  <LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="{LINGUISTIC_TYPE}"'
        ' TIME_ALIGNABLE="true"/>\n'
    )
    out.append("</ANNOTATION_DOCUMENT>\n")
    return "".join(out)
