"""The session state machine: phases, go-round, open floor, pause, extend, per-seat tallies.

Replay after power loss is in sessreplay, loaded only then."""

from clockmath import ticks_add, ticks_diff
from events import (
    EV_CHECKPOINT,
    EV_EXTEND,
    EV_PASS,
    EV_PAUSE,
    EV_PHASE_END,
    EV_PHASE_START,
    EV_RESUME,
    EV_SESSION_END,
    EV_SESSION_START,
    EV_TURN_END,
    EV_TURN_START,
    MODE_ROUND,
    NO_SEAT,
    ST_ENDED,
    ST_PAUSED,
    ST_READY,
    ST_RUNNING,
)
from micropython import const

TURN_WARN_MS = const(15000)  # turn warning lead: min(15 s, budget / 4)
SEATS_MAX = const(12)
MAX_EXTEND_MIN = const(120)  # total extension of one phase, minutes
EXTEND_CHUNK = const(7)  # an EXTEND record carries -8..7 minutes; larger steps log several
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
        self.extend_min = 0  # extension of the current phase, 0..MAX_EXTEND_MIN
        self.seat_talk_ms = [0] * SEATS_MAX
        self.seat_turns = [0] * SEATS_MAX
        self.seat_passes = [0] * SEATS_MAX
        self.seat_over = [0] * SEATS_MAX  # turns that ran past the turn budget
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
        if lead > TURN_WARN_MS:
            lead = TURN_WARN_MS
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

    def _apply_extend(self, minutes):
        new = self.extend_min + minutes
        if new < 0:
            new = 0
        elif new > MAX_EXTEND_MIN:
            new = MAX_EXTEND_MIN
        applied = new - self.extend_min
        self.extend_min = new
        return applied

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
        """Lengthen (or, within earlier extensions, shorten) the phase by whole minutes."""
        if not self._live():
            return False
        applied = self._apply_extend(minutes)
        left = applied
        while left:
            step = left
            if step > EXTEND_CHUNK:
                step = EXTEND_CHUNK
            elif step < -EXTEND_CHUNK:
                step = -EXTEND_CHUNK
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
