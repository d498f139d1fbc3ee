"""Stateful testing of the device's index file (/tt/index) with Hypothesis: ended and unfinished
sessions, resumes, verified deletes, damage to the file, listings and reboots in any order.
After every step the listing of a rebooted copy, and of the running store when it is asked,
is the one the session headers give (CPython on littlefs-python; the firmware's own
tests/fw/test_logstore_indexfile.py replays seeded histories in both VMs)."""

from __future__ import annotations

import events as E
import logfiles
import logstore
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from logfs_helper import HASH, Agenda, from_image, image, listing_from_headers, new_fs, remount

BLOCKS = 32
INDEX = "tt/" + logfiles.INDEX
T0 = 1767225600


def _store(fs):
    return logstore.LogStore(fs, "e6614c311b7d2a35", "0.1.0")


class IndexFileMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fs = new_fs(BLOCKS)
        self.st = _store(self.fs)
        self.made = 0

    def _begin(self, turns: int) -> None:
        self.st.begin(Agenda(), T0 + self.made * 3600 if self.made % 3 else 0, HASH)
        self.st.record(E.EV_SESSION_START, 15, 0, 0)
        for k in range(turns):
            self.st.record(E.EV_TURN_START, k % 8, 0, 100 + k * 1000)
        self.made += 1

    def _end(self, serviced: bool) -> None:
        self.st.record(E.EV_SESSION_END, 15, 0, 60000)
        assert self.st.end()
        if serviced:
            self.st.service(0)  # the loop's next iteration appends the index record

    @precondition(lambda self: self.st.name is None and self.made < 24)
    @rule(turns=st.integers(0, 5), serviced=st.booleans())
    def a_session(self, turns, serviced):
        """A whole session; without `serviced` the power goes before the next iteration."""
        self._begin(turns)
        self._end(serviced)

    @precondition(lambda self: self.st.name is None and self.made < 24)
    @rule(turns=st.integers(0, 5))
    def a_session_left_open(self, turns):
        self._begin(turns)
        self.st.flush()

    @precondition(lambda self: self.st.name is not None)
    @rule(serviced=st.booleans())
    def the_open_session_ends(self, serviced):
        self._end(serviced)

    @precondition(lambda self: self.st.name is None)
    @rule(data=st.data())
    def a_verified_delete(self, data):
        done = [e["name"] for e in self.st.sessions() if e["complete"]]
        if done:
            name = data.draw(st.sampled_from(done))
            assert self.st.delete(name, self.st.sha256(name))

    @precondition(lambda self: self.fs.size(INDEX) > 0)
    @rule(at=st.integers(0, 10_000), bit=st.integers(0, 7), keep=st.integers(0, 10_000))
    def the_index_file_is_damaged(self, at, bit, keep):
        with self.fs.open(INDEX, "rb") as f:
            data = bytearray(f.read())
        data[at % len(data)] ^= 1 << bit
        with self.fs.open(INDEX, "wb") as f:
            f.write(bytes(data[: keep % (len(data) + 1)]))

    @precondition(lambda self: self.fs.size(INDEX) >= 0)
    @rule(junk=st.binary(min_size=1, max_size=64))
    def junk_is_appended(self, junk):
        with self.fs.open(INDEX, "ab") as f:
            f.write(junk)

    @rule()
    def a_host_lists(self):
        assert self.st.sessions() == listing_from_headers(self.st)

    @rule(list_first=st.booleans())
    def a_reboot(self, list_first):
        """Power off and on: a new store on the same image resumes what was left open."""
        self.fs = remount(self.fs)
        self.st = _store(self.fs)
        unfinished = self.st.unfinished()
        if list_first:
            self.st.index()  # a host connected before the app resumed the session
        self.st.resume(unfinished)

    @invariant()
    def a_rebooted_copy_lists_what_the_headers_say(self):
        copy = _store(from_image(image(self.fs), BLOCKS))
        copy.resume(copy.unfinished())
        assert copy.sessions() == listing_from_headers(copy)


IndexFileMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_index_file_stays_a_true_cache = IndexFileMachine.TestCase
