# Self-test mode driven by a fake board with scripted inputs (runs in CPython and MicroPython).
import hwconfig
import selftest
from fwtest import eq

KNOB = selftest.IN_KNOB
PHASE = selftest.IN_PHASE
HOLD = selftest.IN_HOLD
A = selftest.IN_ENC_A
B = selftest.IN_ENC_B

# One clockwise detent: A leads B (quadrature states A+2B: 0 -> 1 -> 3 -> 2 -> 0).
CW = (A, A | B, B, 0)
CCW = (B, A | B, A, 0)


class FakeBoard:
    """Board stand-in: virtual clock advanced by sleep_ms, inputs from a timed script."""

    def __init__(self, script, start=1000):
        self.script = script  # list of (t_ms, inputs) sorted by t; inputs hold until the next
        self.now = start
        self.start = start
        self.frames = 0
        self.fed = 0
        self.last = None
        self.max_sum = 0
        self.max_level = 0

    def ticks_ms(self):
        return self.now & 0x3FFFFFFF

    def read_inputs(self):
        t = self.now - self.start
        value = 0
        for at, inputs in self.script:
            if at > t:
                break
            value = inputs
        return value

    def show(self, frame):
        self.frames += 1
        self.last = bytes(frame)
        s = 0
        for v in frame:
            s += v
            if v > self.max_level:
                self.max_level = v
        if s > self.max_sum:
            self.max_sum = s

    def feed_watchdog(self):
        self.fed += 1

    def sleep_ms(self, ms):
        self.now += ms


def lights_ms(t):
    return t.arc_ms * (selftest.SEAT_ARCS + 2)


def good_script(t0):
    """Hold PHASE+HOLD (power-on gesture), then answer every prompt, then acknowledge."""
    s = [(0, PHASE | HOLD), (300, 0)]
    t = t0
    for bit in (KNOB, PHASE, HOLD):
        s.append((t, bit))
        s.append((t + 120, 0))
        t += 400
    for seq in (CW, CCW):
        for q in seq:
            s.append((t, q))
            t += 10
        t += 300
    s.append((t + 500, KNOB))
    s.append((t + 600, 0))
    return s


def lit(frame, led):
    return frame[led * 3] + frame[led * 3 + 1] + frame[led * 3 + 2]


def test_wanted_needs_phase_and_hold():
    assert selftest.wanted(PHASE | HOLD)
    assert selftest.wanted(PHASE | HOLD | KNOB)
    assert not selftest.wanted(PHASE)
    assert not selftest.wanted(HOLD | KNOB)
    assert not selftest.wanted(0)


def test_lights_each_seat_arc_in_turn():
    t = selftest.SelfTest(arc_ms=100)
    frame = bytearray(hwconfig.LED_COUNT * 3)
    per = hwconfig.LED_COUNT // selftest.SEAT_ARCS
    seen = bytearray(hwconfig.LED_COUNT)
    t.step(0, 5000, frame)  # the first step starts the clock
    for arc in range(selftest.SEAT_ARCS):
        t.step(0, 5000 + arc * 100 + 50, frame)
        eq(t.stage, selftest.ST_LIGHTS, "stage during arc %d" % arc)
        on = [i for i in range(hwconfig.LED_COUNT) if lit(frame, i)]
        eq(on, list(range(arc * per, arc * per + per)), "LEDs lit for arc %d" % arc)
        for i in on:
            seen[i] = 1
    eq(sum(seen), hwconfig.LED_COUNT, "every LED lit once")
    t.step(0, 5000 + selftest.SEAT_ARCS * 100 + 10, frame)
    eq(t.stage, selftest.ST_ALL_ON, "all-on stage after the arcs")
    for i in range(len(frame)):
        assert frame[i] > 0, "channel %d dark in the all-on stage" % i
    assert sum(frame) <= hwconfig.FRAME_SUM_CAP


