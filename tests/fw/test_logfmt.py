# Log format: header and 6-byte records round-trip, and every corruption is caught, not misread.
import events as E
import logfmt as L
from fwtest import eq, raises

SID = b"\x01\x02\x03\x04\x05\x06\x07\x08"
PHASES = [("Check-in", 12, 0, 60, 60), ("Open floor", 30, 1, 0, 120)]


def _header(version_phases=PHASES, wall=1767225600):
    return L.encode_header(
        SID,
        b"\xe6\x61\x00\x00\x00\x00\x00\x2a",
        (0, 1, 0),
        "Tuesday group",
        b"\xaa\xbb\xcc\xdd\x00\x11\x22\x33",
        8,
        0b11,
        1,
        version_phases,
        wall,
    )


def _records(n, seed, seats=8, phases=2):
    buf = bytearray(n * 6)
    want = []
    for i in range(n):
        ev = 1 + (i * 5) % 12
        seat = 15 if ev in (E.EV_PHASE_START, E.EV_CHECKPOINT) else (i * 3) % seats
        arg = 0
        if ev == E.EV_EXTEND:
            arg = (i % 16) - 8
            seat = arg
        phase = i % phases
        t = i * 1234567
        L.pack_record(buf, i * 6, ev, seat, phase, t, seed)
        want.append((ev, 15 if ev == E.EV_EXTEND else seat, phase, t, arg))
    return buf, want


def test_header_round_trip():
    raw = _header()
    h = L.decode_header(raw)
    eq(h["length"], len(raw), "length")
    eq(h["session_id"], SID, "sid")
    eq(h["firmware"], (0, 1, 0), "fw")
    eq(h["agenda_name"], "Tuesday group", "agenda")
    eq(h["seats"], 8, "seats")
    eq(h["fac_mask"], 3, "fac")
    eq(h["balance"], 1, "balance")
    eq(h["wall_start"], 1767225600, "wall")
    eq(h["phases"], PHASES, "phases")
    eq(h["agenda_hash"], b"\xaa\xbb\xcc\xdd\x00\x11\x22\x33", "hash")


def test_header_bit_flips_all_caught():
    raw = _header()
    for pos in range(len(raw)):
        for bit in (0, 3, 7):
            bad = bytearray(raw)
            bad[pos] ^= 1 << bit
            raises(L.LogFormatError, L.decode_header, bad)


def test_unknown_version_says_so():
    raw = bytearray(_header())
    raw[5] = 9
    exc = raises(L.UnknownVersion, L.decode_header, raw)
    eq(exc.version, 9, "version")
    assert "version 9" in str(exc)


def test_record_round_trip():
    seed = L.session_seed(SID)
    raw = _header()
    buf, want = _records(200, seed)
    h, recs, problems, torn = L.decode(raw + bytes(buf))
    eq(problems, [], "problems")
    eq(torn, 0, "torn")
    eq(recs, want, "records")


def test_record_crc_catches_every_single_bit_flip():
    seed = L.session_seed(SID)
    buf, _ = _records(30, seed)
    for r in range(30):
        for pos in range(6):
            for bit in range(8):
                b = bytearray(buf[r * 6 : r * 6 + 6])
                b[pos] ^= 1 << bit
                assert not L.record_ok(b, 0, seed), (r, pos, bit)


def test_records_of_another_session_never_validate():
    s1 = L.session_seed(SID)
    buf, _ = _records(64, s1)
    for other in range(256):
        if other == s1:
            continue
        for r in range(64):
            assert not L.record_ok(buf, r * 6, other)


def test_torn_tail_dropped():
    seed = L.session_seed(SID)
    raw = _header()
    buf, want = _records(10, seed)
    for cut in range(1, 6):
        h, recs, problems, torn = L.decode(raw + bytes(buf[: 9 * 6 + cut]))
        eq(recs, want[:9], "records")
        eq(torn, cut, "torn")
        eq(problems, [], "problems")


def test_corrupt_middle_record_reported_rest_readable():
    seed = L.session_seed(SID)
    raw = _header()
    buf, want = _records(40, seed)
    buf[17 * 6 + 2] ^= 0x10
    h, recs, problems, torn = L.decode(raw + bytes(buf))
    eq(len(problems), 1, "one problem")
    eq(problems[0][0], 17, "at record 17")
    eq(recs, want[:17] + want[18:], "the rest")


