"""A pty pair standing in for the Pico's USB CDC port.

The firmware process gets the MASTER side as its stdin and stdout; host programs (pyserial,
`talktoken --port PATH`) open the SLAVE side. This process keeps one slave fd open so the
master never sees EIO when a client closes the port.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import tty
from pathlib import Path

from talktoken.device.portlock import sim_marker_path as _marker_path
from talktoken.errors import TalktokenError


class SimLinkError(TalktokenError):
    """The serial link of the simulated device could not be made."""

    exit_code = 42


class PtyLink:
    """A raw pty pair; `port` is the path clients open (the --link symlink or /dev/pts/N)."""

    def __init__(self, link: str | os.PathLike | None = None) -> None:
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        flags = fcntl.fcntl(self.master, fcntl.F_GETFL)
        # Non-blocking for the firmware process (it shares this open file description):
        # the Pico's USB CDC never blocks a read, and gives up on writes nobody reads.
        fcntl.fcntl(self.master, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        self.slave_name = os.ttyname(self.slave)
        self.link: Path | None = None
        if link is not None:
            self._make_link(Path(link))
        self.port = str(self.link) if self.link is not None else self.slave_name
        marker = _marker_path(self.slave_name)
        self._marker: Path | None = marker
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(json.dumps({"pid": os.getpid()}), encoding="utf-8")
        except OSError:
            self._marker = None  # only `deploy` reads it, to say this is a simulator

    def _make_link(self, path: Path) -> None:
        if path.is_symlink():
            path.unlink()  # a stale link from an earlier run
        elif path.exists():
            self.close()
            raise SimLinkError(f"{path} exists and is not a symlink; choose another --link path")
        try:
            path.symlink_to(self.slave_name)
        except OSError as exc:
            self.close()
            raise SimLinkError(f"cannot create the link {path}: {exc.strerror}") from exc
        self.link = path

    def close(self) -> None:
        """Remove the symlink (if it still points at this pty) and close both sides."""
        marker = getattr(self, "_marker", None)
        if marker is not None:
            try:
                marker.unlink()
            except OSError:
                pass
            self._marker = None
        if self.link is not None:
            try:
                if os.readlink(self.link) == self.slave_name:
                    self.link.unlink()
            except OSError:
                pass
            self.link = None
        for fd in (self.master, self.slave):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.master = self.slave = -1
