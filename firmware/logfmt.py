"""Session log file format: the header (encode/decode, CRC-32) and whole-file decode.

Records live in logrec (re-exported here); the byte layout is in docs/log-format.md and the
host decodes with this same module."""

import binascii
import hashlib

from logrec import (  # noqa: F401  (record names are part of the logfmt API)
    EV_EXTEND,
    EV_MAX,
    EV_MIN,
    MAX_T_MS,
    NO_SEAT,
    REC_SIZE,
    crc8,
    decode_records,
    pack_record,
    record_arg,
    record_ev,
    record_ok,
    record_phase,
    record_seat,
    record_t,
    session_seed,
)
from micropython import const

MAGIC = b"TTLOG"
VERSION = const(2)  # what this firmware writes; decode_header reads 1 and 2
_MAX_NAME = const(32)  # UTF-8 bytes of an agenda or phase name
_MAX_PHASES = const(12)
MAX_SEATS = const(12)
_FIXED = const(48)  # header bytes before the agenda name (44 in version 1)
_V2_EXTRA = const(4)  # version 2: queue mode, cue, reveal seconds, wall-clock source
HEADER_MAX = const(_FIXED + _MAX_NAME + 1 + _MAX_PHASES * (1 + _MAX_NAME + 7) + 4)
CLOCK_NONE = const(0)  # wall-clock source byte: the clock was not set
CLOCK_HOST = const(1)  # the host set the clock since boot
CLOCK_RTC = const(2)  # a battery-backed RTC module


