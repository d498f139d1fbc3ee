"""`run_requests` and `fetch_many`: keep up to `window` requests in flight on one link.

A round trip to the device costs a loop iteration or more; sending the next request before
the previous answer arrives hides that. Every reply is matched by its request id, so replies
may interleave (chunks of one fetch never do: the device streams its fetches one after the
other, see docs/protocol.md). Both functions keep few enough requests in flight that neither
side can fill the other's input buffer while it waits.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from talktoken.device.errors import DeviceError, VerifyError
from talktoken.device.link import LinkError, MalformedReplyError, Reply
from talktoken.device.replies import MAX_FILE_BYTES, check_listing, check_sha, device_error
from talktoken.errors import TalktokenError

DEFAULT_WINDOW = 16  # small requests in flight (each a short line; replies are short too)
SLACK = 8192  # bytes a fetch may run past the size the listing gave (a few chunks)
# Silence with fetches in flight for this long: their output was lost (the Pico's USB drops
# what waits 500 ms for a host that stopped reading), so they are asked for again from their
# last verified byte. The device streams without pauses, so a live fetch is never this quiet.
STALL_S = 1.0


def run_requests(
    client, requests: Iterable[tuple[str, dict]], window: int = DEFAULT_WINDOW
) -> list[Any]:
    """Send (op, args) requests with up to `window` in flight.

    Returns one item per request, in order: the decoded `ok` object, or the DeviceError the
    device answered with (returned, not raised). A silent or lost link raises LinkError.
    """
    todo = list(requests)
    out: list[Any] = [None] * len(todo)
    waiting: dict[int, int] = {}
    sent = 0
    quiet = _Quiet(client)
    while sent < len(todo) or waiting:
        while sent < len(todo) and len(waiting) < max(1, window):
            op, args = todo[sent]
            rid = client._next_id()
            client.link.send(rid, op, args)
            waiting[rid] = sent
            sent += 1
        reply = quiet.next(todo[min(waiting.values())][0], waiting)
        if reply is None:
            continue  # an event, or a stale reply of an earlier connection
        quiet.progress()
        assert reply.rid is not None  # next() hands out only replies to ids in flight
        i = waiting.pop(reply.rid)
        op = todo[i][0]
        if reply.kind == "bad":
            raise MalformedReplyError(f"the device's answer to `{op}` is not talktoken's protocol")
        if reply.kind == "err":
            out[i] = device_error(op, reply)
        elif reply.kind == "ok":
            out[i] = reply.data
        else:
            raise LinkError(f"unexpected `{reply.kind}` reply to `{op}`")
    return out


class _Quiet:
    """Reads replies; only a reply to a request in flight counts as the device answering,
    so a device that sends nothing but events or stale ids still times out."""

    def __init__(self, client):
        self.client = client
        self.heard = time.monotonic()
        self.deadline = self.heard + client.timeout
        self.stalled = False
        self._handed = False

    def next(self, what: str, flying: dict, stall: float | None = None) -> Reply | None:
        """The next reply to a request in `flying`, else None (an event, a stale id, or, with
        `stall`, that many seconds of silence: see `stalled`). LinkError at the deadline."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise LinkError(
                f"the device on {self.client.link.port} did not answer `{what}` (it kept "
                "sending other lines); unplug and replug it, then try again"
            )
        if self._handed:  # the caller's own time since the last reply is not silence
            self._handed = False
            self.heard = max(self.heard, time.monotonic())
        if stall is not None:
            wait = self.heard + stall - time.monotonic()
            if wait <= 0:
                self.stalled = True
                return None
            if wait < left:
                reply = self.client.link.read_reply(wait)
                if reply is None:
                    self.stalled = True
                    return None
                if reply.kind == "ev":
                    self.client.events.append(reply.data)
                    return None
                if reply.rid not in flying:
                    return None
                self._handed = True
                return reply
        reply = self.client.next_reply(what, left)
        if reply is None or reply.rid not in flying:
            return None
        self._handed = True
        return reply

    def progress(self) -> None:
        """The device answered something useful: the wait starts again."""
        self.heard = time.monotonic()
        self.deadline = self.heard + self.client.timeout
        self.stalled = False

    def asked_again(self) -> None:
        """Requests went out again: the silence is measured anew (the deadline is not moved,
        so a device that stays silent still fails in `timeout`)."""
        self.heard = time.monotonic()
        self.stalled = False


class Fetch:
    """One fetch in flight: the bytes so far, their hash, and the first problem seen.

    `data` may hold bytes already received (a fetch resumed at their end); it grows in place.
    """

    def __init__(self, name: str, limit: int, data: bytearray | None = None):
        self.name = name
        self.limit = limit
        self.data = bytearray() if data is None else data
        self.hasher = hashlib.sha256(self.data)
        self.problem = ""

    def chunk(self, offset: int, crc: int, payload: bytes) -> None:
        if self.problem:
            return
        if len(self.data) + len(payload) * 3 // 4 > self.limit:
            self.problem = f"{self.name}: the device sends more bytes than it listed"
            return
        if offset != len(self.data):
            self.problem = f"{self.name}: chunk at {offset}, expected {len(self.data)}"
            return
        try:
            raw = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            self.problem = f"{self.name}: a chunk is not valid base64"
            return
        if zlib.crc32(raw) != crc:
            self.problem = f"{self.name}: chunk at {offset} fails its CRC"
            return
        self.data += raw
        self.hasher.update(raw)

    def final(self, data: dict) -> tuple[bytes, str]:
        if self.problem:
            raise VerifyError(self.problem)
        size, sha = data.get("size"), check_sha(data, "fetch")
        if len(self.data) != size:
            raise VerifyError(f"{self.name}: got {len(self.data)} bytes, the device says {size}")
        digest = self.hasher.hexdigest()
        if digest != sha:
            raise VerifyError(f"{self.name}: SHA-256 {digest[:12]}.. differs from the device's")
        return bytes(self.data), digest


