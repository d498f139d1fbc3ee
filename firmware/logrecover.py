"""Recovery of a session that was never ended: decode it for replay, re-open it for appending.

Imported only when the latest session file does not end with EV_SESSION_END."""

import binascii

import logfiles
import logfmt
from events import BALANCE_NAMES, CUE_NAMES, EV_SESSION_END, FLOOR_NAMES, QUEUE_NAMES


class Unfinished:
    """A session that was never ended (power loss, watchdog): what the app needs to replay it.

    `records` are (ev, seat, phase, t_ms, arg) tuples, checkpoints included (they carry time);
    `agenda` is the agenda dict rebuilt from the header; `last_t_ms` the last logged offset.
    """

    def __init__(self, name, header, records, problems, torn):
        self.name = name
        self.header = header
        self.session_id = binascii.hexlify(header["session_id"]).decode()
        self.agenda_hash = binascii.hexlify(header["agenda_hash"]).decode()
        self.wall_start = header["wall_start"]
        self.records = records
        self.problems = problems
        self.torn = torn
        self.last_t_ms = records[-1][3] if records else 0
        h = header
        self.agenda = {
            "name": h["agenda_name"],
            "seats": h["seats"],
            "facilitators": [s for s in range(h["seats"]) if h["fac_mask"] >> s & 1],
            "balance": BALANCE_NAMES[h["balance"]],
            "reveal_seconds": h["reveal_s"],
            "queue": QUEUE_NAMES[h["queue"]],
            "cue": CUE_NAMES[h["cue"] & 3],
            "cue_turns": bool(h["cue"] & 0x80),
            "phases": [
                {
                    "name": p[0],
                    "minutes": p[1],
                    "floor": FLOOR_NAMES[p[2] & 1],
                    "turn_seconds": p[3],
                    "warn_seconds": p[4],
                }
                for p in h["phases"]
            ],
        }


def unfinished(fs, name):
    """Decode session file name: an Unfinished unless it has no records or an end record."""
    raw = logfiles.read_all(fs, name)
    try:
        h, recs, problems, torn = logfmt.decode(raw)
    except logfmt.LogFormatError:
        return None
    if not recs:
        return None
    for r in recs:
        if r[0] == EV_SESSION_END:
            return None
    return Unfinished(name, h, recs, problems, torn)


def reopen(fs, u):
    """Cut a torn tail off u's file (whole records stay); returns (header length, records)."""
    hlen = u.header["length"]
    size = fs.size(logfiles.DIR + "/" + u.name)
    count = (size - hlen) // logfmt.REC_SIZE
    if hlen + count * logfmt.REC_SIZE != size:
        raw = logfiles.read_all(fs, u.name)
        logfiles.write_atomic(fs, u.name, raw[: hlen + count * logfmt.REC_SIZE])
    return hlen, count
