"""Power-on self-test: lights each seat arc, asks for each button and a knob turn both ways."""

import hwconfig
from clockmath import ticks_diff
from micropython import const

# Input bits of board.read_inputs() (docs/architecture.md).
IN_KNOB = const(1)
IN_PHASE = const(2)
IN_HOLD = const(4)
IN_ENC_A = const(8)
IN_ENC_B = const(16)
_BUTTONS = const(7)

# Checked items, in the order they are asked for; each owns a 4-LED arc in the result.
ITEM_KNOB = const(0)
ITEM_PHASE = const(1)
ITEM_HOLD = const(2)
ITEM_CW = const(3)
ITEM_CCW = const(4)
N_ITEMS = const(5)
ITEM_NAMES = ("knob", "phase", "hold", "turn_cw", "turn_ccw")

# Result codes per item.
PENDING = const(0)
PASS = const(1)
FAIL = const(2)  # not seen before the time-out
REVERSED = const(3)  # knob turned the other way: A and B are swapped
RESULT_NAMES = ("pending", "pass", "fail", "reversed")

# Stages.
ST_LIGHTS = const(0)
ST_ALL_ON = const(1)
ST_ASK = const(2)  # asking for item self.item
ST_RESULT = const(3)
ST_DONE = const(4)

SEAT_ARCS = const(12)  # the most seats an agenda may have; each arc is LED_COUNT // 12 LEDs
_ITEM_ARC = const(4)
_COUNTS_PER_DETENT = const(4)  # quadrature edges per EC11 detent
_BUTTON_FOR_ITEM = (IN_KNOB, IN_PHASE, IN_HOLD)

# Quadrature: state = A + 2 * B; _STEP[prev * 4 + new] is +1 (A leads: clockwise), -1 or 0.
_STEP = (0, 1, -1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 0, -1, 1, 0)


def wanted(inputs):
    """True when PHASE and HOLD are both held (the power-on gesture for the self-test)."""
    return (inputs & (IN_PHASE | IN_HOLD)) == (IN_PHASE | IN_HOLD)


