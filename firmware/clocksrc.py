# Where a session's wall-clock start comes from: the codes of the log header's clock-source byte.
from micropython import const

CLOCK_NONE = const(0)  # no wall time: the host dates the session from what it knows
CLOCK_HOST = const(1)  # a host set the clock since this boot (clock sync, agenda push)
CLOCK_RTC = const(2)  # the battery-backed RTC module, read at boot
CLOCK_NAMES = ("none", "host", "rtc")


def session_clock_source(app):
    """The clock-source byte for a session starting now (the log header's SOURCE field)."""
    return app.clock_source
