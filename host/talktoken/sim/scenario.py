"""Scripted sessions for `talktoken demo` and the simulator benchmark.

A script is a list of steps `(action, arg, wait_ms)`: the action is what the facilitator does
on the device, then `wait_ms` virtual milliseconds pass. Actions:

- `start`            PHASE long press: the session starts
- `give`  seat       turn the knob to seat and press it: seat has the floor
- `next`             KNOB press in a go-round: the token moves to the next seat
- `pass`             KNOB long press in a go-round: the seat holding the token passes
- `open`             KNOB long press in open floor: nobody holds the floor
- `pause`/`resume`   HOLD press
- `extend` minutes   PHASE held while the knob turns (minutes detents)
- `phase`            PHASE long press: next phase (after the last one the session ends)
- `glance`           PHASE press: balance shown for a few seconds (balance "on_demand")
- `queue` seat       knob to seat, PHASE held + KNOB press: seat joins (or leaves) the queue
- `take`             KNOB long press in open floor: the next queued seat gets the floor
- `mark`             HOLD held + KNOB press: a facilitation marker in the log
- `end`              HOLD long press: end the session
- `wait`             nothing happens
- `say` text         a caption for the person watching (no device action)
"""

from __future__ import annotations

from dataclasses import dataclass, field

Step = tuple[str, object, int]

S = 1000
M = 60 * S


def _round(first: int, seats: int, talk_ms: dict[int, int], passes: set[int]) -> list[Step]:
    """A go-round from `first` clockwise: each seat talks talk_ms[seat] or passes."""
    steps: list[Step] = []
    for i in range(seats):
        seat = (first + i) % seats
        if i == 0:
            steps.append(("give", seat, 0))
        if seat in passes:
            steps.append(("wait", None, 4 * S))
            steps.append(("pass", None, 0))
        else:
            steps.append(("wait", None, talk_ms.get(seat, 30 * S)))
            steps.append(("next", None, 0))
    return steps


def _open(turns: list[tuple[int, int]]) -> list[Step]:
    """Open floor: the facilitator points at each speaker in turn (seat -1 = open floor)."""
    steps: list[Step] = []
    for seat, ms in turns:
        steps.append(("open", None, ms) if seat < 0 else ("give", seat, ms))
    return steps


# The demo: the default agenda (interpersonal process group), 8 seats, facilitator at seat 0.
CHECK_IN = {1: 50 * S, 2: 75 * S, 4: 45 * S, 5: 60 * S, 6: 30 * S, 7: 95 * S, 0: 40 * S}
DEMO: list[Step] = [
    ("say", "Check-in: a go-round with 60 s turns; seat 3 passes, seats 2 and 7 run over", 0),
    ("start", None, 20 * S),
    *_round(1, 8, CHECK_IN, passes={3}),
    ("wait", None, 4 * M),
    ("say", "Supportive space: open floor, extended by 2 minutes", 0),
    ("phase", None, 15 * S),
    *_open([(2, 3 * M), (5, 2 * M), (1, 90 * S), (6, 20 * S), (2, 2 * M)]),
    ("extend", 2, 0),
    *_open([(5, 2 * M), (-1, 45 * S), (7, 1 * M)]),
    ("say", "Exploring relationships: uneven talkers, a 3-minute break, a glance at balance", 0),
    ("phase", None, 10 * S),
    *_open([(2, 6 * M), (5, 5 * M), (2, 4 * M)]),
    ("say", "Seats 6 and 3 ask to speak: quiet first gives the floor to seat 3, then 6", 0),
    ("queue", 6, 5 * S),
    ("queue", 3, 25 * S),
    ("take", None, 1 * M),
    ("take", None, 30 * S),
    ("mark", None, 30 * S),
    *_open([(7, 3 * M), (1, 2 * M)]),
    ("glance", None, 10 * S),
    ("pause", None, 3 * M),
    ("resume", None, 0),
    *_open([(2, 5 * M), (5, 4 * M), (6, 30 * S), (3, 1 * M), (-1, 30 * S), (2, 3 * M)]),
    ("say", "Developing strategies: runs 4 minutes over its plan", 0),
    ("phase", None, 10 * S),
    *_open([(5, 6 * M), (2, 5 * M), (1, 4 * M), (7, 3 * M), (0, 2 * M), (5, 4 * M)]),
    ("say", "Closing round, then the session ends", 0),
    ("phase", None, 10 * S),
    *_round(1, 8, {s: 40 * S for s in range(8)} | {2: 70 * S}, passes={4}),
    ("wait", None, 2 * M),
    ("end", None, 0),
]


@dataclass
class PhaseSummary:
    """How one phase went: plan (with extensions) against what happened."""

    name: str
    mode: str
    planned_ms: int
    actual_ms: int = 0
    extend_min: int = 0
    turns: int = 0
    passes: int = 0
    talk_ms: list[int] = field(default_factory=list)

    @property
    def overrun_ms(self) -> int:
        """How far the phase ran past its plan, in ms (0 if it did not)."""
        return max(0, self.actual_ms - self.planned_ms)


