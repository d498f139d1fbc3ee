"""Session log files pulled from the device, decoded as the firmware's own logfmt module does."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from talktoken.errors import TalktokenError
from talktoken.fwtree.paths import enable_firmware_imports
from talktoken.logfile import fast as logread_fast

enable_firmware_imports()

import events  # noqa: E402  (firmware module)
import logfmt  # noqa: E402  (firmware module)

_CLOCK_NAMES = ("none", "host", "rtc")  # header wall-clock source byte (logfmt.CLOCK_*)


def _floor(mode: int) -> str:
    return events.FLOOR_NAMES[mode] if mode < len(events.FLOOR_NAMES) else f"mode {mode}"


class LogFormatError(TalktokenError):
    """A file that is not a readable session log: unknown format version or a broken header."""

    exit_code = 8


@dataclass
class PhasePlan:
    """A phase as the agenda planned it."""

    name: str
    minutes: int
    floor: str
    turn_seconds: int = 0
    warn_seconds: int = 0


@dataclass(slots=True)
class Event:
    """One logged event: offset from session start, kind (events.EVENT_NAMES), seat or None."""

    t_ms: int
    kind: str
    seat: int | None
    phase: int
    arg: int = 0


@dataclass
class SessionLog:
    """A decoded session log (the contract of docs/architecture.md)."""

    session_id: str
    device_id: str
    firmware: str
    format_version: int
    agenda_name: str
    agenda_hash: str
    seats: int
    facilitators: list
    phases: list
    started_at: datetime | None
    events: list
    complete: bool
    problems: list = field(default_factory=list)
    sha256: str = ""
    raw: bytes = b""
    balance: str = "on_demand"
    queue: str = "off"
    cue: str = "off"
    cue_turns: bool = False
    reveal_seconds: int = 20
    clock_source: str = "none"

    def markers(self) -> list[int]:
        """Offsets (ms) of the facilitator's markers, in log order."""
        return [e.t_ms for e in self.events if e.kind == "marker"]

    def queue_waits(self) -> list[dict]:
        """Each stay in the open-floor queue: seat, phase, start and end offsets (ms), and how
        it ended: "floor" (the seat got the floor), "removed" (taken out), "phase_end" (the
        queue empties with the phase) or "open" (the log ends while the seat waits)."""
        waiting: dict[int, tuple[int, int]] = {}
        out = []

        def close(seat: int, t: int, how: str) -> None:
            phase, start = waiting.pop(seat)
            out.append({"seat": seat, "phase": phase, "start_ms": start, "end_ms": t, "ended": how})

        for e in self.events:
            if e.kind == "queue_add" and e.seat is not None and e.seat not in waiting:
                waiting[e.seat] = (e.phase, e.t_ms)
            elif e.kind == "queue_remove" and e.seat in waiting:
                close(e.seat, e.t_ms, "removed")
            elif e.kind == "turn_start" and e.seat in waiting:
                close(e.seat, e.t_ms, "floor")
            elif e.kind in ("phase_end", "session_end") and waiting:
                for seat in sorted(waiting):
                    close(seat, e.t_ms, "phase_end")
        end = self.events[-1].t_ms if self.events else 0
        for seat in sorted(waiting):
            close(seat, end, "open")
        return out


def _header(raw: bytes) -> dict:
    """The decoded header of raw, its errors turned into LogFormatError."""
    try:
        return logfmt.decode_header(raw)
    except logfmt.UnknownVersion as exc:
        raise LogFormatError(
            f"this session log uses format version {exc.version}; this talktoken reads versions "
            f"1..{logfmt.VERSION}: update talktoken"
        ) from None
    except logfmt.LogFormatError as exc:
        raise LogFormatError(f"not a readable session log: {exc.reason}") from None


def parse(raw: bytes) -> SessionLog:
    """Decode one session file. Bad records are skipped and listed in `problems`, a partial
    record at the end is dropped (and listed); an unknown version or a broken header raises
    LogFormatError.

    A clean file (every record good) is decoded by `talktoken.logfile.fast`; any other goes
    through `parse_reference`, so the result is always exactly that of `parse_reference`."""
    raw = bytes(raw)
    h = _header(raw)
    fast = logread_fast.decode_events(raw, h, Event)
    if fast is None:
        return parse_reference(raw)
    out, torn, complete = fast
    problems = [f"{torn} bytes of a partial record at the end were dropped"] if torn else []
    return _session(raw, h, out, problems, complete)


def parse_header(raw: bytes) -> SessionLog:
    """Only the header of one session file: a SessionLog without events (`complete` False).

    Accepts and refuses exactly the files `parse` does (only a broken header or an unknown
    version raises LogFormatError; bad records are `parse`'s problems, listed, not raised)."""
    raw = bytes(raw)
    return _session(raw, _header(raw), [], [], False)


def parse_reference(raw: bytes) -> SessionLog:
    """`parse` with the firmware's own per-record decoder (logfmt.decode) for every file: the
    reference the fast path is checked against, and the path for files with bad records."""
    raw = bytes(raw)
    h = _header(raw)
    _, recs, bad, torn = logfmt.decode(raw)
    problems = [f"record {i} (byte {h['length'] + i * logfmt.REC_SIZE}): {why}" for i, why in bad]
    if torn:
        problems.append(f"{torn} bytes of a partial record at the end were dropped")
    out = []
    speaker = None
    for ev, seat, phase, t, arg in recs:
        if ev == events.EV_TURN_START and speaker is not None:
            # the store leaves out a turn end followed at once by a turn start: put it back
            out.append(Event(t, "turn_end", speaker, phase, 0))
        if ev == events.EV_TURN_START:
            speaker = seat
        elif ev in (events.EV_TURN_END, events.EV_PASS):
            speaker = None
        out.append(
            Event(t, events.EVENT_NAMES[ev], None if seat == events.NO_SEAT else seat, phase, arg)
        )
    return _session(raw, h, out, problems, any(e.kind == "session_end" for e in out))


def _session(raw: bytes, h: dict, out: list, problems: list, complete: bool) -> SessionLog:
    seats = h["seats"]
    fw = h["firmware"]
    return SessionLog(
        session_id=h["session_id"].hex(),
        device_id=h["device_id"].hex(),
        firmware=f"{fw[0]}.{fw[1]}.{fw[2]}",
        format_version=h["version"],
        agenda_name=h["agenda_name"],
        agenda_hash=h["agenda_hash"].hex(),
        seats=seats,
        facilitators=[s for s in range(seats) if h["fac_mask"] >> s & 1],
        phases=[
            PhasePlan(name, minutes, _floor(mode), turn, warn)
            for name, minutes, mode, turn, warn in h["phases"]
        ],
        started_at=(
            datetime.fromtimestamp(h["wall_start"], tz=timezone.utc) if h["wall_start"] else None
        ),
        events=out,
        complete=complete,
        problems=problems,
        sha256=hashlib.sha256(raw).hexdigest(),
        raw=raw,
        balance=events.BALANCE_NAMES[h["balance"]],
        queue=events.QUEUE_NAMES[h["queue"]],
        cue=events.CUE_NAMES[h["cue"] & 3],
        cue_turns=bool(h["cue"] & events.CUE_TURNS_BIT),
        reveal_seconds=h["reveal_s"],
        clock_source=_CLOCK_NAMES[h["clock_source"]],
    )
