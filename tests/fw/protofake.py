"""Small doubles (serial, board, session, app) and a real LogStore for protocol tests."""

import binascii
import hashlib

import agenda
import events
import logfiles
import logfs_helper
import logstore


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

    def write(self, data, start=0):
        """The serial interface: takes all of data[start:] (a host that reads at once)."""
        self.out.extend(data[start:] if start else data)
        return len(data) - start

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
        self.rtc_module = False  # no battery-backed RTC module fitted

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


class CountingStore(logstore.LogStore):
    """The real LogStore (on a LittleFS image), counting flush() calls."""

    def __init__(self, fs):
        logstore.LogStore.__init__(self, fs, "e66038b7136b2a2f", "0.1.0")
        self.flushed = 0

    def flush(self):
        self.flushed += 1
        return logstore.LogStore.flush(self)


def store_with(files=None):
    """A LogStore on a fresh LittleFS image holding `files` ({session file name: bytes})."""
    fs = logfs_helper.new_fs(32)
    try:
        fs.mkdir(logstore.DIR)
    except OSError:
        pass
    for name in sorted(files or {}):
        with fs.open(logstore.DIR + "/" + name, "wb") as f:
            f.write(files[name])
    return CountingStore(fs)


def stored(store):
    """Names of the session files on the store's file system."""
    return logfiles.names(store.fs)


class FakeSession:
    def __init__(self, a):
        self.agenda = a
        self.state = events.ST_READY
        self.phase = 0
        self.speaker = -1
        self.seat_turns = [0] * 12
        self.seat_passes = [0] * 12
        self.checkpoints = 0

    def checkpoint(self, now):
        self.checkpoints += 1

    def session_ms(self, now):
        return now

    def seat_talk_now(self, seat, now):
        return seat * 1000


class FakeApp:
    def __init__(self, files=None, store=None):
        self.board = FakeBoard()
        self.store = store if store is not None else store_with(files)
        self.agenda = agenda.default()
        self.session = FakeSession(self.agenda)
        self.clock_set = False
        self.clock_source = 0  # clocksrc.CLOCK_NONE
        self.fw_version = "0.1.0"

    def set_agenda(self, a):
        if self.session.state in (events.ST_RUNNING, events.ST_PAUSED):
            raise ValueError("session running")
        self.agenda = a
        self.session = FakeSession(a)
