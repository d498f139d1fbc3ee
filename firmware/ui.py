"""Input gestures -> session actions: knob cursor, glances, acknowledgements, long presses."""

from battery import battery_percent
from clockmath import ticks_add, ticks_diff
from controls import (
    BTN_HOLD,
    BTN_KNOB,
    BTN_PHASE,
    G_HOLD_LONG,
    G_HOLD_SHORT,
    G_KNOB_CHORD,
    G_KNOB_LONG,
    G_KNOB_SHORT,
    G_PHASE_LONG,
    G_PHASE_SHORT,
    G_PHASE_TURN,
    G_PRESS_CANCEL,
    G_PRESS_PROGRESS,
    G_PRESS_START,
    G_TURN,
)
from events import (
    BAL_ALWAYS,
    BAL_ON_DEMAND,
    BAL_PHASE_END,
    QUEUE_OFF,
    ST_ENDED,
    ST_PAUSED,
    ST_READY,
    ST_RUNNING,
)
from micropython import const

_ACK_MS = const(250)  # acknowledgement pip after an accepted gesture
GLANCE_MS = const(6000)  # balance shown on demand
_BATTERY_MS = const(4000)  # battery gauge
_ALERT_MS = const(8000)  # alert pattern

ALERT_NONE = const(0)
ALERT_STORAGE_FULL = const(1)
ALERT_RESUMED = const(2)
ALERT_AGENDA_REJECTED = const(3)

ACK_MARKER = const(-2)  # ack_seat of a facilitation marker (its own pip pattern)

_WINDOW_MS = const(130000)  # a deadline further away than this is stale (see active())


def active(until, now):
    """True while tick `until` lies ahead of now (and not absurdly far: stale after a wrap)."""
    d = ticks_diff(until, now)
    return 0 < d <= _WINDOW_MS


