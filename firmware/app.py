"""One loop iteration of the device: inputs -> ui -> session -> log -> protocol -> LED ring."""

import gc
import sys

import agenda as agendamod
import clocksrc
import controls
import cue
import ledring
import logstore
from clockmath import ticks_add, ticks_diff
from events import ST_ENDED, ST_PAUSED, ST_RUNNING
from micropython import const
from session import Session
from ui import ALERT_AGENDA_REJECTED, ALERT_RESUMED, ALERT_STORAGE_FULL, Ui

FW_VERSION = "0.1.0"
LOOP_MS = const(10)  # loop period on the device
_RETRY_MIN_MS = const(250)  # after a MemoryError loading the protocol: first wait, then doubled
_RETRY_MAX_MS = const(16000)
AGENDA_FILE = "agenda.json"
AGENDA_TMP = "agenda.tmp"


class Busy(agendamod.AgendaError):
    """The agenda cannot change while a session runs."""

    def __init__(self):
        super().__init__("", "a session is running; end it before changing the agenda")


class App:
    """The device program. `step(now)` runs one loop iteration; `run()` loops forever.

    The app is the session's sink: it tees every event to the log store and the protocol.
    """

    def __init__(self, board, store=None, protocol_factory=None, agenda_obj=None):
        self.board = board
        self.store = store
        self.fw_version = FW_VERSION
        self.clock_source = board.clock_source  # clocksrc: the RTC module at boot, or none
        self.clock_set = self.clock_source != clocksrc.CLOCK_NONE
        self.frame = bytearray(72)
        self.queue = controls.GestureQueue(16)
        self.controls = controls.Controls(counted=board.knob_counted)
        self.proto = None  # made when the first byte arrives on the serial port (connect())
        self._proto_factory = protocol_factory
        self._first = bytearray(1)  # the serial watcher's byte while no protocol is loaded
        self.connect_failures = 0
        self.load_error = None  # why the protocol could not load (not a MemoryError): no retry
        self.proto_faults = 0  # exceptions out of the protocol caught by the loop (bugs)
        self._retry_at = 0
        self._retry_ms = 0  # 0: no back-off under way
        self._store_open = False
        self._intr = None
        boot_alert = 0
        if agenda_obj is None:
            agenda_obj, boot_alert = self._load_agenda()
        self.agenda = agenda_obj
        self.session = Session(agenda_obj, self)
        self.ui = Ui(self.session, board)
        self.ui.starter = self.start_session
        self.cue = cue.Cue()
        now = board.ticks_ms()
        knob = board.knob_count() if self.controls.counted else 0
        self.controls.reset(board.read_inputs(), now, knob)  # held at power-on: nothing
        if boot_alert:
            self.ui.set_alert(boot_alert, now)
        if store is not None:
            self._recover(now)
        self._sync_interrupt()
        gc.collect()  # boot imports, agenda parsing and recovery leave garbage: start clean

    # ---- the session's sink ----
    def record(self, ev, seat, phase, t_ms, arg):
        if self.store is not None:
            self.store.record(ev, seat, phase, t_ms, arg)
        p = self.proto
        if p is not None:
            try:
                p.on_event(ev, seat, phase, t_ms, arg)
            except Exception:
                self.proto_faults += 1

    # ---- the loop ----
    def step(self, now):
        """One loop iteration at tick now. Allocates nothing in steady state."""
        b = self.board
        q = self.queue
        c = self.controls
        c.poll(b.read_inputs(), now, q)
        if c.counted:
            c.count(b.knob_count(), q)
        ui = self.ui
        while True:
            g = q.pop()
            if g == controls.G_NONE:
                break
            ui.handle(g, q.arg, now)
        s = self.session
        s.tick(now)
        ui.tick(now)
        if self._store_open and s.state == ST_ENDED:
            self._store_open = False
            self.store.end()
        if self.store is not None:
            self.store.service(now)
        p = self.proto
        if p is not None:
            self._serve(p, now)
        elif self._proto_factory is not None and self.load_error is None:
            self._watch_serial(now)
        self._sync_interrupt()
        self.cue.step(self.session, b, now)
        ledring.render(self.frame, self.session, ui, now)
        b.show(self.frame)
        b.feed_watchdog()

    def run(self):
        """Loop forever at LOOP_MS, from absolute tick deadlines (never summed sleeps)."""
        b = self.board
        due = b.ticks_ms()
        while True:
            self.step(due)
            due = ticks_add(due, LOOP_MS)
            self.serve_until(due)
            wait = ticks_diff(due, b.ticks_ms())
            if wait > 0:
                b.sleep_ms(wait)
            elif wait < -LOOP_MS:
                due = b.ticks_ms()  # fell behind (flash write, GC): do not try to catch up

    def serve_until(self, due):
        """Between loop iterations: while the protocol has work (a fetch streaming, requests
        waiting), serve it until tick `due` instead of sleeping, so a pull is not held to one
        chunk a loop. The loop itself keeps its deadlines."""
        p = self.proto
        if p is None:
            return
        b = self.board
        while p.busy:
            now = b.ticks_ms()
            if ticks_diff(due, now) <= 0:
                return
            self._serve(p, now)

    def _serve(self, p, now):
        """p.service(now), guarded: the protocol answers its own failures with err replies,
        and whatever still escapes (a bug) is counted here, never the end of the loop."""
        try:
            p.service(now)
        except Exception:
            self.proto_faults += 1

    # ---- the protocol, loaded on first use ----
    def _watch_serial(self, now):
        """No host has spoken yet: one byte read, nothing allocated while the port is quiet.
        After a failed load the port is left alone until the back-off has passed."""
        if self._retry_ms and ticks_diff(now, self._retry_at) < 0:
            return
        first = self._first
        if self.board.serial.read_into(first, 0, 1):
            self.connect(now, first)

    def connect(self, now, pending=b""):
        """Load and make the protocol, hand it the bytes already read from the port, and serve
        them. The factory is a callable, a module name, or module names to import in that order
        (preload.PROTO); a module's Proto is the factory then.

        A MemoryError costs those bytes, never the session: the next try comes on a host byte
        after a back-off (_RETRY_MIN_MS, doubled up to _RETRY_MAX_MS), so a failing load is not
        repeated inside a request's time budget. Any other error will not go away by trying
        again: it is told to the host once (`TT:* fault ...`), kept in load_error, and the
        protocol is not loaded again until the device restarts."""
        f = self._proto_factory
        try:
            if type(f) is str:
                f = (f,)
            if type(f) is tuple:
                import preload

                f = preload.run(f).Proto
            p = f(self)
        except MemoryError:
            self.connect_failures += 1
            gc.collect()
            ms = self._retry_ms * 2 if self._retry_ms else _RETRY_MIN_MS
            self._retry_ms = ms if ms < _RETRY_MAX_MS else _RETRY_MAX_MS
            self._retry_at = ticks_add(now, self._retry_ms)
            return None
        except Exception as exc:
            self.connect_failures += 1
            self.load_error = "%s %s" % (type(exc).__name__, exc)
            gc.collect()
            msg = self.load_error.replace("\n", " ").replace('"', "'")
            self.board.serial.write(b'TT:* fault {"what":"protocol","error":"%s"}\n' % msg.encode())
            return None
        self._retry_ms = 0
        if pending:
            p.feed(pending)
        self.proto = p
        p.service(now)
        return p

    def running(self):
        st = self.session.state
        return st == ST_RUNNING or st == ST_PAUSED

    def _sync_interrupt(self):
        want = not self.running()
        if want != self._intr:
            self._intr = want
            self.board.serial.set_interrupt(want)

    # ---- session start and recovery ----
    def start_session(self, now):
        """Start a session with the current agenda (the ui calls this on PHASE long)."""
        if self.running():
            return False
        if self.store is not None:
            if self._store_open:
                self._store_open = False
                self.store.end()
            wall = self.board.rtc_now() if self.clock_set else 0
            try:
                self.store.begin(self.agenda, wall)
            except logstore.StorageFull:
                self.ui.set_alert(ALERT_STORAGE_FULL, now)
                return False
            self._store_open = True
        s = Session(self.agenda, self)
        self.session = s
        self.ui.set_session(s)
        return s.start(now)

    def _recover(self, now):
        found = self.store.unfinished()
        if not found:
            return
        a, records = _unpack_unfinished(found, self.agenda)
        s = Session(a, self)
        for r in records:
            s.replay(r[0], r[1], r[2], r[3], r[4])
        self.store.resume(found)
        self._store_open = True
        self.session = s
        self.ui.set_session(s)
        if s.state == ST_RUNNING or s.state == ST_PAUSED:
            s.continue_after_gap(now)
        self.ui.set_alert(ALERT_RESUMED, now)
        # Recovery happens once, at boot: unload its code (its qstrs stay; they are never freed).
        sys.modules.pop("sessreplay", None)
        sys.modules.pop("logrecover", None)

    # ---- the agenda ----
    def set_agenda(self, a):
        """Make Agenda a the device's agenda and store it; Busy while a session runs."""
        if self.running():
            raise Busy()
        self._save_agenda(a)
        self.agenda = a
        self.session = Session(a, self)
        self.ui.set_session(self.session)

    def set_agenda_json(self, text, now):
        """Parse and apply agenda JSON; on a bad agenda show the alert and raise AgendaError."""
        try:
            a = agendamod.from_json(text)
        except agendamod.AgendaError:
            self.ui.set_alert(ALERT_AGENDA_REJECTED, now)
            raise
        self.set_agenda(a)
        return a

    def alert(self, kind, now):
        self.ui.set_alert(kind, now)

    def _fs(self):
        return getattr(self.board, "fs", None)

    def _load_agenda(self):
        """(agenda, alert): the stored agenda, or the default (alert when the file was bad)."""
        try:
            text = self._read(AGENDA_FILE)
        except OSError:
            return agendamod.default(), 0
        try:
            return agendamod.from_json(text), 0
        except agendamod.AgendaError:
            return agendamod.default(), ALERT_AGENDA_REJECTED

    def _read(self, name):
        fs = self._fs()
        if fs is None:
            raise OSError(2)  # a board without storage
        f = fs.open(name, "rb")
        try:
            return f.read()
        finally:
            f.close()

    def _save_agenda(self, a):
        data = agendamod.canonical(a)
        fs = self._fs()
        if fs is None:
            return  # a board without storage keeps the agenda in RAM only
        f = fs.open(AGENDA_TMP, "wb")
        try:
            f.write(data)
        finally:
            f.close()
        fs.rename(AGENDA_TMP, AGENDA_FILE)


def _unpack_unfinished(found, fallback):
    """(Agenda, records) of a logrecover.Unfinished; fallback when its agenda does not parse."""
    try:
        a = agendamod.parse(found.agenda)
    except agendamod.AgendaError:
        a = fallback
    return a, found.records