def fetch_many(
    client,
    names: Iterable[str],
    window: int,
    progress: Callable[[str, int], None] | None = None,
    sizes: dict[str, int] | None = None,
) -> Iterator[tuple[str, bytes | None, str | Exception]]:
    """Fetch whole files with up to `window` fetch requests queued on the device.

    Yields (name, raw, sha256) for each file whose chunk offsets, CRCs, size and SHA-256 all
    check, else (name, None, error) with a VerifyError or the device's DeviceError; in the
    order the files complete. `progress(name, bytes so far)` after every chunk. LinkError
    (silence, a lost port) is raised: what was yielded before is whole and verified.
    `sizes`: the listed size of each file; a fetch that streams more than its size (plus a
    chunk or two of slack) is stopped.
    """

    def limit(name: str) -> int:
        listed = (sizes or {}).get(name)
        return MAX_FILE_BYTES if listed is None else min(MAX_FILE_BYTES, listed + SLACK)

    todo = list(names)
    flying: dict[int, Fetch] = {}
    asked_again: set[int] = set()  # ids of fetches sent again after a silence
    sent = 0
    quiet = _Quiet(client)
    while sent < len(todo) or flying:
        while sent < len(todo) and len(flying) < max(1, window):
            rid = client._next_id()
            client.link.send(rid, "fetch", {"name": todo[sent]})
            flying[rid] = Fetch(todo[sent], limit(todo[sent]))
            sent += 1
        reply = quiet.next("fetch", flying, STALL_S)
        if reply is None:
            if quiet.stalled:
                flying = _ask_again(client, flying, asked_again)
                quiet.asked_again()
            continue
        assert reply.rid is not None  # next() hands out only replies to ids in flight
        f = flying[reply.rid]
        if reply.kind == "bad":
            raise MalformedReplyError("the device's answer to `fetch` is not talktoken's protocol")
        if not f.problem:
            quiet.progress()  # chunks of a fetch already found bad do not keep it waiting
        if reply.kind == "chunk":
            f.chunk(reply.offset, reply.crc, reply.payload)
            if progress is not None:
                progress(f.name, len(f.data))
            continue
        del flying[reply.rid]
        if reply.kind == "err":
            err: TalktokenError = device_error("fetch", reply)
            if reply.rid in asked_again and reply.code == "toomany":
                # the first requests were slow, not lost: they fill the device's queue; the
                # caller fetches this file again on its own
                err = VerifyError(f"{f.name}: asked again after a silence; fetch it again")
            yield f.name, None, err
            continue
        try:
            raw, sha = f.final(reply.data)
        except (MalformedReplyError, TalktokenError) as exc:  # the caller may fetch it again
            yield f.name, None, exc
            continue
        yield f.name, raw, sha


def _ask_again(client, flying: dict[int, Fetch], again: set[int]) -> dict[int, Fetch]:
    """Send every fetch in flight again under a new id, from its last verified byte (from 0
    when a problem was seen); replies to the old ids are ignored from now on."""
    out: dict[int, Fetch] = {}
    for f in flying.values():
        if f.problem:
            f = Fetch(f.name, f.limit)
        rid = client._next_id()
        client.link.send(rid, "fetch", {"name": f.name, "offset": len(f.data)})
        out[rid] = f
        again.add(rid)
    return out


SESSIONS_PAGE = 32  # sessions per page asked for (the device's default; it allows up to 64)
SESSIONS_WINDOW = 2  # pages in flight: each answer is a few KB the device builds in RAM


def all_sessions(client, first: dict | None = None, attempts: int = 3) -> list[dict]:
    """Every session the device lists: `first` (or a fresh `sessions {}`), then the pages
    its `next` and `total` call for, pipelined.

    When sessions come or go while the pages are read (a page's `total` differs), the listing
    is read again, up to `attempts` times. No name appears twice. Firmware that answers
    everything at once (no `next`) needs one request.
    """
    rows: list[dict] = []
    for _ in range(max(1, attempts)):
        reply = check_listing(first if first is not None else client.request("sessions"))
        first = None
        rows = list(reply["sessions"])
        start, total = reply.get("next"), reply.get("total", len(rows))
        if start is None:
            return _unique(rows)
        asks = [
            ("sessions", {"start": s, "count": SESSIONS_PAGE})
            for s in range(start, total, SESSIONS_PAGE)
        ]
        stable = True
        for page in run_requests(client, asks, SESSIONS_WINDOW):
            if isinstance(page, DeviceError):
                raise page
            rows += check_listing(page)["sessions"]
            stable = stable and page.get("total") == total
        if stable:
            break
    return _unique(rows)


def _unique(rows: list[dict]) -> list[dict]:
    seen: set[str] = set()
    out = []
    for row in rows:
        name = str(row.get("name"))
        if name not in seen:
            seen.add(name)
            out.append(row)
    return out
