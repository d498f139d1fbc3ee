# Protocol ops that are not about framing or streaming: device info, clock, agenda, sessions.
import json

import agenda as agendamod
import clocksrc
import events
from micropython import const
from protoargs import ProtoError, int_arg, listing, name_arg, only, size_of, str_arg

PROTO_VERSION = const(1)
EPOCH_MIN = const(1577836800)  # 2020-01-01
EPOCH_MAX = const(4102444800)  # 2100-01-01
PAGE = const(32)  # sessions per `sessions` answer unless `count` says otherwise
PAGE_MAX = const(64)


class ProtoOps:
    """Base of proto.Proto: the `_op_<name>(rid, args)` handlers that answer in one reply."""

    def __init__(self, app):
        self.app = app
        self.watching = False
        self.update_ok = False
        self.now = 0

    def _running(self):
        s = self.app.session
        return s is not None and s.state in (events.ST_RUNNING, events.ST_PAUSED)

    def _op_info(self, rid, args):
        only(args, ())
        app = self.app
        store = app.store
        s = app.session
        a = app.agenda
        out = {
            "proto": PROTO_VERSION,
            "fw": getattr(app, "fw_version", "0"),
            "device": app.board.unique_id(),
            "clock": app.board.rtc_now(),
            "clock_set": bool(getattr(app, "clock_set", False)),
            "clock_source": clocksrc.CLOCK_NAMES[getattr(app, "clock_source", 0)],
            "rtc_module": bool(getattr(app.board, "rtc_module", False)),
            "state": events.STATE_NAMES[s.state] if s is not None else "ready",
            "phase": s.phase if s is not None else 0,
            "agenda": {"name": a.name, "hash": agendamod.digest(a)},
            "battery_mv": app.board.battery_mv(),
            "interrupt": self.update_ok or not self._running(),
        }
        if store is not None:
            ix = listing(store)
            out["sessions"] = ix.count()
            out["free"] = store.free_bytes()
            out["used"] = ix.used()
            out["fs_id"] = store.fs_id
            out["fresh"] = bool(getattr(store, "fresh", False))
        return out

    def _op_clock_set(self, rid, args):
        only(args, ("epoch",))
        epoch = int_arg(args, "epoch", EPOCH_MIN, EPOCH_MAX)
        self.app.board.rtc_set(epoch)
        self.app.clock_set = True
        self.app.clock_source = clocksrc.CLOCK_HOST
        return {"clock": self.app.board.rtc_now()}

    def _op_agenda_get(self, rid, args):
        only(args, ())
        a = self.app.agenda
        return {"agenda": a.to_dict(), "hash": agendamod.digest(a)}

    def _op_agenda_set(self, rid, args):
        only(args, ("agenda",))
        d = args.get("agenda")
        if not isinstance(d, dict):
            raise ProtoError("args", "agenda must be a JSON object")
        if self._running():
            raise ProtoError("busy", "a session is running; end it before changing the agenda")
        problems = agendamod.problems(d)
        if problems:
            body = json.dumps({"problems": [[f, r] for f, r in problems]})
            raise ProtoError("agenda", body)
        a = agendamod.parse(d)
        self.app.set_agenda(a)
        return {"name": a.name, "hash": agendamod.digest(a)}

    def _op_sessions(self, rid, args):
        only(args, ("start", "count"))
        start = int_arg(args, "start", 0, 1 << 30, 0)
        count = int_arg(args, "count", 1, PAGE_MAX, PAGE)
        ix = listing(self._store())
        total = ix.count()
        end = start + count if start + count < total else total
        page = [ix.entry(i) for i in range(start, end)]
        return {"sessions": page, "total": total, "next": end if end < total else None}

    def _op_hash(self, rid, args):
        only(args, ("name",))
        name = name_arg(args)
        store = self._store()
        size = size_of(store, name)
        return {"name": name, "size": size, "sha256": store.sha256(name)}

    def _op_delete(self, rid, args):
        only(args, ("name", "sha256"))
        name = name_arg(args)
        sha = str_arg(args, "sha256", 64)
        if len(sha) != 64:
            raise ProtoError("args", "sha256 must be 64 hex digits")
        store = self._store()
        size_of(store, name)
        if store.sha256(name) != sha.lower():
            raise ProtoError("hash", "sha256 does not match the stored session; nothing deleted")
        if store.delete(name, sha.lower()) is False:
            raise ProtoError("hash", "the store refused to delete %s" % name)
        return {"deleted": name}

    def _op_watch(self, rid, args):
        only(args, ("on",))
        on = args.get("on", True)
        if not isinstance(on, bool):
            raise ProtoError("args", "on must be true or false")
        self.watching = on
        return {"on": on}

    def _op_state(self, rid, args):
        only(args, ())
        s = self.app.session
        if s is None:
            return {"state": "ready"}
        now = self.now
        return {
            "state": events.STATE_NAMES[s.state],
            "phase": s.phase,
            "speaker": s.speaker,
            "session_ms": s.session_ms(now) if s.state != events.ST_READY else 0,
            "talk_ms": [s.seat_talk_now(i, now) for i in range(s.agenda.seats)],
            "turns": list(s.seat_turns[: s.agenda.seats]),
            "passes": list(s.seat_passes[: s.agenda.seats]),
        }

    def _op_prepare_update(self, rid, args):
        only(args, ())
        store = self.app.store
        session = getattr(self.app, "session", None)
        if session is not None and hasattr(session, "checkpoint"):
            session.checkpoint(self.now)  # the clock now, so a resume loses no time
        if store is not None and hasattr(store, "flush"):
            store.flush()
        elif store is not None:
            store.service(self.now)
        self.update_ok = True
        self.app.board.serial.set_interrupt(True)
        return {"interrupt": True}

    def _store(self):
        if self.app.store is None:
            raise ProtoError("storage", "this device has no log storage")
        return self.app.store
