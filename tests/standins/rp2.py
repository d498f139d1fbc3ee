"""rp2 port module subset: bootsel_button(). Anything else is missing here on purpose."""

_bootsel = [0]


def bootsel_button():
    return _bootsel[0]
