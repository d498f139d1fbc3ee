"""Records of a clean session log decoded at C speed where possible (docs/log-format.md).

`decode_events` handles the usual file only: every record with a good CRC-8, a known type, a
seat and phase in range, offsets that never go back (a torn tail is fine). For anything else
it returns None and `talktoken.logfile.read.parse` falls back to the firmware's per-record decoder,
so results and `problems` are exactly those of `logread.parse_reference`.

How: CRC-8 (poly 0x07, no reflection, no final xor) is linear over GF(2), so a record's CRC
from seed s is T5[b0] ^ T4[b1] ^ T3[b2] ^ T2[b3] ^ T1[b4] ^ T5[s], Tk = the byte table applied
k times. Each byte column of the records is one strided slice; `bytes.translate` maps a column
through Tk and the XOR of the columns (as big integers) is zero exactly when every CRC matches.
"""

from __future__ import annotations

from struct import Struct

from talktoken.fwtree.paths import enable_firmware_imports

enable_firmware_imports()

import events  # noqa: E402  (firmware module)
import logfmt  # noqa: E402  (firmware module)
import logrec  # noqa: E402  (firmware module: the CRC-8 byte table)

REC = logfmt.REC_SIZE
_T_MASK = logfmt.MAX_T_MS
_REC_STRUCT = Struct(">BIx")  # byte 0; bytes 1..4 (phase nibble + 28-bit offset); CRC skipped


def _powers() -> list[bytes]:
    """[T^0 (identity), T^1, ..., T^5] as 256-byte translate tables."""
    t1 = bytes(logrec._CRC8)
    out = [bytes(range(256))]
    for _ in range(5):
        prev = out[-1]
        out.append(bytes(t1[prev[i]] for i in range(256)))
    return out


_TK = _powers()
_COL_TABLES = (_TK[5], _TK[4], _TK[3], _TK[2], _TK[1])  # for record bytes 0..4


def _b0_tables() -> tuple[list, list, list, list]:
    """Per first byte: event name, Event.seat, Event.arg, role (1 turn start, 2 ends a turn)."""
    kind: list = [None] * 256
    seat: list = [None] * 256
    arg = [0] * 256
    role = [0] * 256
    for b0 in range(256):
        ev, s = b0 >> 4, b0 & 15
        if not logfmt.EV_MIN <= ev <= logfmt.EV_MAX:
            continue
        kind[b0] = events.EVENT_NAMES[ev]
        if ev == logfmt.EV_EXTEND:
            arg[b0] = s - 16 if s > 7 else s
        elif s != events.NO_SEAT:
            seat[b0] = s
        if ev == events.EV_TURN_START:
            role[b0] = 1
        elif ev in (events.EV_TURN_END, events.EV_PASS):
            role[b0] = 2
    return kind, seat, arg, role


_KIND, _SEAT, _ARG, _ROLE = _b0_tables()
_NOT_END = bytes(b0 for b0 in range(256) if b0 >> 4 != events.EV_SESSION_END)
_OK0: dict[int, bytes] = {}  # seats -> every first byte the reference decoder accepts
_OK1: dict[int, bytes] = {}  # phase count -> every second byte it accepts


def _ok0(seats: int) -> bytes:
    ok = _OK0.get(seats)
    if ok is None:
        ok = _OK0[seats] = bytes(
            b0
            for b0 in range(256)
            if logfmt.EV_MIN <= b0 >> 4 <= logfmt.EV_MAX
            and (b0 >> 4 == logfmt.EV_EXTEND or b0 & 15 == logfmt.NO_SEAT or b0 & 15 < seats)
        )
    return ok


def _ok1(phases: int) -> bytes:
    ok = _OK1.get(phases)
    if ok is None:
        ok = _OK1[phases] = bytes(b1 for b1 in range(256) if b1 >> 4 < phases)
    return ok


def records_clean(body: bytes, n: int, seed: int, seats: int, phases: int) -> bool:
    """True when all n records of body (n * 6 bytes) have a good CRC-8 (for this seed) and a
    known type, seat and phase. Offsets are not checked here."""
    if not n:
        return True
    cols = [body[i::REC] for i in range(REC)]
    if cols[0].translate(None, _ok0(seats)) or cols[1].translate(None, _ok1(phases)):
        return False
    frm = int.from_bytes
    x = frm(cols[5], "big") ^ frm(bytes((_TK[5][seed],)) * n, "big")
    for col, table in zip(cols[:5], _COL_TABLES, strict=True):
        x ^= frm(col.translate(table), "big")
    return x == 0


def decode_events(raw: bytes, h: dict, make_event) -> tuple[list, int, bool] | None:
    """(events, torn bytes, has a session_end) of raw's records after header h, the implied
    turn ends put back, each built by make_event(t_ms, kind, seat, phase, arg); None when any
    record is not clean (bad CRC, type, seat, phase or an offset going back): use the
    reference path."""
    start = h["length"]
    size = len(raw) - start
    n = size // REC
    torn = size - n * REC
    body = raw[start : start + n * REC]
    if not records_clean(body, n, h["seed"], h["seats"], len(h["phases"])):
        return None
    out: list = []
    app = out.append
    kinds, seats, args, roles = _KIND, _SEAT, _ARG, _ROLE
    mask = _T_MASK
    last = 0
    speaker = None
    for b0, u in _REC_STRUCT.iter_unpack(body):
        t = u & mask
        if t < last:
            return None
        last = t
        role = roles[b0]
        if role == 1:
            if speaker is not None:
                # the store leaves out a turn end followed at once by a turn start: put it back
                app(make_event(t, "turn_end", speaker, u >> 28, 0))
            speaker = b0 & 15
        elif role == 2:
            speaker = None
        app(make_event(t, kinds[b0], seats[b0], u >> 28, args[b0]))
    return out, torn, bool(body[0::REC].translate(None, _NOT_END))