class LogFormatError(ValueError):
    """A header (or file) that cannot be decoded; `reason` says why."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class UnknownVersion(LogFormatError):
    """The file says it is a log format version this code does not know."""

    def __init__(self, version):
        super().__init__(
            "log format version %d is not known to this reader (it knows %d)" % (version, VERSION)
        )
        self.version = version


try:
    from binascii import crc32 as _bcrc32
except ImportError:  # pragma: no cover - every port we build for has it
    _bcrc32 = None  # type: ignore[assignment]


def crc32(data):
    """Standard CRC-32 (zlib) of data as an unsigned int."""
    if _bcrc32 is not None:
        return _bcrc32(data) & 0xFFFFFFFF
    c = 0xFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
    return c ^ 0xFFFFFFFF


def _u16(out, v):
    out.append(v & 0xFF)
    out.append((v >> 8) & 0xFF)


def _u32(out, v):
    for s in (0, 8, 16, 24):
        out.append((v >> s) & 0xFF)


def _name(out, s, what):
    b = s.encode() if isinstance(s, str) else bytes(s)
    if not 1 <= len(b) <= _MAX_NAME:
        raise ValueError("%s must be 1..%d UTF-8 bytes" % (what, _MAX_NAME))
    for c in b:
        if c < 32 or c == 127:
            raise ValueError("%s has a control character" % what)
    out.append(len(b))
    out.extend(b)


def _check(v, lo, hi, what):
    if not isinstance(v, int) or v < lo or v > hi:
        raise ValueError("%s must be an int in %d..%d" % (what, lo, hi))


def encode_header(
    session_id,
    device_id,
    fw,
    agenda_name,
    agenda_hash,
    seats,
    fac_mask,
    balance,
    phases,
    wall_start,
    queue=0,
    cue=0,
    reveal_s=20,
    clock_source=0,
):
    """Version-2 header bytes (CRC-32 at the end). Only numbers and the agenda/phase names.

    session_id, device_id, agenda_hash: 8 bytes each; fw: (major, minor, patch);
    phases: sequence of (name, minutes, floor_mode, turn_s, warn_s); wall_start: epoch s or 0;
    queue 0..2, cue 0..2 (| 0x80 for cue_turns), reveal_s 0..255, clock_source 0..2.
    """
    for v, what in (
        (session_id, "session id"),
        (device_id, "device id"),
        (agenda_hash, "agenda hash"),
    ):
        if len(v) != 8:
            raise ValueError("%s must be 8 bytes" % what)
    _check(seats, 2, MAX_SEATS, "seats")
    _check(fac_mask, 0, (1 << seats) - 1, "facilitator mask")
    _check(balance, 0, 3, "balance")
    _check(queue, 0, 2, "queue mode")
    _check(cue & 0x7F, 0, 2, "cue")
    _check(cue, 0, 0x82, "cue")
    _check(reveal_s, 0, 255, "reveal seconds")
    _check(clock_source, 0, 2, "wall-clock source")
    _check(wall_start, 0, 0xFFFFFFFF, "wall-clock start")
    if not 1 <= len(phases) <= _MAX_PHASES:
        raise ValueError("1..%d phases" % _MAX_PHASES)
    out = bytearray(MAGIC)
    out.append(VERSION)
    _u16(out, 0)  # header length, set below
    out.extend(session_id)
    out.extend(device_id)
    for v in fw:
        _check(v, 0, 255, "firmware version part")
        out.append(v)
    out.extend(agenda_hash)
    _u32(out, wall_start)
    out.append(seats)
    _u16(out, fac_mask)
    out.append(balance)
    out.append(queue)
    out.append(cue)
    out.append(reveal_s)
    out.append(clock_source)
    _name(out, agenda_name, "agenda name")
    out.append(len(phases))
    for name, minutes, mode, turn_s, warn_s in phases:
        _name(out, name, "phase name")
        _check(minutes, 0, 0xFFFF, "phase minutes")
        _check(mode, 0, 1, "phase floor")
        _check(turn_s, 0, 0xFFFF, "turn seconds")
        _check(warn_s, 0, 0xFFFF, "warn seconds")
        _u16(out, minutes)
        out.append(mode)
        _u16(out, turn_s)
        _u16(out, warn_s)
    n = len(out) + 4
    out[6] = n & 0xFF
    out[7] = n >> 8
    _u32(out, crc32(out))
    return bytes(out)


def _g16(b, p):
    return b[p] | (b[p + 1] << 8)


def _g32(b, p):
    return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)


def header_length(raw):
    """Declared header length of raw (which must hold at least 8 bytes), after magic/version."""
    if len(raw) < 8:
        raise LogFormatError("file too short for a header (%d bytes)" % len(raw))
    if bytes(raw[0:5]) != MAGIC:
        raise LogFormatError("not a talktoken log (bad magic)")
    if raw[5] != 1 and raw[5] != VERSION:
        raise UnknownVersion(raw[5])
    return _g16(raw, 6)


def decode_header(raw):
    """Decode and check the header at the start of raw; returns a dict (see docs/log-format.md).

    Raises UnknownVersion for a version this code does not know and LogFormatError for a
    broken header (bad magic, bad length, bad CRC, impossible values).
    """
    n = header_length(raw)
    v = raw[5]
    fixed = _FIXED if v >= 2 else _FIXED - _V2_EXTRA
    if n < fixed + 4 or n > HEADER_MAX:
        raise LogFormatError("impossible header length %d" % n)
    if len(raw) < n:
        raise LogFormatError("header cut short: %d of %d bytes" % (len(raw), n))
    if crc32(raw[0 : n - 4]) != _g32(raw, n - 4):
        raise LogFormatError("header checksum does not match")
    seats = raw[39]
    h = {
        "version": raw[5],
        "length": n,
        "session_id": bytes(raw[8:16]),
        "device_id": bytes(raw[16:24]),
        "firmware": (raw[24], raw[25], raw[26]),
        "agenda_hash": bytes(raw[27:35]),
        "wall_start": _g32(raw, 35),
        "seats": seats,
        "fac_mask": _g16(raw, 40),
        "balance": raw[42],
        "queue": 0,
        "cue": 0,
        "reveal_s": 20,
        "clock_source": CLOCK_HOST if _g32(raw, 35) else CLOCK_NONE,
    }
    p = 43
    if v >= 2:
        h["queue"] = raw[43]
        h["cue"] = raw[44]
        h["reveal_s"] = raw[45]
        h["clock_source"] = raw[46]
        p = 47
    try:
        name, p = _get_name(raw, p, n)
        h["agenda_name"] = name
        count = raw[p]
        p += 1
        if not 1 <= count <= _MAX_PHASES:
            raise LogFormatError("impossible phase count %d" % count)
        phases = []
        for _ in range(count):
            name, p = _get_name(raw, p, n)
            if p + 7 > n - 4:
                raise LogFormatError("phase plan runs past the header")
            phases.append((name, _g16(raw, p), raw[p + 2], _g16(raw, p + 3), _g16(raw, p + 5)))
            p += 7
    except IndexError:
        raise LogFormatError("phase plan runs past the header")
    if p != n - 4:
        raise LogFormatError("header length does not match its contents")
    if not 2 <= seats <= MAX_SEATS or h["balance"] > (3 if v >= 2 else 2) or h["fac_mask"] >> seats:
        raise LogFormatError("impossible seats, facilitators or balance in header")
    if h["queue"] > 2 or h["cue"] & 0x7F > 2 or h["cue"] & 0x7C or h["clock_source"] > 2:
        raise LogFormatError("impossible queue, cue or clock source in header")
    h["phases"] = phases
    h["seed"] = session_seed(h["session_id"])
    return h


def _get_name(raw, p, n):
    ln = raw[p]
    if not 1 <= ln <= _MAX_NAME or p + 1 + ln > n - 4:
        raise LogFormatError("impossible name length %d in header" % ln)
    try:
        s = str(bytes(raw[p + 1 : p + 1 + ln]), "utf-8")
    except UnicodeError:
        raise LogFormatError("a name in the header is not UTF-8")
    return s, p + 1 + ln


def decode(raw):
    """Header and records of a whole file: (header dict, records, problems, torn_bytes)."""
    h = decode_header(raw)
    recs, problems, torn = decode_records(raw, h["length"], h["seats"], len(h["phases"]), h["seed"])
    return h, recs, problems, torn


# ---- identity written into headers ----
def id8(device_id):
    """The 8-byte device id for a header: the hex id itself, else a hash of the text."""
    s = device_id if isinstance(device_id, str) else str(device_id)
    try:
        if 0 < len(s) <= 16 and len(s) % 2 == 0:
            b = binascii.unhexlify(s)
            return bytes(8 - len(b)) + b
    except ValueError:
        pass
    return hashlib.sha256(s.encode()).digest()[:8]


def fw3(fw):
    """(major, minor, patch) 0..255 from a version string like \"0.1.0\" or a tuple."""
    if isinstance(fw, tuple):
        parts = list(fw)
    else:
        parts = []
        for p in str(fw).split(".")[:3]:
            digits = ""
            for ch in p:
                if not ch.isdigit():
                    break
                digits += ch
            parts.append(int(digits) if digits else 0)
    while len(parts) < 3:
        parts.append(0)
    return tuple(min(max(int(v), 0), 255) for v in parts[:3])


def agenda_header(sid, device_id, fw, agenda, agenda_hash, wall_epoch_or_0):
    """encode_header() for a session of an agenda.Agenda (device_id: 8 bytes, fw: 3 ints,
    agenda_hash: 32 bytes). The wall-clock source is "host" when a start time is given (the
    device has only the clock the host sets), else "none"."""
    return encode_header(
        sid,
        device_id,
        fw,
        agenda.name,
        agenda_hash,
        agenda.seats,
        agenda.fac_mask,
        agenda.balance,
        [(p.name, p.minutes, p.mode, p.turn_s, p.warn_s) for p in agenda.phases],
        wall_epoch_or_0,
        agenda.queue,
        agenda.cue | (0x80 if agenda.cue_turns else 0),
        agenda.reveal_s,
        CLOCK_HOST if wall_epoch_or_0 else CLOCK_NONE,
    )