def test_full_pass_via_run():
    t = selftest.SelfTest(arc_ms=50, ask_ms=5000)
    board = FakeBoard(good_script(lights_ms(t) + 200))
    results = selftest.run(board, t)
    eq(list(results), [selftest.PASS] * selftest.N_ITEMS, "results")
    assert t.passed()
    eq(board.last, bytes(hwconfig.LED_COUNT * 3), "ring cleared at the end")
    assert board.fed >= board.frames - 1, "watchdog fed every iteration"
    assert board.max_sum <= hwconfig.FRAME_SUM_CAP, "frame sum %d over cap" % board.max_sum
    assert board.max_level <= hwconfig.MAX_LEVEL


def test_result_display_pass_is_green_arcs():
    t = selftest.SelfTest(arc_ms=50, ask_ms=5000)
    board = FakeBoard(good_script(lights_ms(t) + 200))
    frame = bytearray(hwconfig.LED_COUNT * 3)
    while t.stage != selftest.ST_RESULT:
        t.step(board.read_inputs(), board.ticks_ms(), frame)
        board.sleep_ms(2)
        assert board.now - board.start < 60000, "never reached the result"
    t.step(0, board.ticks_ms(), frame)
    for led in range(hwconfig.LED_COUNT):
        assert frame[led * 3 + 1] > 0, "LED %d not green" % led
        eq(frame[led * 3], 0, "no red on LED %d" % led)


def test_timeouts_fail_and_show_breathing_red():
    t = selftest.SelfTest(arc_ms=20, ask_ms=1000, result_ms=3000)
    board = FakeBoard([(0, 0)])
    results = selftest.run(board, t)
    eq(list(results), [selftest.FAIL] * selftest.N_ITEMS, "all items fail without input")
    assert not t.passed()
    # Failed items: only the middle two LEDs of each 4-LED arc, red, and the level changes.
    frame = bytearray(hwconfig.LED_COUNT * 3)
    t.stage = selftest.ST_RESULT
    t._t0 = 0
    levels = []
    for now in (0, 500, 1000):
        t._draw(frame, now)
        eq(lit(frame, 0), 0, "outer LED of a failed arc stays dark")
        assert frame[3 + 1] == 0 and frame[3 + 2] == 0, "fail is red only"
        levels.append(frame[3])
    assert levels[0] < levels[1] < levels[2], "breathing: %r" % (levels,)


def test_swapped_encoder_wires_reported_as_reversed():
    t = selftest.SelfTest(arc_ms=50, ask_ms=5000)
    script = good_script(lights_ms(t) + 200)
    swapped = []
    for at, inputs in script:
        a = 1 if inputs & A else 0
        b = 1 if inputs & B else 0
        swapped.append((at, (inputs & 7) | (A if b else 0) | (B if a else 0)))
    results = selftest.run(FakeBoard(swapped), t)
    eq(results[selftest.ITEM_KNOB], selftest.PASS, "knob")
    eq(results[selftest.ITEM_CW], selftest.REVERSED, "cw with swapped wires")
    eq(results[selftest.ITEM_CCW], selftest.REVERSED, "ccw with swapped wires")


def test_button_held_from_power_on_does_not_count():
    # KNOB held since power-on (a stuck switch) must not pass the KNOB item.
    t = selftest.SelfTest(arc_ms=20, ask_ms=800, result_ms=100)
    results = selftest.run(FakeBoard([(0, KNOB)]), t)
    eq(results[selftest.ITEM_KNOB], selftest.FAIL, "stuck knob switch")


def test_wrong_button_does_not_pass():
    t = selftest.SelfTest(arc_ms=20, ask_ms=800, result_ms=100)
    start = lights_ms(t) + 100
    script = [(0, 0), (start, HOLD), (start + 100, 0)]
    results = selftest.run(FakeBoard(script), t)
    eq(results[selftest.ITEM_KNOB], selftest.FAIL, "HOLD pressed while KNOB was asked")


def test_survives_tick_wrap():
    t = selftest.SelfTest(arc_ms=50, ask_ms=5000)
    board = FakeBoard(good_script(lights_ms(t) + 200), start=0x3FFFFFFF - 700)
    results = selftest.run(board, t)
    eq(list(results), [selftest.PASS] * selftest.N_ITEMS, "results across the wrap")