class SelfTest:
    """A step-able self-test: call step(inputs, now, frame) once per loop until it returns True."""

    def __init__(self, arc_ms=400, ask_ms=20000, result_ms=60000):
        self.arc_ms = arc_ms
        self.ask_ms = ask_ms
        self.result_ms = result_ms
        self.results = bytearray(N_ITEMS)
        self.stage = ST_LIGHTS
        self.item = 0
        self.arc = 0  # seat arc lit during ST_LIGHTS
        self._t0 = 0
        self._started = False
        self._armed = False  # every button released since the stage began
        self._seen = False  # the asked button went down
        self._quad = -1
        self._count = 0
        self.level = hwconfig.MAX_LEVEL
        self.all_on_level = min(hwconfig.MAX_LEVEL, hwconfig.FRAME_SUM_CAP // (3 * _leds()))

    def passed(self):
        """True when every item passed."""
        for r in self.results:
            if r != PASS:
                return False
        return True

    def _enter(self, stage, now):
        self.stage = stage
        self._t0 = now
        self._armed = False
        self._seen = False
        self._count = 0

    def _finish_item(self, result, now):
        self.results[self.item] = result
        self.item += 1
        if self.item < N_ITEMS:
            self._enter(ST_ASK, now)
        else:
            self._enter(ST_RESULT, now)

    def _quadrature(self, inputs):
        q = (1 if inputs & IN_ENC_A else 0) + (2 if inputs & IN_ENC_B else 0)
        if self._quad >= 0:
            self._count += _STEP[self._quad * 4 + q]
        self._quad = q

    def step(self, inputs, now, frame):
        """Advance with the current input bits and tick; draw into frame; True when finished."""
        if not self._started:
            self._started = True
            self._enter(ST_LIGHTS, now)
        self._quadrature(inputs)
        if not inputs & _BUTTONS:
            self._armed = True
        elapsed = ticks_diff(now, self._t0)
        st = self.stage
        if st == ST_LIGHTS:
            self.arc = elapsed // self.arc_ms
            if self.arc >= SEAT_ARCS:
                self._enter(ST_ALL_ON, now)
        elif st == ST_ALL_ON:
            if elapsed >= self.arc_ms * 2:
                self.item = 0
                self._enter(ST_ASK, now)
        elif st == ST_ASK:
            self._ask(inputs, now, elapsed)
        elif st == ST_RESULT:
            if self._armed and inputs & _BUTTONS:
                self._seen = True
            if (self._seen and not inputs & _BUTTONS) or elapsed >= self.result_ms:
                self.stage = ST_DONE
        self._draw(frame, now)
        return self.stage == ST_DONE

    def _ask(self, inputs, now, elapsed):
        item = self.item
        if item < ITEM_CW:
            mask = _BUTTON_FOR_ITEM[item]
            if self._armed and inputs & mask:
                self._seen = True
            if self._seen and not inputs & _BUTTONS:
                self._finish_item(PASS, now)
                return
        else:
            want = 1 if item == ITEM_CW else -1
            if self._count * want >= _COUNTS_PER_DETENT:
                self._finish_item(PASS, now)
                return
            if self._count * want <= -_COUNTS_PER_DETENT:
                self._finish_item(REVERSED, now)
                return
        if elapsed >= self.ask_ms:
            self._finish_item(FAIL, now)

    def _draw(self, frame, now):
        n = len(frame)
        for i in range(n):
            frame[i] = 0
        st = self.stage
        lv = self.level
        if st == ST_LIGHTS:
            per = _leds() // SEAT_ARCS
            ch = self.arc % 3  # red, green, blue in turn; ST_ALL_ON then lights every channel
            for k in range(per):
                frame[(self.arc * per + k) * 3 + ch] = lv
        elif st == ST_ALL_ON:
            a = self.all_on_level
            for i in range(n):
                frame[i] = a
        elif st == ST_ASK or st == ST_RESULT:
            for i in range(N_ITEMS):
                if i < self.item or st == ST_RESULT:
                    self._draw_result(frame, i, self.results[i], now)
            if st == ST_ASK:
                # The asked item's arc blinks blue at 1 Hz (on 500 ms, off 500 ms).
                if (ticks_diff(now, self._t0) // 500) % 2 == 0:
                    for k in range(_ITEM_ARC):
                        frame[(self.item * _ITEM_ARC + k) * 3 + 2] = lv
            elif self.passed():
                # All passed: the four spare LEDs glow green too.
                for k in range(N_ITEMS * _ITEM_ARC, _leds()):
                    frame[k * 3 + 1] = lv >> 1

    def _draw_result(self, frame, i, result, now):
        """Pass: 4 green LEDs, steady. Reversed: 3 amber, steady. Fail: 2 red, breathing."""
        base = i * _ITEM_ARC
        half = self.level >> 1
        if result == PASS:
            for k in range(_ITEM_ARC):
                frame[(base + k) * 3 + 1] = half
        elif result == REVERSED:
            for k in range(3):
                frame[(base + k) * 3] = half
                frame[(base + k) * 3 + 1] = half * 3 // 5
        elif result == FAIL:
            phase = ticks_diff(now, self._t0) % 2000  # a 2 s breath: slower than 1 Hz
            tri = phase if phase < 1000 else 2000 - phase
            red = 4 + (half - 4) * tri // 1000
            frame[(base + 1) * 3] = red
            frame[(base + 2) * 3] = red


def _leds():
    return hwconfig.LED_COUNT


def run(board, test=None, poll_ms=2):
    """Run the self-test on a board until the person acknowledges the result; return it.

    The returned bytearray holds one result code per item (ITEM_NAMES, RESULT_NAMES).
    """
    t = test if test is not None else SelfTest()
    frame = bytearray(hwconfig.LED_COUNT * 3)
    while True:
        done = t.step(board.read_inputs(), board.ticks_ms(), frame)
        board.show(frame)
        board.feed_watchdog()
        if done:
            break
        board.sleep_ms(poll_ms)
    for i in range(len(frame)):
        frame[i] = 0
    board.show(frame)
    return t.results