@dataclass
class Played:
    """Result of playing a script: per-phase summaries and the final device state."""

    phases: list[PhaseSummary]
    final: dict
    captions: list[str]


class _Tracker:
    """Keeps per-phase deltas of the device's running tallies."""

    def __init__(self, dev) -> None:
        self.dev = dev
        self.phases: list[PhaseSummary] = []
        self._base: dict | None = None

    def begin(self, st: dict) -> None:
        self._base = st
        self.phases.append(PhaseSummary(st["phase_name"], st["phase_mode"], st["phase_planned_ms"]))

    def close(self, pre: dict, post: dict) -> None:
        """pre: the state just before the phase-ending press; post: just after it."""
        if self._base is None:
            return
        p = self.phases[-1]
        b = self._base
        in_press = post["session_ms"] - pre["session_ms"]  # the long press took this long
        if post["state"] == "running":
            in_press -= post["phase_elapsed_ms"]  # ... minus what the new phase has had
        p.actual_ms = pre["phase_elapsed_ms"] + max(0, in_press)
        p.planned_ms = pre["phase_planned_ms"]
        p.extend_min = pre["extend_min"]
        p.turns = sum(post["turns"]) - sum(b["turns"])
        p.passes = sum(post["passes"]) - sum(b["passes"])
        p.talk_ms = [a - c for a, c in zip(post["talk_ms"], b["talk_ms"], strict=True)]
        self._base = None


def point(dev, seat: int) -> None:
    """Turn the knob the short way round until the cursor is on seat."""
    st = dev.state()
    n = st["seats"]
    delta = (seat - st["ui"]["cursor"]) % n
    if delta > n // 2:
        delta -= n
    dev.turn(delta)


def chord(dev, held: str) -> None:
    """KNOB pressed while `held` ("phase" or "hold") is held down."""
    dev.down(held)
    dev.press("knob")
    dev.up(held)


def act(dev, action: str, arg) -> None:
    """Do one scripted action on the device."""
    if action == "give":
        point(dev, int(arg))
        dev.press("knob")
    elif action == "next":
        dev.press("knob")
    elif action in ("pass", "open", "take"):
        dev.long_press("knob")
    elif action == "queue":
        point(dev, int(arg))
        chord(dev, "phase")
    elif action == "mark":
        chord(dev, "hold")
    elif action in ("pause", "resume"):
        dev.press("hold")
    elif action == "extend":
        dev.down("phase")
        dev.turn(int(arg))
        dev.up("phase")
    elif action in ("start", "phase"):
        dev.long_press("phase")
    elif action == "glance":
        dev.press("phase")
    elif action == "end":
        dev.long_press("hold")
    elif action not in ("wait", "say"):
        raise ValueError(f"unknown scripted action {action!r}")


def play(dev, steps: list[Step], on_caption=None) -> Played:
    """Act out steps on a stepped SimDevice; summarize each phase from the device's state."""
    tracker = _Tracker(dev)
    captions: list[str] = []
    for action, arg, wait_ms in steps:
        if action == "say":
            captions.append(str(arg))
            if on_caption is not None:
                on_caption(str(arg))
        pre = dev.state() if action in ("start", "phase", "end") else None
        act(dev, action, arg)
        if pre is not None:
            post = dev.state()
            moved = post["phase"] != pre["phase"] or post["state"] != pre["state"]
            if moved and pre["state"] in ("running", "paused"):
                tracker.close(pre, post)
            if moved and post["state"] == "running":
                tracker.begin(post)
        if wait_ms:
            dev.advance(wait_ms)
    final = dev.state()
    if final["state"] != "ended":
        tracker.close(final, final)
    return Played(tracker.phases, final, captions)


def full_session(seats: int = 8, turn_ms: int = 2 * M) -> list[Step]:
    """The default agenda played to plan (90 minutes): rounds of 60 s turns with a pass,
    open phases with a new speaker every turn_ms; every phase lasts exactly its planned time."""
    plan = [("round", 12), ("open", 10), ("open", 35), ("open", 20), ("round", 13)]
    steps: list[Step] = [("start", None, 0)]
    for index, (floor, minutes) in enumerate(plan):
        if index:
            steps.append(("phase", None, 0))
        left = minutes * M
        if floor == "round":
            talk = {s: 55 * S for s in range(seats)}
            steps += _round(1, seats, talk, passes={seats // 2})
            left -= 55 * S * (seats - 1) + 4 * S
        else:
            k = 0
            while left >= turn_ms:
                steps.append(("give", (k * 3 + 1) % seats, turn_ms))
                left -= turn_ms
                k += 1
        steps.append(("wait", None, max(0, left)))
    steps.append(("end", None, 0))
    return steps
