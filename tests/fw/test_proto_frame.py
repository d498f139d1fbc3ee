# Protocol framing and limits: ids, over-long lines, depth, bytes, garbage (both VMs).
import json

import proto
from fwtest import eq
from protofake import FakeApp
from protoframe import MAX_DEPTH, MAX_LINE, parse_id


def _run(p, data, steps=50):
    p.app.board.serial.feed(data)
    for i in range(steps):
        p.service(i)
    return p.app.board.serial.take()


def _new():
    app = FakeApp()
    p = proto.Proto(app)
    return p


def test_parse_id():
    eq(parse_id(b"@1 hello", 0, 8), 1)
    eq(parse_id(b"@999999 x", 0, 9), 999999)
    eq(parse_id(b"@1000000 x", 0, 10), 0, "id too big")
    eq(parse_id(b"@0 x", 0, 4), 0, "id zero")
    eq(parse_id(b"@12a x", 0, 6), 0, "letters")
    eq(parse_id(b"1 x", 0, 3), 0, "no @")
    eq(parse_id(b"@ x", 0, 3), 0, "empty id")
    eq(parse_id(b"@42", 0, 3), 42, "id alone")


def test_hello_reply_has_prefix_and_id():
    p = _new()
    lines = _run(p, b'@7 hello {"proto":1}\n')
    eq(len(lines), 1)
    assert lines[0].startswith(b"TT:7 ok "), lines[0]
    body = json.loads(lines[0][8:])
    eq(body["proto"], proto.PROTO_VERSION)
    eq(body["device"], "e66038b7136b2a2f")


def test_crlf_and_split_writes():
    p = _new()
    out = []
    for ch in b"@3 info {}\r\n":
        p.app.board.serial.feed(bytes([ch]))
        p.service(0)
        out += p.app.board.serial.take()
    eq(len(out), 1)
    assert out[0].startswith(b"TT:3 ok "), out[0]


def test_garbage_is_ignored():
    p = _new()
    lines = _run(p, b"hello\n\x03\x03\n>>> \nTT:1 ok {}\n\x00\x00\n@ x\n@1\n")
    # Only "@1" has an id; it is answered with a syntax error. The rest is silently ignored.
    eq(len(lines), 1, "answers")
    assert lines[0].startswith(b"TT:1 err syntax"), lines[0]
    eq(p.garbage, 6, "garbage lines")


def test_overlong_line_answered_toolong_and_next_line_works():
    p = _new()
    big = b'@9 agenda_set {"agenda":"' + b"x" * (MAX_LINE * 3) + b'"}\n'
    lines = _run(p, big + b"@10 hello {}\n", steps=200)
    eq(len(lines), 2, "answers")
    assert lines[0].startswith(b"TT:9 err toolong"), lines[0]
    assert lines[1].startswith(b"TT:10 ok "), lines[1]


def test_overlong_without_id_is_dropped():
    p = _new()
    lines = _run(p, b"z" * (MAX_LINE * 2) + b"\n@11 hello {}\n", steps=200)
    eq(len(lines), 1)
    assert lines[0].startswith(b"TT:11 ok"), lines[0]


def test_line_at_cap_is_accepted():
    p = _new()
    head = b'@12 watch {"on":true,"pad":"'
    tail = b'"}'
    line = head + b"y" * (MAX_LINE - len(head) - len(tail)) + tail
    eq(len(line), MAX_LINE)
    lines = _run(p, line + b"\n")
    eq(len(lines), 1)
    assert lines[0].startswith(b"TT:12 err args unknown argument pad"), lines[0]


def test_depth_cap_before_parsing():
    p = _new()
    deep = b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)
    lines = _run(p, b'@13 info {"a":' + deep + b"}\n")
    assert lines[0].startswith(b"TT:13 err depth"), lines[0]
    # Brackets inside strings do not count.
    lines = _run(p, b'@14 watch {"on":true,"x":"[[[[[[[[[[[[[[[["}\n')
    assert lines[0].startswith(b"TT:14 err args"), lines[0]


def test_non_ascii_and_control_bytes():
    p = _new()
    for bad in (b"\xff\xfe", b"\x00", b"\x03", b"\xc3\xa9", b"\t"):
        lines = _run(p, b'@15 info {"a":"' + bad + b'"}\n')
        assert lines[0].startswith(b"TT:15 err bytes"), (bad, lines)


def test_json_and_type_errors():
    p = _new()
    cases = (
        (b"@16 info {\n", b"TT:16 err json"),
        (b"@17 info [1,2]\n", b"TT:17 err type"),
        (b"@18 info 5\n", b"TT:18 err type"),
        (b"@19 info {]\n", b"TT:19 err json"),
        (b"@20 info }{\n", b"TT:20 err json"),
        (b"@21 nosuchop {}\n", b"TT:21 err unknown"),
        (b"@22 HELLO {}\n", b"TT:22 err unknown"),
        (b'@23 info {"x":1}\n', b"TT:23 err args"),
        (b"@24 info\n", b"TT:24 ok"),
        (b"@25 info nul\n", b"TT:25 err json"),
    )
    for req, want in cases:
        lines = _run(p, req)
        eq(len(lines), 1, req)
        assert lines[0].startswith(want), (req, lines[0])


def test_many_lines_in_one_write_all_answered():
    p = _new()
    data = b"".join([b"@%d hello {}\n" % i for i in range(1, 201)])
    lines = _run(p, data, steps=100)
    eq(len(lines), 200)
    for i, line in enumerate(lines):
        assert line.startswith(b"TT:%d ok" % (i + 1)), line
