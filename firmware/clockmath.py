"""Wrap-safe millisecond tick arithmetic with the Pico's period (2**30), on any VM."""

from micropython import const

TICKS_PERIOD = const(0x40000000)
_TICKS_MAX = const(0x3FFFFFFF)
_TICKS_HALF = const(0x20000000)

try:
    import time as _time

    _native = getattr(_time, "ticks_add")(0, -1) == _TICKS_MAX
except (ImportError, AttributeError):
    _native = False

if _native:
    # The rp2 port: native functions, no allocation, same period.
    ticks_diff = getattr(_time, "ticks_diff")
    ticks_add = getattr(_time, "ticks_add")
else:
    # CPython and the 64-bit unix port: small ints are 63-bit, so this never allocates there.

    def ticks_diff(a, b):
        """Signed a - b in ms, exact while |a - b| < 2**29."""
        return ((a - b + _TICKS_HALF) & _TICKS_MAX) - _TICKS_HALF

    def ticks_add(t, delta):
        """t + delta on the 2**30 tick circle."""
        return (t + delta) & _TICKS_MAX
