# Buttons: debounce, short and long press, progress; the PHASE+knob chord; the gesture queue.
import controls as C
from fwtest import eq

STEP = 5  # poll period in these tests (ms)


class Rig:
    """A Controls fed by a scripted input mask on a virtual clock; gestures collected in a list."""

    def __init__(self, t0=1000, **kw):
        self.c = C.Controls(**kw)
        self.q = C.GestureQueue(64)
        self.t = t0
        self.mask = 0
        self.got = []
        self.times = []

    def run(self, ms, mask=None, step=STEP):
        if mask is not None:
            self.mask = mask
        end = self.t + ms
        while self.t < end:
            self.c.poll(self.mask, self.t & 0x3FFFFFFF, self.q)
            self.drain()
            self.t += step

    def drain(self):
        while True:
            g = self.q.pop()
            if g == C.G_NONE:
                return
            self.got.append((g, self.q.arg))
            self.times.append(self.t)

    def kinds(self, skip_progress=True):
        out = []
        for g, a in self.got:
            if skip_progress and g == C.G_PRESS_PROGRESS:
                continue
            out.append(g)
        return out

    def bounce(self, bit, pressed, times=6, period=2):
        """Chatter on `bit` for a few ms, ending in the pressed/released state."""
        for i in range(times):
            on = (i % 2 == 0) == pressed
            self.run(period, (self.mask | bit) if on else (self.mask & ~bit), step=1)
        self.mask = (self.mask | bit) if pressed else (self.mask & ~bit)


def test_short_press_on_release():
    r = Rig()
    r.run(100)
    r.run(200, 2)  # PHASE down 200 ms
    eq(r.kinds(), [C.G_PRESS_START], "while held")
    r.run(100, 0)
    eq(r.kinds(), [C.G_PRESS_START, C.G_PHASE_SHORT], "after release")


def test_each_button_short():
    for bit, g in ((1, C.G_KNOB_SHORT), (2, C.G_PHASE_SHORT), (4, C.G_HOLD_SHORT)):
        r = Rig()
        r.run(50, bit)
        r.run(50, 0)
        eq(r.kinds(), [C.G_PRESS_START, g], "button %d" % bit)
        eq(r.got[0][1], {1: 0, 2: 1, 4: 2}[bit], "start arg")


def test_debounce_rejects_glitches():
    r = Rig()
    for _ in range(20):  # 10 ms spikes, shorter than the 20 ms debounce
        r.run(10, 1)
        r.run(30, 0)
    eq(r.kinds(), [], "spikes")


def test_bouncing_press_and_release_count_once():
    r = Rig()
    r.run(50)
    r.bounce(4, True)
    r.run(300)
    r.bounce(4, False)
    r.run(300)
    eq(r.kinds(), [C.G_PRESS_START, C.G_HOLD_SHORT], "bouncy HOLD")


def test_long_press_fires_while_held_once():
    r = Rig()
    r.run(1400, 2)
    eq(r.kinds(), [C.G_PRESS_START], "before 1500 ms")
    r.run(200)
    eq(r.kinds(), [C.G_PRESS_START, C.G_PHASE_LONG], "at 1500 ms, still held")
    r.run(3000)
    r.run(100, 0)
    eq(r.kinds(), [C.G_PRESS_START, C.G_PHASE_LONG], "nothing more, nothing on release")


def test_long_thresholds_per_button():
    for bit, lim, g in (
        (1, 1500, C.G_KNOB_LONG),
        (2, 1500, C.G_PHASE_LONG),
        (4, 3000, C.G_HOLD_LONG),
    ):
        r = Rig()
        r.run(lim - 30, bit)
        assert g not in r.kinds(), "early long %d" % bit
        r.run(60)
        assert g in r.kinds(), "no long %d" % bit
        # measured from the first contact, to the millisecond
        r2 = Rig(t0=5000)
        r2.run(lim + 100, bit, step=1)
        i = [gg for gg, _ in r2.got].index(g)
        eq(r2.times[i], 5000 + lim, "long press time %d" % bit)


def test_hold_short_below_threshold():
    r = Rig()
    r.run(2900, 4)
    r.run(50, 0)
    eq(r.kinds(), [C.G_PRESS_START, C.G_HOLD_SHORT], "2.9 s HOLD is short")


def test_progress_rises_to_long():
    r = Rig()
    r.run(1600, 2)
    prog = [a & 255 for g, a in r.got if g == C.G_PRESS_PROGRESS]
    buttons = [a >> 8 for g, a in r.got if g == C.G_PRESS_PROGRESS]
    assert len(prog) > 50, prog
    for i in range(1, len(prog)):
        assert prog[i] > prog[i - 1], "progress must rise"
    assert prog[-1] >= 240 and prog[-1] < 256
    eq(set(buttons), {C.BTN_PHASE}, "progress button")
    assert r.kinds()[-1] == C.G_PHASE_LONG


def test_two_buttons_independent():
    r = Rig()
    r.run(100, 1)
    r.run(100, 1 | 4)
    r.run(100, 4)
    r.run(100, 0)
    eq(r.kinds(), [C.G_PRESS_START, C.G_PRESS_START, C.G_KNOB_SHORT, C.G_HOLD_SHORT], "two")


def test_reset_swallows_held_button():
    r = Rig()
    r.c.reset(2 | 4, r.t)
    r.run(4000, 2 | 4)
    r.run(100, 0)
    eq(r.kinds(), [], "buttons held at boot give no gestures")
    r.run(100, 2)
    r.run(100, 0)
    eq(r.kinds(), [C.G_PRESS_START, C.G_PHASE_SHORT], "later presses work")


def test_ticks_wrap_during_press():
    r = Rig(t0=0x3FFFFFFF - 700)
    r.run(1600, 2)
    r.run(50, 0)
    eq(r.kinds(), [C.G_PRESS_START, C.G_PHASE_LONG], "long across the wrap")


def test_queue_ring_and_overflow():
    q = C.GestureQueue(4)
    for round_ in range(3):
        for i in range(4):
            assert q.push(C.G_TURN, i - round_)
        assert not q.push(C.G_KNOB_SHORT, 9), "full queue refuses"
        for i in range(4):
            eq(q.pop(), C.G_TURN, "pop")
            eq(q.arg, i - round_, "arg")
        eq(q.pop(), C.G_NONE, "empty")
    eq(q.dropped, 3, "dropped count")
    eq(len(q), 0, "len")


def test_poll_allocates_nothing():
    import micropython

    c = C.Controls()
    q = C.GestureQueue(32)
    masks = (0, 2, 2, 2, 2 | 16, 2 | 24, 2 | 8, 2, 0, 0, 1, 1, 5, 4, 0, 8, 24, 16, 0)
    t = 0x3FFFFFFF - 5000  # across the tick wrap as well
    n = 0
    micropython.heap_lock()
    try:
        for rep in range(300):
            for m in masks:
                c.poll(m, t, q)
                t = (t + 9) & 0x3FFFFFFF
                while q.pop() != C.G_NONE:
                    n += 1
    finally:
        micropython.heap_unlock()
    assert n > 100, "the loop produced gestures"
