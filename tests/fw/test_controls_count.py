# The counted knob: detents from the board's running transition count (the PIO counter).
import controls as C
from fwtest import eq
from test_controls import Rig


def counted(**kw):
    r = Rig(counted=True, **kw)
    r.c.reset(0, r.t, 0)
    return r


def feed(r, count, mask=0):
    r.c.poll(mask, r.t & 0x3FFFFFFF, r.q)
    r.c.count(count, r.q)
    r.drain()
    r.t += 10


def turns(r, g=C.G_TURN):
    return sum(a for gg, a in r.got if gg == g)


def test_one_detent_per_four_transitions_both_ways():
    r = counted()
    for c in (2, 4, 6, 8, 10, 12):
        feed(r, c)
    eq(turns(r), 3, "clockwise")
    for c in (10, 8, 6, 4, 2, 0, -2, -4):
        feed(r, c)
    eq(turns(r), -1, "back past the start")
    eq(r.c.detents, -1, "running total")


def test_bounce_around_a_rest_gives_nothing_more():
    r = counted()
    for c in (2, 4, 2, 4, 6, 4, 6, 4, 2, 4):
        feed(r, c)
    eq(turns(r), 1, "one detent reached, then chatter")


def test_a_jump_after_a_stall_gives_every_detent():
    r = counted()
    feed(r, 2)
    feed(r, 98)  # the loop was stopped while the knob turned 24 detents
    eq(turns(r), 24)
    eq(len([g for g, a in r.got if g == C.G_TURN]), 1, "one gesture for the jump")
    feed(r, -2)
    eq(turns(r), 0, "and all the way back")


def test_mask_bits_are_ignored_when_counted():
    r = counted()
    for m in (8, 24, 16, 0) * 3:  # A/B bits still change on the pins
        feed(r, 0, m)
    eq(turns(r), 0)


def test_reverse_and_phase_chord():
    r = counted(reverse=True)
    feed(r, 4)
    eq(turns(r), -1, "reversed")
    for _ in range(4):
        feed(r, 4, 1 << C.BTN_PHASE)  # PHASE held (debounced) ...
    feed(r, 8, 1 << C.BTN_PHASE)  # ... while the knob turns
    eq(turns(r, C.G_PHASE_TURN), -1, "the chord")
    for _ in range(3):
        feed(r, 8)
    eq([g for g, a in r.got if g == C.G_PRESS_CANCEL], [C.G_PRESS_CANCEL], "no short press")


def test_wraparound_free_over_long_runs():
    r = counted()
    c = 0
    for _ in range(2000):
        c += 40
        feed(r, c)
    eq(r.c.detents, 20000)
