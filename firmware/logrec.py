"""Session log records: 6 bytes each (event, seat, phase, 28-bit offset) with a per-session CRC-8.

The byte layout is in docs/log-format.md; logfmt re-exports every name here for the host."""

from micropython import const

REC_SIZE = const(6)
MAX_T_MS = const(0x0FFFFFFF)  # 28-bit offset: about 74.5 hours
NO_SEAT = const(15)
EV_MIN = const(1)  # events.EV_SESSION_START
EV_MAX = const(15)  # events.EV_MARKER (13..15 appear from log format version 2)
EV_EXTEND = const(10)

# CRC-8, polynomial 0x07 (ATM HEC), MSB first: crc8 of the single byte i (a constant, so it
# costs no code at import; tests/fw/test_logfmt.py checks it against the polynomial).
_CRC8 = (
    b"\x00\x07\x0e\x09\x1c\x1b\x12\x15\x38\x3f\x36\x31\x24\x23\x2a\x2d"
    b"\x70\x77\x7e\x79\x6c\x6b\x62\x65\x48\x4f\x46\x41\x54\x53\x5a\x5d"
    b"\xe0\xe7\xee\xe9\xfc\xfb\xf2\xf5\xd8\xdf\xd6\xd1\xc4\xc3\xca\xcd"
    b"\x90\x97\x9e\x99\x8c\x8b\x82\x85\xa8\xaf\xa6\xa1\xb4\xb3\xba\xbd"
    b"\xc7\xc0\xc9\xce\xdb\xdc\xd5\xd2\xff\xf8\xf1\xf6\xe3\xe4\xed\xea"
    b"\xb7\xb0\xb9\xbe\xab\xac\xa5\xa2\x8f\x88\x81\x86\x93\x94\x9d\x9a"
    b"\x27\x20\x29\x2e\x3b\x3c\x35\x32\x1f\x18\x11\x16\x03\x04\x0d\x0a"
    b"\x57\x50\x59\x5e\x4b\x4c\x45\x42\x6f\x68\x61\x66\x73\x74\x7d\x7a"
    b"\x89\x8e\x87\x80\x95\x92\x9b\x9c\xb1\xb6\xbf\xb8\xad\xaa\xa3\xa4"
    b"\xf9\xfe\xf7\xf0\xe5\xe2\xeb\xec\xc1\xc6\xcf\xc8\xdd\xda\xd3\xd4"
    b"\x69\x6e\x67\x60\x75\x72\x7b\x7c\x51\x56\x5f\x58\x4d\x4a\x43\x44"
    b"\x19\x1e\x17\x10\x05\x02\x0b\x0c\x21\x26\x2f\x28\x3d\x3a\x33\x34"
    b"\x4e\x49\x40\x47\x52\x55\x5c\x5b\x76\x71\x78\x7f\x6a\x6d\x64\x63"
    b"\x3e\x39\x30\x37\x22\x25\x2c\x2b\x06\x01\x08\x0f\x1a\x1d\x14\x13"
    b"\xae\xa9\xa0\xa7\xb2\xb5\xbc\xbb\x96\x91\x98\x9f\x8a\x8d\x84\x83"
    b"\xde\xd9\xd0\xd7\xc2\xc5\xcc\xcb\xe6\xe1\xe8\xef\xfa\xfd\xf4\xf3"
)


def crc8(data, start, end, seed):
    """CRC-8 (poly 0x07) of data[start:end], starting from seed. Allocates nothing."""
    c = seed
    t = _CRC8
    for i in range(start, end):
        c = t[c ^ data[i]]
    return c


def session_seed(session_id):
    """The CRC-8 start value of a session's records: CRC-8 of its 8-byte id, never 0."""
    s = crc8(session_id, 0, len(session_id), 0)
    return s if s else 0xA5


def pack_record(buf, pos, ev, seat, phase, t_ms, seed):
    """Write one record at buf[pos:pos+6]. For EV_EXTEND `seat` is the signed minutes (-8..7).

    No allocation: ints only. t_ms is clamped to 0..MAX_T_MS.
    """
    if t_ms < 0:
        t_ms = 0
    elif t_ms > MAX_T_MS:
        t_ms = MAX_T_MS
    buf[pos] = ((ev & 15) << 4) | (seat & 15)
    buf[pos + 1] = ((phase & 15) << 4) | ((t_ms >> 24) & 15)
    buf[pos + 2] = (t_ms >> 16) & 0xFF
    buf[pos + 3] = (t_ms >> 8) & 0xFF
    buf[pos + 4] = t_ms & 0xFF
    buf[pos + 5] = crc8(buf, pos, pos + 5, seed)


def record_ok(buf, pos, seed):
    """True when the record at buf[pos:pos+6] has a good CRC."""
    return crc8(buf, pos, pos + 5, seed) == buf[pos + 5]


def record_ev(buf, pos):
    return buf[pos] >> 4


def record_seat(buf, pos):
    """Seat nibble (15 = none); for EV_EXTEND use record_arg."""
    return buf[pos] & 15


def record_arg(buf, pos):
    """The signed minutes of an EV_EXTEND record (0 for other events)."""
    if buf[pos] >> 4 != EV_EXTEND:
        return 0
    n = buf[pos] & 15
    return n - 16 if n > 7 else n


def record_phase(buf, pos):
    return buf[pos + 1] >> 4


def record_t(buf, pos):
    return ((buf[pos + 1] & 15) << 24) | (buf[pos + 2] << 16) | (buf[pos + 3] << 8) | buf[pos + 4]


def decode_records(raw, start, seats, phases, seed):
    """Decode every record of raw[start:].

    Returns (records, problems, torn) where records is a list of (ev, seat, phase, t_ms, arg)
    (seat 15 = none; EV_EXTEND has seat 15 and the minutes in arg), problems a list of
    (index, reason) for records that were skipped, and torn the byte count of a partial record
    at the end (dropped).
    """
    recs = []
    problems = []
    last_t = 0
    n = (len(raw) - start) // REC_SIZE
    torn = (len(raw) - start) - n * REC_SIZE
    for i in range(n):
        pos = start + i * REC_SIZE
        if not record_ok(raw, pos, seed):
            problems.append((i, "bad checksum"))
            continue
        ev = record_ev(raw, pos)
        seat = record_seat(raw, pos)
        phase = record_phase(raw, pos)
        t = record_t(raw, pos)
        arg = 0
        if ev < EV_MIN or ev > EV_MAX:
            problems.append((i, "unknown event type %d" % ev))
            continue
        if ev == EV_EXTEND:
            arg = record_arg(raw, pos)
            seat = NO_SEAT
        elif seat != NO_SEAT and seat >= seats:
            problems.append((i, "seat %d outside 0..%d" % (seat, seats - 1)))
            continue
        if phase >= phases:
            problems.append((i, "phase %d outside 0..%d" % (phase, phases - 1)))
            continue
        if t < last_t:
            problems.append((i, "offset %d ms goes back from %d ms" % (t, last_t)))
            continue
        last_t = t
        recs.append((ev, seat, phase, t, arg))
    return recs, problems, torn
