# Stand-in `rp2` for the MicroPython unix port: only what talktoken may touch (nothing yet).
"""rp2 port module subset: bootsel_button(). Anything else is missing here on purpose."""

_bootsel = [0]


def bootsel_button():
    return _bootsel[0]
