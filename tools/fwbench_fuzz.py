# ruff: noqa: UP031  (MicroPython: %-formatting)
"""Fuzz driver of tools/bench_fuzz.py: seeded protocol fuzz sequences (tests/fw/protofuzz.py).

python fwbench_fuzz.py <sequences> [first]   or   micropython -m fwbench_fuzz <sequences> [first]
Prints: RESULT fuzz sequences N failures F, then one FAIL <seed> <message> line per failure.
"""

import gc
import sys

if sys.implementation.name != "micropython":
    # CPython: firmware importable; gc.collect() (the firmware collects after every import and
    # at boot) is the main cost of a fresh rig under CPython, and changes nothing measured here.
    for p in sys.argv[3:]:
        sys.path.insert(0, p)
    from talktoken.fwtree.paths import enable_firmware_imports

    enable_firmware_imports()
    gc.collect = lambda *args: 0

import test_proto_fuzz  # noqa: E402

first = int(sys.argv[2]) if len(sys.argv) > 2 else 0
n, failures = test_proto_fuzz.run(int(sys.argv[1]), first=first)
print("RESULT fuzz sequences %d failures %d" % (n, len(failures)))
for seed, msg in failures[:20]:
    print("FAIL %d %s" % (seed, msg))
