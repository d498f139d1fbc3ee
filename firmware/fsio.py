"""The device's file system as the small method set the log store uses (builtins open + os)."""

import os


class DeviceFs:
    """Files under `root` on the mounted file system (the Pico's LittleFS at "/").

    Paths given to the methods are relative ("tt/s00001.ttl"). The simulator's flash objects
    (host/talktoken/sim/flash_mp.py, flash_cpy.py) offer the same methods.
    """

    def __init__(self, root="/"):
        self.root = root.rstrip("/") + "/"
        st = os.statvfs(self.root)
        self.block_size = st[0]
        self._blocks = st[2]

    def path(self, rel):
        return self.root + rel

    def open(self, rel, mode):
        return open(self.root + rel, mode)

    def remove(self, rel):
        os.remove(self.root + rel)

    def rename(self, old, new):
        os.rename(self.root + old, self.root + new)

    def listdir(self, rel):
        return os.listdir(self.root + rel)

    def listsizes(self, rel):
        """(name, size) of every entry of the directory rel, from one listing (and a stat
        for an entry whose size the listing does not give: the unix port's have none, and
        MicroPython documents -1 for an unknown size)."""
        d = self.root + rel
        out = []
        for e in os.ilistdir(d):
            n = e[3] if len(e) > 3 else -1
            out.append((e[0], n if n >= 0 else os.stat(d + "/" + e[0])[6]))
        return out

    def mkdir(self, rel):
        os.mkdir(self.root + rel)

    def size(self, rel):
        """File size in bytes, or -1 when there is no such file."""
        try:
            return os.stat(self.root + rel)[6]
        except OSError:
            return -1

    def free_bytes(self):
        st = os.statvfs(self.root)
        # littlefs counts blocks held by an open, failing write as used: bfree can wrap below 0
        return 0 if st[3] > st[2] else st[0] * st[3]

    def total_bytes(self):
        return self.block_size * self._blocks
