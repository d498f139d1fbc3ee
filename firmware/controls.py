"""Inputs to gestures: debounced buttons (short/long press) and the knob (polled or counted)."""

from clockmath import ticks_diff
from micropython import const

# Gestures (the contract with ui.py). arg meanings are given beside each.
G_NONE = const(0)  # GestureQueue.pop() when empty
G_KNOB_SHORT = const(1)  # arg 0
G_KNOB_LONG = const(2)  # arg 0
G_PHASE_SHORT = const(3)  # arg 0
G_PHASE_LONG = const(4)  # arg 0
G_HOLD_SHORT = const(5)  # arg 0
G_HOLD_LONG = const(6)  # arg 0
G_TURN = const(7)  # arg = detents, signed (+ = clockwise)
G_PHASE_TURN = const(8)  # knob turned while PHASE held; arg = detents, signed
G_PRESS_START = const(9)  # a button went down (debounced); arg = BTN_*
G_PRESS_PROGRESS = const(10)  # a long press builds; arg = BTN_* << 8 | progress 0..255
G_PRESS_CANCEL = const(11)  # a press ended with no short/long (a chord); arg = BTN_*
G_KNOB_CHORD = const(12)  # KNOB pressed while PHASE or HOLD is held; arg = that BTN_*

GESTURE_NAMES = (
    "none",
    "knob_short",
    "knob_long",
    "phase_short",
    "phase_long",
    "hold_short",
    "hold_long",
    "turn",
    "phase_turn",
    "press_start",
    "press_progress",
    "press_cancel",
    "knob_chord",
)

# Buttons: index = bit in the board's input mask.
BTN_KNOB = const(0)
BTN_PHASE = const(1)
BTN_HOLD = const(2)
_NBTN = const(3)
_ENC_SHIFT = const(3)  # encoder A = bit 3, B = bit 4

_DEBOUNCE_MS = const(20)
LONG_MS = (1500, 1500, 3000)  # KNOB, PHASE, HOLD
_SHORT_G = (G_KNOB_SHORT, G_PHASE_SHORT, G_HOLD_SHORT)
_LONG_G = (G_KNOB_LONG, G_PHASE_LONG, G_HOLD_LONG)

# Quadrature: _QDELTA[prev << 2 | cur] = +1 / -1 for a valid one-bit transition, 0 for no
# change, 2 for an impossible two-bit jump (a missed state). State = A << 1 | B, 1 = active.
# Clockwise (A leads): 00 -> 10 -> 11 -> 01 -> 00.
_QDELTA = bytes((0, 255, 1, 2, 1, 0, 2, 255, 255, 2, 0, 1, 2, 1, 255, 0))
_BAD = const(2)

_FLAG_TURNED = const(1)  # a chord: the knob turned (PHASE) or was pressed during this press
_FLAG_LONG = const(2)  # the long press fired during this press


def _enc_state(mask):
    # the board mask has A at bit 3 and B at bit 4; the decoder state is A << 1 | B
    return ((mask >> _ENC_SHIFT) & 1) << 1 | ((mask >> (_ENC_SHIFT + 1)) & 1)


def _decode(d):
    return -1 if d == 255 else d


def pack_progress(button, progress):
    """G_PRESS_PROGRESS arg from a button index and a 0..255 progress."""
    return (button << 8) | progress


class GestureQueue:
    """A fixed ring of (gesture, arg) pairs; push and pop never allocate."""

    def __init__(self, size=16):
        self.size = size
        self._g = [0] * size
        self._a = [0] * size
        self._head = 0
        self._count = 0
        self.arg = 0  # the arg of the last pop()
        self.dropped = 0

    def __len__(self):
        return self._count

    def push(self, g, arg=0):
        """Append; when full, the new gesture is dropped (and counted) so older ones survive."""
        if self._count >= self.size:
            self.dropped += 1
            return False
        i = self._head + self._count
        if i >= self.size:
            i -= self.size
        self._g[i] = g
        self._a[i] = arg
        self._count += 1
        return True

    def pop(self):
        """Remove the oldest gesture: return its code (G_NONE when empty); its arg is in .arg."""
        if self._count == 0:
            self.arg = 0
            return G_NONE
        i = self._head
        g = self._g[i]
        self.arg = self._a[i]
        self._head = i + 1 if i + 1 < self.size else 0
        self._count -= 1
        return g

    def clear(self):
        self._head = 0
        self._count = 0


