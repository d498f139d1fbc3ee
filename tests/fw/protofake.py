# Small doubles (serial, board, store, session, app) for protocol tests in both VMs.
import binascii
import hashlib

import agenda
import events


class FakeSerial:
    def __init__(self):
        self.inbox = bytearray()
        self.out = bytearray()
        self.interrupt = True

    def feed(self, data):
        self.inbox.extend(data)

    def read_into(self, buf, start, maxlen):
        n = len(self.inbox)
        if n > maxlen:
            n = maxlen
        if n:
            buf[start : start + n] = self.inbox[:n]
            self.inbox = self.inbox[n:]
        return n

    def write(self, data):
        self.out.extend(data)

    def set_interrupt(self, enabled):
        self.interrupt = enabled

    def take(self):
        lines = bytes(self.out).split(b"\n")
        self.out = bytearray(lines[-1])
        return lines[:-1]


class FakeBoard:
    def __init__(self):
        self.serial = FakeSerial()
        self.clock = 1609459200

    def unique_id(self):
        return "e66038b7136b2a2f"

    def rtc_now(self):
        return self.clock

    def rtc_set(self, epoch):
        self.clock = epoch

    def battery_mv(self):
        return -1


def sha_hex(data):
    return str(binascii.hexlify(hashlib.sha256(data).digest()), "ascii")


class FakeStore:
    def __init__(self, files=None):
        self.files = dict(files or {})
        self.fs_id = "a1b2c3d4"
        self.flushed = 0

    def sessions(self):
        return [
            {
                "name": n,
                "id": "%016x" % i,
                "size": len(self.files[n]),
                "complete": True,
                "started_at": 0,
            }
            for i, n in enumerate(sorted(self.files))
        ]

    def read_chunk(self, name, offset, n, buf):
        data = self.files[name]
        part = data[offset : offset + n]
        buf[0 : len(part)] = part
        return len(part)

    def sha256(self, name):
        return sha_hex(self.files[name])

    def delete(self, name, sha_hex_):
        if self.sha256(name) != sha_hex_:
            return False
        del self.files[name]
        return True

    def free_bytes(self):
        return 1000000

    def flush(self):
        self.flushed += 1


class FakeSession:
    def __init__(self, a):
        self.agenda = a
        self.state = events.ST_READY
        self.phase = 0
        self.speaker = -1
        self.seat_turns = [0] * 12
        self.seat_passes = [0] * 12

    def session_ms(self, now):
        return now

    def seat_talk_now(self, seat, now):
        return seat * 1000


class FakeApp:
    def __init__(self, files=None):
        self.board = FakeBoard()
        self.store = FakeStore(files)
        self.agenda = agenda.default()
        self.session = FakeSession(self.agenda)
        self.clock_set = False
        self.fw_version = "0.1.0"

    def set_agenda(self, a):
        if self.session.state in (events.ST_RUNNING, events.ST_PAUSED):
            raise ValueError("session running")
        self.agenda = a
        self.session = FakeSession(a)
