# Tick arithmetic wraps at 2**30 exactly as on the Pico, in both VMs.
from clockmath import TICKS_PERIOD, ticks_add, ticks_diff


def test_wrap_forward():
    t = TICKS_PERIOD - 5
    later = ticks_add(t, 12)
    assert later == 7
    assert ticks_diff(later, t) == 12
    assert ticks_diff(t, later) == -12


def test_half_range_limits():
    assert ticks_diff(ticks_add(100, (1 << 29) - 1), 100) == (1 << 29) - 1
    assert ticks_diff(ticks_add(100, -(1 << 29)), 100) == -(1 << 29)


def test_three_hours_across_wrap():
    start = TICKS_PERIOD - 3600000
    end = ticks_add(start, 3 * 3600000)
    assert 0 <= end < TICKS_PERIOD
    assert ticks_diff(end, start) == 3 * 3600000
