"""Simulated device process: runs the real firmware App on a SimBoard, driven over control FIFOs."""

# Runs INSIDE the VM (MicroPython unix port or CPython). stdin/stdout = USB CDC (the pty master);
# diagnostics go to stderr; control commands arrive one line at a time on the ctl-in FIFO.
# The virtual device itself (clock, inputs, the App) is driver_core.Driver.
# ruff: noqa: UP031, SIM108, SIM115  (MicroPython: %-formatting; files live as long as the process)
import json
import select
import sys

import simboard
from driver_core import LOOP_MS, Driver

BITS = {"knob": 1, "phase": 2, "hold": 4}


def parse_args(argv):
    """Turn key=value arguments into a dict of strings."""
    opts = {}
    for a in argv:
        k, _, v = a.partition("=")
        opts[k] = v
    return opts


def command(drv, line):
    """Run one control line on the Driver `drv`; the reply line (without newline)."""
    parts = line.split()
    if not parts:
        return "err empty command"
    op = parts[0]
    args = parts[1:]
    if op == "adv":
        drv.run_until(drv.vt + int(args[0]))
        return "ok %d" % drv.vt
    if op == "press":
        drv.cmd_press(BITS[args[0]], int(args[1]))
        return "ok %d" % drv.vt
    if op == "down" or op == "up":
        bits = BITS[args[0]]
        if op == "down":
            drv.cmd_hold(bits, 0)
        else:
            drv.cmd_hold(0, bits)
        return "ok %d" % drv.vt
    if op == "turn":
        drv.cmd_turn(int(args[0]))
        return "ok %d" % drv.vt
    if op == "leds":
        return "ok " + "".join("%02x" % v for v in drv.board.frame)
    if op == "state":
        return "ok " + json.dumps(drv.state())
    if op == "cut":
        drv.fs.cut_power(int(args[0]))
        return "ok"
    if op == "battery":
        drv.board.battery = int(args[0])
        return "ok"
    if op == "speed":
        drv.rebase_clock(float(args[0]))
        return "ok"
    if op == "ping":
        return "ok %d" % drv.vt
    if op == "quit":
        return "bye"
    return "err unknown command %s" % op


def open_ctl(opts):
    """Open the control FIFOs; return (input file, its fd, output file)."""
    if simboard.MICROPYTHON:
        cin = open(opts["ctl_in"], "rb")
        cout = open(opts["ctl_out"], "wb")
        return cin, cin.fileno(), cout
    import os

    fd = os.open(opts["ctl_in"], os.O_RDONLY)
    cin = os.fdopen(fd, "rb", buffering=0)
    cout = open(opts["ctl_out"], "wb", buffering=0)  # noqa: SIM115 - lives as long as the process
    return cin, fd, cout


def main():
    """Run the simulated device until the host quits or goes away."""
    opts = parse_args(sys.argv[1:])
    cin, cfd, cout = open_ctl(opts)
    drv = Driver(opts)
    drv.rebase_clock(drv.speed)
    drv.step()  # the first loop iteration at boot
    poller = select.poll()
    poller.register(cfd, select.POLLIN)
    poller.register(0, select.POLLIN)
    cout.write(b"ready %s\n" % sys.implementation.name.encode())
    serving = True
    out_polled = False
    while True:
        if drv.off and serving:
            poller.unregister(0)  # a device without power reads nothing from its port
            serving = False
        busy = getattr(drv.app.proto, "busy", False) and not drv.off
        # Output the port would not take: the Pico's loop keeps running and writes it when the
        # host reads, so the stepped device wakes when the port has room, not only on input.
        waiting = serving and not drv.realtime and not drv.off and drv.board.serial.held
        if waiting != out_polled:
            poller.register(1, select.POLLOUT) if waiting else poller.unregister(1)
            out_polled = waiting
        if drv.realtime:
            timeout = 0 if busy else LOOP_MS
        else:
            timeout = 0 if busy else -1
        events = poller.poll(timeout)
        if drv.realtime:
            drv.run_until(drv.target())
        for fd, flags in events:
            if fd == cfd:
                if flags & select.POLLIN:
                    line = cin.readline()
                    if not line:
                        return
                    reply = command(drv, line.decode())
                    cout.write(reply.encode() + b"\n")
                    if reply == "bye":
                        return
                elif flags & (select.POLLHUP | select.POLLERR):
                    return  # the host side is gone
            elif fd == 1:
                serial = drv.board.serial
                writes = serial.writes
                drv.serve()  # the port has room again: the waiting output goes out
                if serial.writes == writes:
                    serial.held = False  # nothing was written: nothing is held any more
            elif flags & (select.POLLHUP | select.POLLERR) and not flags & select.POLLIN:
                poller.unregister(0)  # no client can ever come back: stop polling the pty
                serving = False
            elif not drv.realtime:
                drv.step()  # serve the serial line at the paused virtual time
        if busy and not drv.realtime:
            # App.serve_until: between loop iterations the Pico serves a busy protocol until
            # the next iteration is due, which at the paused virtual time never comes.
            drv.serve()


main()
