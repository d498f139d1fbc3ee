# Time and tally queries of a session (no allocation); Session inherits them.
from clockmath import ticks_diff
from events import MODE_ROUND, QUEUE_QUIET_FIRST, ST_ENDED, ST_PAUSED, ST_READY, ST_RUNNING
from micropython import const

TURN_WARN_MS = const(15000)  # turn warning lead: min(15 s, budget / 4)
SEATS_MAX = const(12)
PASS_GRACE_MS = const(5000)  # a pass begun this early in a turn makes that turn the pass


class SessionClock:
    """Read-only views of a Session's state at tick now: elapsed, warnings, talk, silence."""

    def __init__(self, agenda):
        """The state every query reads; Session's actions change it."""
        self.agenda = agenda
        self.seats = agenda.seats
        self.state = ST_READY
        self.phase = 0
        self.speaker = -1
        self.round_first = -1  # first seat of the go-round under way, -1 = none
        self.round_done = False  # this phase's go-round came back to its first seat
        self.extend_min = 0  # extension (< 0: shortening) of the current phase, minutes
        self.queue = [0] * SEATS_MAX  # the open-floor queue in the order seats joined it
        self.queue_len = 0
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
