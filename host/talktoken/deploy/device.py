"""Listing, hashing (on the device), writing, renaming and removing files, and the reset."""

from __future__ import annotations

import ast
import json
from typing import Any

from talktoken.deploy.plan import MANIFEST, DeployError

WRITE_CHUNK = 1024

_HASH_CODE = """
def _tt_hash(names):
    import hashlib, binascii
    buf = bytearray(1024)
    mv = memoryview(buf)
    out = {}
    for n in names:
        try:
            f = open(n, 'rb')
        except OSError:
            out[n] = None
            continue
        h = hashlib.sha256()
        while True:
            k = f.readinto(buf)
            if not k:
                break
            h.update(mv[:k])
        f.close()
        out[n] = binascii.hexlify(h.digest()).decode()
    print(repr(out))
"""

_RESET_CODE = """
import sys, time
try:
    from machine import reset
except ImportError:
    reset = sys.exit
time.sleep_ms(50)
reset()
"""


class Device:
    """File operations on a device in the raw REPL, through an mpremote transport."""

    def __init__(self, transport: Any, root: str = "/"):
        self.t = transport
        self.root = root.rstrip("/") + "/"
        self._hash_defined = False
        self._wdt = False

    def keep_watchdog_fed(self) -> bool:
        """Take over the watchdog the stopped firmware started (it cannot be stopped).

        On a Pico the firmware's WDT would reset the board within 8 s of the Ctrl-C; deploy
        feeds it before every step instead. Returns False where there is no WDT (unix port).
        """
        from mpremote.transport import TransportError

        try:
            self.t.exec("from machine import WDT\n_tt_w = WDT(timeout=8000)\n_tt_w.feed()")
        except TransportError:
            return False
        self._wdt = True
        return True

    def feed(self) -> None:
        """Feed the device's watchdog, if `keep_watchdog_fed` took it over."""
        if self._wdt:
            self.t.exec("_tt_w.feed()")

    def path(self, name: str) -> str:
        """The device path of `name` (relative to the device root)."""
        return self.root + name

    def _eval(self, code: str) -> Any:
        from mpremote.transport import TransportError

        self.feed()
        try:
            out = self.t.exec(code)
        except TransportError as exc:
            raise DeployError(
                f"the device failed a deploy step: {exc}; nothing half-done is started: run "
                "`talktoken deploy` again"
            ) from None
        return ast.literal_eval(out.decode().strip())

    def implementation(self) -> tuple:
        """(version tuple, sys.implementation._mpy, _machine, sys.platform) of the device."""
        got = self._eval(
            "import sys\ni = sys.implementation\n"
            "print(repr((tuple(i.version[:3]), getattr(i, '_mpy', 0), "
            "getattr(i, '_machine', ''), sys.platform)))"
        )
        if not (isinstance(got, tuple) and len(got) == 4):
            raise DeployError("the device did not say which MicroPython it runs; is it one?")
        return got

    def listdir(self) -> list[str]:
        """Names in the device root. Raises DeployError if the device fails."""
        return self._eval(f"import os\nprint(repr(os.listdir({self.root!r})))")

    def hashes(self, names: list[str]) -> dict[str, str | None]:
        """sha256 hex of each named file, computed on the device; None where a file is missing."""
        if not names:
            return {}
        if not self._hash_defined:
            self.t.exec(_HASH_CODE)
            self._hash_defined = True
        got = self._eval(f"_tt_hash({[self.path(n) for n in names]!r})")
        return {n: got[self.path(n)] for n in names}

    def read_manifest(self) -> list[str]:
        """Names the deploy manifest on the device lists; [] if it is missing or unreadable."""
        path = self.path(MANIFEST)
        code = (
            f"try:\n f=open({path!r})\n print(repr(f.read()))\n f.close()\n"
            "except OSError:\n print(repr(''))\n"
        )
        text = self._eval(code)
        if not text:
            return []
        try:
            files = json.loads(text).get("files", {})
        except (ValueError, AttributeError):
            return []  # an unreadable manifest owns nothing; it is rewritten below
        return [n for n in files if isinstance(n, str) and "/" not in n]

    def write(self, name: str, data: bytes) -> None:
        """Write `data` to `name` on the device. Raises DeployError if the write fails."""
        from mpremote.transport import TransportError

        self.feed()
        try:
            self.t.fs_writefile(self.path(name), data, chunk_size=WRITE_CHUNK)
        except TransportError as exc:
            raise DeployError(
                f"could not write {name} on the device: {exc}; nothing was switched over: run "
                "`talktoken deploy` again"
            ) from None

    def rename_all(self, pairs: list[tuple[str, str]]) -> None:
        """Rename each (old, new) pair of names on the device, in order."""
        if pairs:
            moves = [(self.path(a), self.path(b)) for a, b in pairs]
            self.t.exec(f"import os\nfor a, b in {moves!r}:\n os.rename(a, b)\n")

    def finish_switch(self, code: str) -> bool:
        """Run the switch-over journal on the device with `code` (firmware/fwswitch.py's source):
        rename the staged files, remove the stale ones, rename the manifest, remove the journal.
        False if there was no journal. Raises DeployError if the link fails part-way."""
        from mpremote.transport import TransportError

        self.feed()
        try:
            out = self.t.exec(f"{code}\nprint(repr(run({self.root!r})))\n")
        except TransportError as exc:
            raise DeployError(
                f"the link to the device failed during the switch-over ({exc}); the device "
                "finishes it when it next starts: unplug it and plug it in again, or run "
                "`talktoken deploy` again, which finishes it too"
            ) from None
        return ast.literal_eval(out.decode().strip()) is True

    def remove_all(self, names: list[str]) -> None:
        """Remove the named files on the device; missing ones are skipped."""
        if names:
            paths = [self.path(n) for n in names]
            self.t.exec(
                f"import os\nfor p in {paths!r}:\n try:\n  os.remove(p)\n except OSError:\n  pass\n"
            )

    def reset(self) -> None:
        """machine.reset() on a Pico; on the unix port the process exits (a 'reset')."""
        try:
            self.t.exec_raw_no_follow(_RESET_CODE)
        except OSError:
            pass  # the device may drop off USB before the exchange completes
