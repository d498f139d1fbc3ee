# Tiny assertion helpers for firmware tests that run in both MicroPython and CPython.


def raises(exc_type, fn, *args):
    """Call fn(*args); return the exception of exc_type it raised, or fail."""
    try:
        fn(*args)
    except exc_type as exc:
        return exc
    raise AssertionError("expected %s from %r" % (exc_type.__name__, fn))


def eq(actual, expected, what=""):
    if actual != expected:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))
