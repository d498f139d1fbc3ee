# The constant lookup tables in firmware (CRC-8, LED breathing) match the formulas they replace.
import ledring
import logfmt
import logrec


def test_crc8_table_is_polynomial_0x07():
    for i in range(256):
        c = i
        for _ in range(8):
            c = ((c << 1) ^ 0x07) & 0xFF if c & 0x80 else (c << 1) & 0xFF
        assert logrec._CRC8[i] == c, "crc8 table entry %d" % i
    assert len(logrec._CRC8) == 256
    # the standard check value of CRC-8/SMBUS (poly 0x07, init 0) over b"123456789"
    data = b"123456789"
    assert logfmt.crc8(data, 0, len(data), 0) == 0xF4


def test_breath_table_is_a_raised_cosine():
    import math

    t = ledring._BREATH
    assert len(t) == 64
    for i in range(64):
        want = int(127.5 - 127.5 * math.cos(2 * math.pi * i / 64) + 0.5)
        assert t[i] == want, "breath step %d: %d != %d" % (i, t[i], want)
