"""Talk to a talktoken over a `Link`: plain methods the CLI commands (and tools) call."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from talktoken.device import pipeline
from talktoken.device.errors import VerifyError, VersionError
from talktoken.device.link import Link, LinkError, MalformedReplyError, NoAnswerError, Reply
from talktoken.device.replies import (
    MAX_FILE_BYTES,
    check_info,
    check_sha,
    device_error,
    shape,
)

PROTO_VERSION = 1
HELLO_BUDGET_S = 2.0  # a port that does not answer hello fails within this


class Client:
    """A protocol session with one device. Use `Client.connect(port)` or wrap a `Link`."""

    def __init__(self, link: Link, timeout: float = 5.0):
        self.link = link
        self.timeout = timeout
        self._rid = random.randint(1, 899_999)  # fresh ids: stale replies never match
        self.device: dict = {}
        self.events: list[dict] = []  # live events that arrived while waiting for a reply

    @classmethod
    def connect(cls, port: str | None = None, timeout: float = 5.0) -> Client:
        """Open the port (default: the one attached Pico) and do the version handshake."""
        client = cls(Link(port, timeout=timeout), timeout=timeout)
        try:
            client.hello()
        except BaseException:
            client.close()
            raise
        return client

    def close(self) -> None:
        """Close the serial link."""
        self.link.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -----------------------------------------------------------------------

    def _next_id(self) -> int:
        self._rid = self._rid % 999_999 + 1
        return self._rid

    def next_reply(self, what: str, timeout: float | None = None) -> Reply | None:
        """The next reply line; None for a live event (kept in `events`). LinkError when the
        device says nothing in time (`what`: the request waited for, for the message)."""
        reply = self.link.read_reply(self.timeout if timeout is None else timeout)
        if reply is None:
            raise LinkError(
                f"the device on {self.link.port} did not answer `{what}`; "
                "unplug and replug it, then try again"
            )
        if reply.kind == "ev":
            self.events.append(reply.data)
            return None
        return reply

    def _wait(self, rid: int, op: str, timeout: float | None = None) -> Reply:
        """The reply to `rid`; events and stale replies do not extend the wait."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LinkError(
                    f"the device on {self.link.port} did not answer `{op}` (it kept sending "
                    "other lines); unplug and replug it, then try again"
                )
            reply = self.next_reply(op, left)
            if reply is not None and reply.rid == rid:
                if reply.kind == "bad":
                    raise MalformedReplyError(
                        f"the device's answer to `{op}` is not talktoken's protocol "
                        f"({reply.message}); is it a talktoken? `talktoken deploy` installs "
                        "the firmware"
                    )
                return reply

    def request(self, op: str, args: dict | None = None, timeout: float | None = None) -> Any:
        """Send one request and return the decoded `ok` object (DeviceError on `err`)."""
        rid = self._next_id()
        self.link.send(rid, op, args or {})
        reply = self._wait(rid, op, timeout)
        if reply.kind == "err":
            raise device_error(op, reply)
        if reply.kind != "ok":
            raise LinkError(f"unexpected `{reply.kind}` reply to `{op}`")
        return reply.data

    # -- operations -------------------------------------------------------------------------

    def hello(self) -> dict:
        """Version handshake; remembers and returns the device's identity."""
        self.link.resync()
        first = min(self.timeout, HELLO_BUDGET_S * 0.6)
        try:
            info = self.request("hello", {"proto": PROTO_VERSION}, timeout=first)
        except MalformedReplyError:
            raise
        except LinkError:
            # A REPL or a busy loop may swallow the first line: try once more.
            try:
                info = self.request(
                    "hello",
                    {"proto": PROTO_VERSION},
                    timeout=min(self.timeout, HELLO_BUDGET_S - first),
                )
            except MalformedReplyError:
                raise
            except LinkError:
                raise NoAnswerError(
                    f"{self.link.port} did not answer talktoken's hello within "
                    f"{HELLO_BUDGET_S:.0f} s; is it a talktoken running its firmware? "
                    "`talktoken ports` lists the Picos attached, `talktoken deploy` installs "
                    "the firmware"
                ) from None
        if info.get("proto") != PROTO_VERSION:
            raise VersionError(
                f"the device speaks protocol {info.get('proto')}, this tool {PROTO_VERSION}; "
                "update the firmware with `talktoken deploy` or this tool with pip"
            )
        self.device = shape(info, "hello", {"fetch_queue": int})
        return info

    def info(self) -> dict:
        """Device status: firmware, clock, state, agenda, battery_mv and storage figures."""
        return check_info(self.request("info"))

    def clock_set(self, epoch: int | None = None) -> dict:
        """Set the device clock (default: now, UTC seconds)."""
        return self.request("clock_set", {"epoch": int(time.time() if epoch is None else epoch)})

    def agenda_get(self) -> dict:
        """{"agenda": dict, "hash": 16 hex}."""
        return self.request("agenda_get")

    def agenda_set(self, agenda: dict) -> dict:
        """Store an agenda on the device; DeviceError(code="agenda", detail=problems) if refused."""
        return self.request("agenda_set", {"agenda": agenda})

    def sessions(self, first: dict | None = None) -> list[dict]:
        """Session files on the device: name, id, size, complete, started_at.

        The device answers in pages (`next` names the following one); the later pages are
        requested pipelined. `first`: an answer to `sessions {}` already received (`logs pull`
        sends it together with `info`). Firmware without pages answers everything at once.
        """
        return pipeline.all_sessions(self, first)

    def hash(self, name: str) -> str:
        """SHA-256 (hex) of a session file, computed on the device."""
        return check_sha(self.request("hash", {"name": name}), "hash")

    def delete(self, name: str, sha256: str) -> dict:
        """Delete a session file; DeviceError(code="hash") if `sha256` does not match it."""
        return self.request("delete", {"name": name, "sha256": sha256})

    def watch(self, on: bool = True) -> dict:
        """Turn live events on or off (read them with `next_event`)."""
        return self.request("watch", {"on": on})

    def state(self) -> dict:
        """The running session: state, phase, speaker, per-seat talk_ms, turns and passes."""
        return self.request("state")

    def prepare_update(self) -> dict:
        """Flush the session log and let Ctrl-C interrupt the firmware, ready for a deploy."""
        return self.request("prepare_update")

    def next_event(self, timeout: float) -> dict | None:
        """The next live event (after `watch(True)`), or None after `timeout` seconds."""
        if self.events:
            return self.events.pop(0)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            reply = self.link.read_reply(left)
            if reply is not None and reply.kind == "ev":
                return reply.data

    def iter_events(self, timeout: float = 0.5) -> Iterator[dict | None]:
        """Yield events forever; None every `timeout` seconds of quiet (so callers can stop)."""
        while True:
            yield self.next_event(timeout)

    def run_requests(self, requests: list[tuple[str, dict]], window: int = 16) -> list[Any]:
        """Pipelined requests (`pipeline.run_requests`): ok objects or DeviceErrors."""
        return pipeline.run_requests(self, requests, window)

    def fetch_many(
        self,
        names: list[str],
        progress: Callable[[str, int], None] | None = None,
        sizes: dict[str, int] | None = None,
    ) -> Iterator[tuple[str, bytes | None, str | Exception]]:
        """Pipelined verified fetches (talktoken.device.pipeline.fetch_many), as many in flight as
        the device queues (`fetch_queue` of hello; 1 for firmware without a queue)."""
        window = max(1, min(64, int(self.device.get("fetch_queue") or 1)))
        return pipeline.fetch_many(self, names, window, progress, sizes)

    def fetch(
        self,
        name: str,
        progress: Callable[[int, int], None] | None = None,
        retries: int = 2,
        size: int | None = None,
    ) -> tuple[bytes, str]:
        """Download a whole session file; returns (bytes, sha256) checked against the device.

        `size`: the listed size; a device that streams well past it is stopped (VerifyError).
        """
        data = bytearray()
        last: Exception | None = None
        limit = MAX_FILE_BYTES if size is None else min(MAX_FILE_BYTES, size + pipeline.SLACK)
        for _ in range(retries + 1):
            try:
                return self._fetch_from(name, data, progress, limit)
            except (VerifyError, LinkError) as exc:
                last = exc
                if isinstance(exc, VerifyError):
                    data.clear()  # start over from byte 0; kept bytes were wrong
        assert last is not None
        raise last

    def _fetch_from(
        self,
        name: str,
        data: bytearray,
        progress: Callable[[int, int], None] | None,
        limit: int = MAX_FILE_BYTES,
    ) -> tuple[bytes, str]:
        rid = self._next_id()
        self.link.send(rid, "fetch", {"name": name, "offset": len(data)})
        fetch = pipeline.Fetch(name, limit, data)
        while True:
            reply = self._wait(rid, "fetch")
            if reply.kind == "err":
                raise device_error("fetch", reply)
            if reply.kind == "chunk":
                fetch.chunk(reply.offset, reply.crc, reply.payload)
                if fetch.problem:
                    raise VerifyError(fetch.problem)
                if progress is not None:
                    progress(len(data), 0)
                continue
            return fetch.final(reply.data)
