"""The scripted session of the firmware benches (drift and heap drivers): gestures at set times."""

import random

import agenda
import controls
from events import ST_ENDED, ST_READY


def bench_agenda(seats, phases):
    return agenda.parse(
        {
            "name": "Bench",
            "seats": seats,
            "facilitators": [0],
            "balance": "on_demand",
            "phases": [
                {"name": n, "minutes": m, "floor": f, "turn_seconds": ts, "warn_seconds": 60}
                for n, m, f, ts in phases
            ],
        }
    )


class Script:
    """Plays a session on an App by pushing gestures at scripted true times."""

    def __init__(self, app, turn_lo, turn_hi, pause_at=-1):
        self.app = app
        self.turn_lo = turn_lo
        self.turn_hi = turn_hi
        self.next_at = 1000
        self.phase_end_at = -1
        self.pause_at = pause_at
        self.resume_at = -1
        self.turns = 0

    def push(self, g, arg=0):
        self.app.queue.push(g, arg)

    def act(self, t):
        """Called every loop with the true time t (ms since the script began)."""
        s = self.app.session
        if s.state == ST_READY:
            if t >= self.next_at:
                self.push(controls.G_PHASE_LONG)
                self.phase_end_at = -1
            return
        if s.state == ST_ENDED:
            return
        if self.resume_at >= 0:
            if t >= self.resume_at:
                self.push(controls.G_HOLD_SHORT)
                self.resume_at = -1
            return
        if 0 <= self.pause_at <= t:
            self.push(controls.G_HOLD_SHORT)
            self.pause_at = -1
            self.resume_at = t + 300000
            return
        if self.phase_end_at < 0:
            plan = s.phase_planned_ms()
            self.phase_end_at = t + plan + random.randint(-60000, 120000)
            if s.phase == 1:
                self.push(controls.G_PHASE_TURN, 2)
        if t >= self.phase_end_at:
            self.push(controls.G_PHASE_LONG)
            self.phase_end_at = -1
            self.next_at = t + random.randint(self.turn_lo, self.turn_hi)
            return
        if t < self.next_at:
            return
        self.next_at = t + random.randint(self.turn_lo, self.turn_hi)
        if s.round_active():
            if s.speaker >= 0 and random.randint(0, 9) == 0:
                self.push(controls.G_KNOB_LONG)  # a pass
            else:
                self.push(controls.G_KNOB_SHORT)
            self.turns += 1
        elif s.agenda.phases[s.phase].mode == 0:
            return  # the round is over: quiet until the phase ends
        elif random.randint(0, 5) == 0:
            self.push(controls.G_KNOB_LONG)  # open floor
        else:
            self.push(controls.G_TURN, random.randint(1, s.seats - 1))
            self.push(controls.G_KNOB_SHORT)
            self.turns += 1
