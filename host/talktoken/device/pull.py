"""`pull_sessions`: copy finished sessions from the device into the archive.

Pipelined (talktoken.device.pipeline): sessions the archive holds by id get one `hash` request each,
all in flight together; the others are fetched with several `fetch` requests queued on the
device. Every file is checked chunk by chunk (offsets, CRC-32) and against the device's
SHA-256, and handed to `Archive.import_many` as it arrives (one transaction for the pull;
it checks each hash again and commits the bytes with their index rows), so the archive works
while the device streams. If the link is lost, the sessions verified so far are committed
first, then the error is raised: a re-run fetches the rest.
With `delete=True` a session is removed from the device only after that commit and only when
the archive holds exactly that id and hash (`Archive.has`); the device itself deletes only on
a hash match. Before any delete, the archive learns each archived session's file name and the
storage marker (`Archive.note_origins`), which keep the device's order of sessions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from talktoken.device.client import Client
from talktoken.device.errors import VerifyError
from talktoken.device.replies import check_info, check_sha
from talktoken.errors import TalktokenError


@dataclass
class Pulled:
    """What happened to one session file of the device."""

    name: str
    session_id: str | None
    size: int
    status: str  # "new", "archived" (already there), "running" (not pulled), "failed"
    sha256: str | None = None
    deleted: bool = False
    error: str = ""


@dataclass
class PullResult:
    """Outcome of one pull; `warnings` come from the archive (e.g. a reformatted device)."""

    device_id: str
    sessions: list[Pulled] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Pulled]:
        """The sessions that could not be pulled."""
        return [p for p in self.sessions if p.status == "failed"]

    def as_dict(self) -> dict:
        """The outcome as a JSON-ready dict (for --json)."""
        return {
            "device": self.device_id,
            "warnings": self.warnings,
            "sessions": [vars(p) for p in self.sessions],
        }


def pull_sessions(
    client: Client,
    archive: Any,
    delete: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> PullResult:
    """Pull every finished session of the device into `archive` (see module docstring)."""
    info, listing = client.run_requests([("info", {}), ("sessions", {})])
    for reply in (info, listing):
        if isinstance(reply, Exception):
            raise reply
    check_info(info)
    listing = client.sessions(first=listing)  # the later pages, if the device has more
    result = PullResult(device_id=str(info.get("device", "")))
    if hasattr(archive, "note_device") and info.get("fs_id") is not None:
        result.warnings = list(
            archive.note_device(result.device_id, str(info["fs_id"]), [s["name"] for s in listing])
        )
    running = info.get("state") in ("running", "paused")
    items: dict[str, Pulled] = {}
    for entry in listing:
        name, size = entry["name"], int(entry.get("size") or 0)
        status = "running" if not entry.get("complete", False) and running else "failed"
        item = Pulled(name, entry.get("id"), size, status)
        result.sessions.append(item)
        if status != "running":
            items[name] = item
    fs_id = None if info.get("fs_id") is None else str(info["fs_id"])
    try:
        try:
            _check_known(client, archive, list(items.values()))
            _fetch_and_import(
                client, archive, [p for p in items.values() if not p.sha256], progress
            )
        except BaseException:  # what is archived keeps its place on the device all the same
            with contextlib.suppress(TalktokenError):
                _note_origins(archive, result.device_id, fs_id, list(items.values()))
            raise
        _note_origins(archive, result.device_id, fs_id, list(items.values()))
        if delete:
            _delete(client, archive, [p for p in items.values() if p.status != "failed"])
    except KeyboardInterrupt:
        raise PullInterrupted(_stopped("interrupted (Ctrl-C)", result, archive)) from None
    except TalktokenError as exc:  # a lost link, a silent device: same class, the counts added
        exc.args = (_stopped(str(exc), result, archive),)
        raise
    return result


def _stopped(why: str, result: PullResult, archive: Any) -> str:
    stored = sum(1 for p in result.sessions if p.status in ("new", "archived"))
    total = sum(1 for p in result.sessions if p.status != "running")
    where = getattr(archive, "dir", "the archive")
    return (
        f"the pull stopped: {why}. {stored} of {total} sessions are stored in {where}, each "
        "verified; run `talktoken logs pull` again to finish"
    )


def _note_origins(archive: Any, device_id: str, fs_id: str | None, items: list[Pulled]) -> None:
    """Tell the archive each archived session's file name on the device, before any delete."""
    if fs_id is None or not hasattr(archive, "note_origins"):
        return
    pairs = [
        (p.session_id, p.name)
        for p in items
        if p.session_id and p.status in ("new", "archived") and not p.error
    ]
    if pairs:
        archive.note_origins(device_id, fs_id, pairs)


