"""The LED ring renderer: session + ui + time -> 24 RGB values in one frame; integer math only."""

import battery
import hwconfig
from clockmath import ticks_diff
from controls import BTN_HOLD, BTN_KNOB
from events import ST_ENDED, ST_PAUSED, ST_READY
from micropython import const

_N = const(24)  # == hwconfig.LED_COUNT (the seat arithmetic below assumes 24)
MAX_LEVEL = hwconfig.MAX_LEVEL
FRAME_SUM_CAP = hwconfig.FRAME_SUM_CAP

# Colours at full scale; a drawing level (0..MAX_LEVEL) scales them: channel = c * level // 255.
C_PROGRESS = (150, 170, 255)  # phase progress: soft blue-white
C_AMBER = (255, 140, 0)  # warning (phase or turn)
C_RED = (255, 0, 0)  # overrun
C_SPEAKER = (90, 255, 170)  # the speaking seat
C_CURSOR = (255, 255, 255)  # knob cursor: one white point, brighter than any arc
C_FAC = (255, 170, 60)  # facilitator seat marker (warm, neutral for balance)
C_UNDER = (40, 110, 255)  # balance: below a fair share
C_FAIR = (40, 255, 80)  # balance: about a fair share
C_OVER = (255, 40, 170)  # balance: well above a fair share
C_ENDED = (40, 255, 80)
C_CYAN = (0, 200, 255)
C_WHITE = (255, 255, 255)

# Levels (brightness, 0..MAX_LEVEL): warnings are brighter than the calm state they replace.
_L_PROGRESS = const(8)
_L_PROGRESS_WARN = const(28)
_L_SPEAKER = const(40)
_L_SPEAKER_WARN = const(80)
_L_CURSOR = const(96)
_L_PIP = const(64)
_L_MARK = const(12)

# Breathing: one raised-cosine cycle in 64 steps (0..255):
# round(127.5 - 127.5 * cos(2 * pi * i / 64)) as a constant (tests/fw/test_logfmt_tables.py).
_BREATH = (
    b"\x00\x01\x02\x05\x0a\x0f\x15\x1d\x25\x2f\x39\x43\x4f\x5a\x67\x73"
    b"\x7f\x8c\x98\xa5\xb0\xbc\xc6\xd0\xda\xe2\xea\xf0\xf5\xfa\xfd\xfe"
    b"\xff\xfe\xfd\xfa\xf5\xf0\xea\xe2\xda\xd0\xc6\xbc\xb0\xa5\x98\x8c"
    b"\x80\x73\x67\x5a\x4f\x43\x39\x2f\x25\x1d\x15\x0f\x0a\x05\x02\x01"
)
_OVERRUN_SHIFT = const(12)  # overrun period 2**12 = 4096 ms (0.24 Hz); divides the tick period
_PAUSE_SHIFT = const(13)  # paused period 8192 ms
_QUEUE_SHIFT = const(11)  # a queued seat's mark breathes every 2048 ms (0.5 Hz)
_NEXT_SHIFT = const(10)  # the queued seat to speak next: twice as fast (1 Hz, never faster)
_L_QUEUE = const(40)
C_QUEUE = (200, 120, 255)  # queue marks: violet-white, a breathing point at the arc's end

ALERT_STORAGE_FULL = const(1)
ALERT_RESUMED = const(2)
ALERT_AGENDA_REJECTED = const(3)


def breath(now, shift, lo, hi):
    """Level between lo and hi on a cosine cycle of 2**shift ms (continuous across the wrap)."""
    return lo + (hi - lo) * _BREATH[(now >> (shift - 6)) & 63] // 255


def seat_start(seat, seats):
    """First LED of a seat's arc (seat 0 at LED 0, clockwise)."""
    return seat * _N // seats


def _put(frame, i, col, level):
    j = (i % _N) * 3
    frame[j] = col[0] * level // 255
    frame[j + 1] = col[1] * level // 255
    frame[j + 2] = col[2] * level // 255


def _run(frame, start, count, col, level):
    for i in range(start, start + count):
        _put(frame, i, col, level)


def _fill16(frame, start, n16, col, level):
    """Light n16/16 LEDs clockwise from start; the last, partial LED is dimmer."""
    whole = n16 >> 4
    _run(frame, start, whole, col, level)
    part = n16 & 15
    if part:
        _put(frame, start + whole, col, level * part >> 4)


