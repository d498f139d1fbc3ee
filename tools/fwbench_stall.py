# ruff: noqa: UP031  (MicroPython: %-formatting)
"""Stall driver of tools/bench_fw.py: the loop while a host holds the port without reading.

micropython -m fwbench_stall <iterations>   (stdin/stdout: a pty master, non-blocking)

The app as main.py wires it, on the simulator's board and serial (SimSerial models the Pico's
USB CDC, its TX timeout included) and a RAM LittleFS holding one 96 KB session file. The host
side sends hello, watch, a fetch of that file and more requests, then reads nothing. Each
iteration moves virtual time 50 ms and plays a 12-seat session (a turn every 1.5-3.5 s).
Prints to stderr: RESULT stall max_ms M iterations N dropped D timeouts T faults F out O
"""

import sys
import time

import logstore
import preload
import simboard
from app import App
from clockmath import ticks_add, ticks_diff
from fwbench_script import Script, bench_agenda

fs = simboard.make_fs("", 256)
try:
    fs.mkdir(logstore.DIR)
except OSError:
    pass
with fs.open(logstore.DIR + "/s00001.ttl", "wb") as f:
    block = bytes(range(256)) * 16
    for _ in range(24):
        f.write(block)
serial = simboard.SimSerial(0, 1)
b = simboard.SimBoard(fs, serial=serial)
store = logstore.LogStore(fs, b.unique_id(), "0.1.0")
a = bench_agenda(12, (("Open", 120, "open", 0),))
app = App(b, store=store, protocol_factory=preload.PROTO, agenda_obj=a)
script = Script(app, 1500, 3500)
sys.stderr.write("ready\n")
n = int(sys.argv[1])
worst = 0
last = time.ticks_ms()
t = 0
for _ in range(n):
    t += 50
    b.now = ticks_add(b.now, 50)
    b.vt += 50
    script.act(t)
    app.step(b.now)
    now = time.ticks_ms()
    gap = ticks_diff(now, last)
    if gap > worst:
        worst = gap
    last = now
p = app.proto
sys.stderr.write(
    "RESULT stall max_ms %d iterations %d dropped %d timeouts %d faults %d out %d\n"
    % (
        worst,
        n,
        getattr(p, "dropped_total", -1),
        getattr(serial, "timeouts", -1),
        getattr(app, "proto_faults", -1),
        serial.bytes_out,
    )
)
