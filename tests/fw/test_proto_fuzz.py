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


def test_a_reused_id_answered_during_a_fetch_leaves_that_fetch_open():
    """The rig's own accounting (found by the Hypothesis machine): a request reusing the id of
    a fetch still streaming is answered in between; a hello after that reply may still stop
    the fetch, which is allowed, not a missing reply."""
    rig = protofuzz.Rig(protofuzz.base_image())
    name = rig.names()[2]  # 400 turns: two chunks, still streaming after one loop iteration
    fid = rig.request("fetch", {"name": name, "offset": 0})
    rig.request("hash", {"name": name}, rid=fid)
    rig.advance(10)
    assert rig.got.get(fid) == 1, "the hash was answered while the fetch streams"
    rig.request("hello", {"proto": 1})
    rig.settle()
    rig.check(settled=True)