def _dots(frame, step, col, level):
    i = 0
    while i < _N:  # (range with a variable step allocates in MicroPython)
        _put(frame, i, col, level)
        i += step


_WINDOW_MS = const(130000)  # no glance, reveal, pip or alert lasts longer; older ones are stale


def _active(until, now):
    """A ui deadline (tick) still ahead; 0 means none, and stale ticks never come back."""
    if until == 0:
        return False
    d = ticks_diff(until, now)
    return 0 < d <= _WINDOW_MS


def _phase_layer(frame, s, warn, over, now):
    if over:
        _run(frame, 0, _N, C_RED, breath(now, _OVERRUN_SHIFT, 3, 30))
        return
    elapsed = s.phase_elapsed_ms(now)
    planned = s.phase_planned_ms()
    if planned <= 0 or elapsed >= planned:
        n16 = _N * 16
    elif elapsed <= 0:
        n16 = 0
    else:
        # two steps keep every product below 2**30 (small ints on the Pico) for phases <= 6 h
        whole = elapsed * _N // planned
        n16 = (whole << 4) + (elapsed * _N - whole * planned) * 16 // planned
    if warn:
        _fill16(frame, 0, n16, C_AMBER, _L_PROGRESS_WARN)
    else:
        _fill16(frame, 0, n16, C_PROGRESS, _L_PROGRESS)


def balance_ratio(talk_ms, member_ms, members):
    """Seat talk against a fair share (member talk / members), 256 = fair; integer, no bigints."""
    total = member_ms >> 10
    if total <= 0 or members <= 0:
        return 0
    return (talk_ms >> 10) * members * 256 // total


def _balance_layer(frame, s, now):
    a = s.agenda
    seats = a.seats
    fac = a.fac_mask
    members = 0
    for seat in range(seats):
        if not (fac >> seat) & 1:
            members += 1
    member_ms = s.member_talk_ms(now)
    for seat in range(seats):
        start = seat_start(seat, seats)
        length = seat_start(seat + 1, seats) - start
        if (fac >> seat) & 1:
            _put(frame, start, C_FAC, 6)  # facilitators: a neutral marker, no tint
            continue
        r = balance_ratio(s.seat_talk_now(seat, now), member_ms, members)
        if r > 512:
            r = 512
        # length: a fair share fills half the arc, twice fair the whole arc; brightness grows too
        n16 = length * 16 * r // 512
        level = 16 + r * 48 // 512
        if r < 180:
            col = C_UNDER
        elif r <= 360:
            col = C_FAIR
        else:
            col = C_OVER
        if n16 < 4:
            _put(frame, start, col, 3)  # the seat is still visible with no talk
        else:
            _fill16(frame, start, n16, col, level)


def _speaker(frame, s, now):
    sp = s.speaker
    seats = s.agenda.seats
    if sp < 0 or sp >= seats:
        return
    start = seat_start(sp, seats)
    length = seat_start(sp + 1, seats) - start
    if s.turn_overrun(now):
        _run(frame, start, length, C_RED, breath(now, _OVERRUN_SHIFT, 16, MAX_LEVEL))
    elif s.turn_warning(now):
        _run(frame, start, length, C_AMBER, _L_SPEAKER_WARN)
    else:
        _run(frame, start, length, C_SPEAKER, _L_SPEAKER)


def cursor_led(seat, seats):
    """The LED that shows the knob cursor on a seat: the middle of its arc."""
    start = seat_start(seat, seats)
    return start + (seat_start(seat + 1, seats) - start) // 2


def _cursor(frame, ui, seats):
    c = ui.cursor
    if 0 <= c < seats:
        _put(frame, cursor_led(c, seats), C_CURSOR, _L_CURSOR)


def _ready(frame, s, ui):
    a = s.agenda
    seats = a.seats
    for seat in range(seats):
        if (a.fac_mask >> seat) & 1:
            _put(frame, seat_start(seat, seats), C_FAC, 24)
        else:
            _put(frame, seat_start(seat, seats), C_PROGRESS, _L_MARK)
    _cursor(frame, ui, seats)


def _alert(frame, kind):
    if kind == ALERT_STORAGE_FULL:
        _dots(frame, 6, C_AMBER, 60)  # four amber points
    elif kind == ALERT_RESUMED:
        _dots(frame, 3, C_CYAN, 40)  # eight cyan points
    else:
        _dots(frame, 2, C_RED, 30)  # twelve red points (agenda rejected, or unknown)


