"""CPython stand-in for MicroPython's `micropython` module, so firmware imports unchanged."""


def const(value):
    """Compile-time constant on MicroPython; the identity here."""
    return value


def heap_lock():
    return 0


def heap_unlock():
    return 0


def kbd_intr(char):
    return None


def mem_info(*args):
    return None


def opt_level(*args):
    return 0


def native(fn):
    return fn


def viper(fn):
    return fn
