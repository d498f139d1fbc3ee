"""Device entry point: wires the Pico board, log store and protocol into the app and runs it."""

import sys
import time


def finish_switch():
    """Finish a firmware switch-over a deploy left half done (a power cut, a reset), before any
    other firmware module loads, so old and new code never mix; then unload the code that did
    it (nothing of it stays in the heap but its few qstrs). Without fwswitch (a tree copied by
    hand) the device still boots."""
    try:
        import fwswitch
    except ImportError:
        return
    fwswitch.run()
    sys.modules.pop("fwswitch", None)


def boot_wants_selftest(b, checks=3, gap_ms=30):
    """PHASE + HOLD held at power-on (read a few times, so a bounce does not trigger it)."""
    import selftest

    for _ in range(checks):
        if not selftest.wanted(b.read_inputs()):
            return False
        time.sleep_ms(gap_ms)
    return True


def selftest_if_wanted(b):
    """Run the power-on self-test when asked for, then unload it: its code is freed, though
    its qstrs never are (MicroPython keeps interned strings for good)."""
    if boot_wants_selftest(b):
        import selftest

        selftest.run(b)
    sys.modules.pop("selftest", None)


def main():
    import board

    b = board.Board()
    selftest_if_wanted(b)
    import gc

    import preload

    preload.run()  # the app's modules, leaves first, garbage collected between: less fragmentation
    import app
    import logstore

    gc.collect()  # what the imports left behind, before the store and app allocate
    store = logstore.LogStore(b.fs, b.unique_id(), app.FW_VERSION)
    # the protocol's modules are loaded only when a host sends its first byte
    a = app.App(b, store=store, protocol_factory=preload.PROTO)
    a.run()


finish_switch()
main()
