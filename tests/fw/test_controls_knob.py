# The knob: quadrature decoding, one step per detent both ways, bounce rejection, PHASE chord.
import controls as C
from fwtest import eq
from test_controls import Rig

CW = (2, 3, 1, 0)  # encoder states (A << 1 | B) after 00 for one clockwise detent
CCW = (1, 3, 2, 0)


def enc(state, buttons=0):
    # board mask: bit3 = A, bit4 = B
    return ((state >> 1) & 1) << 3 | (state & 1) << 4 | buttons


def turn(r, seq, detents, buttons=0, dwell=3):
    for _ in range(detents):
        for s in seq:
            r.run(dwell, enc(s, buttons), step=1)


def turns(r):
    total = 0
    for g, a in r.got:
        if g == C.G_TURN:
            total += a
    return total


def test_detents_both_ways():
    r = Rig()
    r.run(10, 0)
    turn(r, CW, 5)
    eq(turns(r), 5, "clockwise")
    turn(r, CCW, 7)
    eq(turns(r), -2, "back")
    eq(r.c.detents, -2, "running total")


def test_no_step_until_detent_reached():
    r = Rig()
    r.run(10, 0)
    for s in CW[:3]:
        r.run(5, enc(s), step=1)
    eq(turns(r), 0, "three quarters of a detent")
    r.run(5, enc(0), step=1)
    eq(turns(r), 1, "detent")


def test_bounce_between_states_gives_nothing():
    r = Rig()
    r.run(10, 0)
    for _ in range(50):  # contact chatter on A at rest, and half way through
        r.run(1, enc(2), step=1)
        r.run(1, enc(0), step=1)
    for _ in range(50):
        r.run(1, enc(3), step=1)
        r.run(1, enc(2), step=1)
    r.run(1, enc(0), step=1)
    eq(turns(r), 0, "chatter")


def test_bouncing_encoder_still_counts_detents():
    r = Rig()
    r.run(10, 0)
    for _ in range(4):
        for s in CW:
            prev = r.mask >> 3
            for _ in range(3):  # each edge chatters before settling
                r.run(1, enc(s), step=1)
                r.run(1, enc(prev), step=1)
            r.run(2, enc(s), step=1)
    eq(turns(r), 4, "bouncy clockwise")
    for _ in range(3):
        for s in CCW:
            prev = r.mask >> 3
            r.run(1, enc(s), step=1)
            r.run(1, enc(prev), step=1)
            r.run(2, enc(s), step=1)
    eq(turns(r), 1, "bouncy back")


def test_missed_state_in_fast_turn():
    r = Rig()
    r.run(10, 0)
    # a slow poll saw 00 -> 10 -> 01 -> 00 (11 missed): still one detent
    for s in (2, 1, 0):
        r.run(2, enc(s), step=1)
    eq(turns(r), 1, "one state missed")


def test_reverse_and_half_step():
    r = Rig(reverse=True)
    r.run(10, 0)
    turn(r, CW, 2)
    eq(turns(r), -2, "reversed")
    r = Rig(steps_per_detent=2)
    r.run(10, 0)
    turn(r, CW, 3)
    eq(turns(r), 6, "two transitions per detent")


def test_phase_held_turn_is_chord():
    r = Rig()
    r.run(50, 2)  # PHASE down
    turn(r, CW, 2, buttons=2)
    turn(r, CCW, 1, buttons=2)
    r.run(2000, enc(0, 2))  # keep holding past the long threshold
    r.run(50, 0)
    kinds = r.kinds()
    eq(kinds[0], C.G_PRESS_START, "start")
    chord = [a for g, a in r.got if g == C.G_PHASE_TURN]
    eq(sum(chord), 1, "chord detents")
    assert C.G_TURN not in kinds
    assert C.G_PHASE_SHORT not in kinds, "release after the chord is not a short press"
    assert C.G_PHASE_LONG not in kinds, "holding on after a chord is not next phase"
    eq(kinds[-1], C.G_PRESS_CANCEL, "press ends as cancelled")


def test_turn_while_knob_pressed_is_plain_turn():
    r = Rig()
    r.run(50, 1)
    turn(r, CW, 1, buttons=1)
    r.run(20, 1)
    r.run(50, 0)
    eq(turns(r), 1, "turn")
    assert C.G_KNOB_SHORT in r.kinds()
