"""Seeded protocol fuzz sequences (tests/fw/protofuzz.py) in both VMs: the same sequences in
MicroPython as in CPython (a PRNG of our own, not the VM's)."""

import protofuzz

SEEDS = 12
ACTIONS = 14


class Xorshift:
    """A 32-bit xorshift PRNG: the same numbers in every VM."""

    def __init__(self, seed):
        self.x = (seed * 2654435761 + 1) & 0xFFFFFFFF or 1

    def __call__(self, n):
        x = self.x
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.x = x
        return x % n if n > 0 else 0


def run(seeds, actions=ACTIONS, first=0):
    """Play `seeds` sequences; (sequences, failures as (seed, message))."""
    image = protofuzz.base_image()
    failures = []
    for seed in range(first, first + seeds):
        rig = protofuzz.Rig(image)
        try:
            protofuzz.play(rig, Xorshift(seed), actions)
        except Exception as exc:
            failures.append((seed, "%s: %s" % (type(exc).__name__, exc)))
    return seeds, failures


def test_seeded_sequences_hold_every_invariant():
    n, failures = run(SEEDS)
    assert not failures, failures
