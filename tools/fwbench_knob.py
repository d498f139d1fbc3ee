# Knob and press figures under flash stalls: the simulated device on its real loop period.
# Runs INSIDE a VM (MicroPython unix port or CPython) with the simulator's VM modules and the
# firmware on the path. Usage: fwbench_knob knob|ack STALL KNOB SEED [SCALE]
#   knob: fast turns (up to 2 revolutions a second) started as a flush begins; prints
#         RESULT knob <detents scripted> <missed> 0 <stall ms> <stalls> <longest stall ms>
#   ack:  a 2-hour session with presses at random times, a third of them right after the last
#         (into its flush); the ack is the first frame showing the press's fill. Prints
#         RESULT ack <worst ms> <presses acked> <presses lost> <stall ms> <stalls> <longest ms>
# SCALE (default 1) shortens the scripts for tests (knob: segments; ack: minutes / SCALE).
# ruff: noqa: UP031  (MicroPython: %-formatting)
import random
import sys

import driver_core

LOOP_MS = 10
KNOB_BIT = 1
PHASE_BIT = 2
DETENTS_PER_REV = 24  # PEC11R-class: 24 detents, 4 transitions each
CW = (8, 24, 16, 0)  # A leads (bit3 = A, bit4 = B, 1 = active)
CCW = (16, 24, 8, 0)


class LoopDriver(driver_core.Driver):
    """The simulator's driver stepping the app on the device's loop period (App.run's rule:
    absolute deadlines; after a stall the next step comes at once), inputs applied at their
    own times in between (the knob counter sees every one)."""

    def __init__(self, opts):
        driver_core.Driver.__init__(self, opts)
        self.due = 0
        self.watch = None

    def run_loop(self, target):
        while self.vt < target:
            nxt = self.due if self.due > self.vt else self.vt
            while self.sched and self.sched[0][0] <= nxt:
                at, on, off = self.sched.pop(0)
                if at > self.vt:
                    self.vt = at
                self._change(on, off)
            self.vt = nxt
            self.step()
            if self.watch is not None:
                self.watch(self)
            self.due = nxt + LOOP_MS
            if self.vt > self.due + LOOP_MS:
                self.due = self.vt  # fell behind (a stall): no catching up

    def press_at(self, at, bits, ms):
        self.schedule(at, bits, 0)
        self.schedule(at + ms, 0, bits)

    def turn_at(self, at, detents, step_ms):
        """Schedule `detents` (signed) starting at virtual ms at; return the end time."""
        seq = CW if detents > 0 else CCW
        for _ in range(abs(detents)):
            for q in seq:
                at += step_ms
                self.schedule(at, q, 24 & ~q)
        return at


def _start(d):
    d.press_at(d.vt + 20, PHASE_BIT, 1700)  # long PHASE: the session starts
    d.run_loop(d.vt + 2000)


def _result(kind, d, a, b, c=0):
    t = d.fs.timer
    print(
        "RESULT %s %d %d %d %d %d %d"
        % (kind, a, b, c, d.stalled_ms, d.stalls, (t.longest_us + 999) // 1000)
    )


def bench_knob(d, seed, scale):
    rng = random.Random(seed) if hasattr(random, "Random") else None
    if rng is None:
        random.seed(seed)
        rng = random
    _start(d)
    scripted = 0
    missed = 0
    segments = 40 // scale
    for i in range(segments):
        # a short KNOB press hands the floor to the cursor seat: a turn start, so a flush
        at = d.vt + 30
        d.press_at(at, KNOB_BIT, 60)
        revs_per_s = (0.5, 1.0, 1.5, 2.0)[i % 4]
        step_ms = int(1000 / (revs_per_s * DETENTS_PER_REV * 4))
        n = rng.randint(6, 24) * (1 if i % 2 == 0 else -1)
        # the turn starts as the release is seen (debounce) and the flush begins
        t0 = at + 60 + rng.randint(0, 30)
        before = d.app.controls.detents
        end = d.turn_at(t0, n, step_ms)
        d.run_loop(end + 300)
        got = d.app.controls.detents - before
        scripted += abs(n)
        missed += abs(n - got)
    _result("knob", d, scripted, missed)


def bench_ack(d, seed, scale):
    rng = random.Random(seed) if hasattr(random, "Random") else None
    if rng is None:
        random.seed(seed)
        rng = random
    _start(d)
    state = {"press": -1, "bit": 0, "worst": 0, "n": 0, "lost": 0}
    buttons = (0, 1)  # KNOB, PHASE (bit index = controls.BTN_*)

    def watch(drv):
        if state["press"] < 0:
            return
        ui = drv.app.ui
        if ui.hold_button == state["bit"] and ui.hold_progress > 0:
            lat = drv.board.frame_vt - state["press"]
            if lat > state["worst"]:
                state["worst"] = lat
            state["n"] += 1
            state["press"] = -1

    d.watch = watch
    end = d.vt + 120 * 60000 // scale
    last = d.vt
    while d.vt < end:
        if rng.randint(0, 2) == 0:
            at = last + rng.randint(220, 520)  # right after the last press: into its flush
        else:
            at = last + rng.randint(2000, 40000)
        if state["press"] >= 0:
            state["lost"] += 1  # never acknowledged: the whole press fell inside a stall
            state["press"] = -1
        d.run_loop(at)
        bit = buttons[rng.randint(0, 1)]
        d.press_at(at, 1 << bit, 200)
        state["press"] = at
        state["bit"] = bit
        last = at
        d.run_loop(at + 200)
    d.run_loop(d.vt + 1000)
    _result("ack", d, state["worst"], state["n"], state["lost"])


def main():
    kind, stall, knob, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    scale = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    d = LoopDriver({"stall": stall, "knob": knob, "blocks": "64"})
    if kind == "knob":
        bench_knob(d, seed, scale)
    else:
        bench_ack(d, seed, scale)


main()
