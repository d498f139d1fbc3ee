# Host link and client pieces without a device: reply parsing, port choice, error exit codes.
from __future__ import annotations

import pytest
from talktoken.device import link
from talktoken.device.link import PortInfo, parse_reply


def test_parse_reply_kinds():
    r = parse_reply(b'TT:12 ok {"a":1}')
    assert (r.kind, r.rid, r.data) == ("ok", 12, {"a": 1})
    r = parse_reply(b"TT:13 err busy a session is running")
    assert (r.kind, r.code, r.message) == ("err", "busy", "a session is running")
    r = parse_reply(b"TT:14 chunk 384 0000abcd aGVsbG8=")
    assert (r.kind, r.offset, r.crc, r.payload) == ("chunk", 384, 0xABCD, b"aGVsbG8=")
    r = parse_reply(b'TT:* ev {"ev":"pass","seat":2,"phase":0,"t":5,"arg":0}')
    assert r.kind == "ev" and r.data["seat"] == 2


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b">>> ",
        b"MicroPython v1.29",
        b"TT:",
        b"TT:x ok {}",
        b"TT:1 ok {",
        b"TT:1 what",
        b"TT:* ok {}",
        b"TT:1 chunk 1 zz abc",
        b"tt:1 ok {}",
    ],
)
def test_parse_reply_ignores_non_protocol_lines(line):
    assert parse_reply(line) is None


def _ports(monkeypatch, found):
    monkeypatch.setattr(link, "list_ports", lambda: found)


def test_resolve_port(monkeypatch):
    pico = PortInfo("/dev/ttyACM0", vid=0x2E8A, talktoken=True)
    other = PortInfo("/dev/ttyUSB0", vid=0x0403)
    _ports(monkeypatch, [other])
    with pytest.raises(link.NoDeviceError) as exc:
        link.resolve_port(None)
    assert "--port" in str(exc.value)
    _ports(monkeypatch, [pico, other])
    assert link.resolve_port(None) == "/dev/ttyACM0"
    assert link.resolve_port("/dev/x") == "/dev/x"
    _ports(monkeypatch, [pico, PortInfo("/dev/ttyACM1", vid=0x2E8A, talktoken=True)])
    with pytest.raises(link.SeveralDevicesError) as exc:
        link.resolve_port(None)
    assert "/dev/ttyACM1" in str(exc.value)


def test_request_too_long_is_refused_before_sending():
    class Sink:
        written = b""

        def write(self, b):
            self.written += b

        def flush(self):
            pass

    sink = Sink()
    lk = link.Link("x", transport=sink)
    with pytest.raises(link.LinkError):
        lk.send(1, "agenda_set", {"agenda": {"name": "x" * 2000}})
    assert sink.written == b""
    lk.send(2, "info", {"é": 1})
    assert sink.written == b'@2 info {"\\u00e9":1}\n'  # ASCII only on the wire
