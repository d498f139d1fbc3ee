# Hypothesis: any sequence of facilitator actions keeps passes talk-free, the queue sound and
# shortening above its floor, and the log replays to the same session.
from __future__ import annotations

from coretest import ListSink, make
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from session import Session

PHASES = [("Round", 6, "round", 40, 60), ("Open", 8, "open", 30, 60), ("Open 2", 5, "open", 0, 0)]


class Room(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.mode = "quiet_first"
        self.a = make(seats=6, phases=PHASES, queue=self.mode)
        self.sink = ListSink()
        self.s = Session(self.a, self.sink)
        self.now = 0
        self.s.start(self.now)

    def live(self) -> bool:
        return self.s.state in (1, 2)

    @rule(ms=st.integers(0, 90_000))
    def wait(self, ms: int) -> None:
        self.now += ms
        self.s.tick(self.now)

    @precondition(lambda self: self.live())
    @rule(seat=st.integers(0, 5))
    def give(self, seat: int) -> None:
        self.s.give_floor(seat, self.now)

    @precondition(lambda self: self.live())
    @rule()
    def knob_long(self) -> None:
        s = self.s
        target = s.pass_target(self.now)
        before = list(s.seat_talk_ms)
        speaker = s.speaker
        if s.round_active():
            ok = s.pass_seat(target, self.now)
            if ok and target >= 0:
                assert s.seat_talk_ms[target] == before[target], "a pass carried talk time"
                if target != speaker:
                    assert s.seat_talk_ms[speaker] >= before[speaker]
        else:
            s.floor_to_queued(self.now)

    @precondition(lambda self: self.live())
    @rule(seat=st.integers(0, 5))
    def queue(self, seat: int) -> None:
        self.s.queue_toggle(seat, self.now)

    @precondition(lambda self: self.live())
    @rule(minutes=st.integers(-12, 12))
    def extend(self, minutes: int) -> None:
        s = self.s
        before = s.phase_planned_ms()
        applied = s.extend(minutes, self.now)
        if applied and minutes < 0:
            assert s.phase_planned_ms() >= s.phase_elapsed_ms(self.now) + 60_000, "below floor"
        if minutes < 0:
            assert s.phase_planned_ms() <= before, "a shortening never lengthens"

    @precondition(lambda self: self.live())
    @rule()
    def hold(self) -> None:
        if self.s.state == 1:
            self.s.pause(self.now)
        else:
            self.s.resume(self.now)

    @precondition(lambda self: self.s.state == 1)
    @rule()
    def next_phase(self) -> None:
        self.s.next_phase(self.now)

    @precondition(lambda self: self.live())
    @rule()
    def marker(self) -> None:
        assert self.s.marker(self.now)

    @invariant()
    def queue_is_sound(self) -> None:
        s = self.s
        q = [s.queue[i] for i in range(s.queue_len)]
        assert len(set(q)) == len(q) and all(0 <= x < s.seats for x in q)
        assert s.speaker not in q, "the speaker is never queued"
        nxt = s.queue_next(self.now)
        if not q:
            assert nxt == -1
            return
        talk = [s.seat_talk_now(x, self.now) for x in q]
        least = min(talk)
        assert nxt == q[talk.index(least)], "quiet first, ties: the first queued"

    @invariant()
    def every_pass_is_logged_once(self) -> None:
        logged = [0] * 12
        for ev, seat, _phase, _t, _arg in self.sink.recs:
            if ev == 7:
                logged[seat] += 1
        assert logged == self.s.seat_passes

    @invariant()
    def replay_agrees(self) -> None:
        r = Session(self.a)
        for rec in self.sink.recs:
            r.replay(*rec)
        s = self.s
        assert (r.queue_len, r.queue[: r.queue_len]) == (s.queue_len, s.queue[: s.queue_len])
        assert r.extend_min == s.extend_min and r.seat_passes == s.seat_passes
        assert r.seat_talk_ms == s.seat_talk_ms


Room.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
test_room_machine = Room.TestCase