def _battery(frame, pct):
    if pct < 0:
        _dots(frame, 8, C_WHITE, 10)  # no battery fitted: three dim points
        return
    n = battery.gauge_leds(pct, _N)
    if pct > 50:
        col = C_FAIR
    elif pct >= 20:
        col = C_AMBER
    else:
        col = C_RED
    _run(frame, 0, _N, C_WHITE, 2)  # the empty scale
    _run(frame, 0, n, col, 32)


def _queue(frame, s, now):
    """Queued seats: the last LED of the arc breathes (shape and motion, not only colour);
    the seat the queue gives the floor to next breathes twice as fast."""
    n = s.queue_len
    if n == 0:
        return
    seats = s.agenda.seats
    nxt = s.queue_next(now)
    q = s.queue
    for i in range(n):
        seat = q[i]
        last = seat_start(seat + 1, seats) - 1
        shift = _NEXT_SHIFT if seat == nxt else _QUEUE_SHIFT
        _put(frame, last, C_QUEUE, breath(now, shift, 6, _L_QUEUE))


def _hold_fill(frame, ui, seats):
    p = ui.hold_progress
    if p <= 0:
        return
    b = ui.hold_button
    seat = ui.press_seat
    if b == BTN_KNOB and 0 <= seat < seats:
        # a pass or a hand-over builds on the arc of the seat it will apply to
        start = seat_start(seat, seats)
        length = seat_start(seat + 1, seats) - start
        _fill16(frame, start, p * length * 16 // 255, C_WHITE, 48)
        return
    if b == BTN_HOLD:
        col = C_OVER
    elif b == BTN_KNOB:
        col = C_WHITE
    else:
        col = C_PROGRESS
    _fill16(frame, 0, p * _N * 16 // 255, col, 48)


def _ack(frame, ui, seats, now):
    if not _active(ui.ack_until, now):
        return
    seat = ui.ack_seat
    if 0 <= seat < seats:
        _put(frame, seat_start(seat, seats), C_WHITE, _L_PIP)
    elif seat == -2:  # a facilitation marker: four points, a cross
        _dots(frame, 6, C_WHITE, _L_PIP)
    else:
        _put(frame, 0, C_WHITE, _L_PIP)
        _put(frame, _N // 2, C_WHITE, _L_PIP)


def cap(frame):
    """Clamp every channel to MAX_LEVEL and scale the frame down when its sum is over the cap."""
    total = 0
    for i in range(_N * 3):
        v = frame[i]
        if v > MAX_LEVEL:
            v = MAX_LEVEL
            frame[i] = v
        total += v
    if total > FRAME_SUM_CAP:
        k = FRAME_SUM_CAP * 256 // total
        for i in range(_N * 3):
            frame[i] = frame[i] * k >> 8


def render(frame, session, ui, now):
    """Draw the ring for this moment into frame (bytearray(72), RGB). Allocates nothing."""
    for i in range(_N * 3):
        frame[i] = 0
    s = session
    seats = s.agenda.seats
    st = s.state
    if ui.alert and _active(ui.alert_until, now):
        _alert(frame, ui.alert)
    elif _active(ui.battery_until, now):
        _battery(frame, ui.battery_pct)
    elif st == ST_READY:
        _ready(frame, s, ui)
    elif st == ST_ENDED:
        if ui.revealing(now):
            _balance_layer(frame, s, now)  # the session's balance, for reveal_seconds
        else:
            _dots(frame, 2, C_ENDED, 10)
    elif st == ST_PAUSED:
        _run(frame, 0, _N, C_PROGRESS, breath(now, _PAUSE_SHIFT, 3, 24))
    else:
        pw = s.phase_warning(now)
        po = s.phase_overrun(now)
        shown = _active(ui.glance_until, now) or ui.revealing(now)
        if ui.balance_visible(now) and (shown or not (pw or po)):
            _balance_layer(frame, s, now)
        else:
            _phase_layer(frame, s, pw, po, now)
        _speaker(frame, s, now)
        _queue(frame, s, now)
        _cursor(frame, ui, seats)
    _ack(frame, ui, seats, now)
    _hold_fill(frame, ui, seats)
    cap(frame)