class Ui:
    """Maps gestures to actions on `session`; the renderer reads the fields below.

    `starter(now)` (set by the app) starts a session; without it, session.start(now) is used.
    `board` (optional) gives battery_mv() for the battery glance.
    """

    def __init__(self, session, board=None):
        self.session = session
        self.board = board
        self.starter = None
        self.cursor = 0
        self.ack_until = 0
        self.ack_seat = -1
        self.hold_button = -1
        self.hold_progress = 0
        self.glance_until = 0
        self.reveal_until = 0  # balance = "phase_end": shown until then
        self.press_seat = -1  # the seat a KNOB long press being built will apply to
        self._press_speaker = -1  # the speaker when that press began
        self._seen_phase = 0
        self._seen_end = False
        self.battery_until = 0
        self.battery_pct = -1
        self.alert = ALERT_NONE
        self.alert_until = 0
        self.accepted = 0  # gestures that did something (for tests and the sim)

    def balance_visible(self, now):
        s = self.session
        if s.state == ST_READY:
            return False
        bal = s.agenda.balance
        if bal == BAL_ALWAYS:
            return True
        if bal == BAL_PHASE_END:
            return self.revealing(now)
        return bal == BAL_ON_DEMAND and active(self.glance_until, now)

    def revealing(self, now):
        """True while the balance is revealed after a phase or the session ended."""
        return self.reveal_until != 0 and active(self.reveal_until, now)

    def set_alert(self, kind, now):
        self.alert = kind
        self.alert_until = ticks_add(now, _ALERT_MS)

    def set_session(self, session):
        self.session = session
        if self.cursor >= session.seats:
            self.cursor = 0
        self.reveal_until = 0
        self._seen_phase = session.phase
        self._seen_end = session.state == ST_ENDED
        self._follow()  # a recovered go-round points at its next seat

    def tick(self, now):
        """Forget expired glances so a 2**30 wrap can never bring them back; start the reveal
        when a phase or the session ended (by a gesture or by the host)."""
        s = self.session
        ended = s.state == ST_ENDED
        if s.phase != self._seen_phase or ended != self._seen_end:
            self._seen_phase = s.phase
            self._seen_end = ended
            if s.agenda.balance == BAL_PHASE_END and s.state != ST_READY:
                self.reveal_until = ticks_add(now, s.agenda.reveal_s * 1000)
        if self.reveal_until and not active(self.reveal_until, now):
            self.reveal_until = 0
        if self.alert and not active(self.alert_until, now):
            self.alert = ALERT_NONE
        if self.ack_seat >= 0 and not active(self.ack_until, now):
            self.ack_seat = -1

    def _ack(self, seat, now):
        self.ack_until = ticks_add(now, _ACK_MS)
        self.ack_seat = seat
        self.accepted += 1

    def _follow(self):
        s = self.session
        if s.round_active() and s.speaker >= 0:
            self.cursor = s.next_in_round()

    def _start(self, now):
        if self.starter is not None:
            return self.starter(now)
        return self.session.start(now)

    def handle(self, gesture, arg, now):
        """Apply one gesture at tick now; returns True when it was accepted (and acknowledged)."""
        s = self.session
        st = s.state
        ok = False
        seat = -1
        if gesture == G_TURN:
            n = s.seats
            self.cursor = (self.cursor + arg) % n
            seat = self.cursor
            ok = True
        elif gesture == G_PRESS_START:
            self.hold_button = arg
            self.hold_progress = 0
            if arg == BTN_KNOB:
                self._press_speaker = s.speaker
                self.press_seat = self._knob_long_seat(now)
            return False
        elif gesture == G_PRESS_PROGRESS:
            self.hold_button = arg >> 8
            self.hold_progress = arg & 255
            return False
        elif gesture == G_PRESS_CANCEL:
            self._release()
            return False
        elif gesture == G_KNOB_SHORT:
            self._release()
            c = self.cursor
            if s.round_active() and s.speaker >= 0 and c == s.next_in_round():
                ok = s.next_seat(now)
            else:
                ok = s.give_floor(c, now)
            seat = s.speaker if s.speaker >= 0 else c
            self._follow()
        elif gesture == G_KNOB_LONG:
            target = self.press_seat
            if self._press_speaker != s.speaker:
                target = self._knob_long_seat(now)  # the floor changed since the press began
            self._release()
            if s.round_active():
                ok = s.pass_seat(target, now)
                seat = target
            elif s.queue_len and s.agenda.queue != QUEUE_OFF:
                ok = s.floor_to_queued(now)
                seat = s.speaker
            else:
                seat = s.speaker
                ok = s.open_floor(now)
            self._follow()
        elif gesture == G_KNOB_CHORD:
            self._release()
            if arg == BTN_PHASE:
                seat = self.cursor
                ok = s.queue_toggle(seat, now)
            elif arg == BTN_HOLD:
                seat = ACK_MARKER
                ok = s.marker(now)
        elif gesture == G_PHASE_SHORT:
            self._release()
            if st == ST_READY or st == ST_ENDED:
                mv = self.board.battery_mv() if self.board is not None else -1
                self.battery_pct = battery_percent(mv)
                self.battery_until = ticks_add(now, _BATTERY_MS)
                ok = True
            elif s.agenda.balance == BAL_ON_DEMAND:
                if active(self.glance_until, now):
                    self.glance_until = now  # a second press hides it again
                else:
                    self.glance_until = ticks_add(now, GLANCE_MS)
                ok = True
        elif gesture == G_PHASE_LONG:
            self._release()
            if st == ST_READY or st == ST_ENDED:
                ok = self._start(now)
                s = self.session  # the app may have made a new session
            elif st == ST_RUNNING:
                ok = s.next_phase(now)
            self.glance_until = now
            self._follow()
        elif gesture == G_PHASE_TURN:
            ok = s.extend(arg, now)
        elif gesture == G_HOLD_SHORT:
            self._release()
            if st == ST_RUNNING:
                ok = s.pause(now)
            elif st == ST_PAUSED:
                ok = s.resume(now)
        elif gesture == G_HOLD_LONG:
            self._release()
            ok = s.end(now)
        if ok:
            self._ack(seat, now)
        return ok

    def _knob_long_seat(self, now):
        """The seat a KNOB long press begun now applies to: in a go-round the pass target
        (session.pass_target), with a queue the next queued seat, else -1 (the whole ring)."""
        s = self.session
        if s.round_active():
            return s.pass_target(now)
        if s.agenda.queue != QUEUE_OFF and s.state == ST_RUNNING:
            return s.queue_next(now)
        return -1

    def _release(self):
        self.hold_button = -1
        self.hold_progress = 0
        self.press_seat = -1
