"""The session state machine: phases, go-round, open floor, pause, extend, per-seat tallies.

Replay after power loss is in sessreplay, loaded only then."""

from clockmath import ticks_add, ticks_diff
from events import (
    EV_CHECKPOINT,
    EV_EXTEND,
    EV_MARKER,
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
    MODE_ROUND,
    NO_SEAT,
    QUEUE_OFF,
    QUEUE_QUIET_FIRST,
    ST_ENDED,
    ST_PAUSED,
    ST_READY,
    ST_RUNNING,
)
from micropython import const

_TURN_WARN_MS = const(15000)  # turn warning lead: min(15 s, budget / 4)
_SEATS_MAX = const(12)
PASS_GRACE_MS = const(5000)  # a pass begun this early in a turn makes that turn the pass
_MAX_EXTEND_MIN = const(120)  # total extension of one phase, minutes
_EXTEND_CHUNK = const(7)  # an EXTEND record carries -8..7 minutes; larger steps log several
CHECKPOINT_MS = const(60000)  # a checkpoint when nothing was logged for this long


class _NullSink:
    def record(self, ev, seat, phase, t_ms, arg):
        pass


class Session:
    """One group session. Every method takes `now` (a ticks_ms value) and never does I/O.

    Actions return True when they changed something (the ui acknowledges those).
    Time is kept as absolute tick bases (session, phase, turn, silence, pause), compared with
    clockmath.ticks_diff, so it stays exact across the 2**30 wrap; a pause shifts the bases.
    """

    def __init__(self, agenda, sink=None):
        self.agenda = agenda
        self.seats = agenda.seats
        self.state = ST_READY
        self.phase = 0
        self.speaker = -1
        self.round_first = -1  # first seat of the go-round under way, -1 = none
        self.round_done = False  # this phase's go-round came back to its first seat
        self.extend_min = 0  # extension (< 0: shortening) of the current phase, minutes
        self.queue = [0] * _SEATS_MAX  # the open-floor queue in the order seats joined it
        self.queue_len = 0
        self.seat_talk_ms = [0] * _SEATS_MAX
        self.seat_turns = [0] * _SEATS_MAX
        self.seat_passes = [0] * _SEATS_MAX
        self.seat_over = [0] * _SEATS_MAX  # turns that ran past the turn budget
        self.silence_ms = 0  # running, nobody holding the floor
        self.last_t_ms = 0  # offset of the last record (logged or replayed)
        self.gaps = 0
        self._t0 = 0  # session start tick
        self._phase_t = 0
        self._turn_t = 0
        self._quiet_t = 0  # start of the current silence
        self._freeze_t = 0  # clocks stand still here while paused or ended
        self._end_t = 0
        self._phase_open = False
        self.sink = sink if sink is not None else _NullSink()
        self._mute = False

    # ---- queries at tick now: elapsed, warnings, talk, silence (no allocation) ----
    def _clk(self, now):
        return now if self.state == ST_RUNNING else self._freeze_t

    def session_ms(self, now):
        """Wall milliseconds since the session started (pauses included)."""
        if self.state == ST_READY:
            return 0
        if self.state == ST_ENDED:
            return ticks_diff(self._end_t, self._t0)
        return ticks_diff(now, self._t0)

    def phase_elapsed_ms(self, now):
        if self.state == ST_READY:
            return 0
        return ticks_diff(self._clk(now), self._phase_t)

    def phase_planned_ms(self):
        return (self.agenda.phases[self.phase].minutes + self.extend_min) * 60000

    def turn_elapsed_ms(self, now):
        if self.speaker < 0:
            return 0
        return ticks_diff(self._clk(now), self._turn_t)

    def turn_budget_ms(self):
        if self.speaker < 0:
            return 0
        return self.agenda.phases[self.phase].turn_s * 1000

    def _live(self):
        return self.state == ST_RUNNING or self.state == ST_PAUSED

    def phase_warning(self, now):
        if not self._live():
            return False
        lead = self.agenda.phases[self.phase].warn_s * 1000
        if lead <= 0:
            return False
        el = self.phase_elapsed_ms(now)
        plan = self.phase_planned_ms()
        return plan - lead <= el < plan

    def phase_overrun(self, now):
        return self._live() and self.phase_elapsed_ms(now) >= self.phase_planned_ms()

    def turn_warning(self, now):
        budget = self.turn_budget_ms()
        if budget <= 0 or not self._live():
            return False
        lead = budget >> 2
        if lead > _TURN_WARN_MS:
            lead = _TURN_WARN_MS
        el = self.turn_elapsed_ms(now)
        return budget - lead <= el < budget

    def turn_overrun(self, now):
        budget = self.turn_budget_ms()
        return budget > 0 and self._live() and self.turn_elapsed_ms(now) >= budget

    def seat_talk_now(self, seat, now):
        """Talk time of seat including the turn under way (pauses excluded)."""
        t = self.seat_talk_ms[seat]
        if seat == self.speaker:
            t += self.turn_elapsed_ms(now)
        return t

    def member_talk_ms(self, now):
        """Talk time of every seat that is not a facilitator, turn under way included."""
        total = 0
        mask = self.agenda.fac_mask
        for s in range(self.seats):
            if not (mask >> s) & 1:
                total += self.seat_talk_now(s, now)
        return total

    def silence_now(self, now):
        t = self.silence_ms
        if self.speaker < 0 and self._live():
            t += ticks_diff(self._clk(now), self._quiet_t)
        return t

    def round_active(self):
        """True while the phase is a go-round that has not come back to its first seat."""
        return self.agenda.phases[self.phase].mode == MODE_ROUND and not self.round_done

    def queued(self, seat):
        """Place of seat in the queue (0 = joined first), or -1."""
        for i in range(self.queue_len):
            if self.queue[i] == seat:
                return i
        return -1

    def queue_next(self, now):
        """The queued seat to get the floor next: the first queued ("fifo"), or the one with
        the least talk so far in the session ("quiet_first"; ties: first queued). -1: none."""
        n = self.queue_len
        if n == 0:
            return -1
        q = self.queue
        best = q[0]
        if self.agenda.queue == QUEUE_QUIET_FIRST:
            least = self.seat_talk_now(best, now)
            for i in range(1, n):
                t = self.seat_talk_now(q[i], now)
                if t < least:
                    least = t
                    best = q[i]
        return best

    def pass_target(self, now):
        """The seat a pass would apply to now: in a go-round, the speaker while their turn is
        younger than PASS_GRACE_MS, after that the next seat (-1 when the next seat opened the
        round: the gesture then only ends the turn). -1 outside a go-round turn."""
        if self.speaker < 0 or not self.round_active() or self.state != ST_RUNNING:
            return -1
        if self.turn_elapsed_ms(now) < PASS_GRACE_MS:
            return self.speaker
        nxt = self.next_in_round()
        return -1 if nxt == self.round_first else nxt

    def next_in_round(self):
        """The seat after the speaker (clockwise), or -1 when nobody speaks."""
        if self.speaker < 0:
            return -1
        return (self.speaker + 1) % self.seats

    # ---- internals ----
    def _emit(self, ev, seat, now, arg):
        t = ticks_diff(now, self._t0)
        self.last_t_ms = t
        if not self._mute:
            self.sink.record(ev, seat, self.phase, t, arg)

    def _close_quiet(self, now):
        clk = self._clk(now)
        if self.speaker < 0:
            self.silence_ms += ticks_diff(clk, self._quiet_t)
        self._quiet_t = clk

    def _start_turn(self, seat, now):
        self._close_quiet(now)
        self._unqueue(seat)  # a queued seat that gets the floor leaves the queue (implied)
        self.speaker = seat
        self._turn_t = now
        if self.round_first < 0 and self.round_active():
            self.round_first = seat
        self._emit(EV_TURN_START, seat, now, 0)

    def _end_turn(self, now, passed):
        """End the turn under way; True when that completed the go-round."""
        s = self.speaker
        if s < 0:
            return False
        clk = self._clk(now)
        el = ticks_diff(clk, self._turn_t)
        if passed:
            self.seat_passes[s] += 1
        else:
            self.seat_talk_ms[s] += el
            self.seat_turns[s] += 1
            budget = self.agenda.phases[self.phase].turn_s * 1000
            if budget and el > budget:
                self.seat_over[s] += 1
        self.speaker = -1
        self._quiet_t = clk
        self._emit(EV_PASS if passed else EV_TURN_END, s, now, 0)
        if self.round_first >= 0 and (s + 1) % self.seats == self.round_first:
            self.round_first = -1
            self.round_done = True
            return True
        return False

    def _begin_phase(self, index, now):
        self.phase = index
        self._phase_t = now
        self._quiet_t = now
        self.extend_min = 0
        self.speaker = -1
        self.round_first = -1
        self.round_done = False
        self._phase_open = True
        self._emit(EV_PHASE_START, NO_SEAT, now, 0)

    def _close_phase(self, now):
        self._end_turn(now, False)
        self._close_quiet(now)
        self.queue_len = 0  # the queue empties with the phase (implied by phase_end)
        self._phase_open = False
        self._emit(EV_PHASE_END, NO_SEAT, now, 0)

    def _open(self, now):
        self._t0 = now
        self.state = ST_RUNNING
        self._emit(EV_SESSION_START, NO_SEAT, now, 0)

    def _finish(self, now):
        if self.state == ST_RUNNING:
            self._freeze_t = now
        self.state = ST_ENDED
        self._end_t = now
        self._emit(EV_SESSION_END, NO_SEAT, now, 0)

    def _apply_extend(self, minutes, now):
        """Change the extension by minutes; shortening stops at the floor (now None: replay,
        the logged change is taken as it was, only kept to a phase of at least a minute)."""
        new = self.extend_min + minutes
        lo = 1 - self.agenda.phases[self.phase].minutes
        if now is not None:
            # never below the time already run plus one minute (whole minutes, rounded up)
            floor = (self.phase_elapsed_ms(now) + 119999) // 60000
            floor -= self.agenda.phases[self.phase].minutes
            if floor > lo:
                lo = floor
        if minutes < 0 and lo > self.extend_min:
            lo = self.extend_min  # already at or below the floor: a shortening changes nothing
        if new < lo:
            new = lo
        elif new > _MAX_EXTEND_MIN:
            new = _MAX_EXTEND_MIN
        applied = new - self.extend_min
        self.extend_min = new
        return applied

    def _unqueue(self, seat):
        """Take seat out of the queue; True when it was queued. No allocation."""
        q = self.queue
        n = self.queue_len
        i = 0
        while i < n and q[i] != seat:
            i += 1
        if i >= n:
            return False
        while i + 1 < n:
            q[i] = q[i + 1]
            i += 1
        self.queue_len = n - 1
        return True

    def _enqueue(self, seat):
        if self.queue_len >= _SEATS_MAX:
            return False
        self.queue[self.queue_len] = seat
        self.queue_len += 1
        return True

    def _shift(self, d):
        self._t0 = ticks_add(self._t0, d)
        self._phase_t = ticks_add(self._phase_t, d)
        self._turn_t = ticks_add(self._turn_t, d)
        self._quiet_t = ticks_add(self._quiet_t, d)

    # ---- actions ----
    def start(self, now):
        if self.state != ST_READY:
            return False
        self._open(now)
        self._begin_phase(0, now)
        return True

    def give_floor(self, seat, now):
        """End the turn under way (if any) and give the floor to seat."""
        if self.state != ST_RUNNING or seat < 0 or seat >= self.seats or seat == self.speaker:
            return False
        self._end_turn(now, False)
        self._start_turn(seat, now)
        return True

    def open_floor(self, now):
        """End the turn under way; nobody holds the floor."""
        if self.state != ST_RUNNING or self.speaker < 0:
            return False
        self._end_turn(now, False)
        return True

    def next_seat(self, now):
        """Pass the token clockwise; back at the go-round's first seat the floor opens."""
        if self.state != ST_RUNNING or self.speaker < 0:
            return False
        nxt = (self.speaker + 1) % self.seats
        if not self._end_turn(now, False):
            self._start_turn(nxt, now)
        return True

    def pass_turn(self, now):
        """The speaker passes (logged as a pass, not as talk); a go-round moves on."""
        if self.state != ST_RUNNING or self.speaker < 0:
            return False
        nxt = (self.speaker + 1) % self.seats
        in_round = self.round_first >= 0
        if not self._end_turn(now, True) and in_round:
            self._start_turn(nxt, now)
        return True

    def pass_seat(self, seat, now):
        """A pass for seat (see pass_target): the speaker's turn becomes a pass, or the
        speaker's turn ends as talk and the next seat passes; a go-round moves on.
        seat -1 (the round's last seat, past the grace) just ends the turn."""
        if self.state != ST_RUNNING or self.speaker < 0 or not self.round_active():
            return False
        if seat == self.speaker:
            return self.pass_turn(now)
        nxt = self.next_in_round()
        if seat < 0:
            return self.next_seat(now)
        if seat != nxt or nxt == self.round_first:
            return False
        self._end_turn(now, False)
        self._start_turn(nxt, now)
        after = (nxt + 1) % self.seats
        if not self._end_turn(now, True):
            self._start_turn(after, now)
        return True

    def queue_toggle(self, seat, now):
        """Add seat to the open-floor queue, or take it out when it is queued (logged)."""
        if (
            not self._live()
            or self.agenda.queue == QUEUE_OFF
            or seat < 0
            or seat >= self.seats
            or seat == self.speaker
        ):
            return False
        if self._unqueue(seat):
            self._emit(EV_QUEUE_REMOVE, seat, now, 0)
        elif self._enqueue(seat):
            self._emit(EV_QUEUE_ADD, seat, now, 0)
        else:
            return False
        return True

    def floor_to_queued(self, now):
        """End the turn under way and give the floor to the next queued seat (queue_next)."""
        if self.state != ST_RUNNING or self.round_active():
            return False
        seat = self.queue_next(now)
        if seat < 0:
            return False
        self._end_turn(now, False)
        self._start_turn(seat, now)
        return True

    def marker(self, now):
        """Log a facilitation marker here (an offset, nothing else)."""
        if not self._live():
            return False
        self._emit(EV_MARKER, NO_SEAT, now, 0)
        return True

    def next_phase(self, now):
        """Close the phase and start the next one; after the last phase the session ends."""
        if self.state != ST_RUNNING:
            return False
        self._close_phase(now)
        if self.phase + 1 >= len(self.agenda.phases):
            self._finish(now)
        else:
            self._begin_phase(self.phase + 1, now)
        return True

    def extend(self, minutes, now):
        """Lengthen or shorten the phase by whole minutes; shortening stops at the time
        already run plus one minute (rounded up to whole minutes)."""
        if not self._live():
            return False
        applied = self._apply_extend(minutes, now)
        left = applied
        while left:
            step = left
            if step > _EXTEND_CHUNK:
                step = _EXTEND_CHUNK
            elif step < -_EXTEND_CHUNK:
                step = -_EXTEND_CHUNK
            self._emit(EV_EXTEND, NO_SEAT, now, step)
            left -= step
        return applied != 0

    def pause(self, now):
        if self.state != ST_RUNNING:
            return False
        self.state = ST_PAUSED
        self._freeze_t = now
        self._emit(EV_PAUSE, NO_SEAT, now, 0)
        return True

    def resume(self, now):
        if self.state != ST_PAUSED:
            return False
        d = ticks_diff(now, self._freeze_t)
        self._phase_t = ticks_add(self._phase_t, d)
        self._turn_t = ticks_add(self._turn_t, d)
        self._quiet_t = ticks_add(self._quiet_t, d)
        self.state = ST_RUNNING
        self._emit(EV_RESUME, NO_SEAT, now, 0)
        return True

    def end(self, now):
        """End the session now (running or paused)."""
        if not self._live():
            return False
        if self._phase_open:
            self._close_phase(now)
        self._finish(now)
        return True

    def tick(self, now):
        """Per-loop upkeep: a checkpoint record when nothing was logged for CHECKPOINT_MS."""
        if self._live() and ticks_diff(now, self._t0) - self.last_t_ms >= CHECKPOINT_MS:
            self._emit(EV_CHECKPOINT, NO_SEAT, now, 0)

    def checkpoint(self, now):
        """Record the session clock now (before a firmware update or a planned stop), so a
        resume loses no elapsed time. Nothing when no session runs or nothing is new."""
        if self._live() and ticks_diff(now, self._t0) > self.last_t_ms:
            self._emit(EV_CHECKPOINT, NO_SEAT, now, 0)
            return True
        return False

    # ---- recovery (sessreplay, loaded only when a session is resumed) ----
    def replay(self, ev, seat, phase, t_ms, arg):
        """Re-apply one logged record (sink muted); t_ms is used as the tick."""
        import sessreplay

        sessreplay.replay(self, ev, seat, phase, t_ms, arg)

    def continue_after_gap(self, now):
        """After replay: go on from the last logged offset at tick now, and log EV_GAP."""
        import sessreplay

        return sessreplay.continue_after_gap(self, now)
