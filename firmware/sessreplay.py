"""Session recovery: replay logged records into a Session, then go on after the gap.

Imported only when an unfinished session is resumed; `self` is the Session."""

from clockmath import ticks_add, ticks_diff
from events import (
    EV_EXTEND,
    EV_GAP,
    EV_PASS,
    EV_PAUSE,
    EV_PHASE_END,
    EV_PHASE_START,
    EV_QUEUE_ADD,
    EV_QUEUE_REMOVE,
    EV_RESUME,
    EV_SESSION_END,
    EV_SESSION_START,
    EV_TURN_END,
    EV_TURN_START,
    NO_SEAT,
    ST_ENDED,
    ST_READY,
    ST_RUNNING,
)


def replay(self, ev, seat, phase, t_ms, arg):
    """Re-apply one logged record (sink muted); t_ms is used as the tick."""
    now = t_ms
    self._mute = True
    try:
        if ev == EV_SESSION_START:
            if self.state == ST_READY:
                self._open(now)
        elif self.state == ST_READY or self.state == ST_ENDED:
            pass
        elif ev == EV_PHASE_START:
            if self._phase_open:
                self._close_phase(now)
            if 0 <= phase < len(self.agenda.phases):
                self._begin_phase(phase, now)
        elif ev == EV_PHASE_END:
            if self._phase_open:
                self._close_phase(now)
        elif ev == EV_TURN_START:
            if 0 <= seat < self.seats and self._phase_open:
                self._end_turn(now, False)
                self._start_turn(seat, now)
        elif ev == EV_TURN_END or ev == EV_PASS:
            if seat == self.speaker:
                self._end_turn(now, ev == EV_PASS)
        elif ev == EV_PAUSE:
            self.pause(now)
        elif ev == EV_RESUME:
            self.resume(now)
        elif ev == EV_EXTEND:
            self._apply_extend(arg, None)
        elif ev == EV_SESSION_END:
            self._finish(now)
        elif ev == EV_QUEUE_ADD:
            if 0 <= seat < self.seats and not self._unqueue(seat):
                self._enqueue(seat)
        elif ev == EV_QUEUE_REMOVE:
            self._unqueue(seat)
        elif ev == EV_GAP:
            self.gaps += 1
        self.last_t_ms = t_ms
    finally:
        self._mute = False


def continue_after_gap(self, now):
    """After replay: go on from the last logged offset at tick now, and log EV_GAP."""
    if not self._live():
        return False
    d = ticks_diff(now, ticks_add(self._t0, self.last_t_ms))
    self._shift(d)
    self._freeze_t = ticks_add(self._freeze_t, d)
    self.gaps += 1
    self._emit(EV_GAP, NO_SEAT, now, 0)
    if not self._phase_open and self.state == ST_RUNNING:
        # the log was cut between a phase end and what followed it: finish that step
        if self.phase + 1 >= len(self.agenda.phases):
            self._finish(now)
        else:
            self._begin_phase(self.phase + 1, now)
    return True