def test_impossible_values_rejected():
    seed = L.session_seed(SID)
    raw = _header()
    buf = bytearray(6 * 4)
    L.pack_record(buf, 0, E.EV_TURN_START, 9, 0, 10, seed)  # seat 9 of 8
    L.pack_record(buf, 6, E.EV_TURN_START, 1, 2, 20, seed)  # phase 2 of 2
    L.pack_record(buf, 12, 0, 1, 0, 30, seed)  # event type 0 (1..15 are events)
    L.pack_record(buf, 18, E.EV_TURN_START, 1, 0, 40, seed)  # fine
    h, recs, problems, torn = L.decode(raw + bytes(buf))
    eq([p[0] for p in problems], [0, 1, 2], "problems")
    eq(recs, [(E.EV_TURN_START, 1, 0, 40, 0)], "good one")


def test_offset_going_back_is_a_bad_record():
    seed = L.session_seed(SID)
    buf = bytearray(18)
    L.pack_record(buf, 0, E.EV_TURN_START, 1, 0, 5000, seed)
    L.pack_record(buf, 6, E.EV_TURN_END, 1, 0, 4000, seed)
    L.pack_record(buf, 12, E.EV_TURN_START, 2, 0, 6000, seed)
    h, recs, problems, torn = L.decode(_header() + bytes(buf))
    eq([p[0] for p in problems], [1], "problems")
    eq(len(recs), 2, "kept")


def test_offset_limits_and_clamp():
    seed = L.session_seed(SID)
    buf = bytearray(12)
    L.pack_record(buf, 0, E.EV_CHECKPOINT, 15, 0, L.MAX_T_MS, seed)
    L.pack_record(buf, 6, E.EV_CHECKPOINT, 15, 0, L.MAX_T_MS + 999, seed)
    eq(L.record_t(buf, 0), L.MAX_T_MS, "max")
    eq(L.record_t(buf, 6), L.MAX_T_MS, "clamped")


def test_header_only_numbers_and_names():
    # privacy by construction: no free text other than the names; names are bounded
    raises(
        ValueError,
        L.encode_header,
        SID,
        bytes(8),
        (0, 1, 0),
        "x" * 33,
        bytes(8),
        8,
        1,
        0,
        PHASES,
        0,
    )
    raises(
        ValueError,
        L.encode_header,
        SID,
        bytes(8),
        (0, 1, 0),
        "ok",
        bytes(8),
        8,
        1,
        0,
        [("bad\nname", 1, 0, 0, 0)],
        0,
    )
    raises(
        ValueError, L.encode_header, SID, bytes(8), (0, 1, 0), "ok", bytes(8), 13, 1, 0, PHASES, 0
    )
    eq(len(_header()) <= L.HEADER_MAX, True, "bounded")


def test_version_2_header_fields_round_trip():
    raw = L.encode_header(
        SID,
        bytes(8),
        (0, 2, 0),
        "Queue group",
        bytes(8),
        6,
        1,
        3,
        PHASES,
        1767225600,
        2,
        0x82,
        45,
        L.CLOCK_HOST,
    )
    h = L.decode_header(raw)
    eq(h["version"], 2)
    eq((h["balance"], h["queue"], h["cue"], h["reveal_s"]), (3, 2, 0x82, 45), "v2 fields")
    eq(h["clock_source"], L.CLOCK_HOST)
    eq(h["phases"], PHASES)
    for pos, v in ((43, 3), (44, 3), (46, 3)):
        bad = bytearray(raw)
        bad[pos] = v
        n = len(bad)
        crc = L.crc32(bytes(bad[: n - 4]))
        for i in range(4):
            bad[n - 4 + i] = (crc >> (8 * i)) & 0xFF
        raises(L.LogFormatError, L.decode_header, bytes(bad))


def test_new_events_decode():
    seed = L.session_seed(SID)
    buf = bytearray(18)
    L.pack_record(buf, 0, E.EV_QUEUE_ADD, 3, 1, 100, seed)
    L.pack_record(buf, 6, E.EV_QUEUE_REMOVE, 3, 1, 200, seed)
    L.pack_record(buf, 12, E.EV_MARKER, E.NO_SEAT, 1, 300, seed)
    h, recs, problems, torn = L.decode(_header() + bytes(buf))
    eq(problems, [])
    eq([r[:2] for r in recs], [(13, 3), (14, 3), (15, 15)])
    eq(E.EVENT_NAMES[13:], ("queue_add", "queue_remove", "marker"))
