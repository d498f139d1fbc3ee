"""Stateful protocol fuzzing with Hypothesis: request sequences against the firmware's App with
the real LogStore on LittleFS while a session runs (CPython; tests/fw/test_proto_fuzz.py replays
seeded sequences in both VMs)."""

from __future__ import annotations

import protofuzz
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

IMAGE = protofuzz.base_image()
WHERE = ("start", "end", "end-1", "end+1", "middle")


class ProtoMachine(RuleBasedStateMachine):
    """Rules draw names, sizes, offsets and hashes from the rig's own state (the bundles)."""

    names = Bundle("names")
    ids = Bundle("ids")

    def __init__(self) -> None:
        super().__init__()
        self.rig = protofuzz.Rig(IMAGE)

    @initialize(target=names)
    def stored(self):
        return multiple(*self.rig.names())

    @rule(target=names)
    def learn_new_sessions(self):
        """Sessions that ended (or began) since: the host lists them."""
        rid = self.rig.request("sessions", {"count": 64})
        self.rig.settle()
        return multiple(*[n for n in self.rig.names() if rid])

    def _offset(self, name: str, where: str) -> int:
        size = self.rig.size_of(name)
        return {"start": 0, "end": size, "end-1": max(size - 1, 0), "end+1": size + 1}.get(
            where, size // 2
        )

    @rule(
        target=ids,
        name=names,
        where=st.sampled_from(WHERE),
        then_delete=st.booleans(),
        right_hash=st.booleans(),
    )
    def fetch(self, name, where, then_delete, right_hash):
        """A fetch, often pipelined with a delete of the same file (the crash of issue 11)."""
        args = {"name": name, "offset": self._offset(name, where)}
        reqs = [("fetch", args)]
        if then_delete:
            sha = self.rig.sha_of(name) if right_hash else "cd" * 32
            reqs.append(("delete", {"name": name, "sha256": sha}))
        first = self.rig.next_id
        self.rig.pipelined(reqs)
        return first

    @rule(target=ids, name=names, right_hash=st.booleans())
    def delete(self, name, right_hash):
        sha = self.rig.sha_of(name) if right_hash else "0" * 64
        return self.rig.request("delete", {"name": name, "sha256": sha})

    @rule(target=ids, name=names)
    def hash(self, name):
        return self.rig.request("hash", {"name": name})

    @rule(rid=ids, name=names)
    def replay_old_id(self, rid, name):
        self.rig.request("hash", {"name": name}, rid=rid)

    @rule(target=ids, name=names, cut=st.integers(0, 60))
    def cut_line(self, name, cut):
        return self.rig.request("fetch", {"name": name, "offset": 0}, cut=cut)

    @rule(target=ids, name=names, at=st.integers(1, 80))
    def split_line(self, name, at):
        first = self.rig.next_id
        self.rig.split("delete", {"name": name, "sha256": self.rig.sha_of(name)}, at)
        return first

    @rule(target=ids)
    def hello(self):
        return self.rig.request("hello", {"proto": 1})

    @rule(target=ids, on=st.booleans())
    def watch(self, on):
        return self.rig.request("watch", {"on": on})

    @rule(target=ids, epoch=st.one_of(st.integers(), st.text(max_size=3)))
    def clock_set(self, epoch):
        return self.rig.request("clock_set", {"epoch": epoch})

    @rule(target=ids, seats=st.integers(0, 20))
    def agenda_set(self, seats):
        d = protofuzz.agenda.default().to_dict()
        d["seats"] = seats
        return self.rig.request("agenda_set", {"agenda": d})

    @rule(target=ids, start=st.integers(0, 6), count=st.integers(0, 70))
    def sessions(self, start, count):
        return self.rig.request("sessions", {"start": start, "count": count})

    @rule(data=st.data())
    def anything(self, data):
        """One action of the seeded player (garbage, over-long lines, other ops)."""
        protofuzz.step(self.rig, lambda n: data.draw(st.integers(0, max(n - 1, 0))))

    @rule(g=st.sampled_from(protofuzz.GESTURES), arg=st.integers(-7, 7), ms=st.integers(10, 900))
    def gesture(self, g, arg, ms):
        self.rig.gesture(g, arg if g >= protofuzz.controls.G_TURN else 0)
        self.rig.advance(ms - ms % 10 or 10)

    @rule(ms=st.integers(10, 5000))
    def time_passes(self, ms):
        self.rig.advance(ms - ms % 10 or 10)

    @precondition(lambda self: self.rig.sent > 0)
    @rule()
    def settle(self):
        self.rig.settle()
        self.rig.check(settled=True)

    @invariant()
    def holds(self):
        self.rig.check()

    def teardown(self):
        self.rig.settle()
        self.rig.check(settled=True)


ProtoMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TestProtoMachine = ProtoMachine.TestCase
