# ruff: noqa: UP031  (MicroPython: %-formatting)
"""Code driver of tools/bench_fw.py: the heap each firmware module takes once imported.

micropython -m fwbench_code   (the firmware's .mpy on the path)

Imports the app's modules and then the protocol's in preload's order (leaves first), collecting
garbage before and after each, and prints `RESULT code <name> <bytes> ...`: the heap a module's
bytecode, constants, dicts and classes hold on the unix port, which loads bytecode into the heap.
"""

import gc
import sys

import preload

gc.collect()
out = []
for name in preload.ORDER + preload.PROTO + ("fsio",):
    gc.collect()
    before = gc.mem_alloc()
    __import__(name)
    gc.collect()
    out.append("%s %d" % (name, gc.mem_alloc() - before))
sys.stdout.write("RESULT code " + " ".join(out) + "\n")
