"""codebook.json of an export bundle: what every file, code, seat and figure in it means."""

from __future__ import annotations

from talktoken.metrics import summary as metrics

FORMAT = "talktoken-codebook/1"

FILES = {
    "rttm": "<session_id>.rttm: NIST RTTM, one SPEAKER line per stretch of talk (turn or resumed "
    "piece), onset and duration in seconds with millisecond precision",
    "uem": "<session_id>.uem: the scored regions, phases without pauses, split at power-loss gaps",
    "eaf": "<session_id>.eaf: ELAN, TIME_UNITS milliseconds; tiers seatNN (annotations 'turn' "
    "and 'resumed'), phases, passes, pauses, gaps (and markers when the device logged any); an "
    "instant is a 1 ms annotation",
    "textgrid": "<session_id>.TextGrid: Praat, one IntervalTier per seat ('turn', 'resumed', "
    "empty between), a 'phases' tier",
    "csv": "<session_id>.csv: talkr's columns source, begin, end (ms), utterance ('turn' or "
    "'pass'), participant, plus phase (its name)",
}

VALUES = {
    "turn": "a seat held the floor and spoke (a spoken turn as counted in `turns`)",
    "resumed": "the rest of a turn that a power loss cut: talk time, not a new turn",
    "pass": "a seat held the token and passed it on without speaking",
    "pause": "the session was paused: no figure counts this time",
    "power loss": "the device lost power and resumed here; the time it was off is not in the log",
}

METRICS = {
    "talk_ms": "sum of the unpaused milliseconds of a seat's turns and resumed pieces",
    "share": "talk_ms of the seat / talk_ms of all seats (none when nobody spoke)",
    "member_share": "members only: talk_ms / the members' talk_ms",
    "turns": "number of spoken turns (a turn cut by a power loss counts once)",
    "passes": "number of passes",
    "median_ms": "median talk time of the seat's turns",
    "longest_ms": "longest talk time of the seat's turns",
    "actual_ms": "per phase: unpaused time between its start and end",
    "silence_ms": "open-floor phases: unpaused time with nobody holding the floor",
    "gini": "Gini coefficient of the members' talk_ms (0 = equal)",
    "entropy": "normalized entropy of the members' talk_ms (1 = perfectly even)",
}


def _session(log, files: list[str]) -> dict:
    return {
        "session_id": log.session_id,
        "files": files,
        "agenda_name": log.agenda_name,
        "agenda_hash": log.agenda_hash,
        "started_at": log.started_at.isoformat() if log.started_at else None,
        "device_id": log.device_id,
        "firmware": log.firmware,
        "log_format_version": log.format_version,
        "seats": log.seats,
        "seat_names": [f"seat{s:02d}" for s in range(log.seats)],
        "facilitator_seats": sorted(log.facilitators),
        "complete": bool(log.complete),
        "phases": [
            {
                "index": i,
                "name": p.name,
                "planned_minutes": p.minutes,
                "floor": p.floor,
                "turn_seconds": p.turn_seconds,
                "warn_seconds": p.warn_seconds,
            }
            for i, p in enumerate(log.phases)
        ],
    }


def codebook(
    logs: list,
    files: dict[str, list[str]],
    labels: dict[int, str] | None,
    labels_file: str | None,
    versions: dict,
) -> dict:
    """The codebook of a bundle of `logs`; `files` = session id -> its file names, `versions`
    holds talktoken's and the log format's version."""
    from talktoken.logfile.read import events

    if labels:
        labelled = {
            "applied": True,
            "file": labels_file,
            "seats": {f"seat{k:02d}": v for k, v in sorted(labels.items())},
            "note": "participants carry the names of the labels file given with --labels; "
            "the archive and the device hold seat numbers only",
        }
    else:
        labelled = {"applied": False, "note": "participants are seat numbers only (seatNN)"}
    return {
        "format": FORMAT,
        **versions,
        "metrics_version": metrics.METRICS_VERSION,
        "seat_numbering": "seatNN is the device's seat NN: 0 to seats-1, clockwise from the "
        "facilitator's seat 0; the same number in two sessions is the same person only if the "
        "group keeps its seating",
        "labels": labelled,
        "files": FILES,
        "annotation_values": VALUES,
        "event_codes": {str(i): n for i, n in enumerate(events.EVENT_NAMES) if n},
        "metrics": METRICS,
        "metrics_doc": "docs/metrics.md",
        "sessions": [_session(log, files[log.session_id]) for log in logs],
    }