def _check_known(client: Client, archive: Any, items: list[Pulled]) -> None:
    """Sessions the archive holds by id: ask the device for the hash instead of the bytes."""
    known = archive.hashes([p.session_id for p in items if p.session_id])
    asked = [p for p in items if p.session_id in known]
    answers = client.run_requests([("hash", {"name": p.name}) for p in asked])
    for item, answer in zip(asked, answers, strict=True):
        if isinstance(answer, TalktokenError):
            item.error = str(answer)
            continue
        sha = check_sha(answer, "hash")
        if archive.has(item.session_id, sha):
            item.sha256, item.status = sha, "archived"


def _fetch_and_import(
    client: Client,
    archive: Any,
    items: list[Pulled],
    progress: Callable[[str, int, int], None] | None,
) -> None:
    """Fetch `items` and import each file as it arrives, inside the archive's one transaction:
    the archive's work overlaps the device's streaming. A lost link or Ctrl-C ends the stream;
    what was verified before it is committed, then the error is raised."""
    by_name = {p.name: p for p in items if not p.error}
    order: list[tuple[Pulled, str]] = []  # what was handed to the archive, in that order
    stopped: list[BaseException] = []
    cb = None if progress is None else (lambda n, done: progress(n, done, by_name[n].size))

    def arriving() -> Iterator[tuple[bytes, str]]:
        retry: list[Pulled] = []
        try:
            sizes = {n: p.size for n, p in by_name.items() if p.size}
            for name, raw, sha in client.fetch_many(list(by_name), progress=cb, sizes=sizes):
                item = by_name[name]
                if raw is None:
                    assert isinstance(sha, Exception)
                    item.error = str(sha)
                    if isinstance(sha, VerifyError):
                        retry.append(item)  # damaged in transfer: fetch it again on its own
                    continue
                order.append((item, str(sha)))
                yield raw, str(sha)
            for item in retry:
                try:
                    raw, sha = client.fetch(item.name, size=item.size or None)
                except VerifyError as exc:
                    item.error = str(exc)
                    continue
                item.error = ""
                order.append((item, sha))
                yield raw, sha
        except (Exception, KeyboardInterrupt) as exc:  # keep what is verified, then raise
            stopped.append(exc)

    results = archive.import_many(arriving())
    for (item, sha), res in zip(order, results, strict=True):
        item.sha256 = sha
        if isinstance(res, TalktokenError):  # failed verification, archive conflict
            item.error = str(res)
            continue
        item.session_id = res.session_id
        item.status = "new" if res.new else "archived"
    if stopped:
        raise stopped[0]


def _delete(client: Client, archive: Any, items: list[Pulled]) -> None:
    """Delete from the device what the (committed) archive holds with exactly that hash."""
    doomed = [p for p in items if p.sha256 and archive.has(p.session_id or "", p.sha256)]
    answers = client.run_requests(
        [("delete", {"name": p.name, "sha256": p.sha256}) for p in doomed]
    )
    for item, answer in zip(doomed, answers, strict=True):
        if isinstance(answer, TalktokenError):
            item.error = str(answer)
            item.status = "failed"
        else:
            item.deleted = True


class PullFailed(TalktokenError):
    """Some sessions could not be pulled (each is listed with its reason)."""

    exit_code = 28


class PullInterrupted(TalktokenError):
    """A pull stopped part-way (Ctrl-C, a lost link); what was verified is in the archive."""

    exit_code = 64