class Controls:
    """Debounce three buttons and turn the knob into detents. No allocation.

    `poll(mask, now, queue)` once per loop iteration: mask bit0 KNOB, bit1 PHASE, bit2 HOLD,
    bit3/bit4 encoder A/B (1 = active). Gestures go into a GestureQueue. With `counted` the
    board counts the knob in hardware: `count(transitions, queue)` takes its running count
    each iteration and the A/B bits are ignored; otherwise they are decoded here (polled).
    """

    def __init__(
        self,
        steps_per_detent=4,
        reverse=False,
        debounce_ms=_DEBOUNCE_MS,
        long_ms=None,
        counted=False,
    ):
        if steps_per_detent not in (1, 2, 4):
            raise ValueError("steps_per_detent must be 1, 2 or 4")
        self.spd = steps_per_detent
        self.reverse = reverse
        self.debounce_ms = debounce_ms
        lm = long_ms or LONG_MS
        self.long_ms = [lm[0], lm[1], lm[2]]
        self.stable = 0  # debounced button bits
        self._raw = 0  # last raw button bits
        self._changed = [0, 0, 0]  # tick of each button's last raw change
        self._down_at = [0, 0, 0]  # tick the press started (first raw edge)
        self._flags = [0, 0, 0]
        self._progress = [0, 0, 0]
        self._q = -1  # encoder state, -1 until the first poll
        self._acc = 0  # transitions since the last detent
        self.detents = 0  # running total, for tests and the self-test
        self.counted = counted
        self._count_at = 0  # the counted knob's count at its last detent

    def reset(self, mask=0, now=0, count=0):
        """Take mask as the resting state without producing gestures (e.g. after boot)."""
        self.stable = mask & 7
        self._raw = mask & 7
        for b in range(_NBTN):
            self._changed[b] = now
            self._down_at[b] = now
            self._flags[b] = _FLAG_LONG  # a button held at reset gives no gesture on release
            self._progress[b] = 0
        self._q = _enc_state(mask)
        self._acc = 0
        self._count_at = count

    def held(self, button):
        return (self.stable >> button) & 1

    def poll(self, mask, now, queue):
        """Consume one input sample taken at tick `now`; push gestures into `queue`."""
        raw = mask & 7
        for b in range(_NBTN):
            bit = 1 << b
            rb = raw & bit
            if rb != (self._raw & bit):
                self._changed[b] = now  # raw edge: restart this button's settle timer
            if rb != (self.stable & bit):
                if ticks_diff(now, self._changed[b]) >= self.debounce_ms:
                    self.stable ^= bit
                    if rb:
                        self._press(b, now, queue)
                    else:
                        self._release(b, queue)
            elif rb and not (self._flags[b] & _FLAG_LONG):
                self._building(b, now, queue)
        self._raw = raw
        if not self.counted:
            self._knob(_enc_state(mask), queue)

    def count(self, count, queue):
        """Take the board's running count of encoder transitions; push a turn per detent.

        A detent is reached at each multiple of steps_per_detent from the last one, so a bounce
        around a rest position gives nothing and a jump of many steps (the loop was stalled)
        gives all its detents at once.
        """
        d = count - self._count_at
        spd = self.spd
        if d >= spd:
            n = d // spd
        elif d <= -spd:
            n = -((-d) // spd)
        else:
            return
        self._count_at += n * spd
        self._turned(n, queue)

    def _press(self, b, now, queue):
        # the press began at the first raw edge, debounce_ms ago
        self._down_at[b] = self._changed[b]
        self._progress[b] = 0
        if b == BTN_KNOB and self.stable & 6:  # PHASE or HOLD held: a chord, not a KNOB press
            hb = BTN_PHASE if self.stable & 2 else BTN_HOLD
            self._flags[hb] |= _FLAG_TURNED  # its release gives no short press (and no long)
            self._flags[b] = _FLAG_LONG  # nothing more from this KNOB press
            queue.push(G_KNOB_CHORD, hb)
            return
        self._flags[b] = 0
        queue.push(G_PRESS_START, b)
        self._building(b, now, queue)

    def _building(self, b, now, queue):
        if self._flags[b] & _FLAG_TURNED:
            return
        held = ticks_diff(now, self._down_at[b])
        lim = self.long_ms[b]
        if held >= lim:
            self._flags[b] |= _FLAG_LONG
            self._progress[b] = 255
            queue.push(_LONG_G[b], 0)
            return
        p = held * 255 // lim if held > 0 else 0
        if p != self._progress[b]:
            self._progress[b] = p
            queue.push(G_PRESS_PROGRESS, (b << 8) | p)

    def _release(self, b, queue):
        f = self._flags[b]
        self._progress[b] = 0
        if f & _FLAG_LONG:
            return  # the long press already fired; nothing more on release
        if f & _FLAG_TURNED:
            queue.push(G_PRESS_CANCEL, b)
            return
        queue.push(_SHORT_G[b], 0)

    def _knob(self, q, queue):
        prev = self._q
        self._q = q
        if prev < 0 or prev == q:
            return
        d = _decode(_QDELTA[(prev << 2) | q])
        if d == _BAD:
            # two bits changed between polls: a state was missed; assume the current direction
            if self._acc > 0:
                self._acc += 2
            elif self._acc < 0:
                self._acc -= 2
        else:
            self._acc += d
        spd = self.spd
        if spd == 4:
            rest = q == 0
        elif spd == 2:
            rest = q == 0 or q == 3
        else:
            rest = True
        if not rest:
            return
        a = self._acc
        self._acc = 0
        slack = (spd - 1) >> 1
        if a > 0:
            n = (a + slack) // spd
        else:
            n = -((slack - a) // spd)
        if n != 0:
            self._turned(n, queue)

    def _turned(self, n, queue):
        if self.reverse:
            n = -n
        self.detents += n
        if self.stable & (1 << BTN_PHASE):
            self._flags[BTN_PHASE] |= _FLAG_TURNED
            queue.push(G_PHASE_TURN, n)
        else:
            queue.push(G_TURN, n)
