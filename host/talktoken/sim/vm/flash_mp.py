"""Simulated Pico flash for the MicroPython unix port: vfs.VfsLfs2 on an image-file block device."""

# Runs INSIDE MicroPython (not CPython). Counts block writes/erases and can cut the power.
# ruff: noqa: UP031, SIM115  (MicroPython: %-formatting; the image file lives with the device)
import vfs
from flashtime import FlashTimer

BLOCK_SIZE = 4096
PICO_BLOCKS = 352  # 1,441,792 bytes: the Pico's LittleFS (ports/rp2 RPI_PICO)
READ_SIZE = 32
PROG_SIZE = 256  # as ports/rp2/modules/_boot.py mounts it
LOOKAHEAD = 32
EIO = 5  # a failed operation returns -EIO; MicroPython's littlefs raises OSError(EIO)


class FlashBlockDev:
    """A block device over a bytearray image, written through to an image file when given.

    Every program (writeblocks) and erase (ioctl 6) is one operation; `ops`, `writes` and
    `erases` count them. `cut_power(after_writes=N)`: N more operations succeed, the next one
    is torn (half of it reaches the flash, the rest stays as it was) and it and every later
    operation fail (they return -EIO, so the file call raises OSError), as if the power failed.
    Failing by return code rather than by raising keeps littlefs itself in a sane state.
    """

    def __init__(
        self, path=None, blocks=PICO_BLOCKS, block_size=BLOCK_SIZE, data=None, stall="typical"
    ):
        self.timer = FlashTimer(stall)  # the time each operation stops the loop
        self.block_size = block_size
        self.blocks = blocks
        size = blocks * block_size
        self.path = path
        self._ff = b"\xff" * block_size
        self._f = None
        self.data = None
        self.mv = None
        if path is not None and data is None:
            # file-backed: the image lives only in the file (no 1.4 MB of RAM)
            try:
                self._f = open(path, "r+b")
            except OSError:
                self._f = open(path, "w+b")
                for _ in range(blocks):
                    self._f.write(self._ff)
            self._f.seek(0, 2)
            if self._f.tell() != size:
                n = self._f.tell()
                self._f.close()
                raise ValueError("flash image %s has %d bytes, expected %d" % (path, n, size))
        else:
            if data is None:
                data = bytearray(size)
                mv = memoryview(data)
                for b in range(blocks):
                    mv[b * block_size : (b + 1) * block_size] = self._ff
            if len(data) != size:
                raise ValueError("flash image of %d bytes, expected %d" % (len(data), size))
            self.data = data
            self.mv = memoryview(data)
        self.ops = 0
        self.writes = 0
        self.erases = 0
        self.cut_at = -1
        self.dead = False

    def cut_power(self, after_writes=0):
        """Let `after_writes` more writes/erases succeed; tear the next one; then power off."""
        self.cut_at = self.ops + after_writes

    def _op(self):
        if self.cut_at >= 0 and self.ops >= self.cut_at:
            self.dead = True
            return True
        self.ops += 1
        return False

    def _put(self, start, src, n):
        if self.mv is not None:
            self.mv[start : start + n] = src[:n]
        else:
            self._f.seek(start)
            self._f.write(src[:n])

    def readblocks(self, block, buf, off=0):
        """Fill buf from byte off of block; -EIO once power is lost."""
        if self.dead:
            return -EIO
        start = block * self.block_size + off
        if self.mv is not None:
            buf[:] = self.mv[start : start + len(buf)]
        else:
            self._f.seek(start)
            self._f.readinto(buf)

    def writeblocks(self, block, buf, off=None):
        """Program buf at byte off of block; 0, or -EIO once power is lost."""
        if off is None:  # simple interface: whole blocks, erase implied
            off = 0
        if self.dead:
            return -EIO
        torn = self._op()
        n = len(buf)
        self.writes += 1
        self.timer.program(n)
        if torn:
            n //= 2
        self._put(block * self.block_size + off, memoryview(buf), n)
        return -EIO if torn else 0

    def ioctl(self, op, arg):
        """Block device control: 4 block count, 5 block size, 6 erase block arg, 3 sync."""
        if op == 4:
            return self.blocks
        if op == 5:
            return self.block_size
        if op == 6:
            if self.dead:
                return -EIO
            torn = self._op()
            self.erases += 1
            self.timer.erase()
            n = self.block_size // 2 if torn else self.block_size
            self._put(arg * self.block_size, memoryview(self._ff), n)
            return -EIO if torn else 0
        if op == 3 and self.dead:
            return -EIO
        return 0

    def close(self):
        """Close the image file, if there is one."""
        if self._f is not None:
            self._f.close()
            self._f = None


class FlashFs:
    """LittleFS (vfs.VfsLfs2, Pico settings) on a FlashBlockDev, with the fsio.DeviceFs methods.

    path: image file (kept across restarts; None = RAM only); data: an existing bytearray image
    (for power-cut sweeps). If the image does not mount it is formatted, like the Pico's
    _boot.py, and `reformatted` is True; pass format_if_bad=False to get the OSError instead.
    """

    def __init__(
        self, path=None, blocks=PICO_BLOCKS, data=None, format_if_bad=True, stall="typical"
    ):
        path = None if data is not None else path
        self.bdev = FlashBlockDev(path, blocks, BLOCK_SIZE, data, stall)
        self.timer = self.bdev.timer
        self.block_size = BLOCK_SIZE
        self.reformatted = False
        try:
            self.vfs = self._mount()
        except OSError:
            if not format_if_bad or self.bdev.dead:
                raise
            vfs.VfsLfs2.mkfs(self.bdev, readsize=READ_SIZE, progsize=PROG_SIZE, lookahead=LOOKAHEAD)
            self.reformatted = True
            self.vfs = self._mount()

    def _mount(self):
        return vfs.VfsLfs2(self.bdev, readsize=READ_SIZE, progsize=PROG_SIZE, lookahead=LOOKAHEAD)

    def cut_power(self, after_writes=0):
        """Cut the power after after_writes more block writes/erases (the next one is torn)."""
        self.bdev.cut_power(after_writes)

    def open(self, rel, mode):
        """Open a file; mode as for open(). Raises OSError."""
        return self.vfs.open(rel, mode)

    def remove(self, rel):
        """Delete a file. Raises OSError."""
        self.vfs.remove(rel)

    def rename(self, old, new):
        """Rename old to new. Raises OSError."""
        self.vfs.rename(old, new)

    def listdir(self, rel):
        """Names in the directory rel. Raises OSError."""
        return [e[0] for e in self.vfs.ilistdir(rel)]

    def listsizes(self, rel):
        """(name, size) of every entry of the directory rel. Raises OSError."""
        return [(e[0], e[3]) for e in self.vfs.ilistdir(rel)]

    def mkdir(self, rel):
        """Create a directory. Raises OSError."""
        self.vfs.mkdir(rel)

    def size(self, rel):
        """File size in bytes, or -1 when there is no such file."""
        try:
            return self.vfs.stat(rel)[6]
        except OSError:
            return -1

    def free_bytes(self):
        """Bytes in free blocks."""
        st = self.vfs.statvfs("")
        # littlefs counts blocks held by an open, failing write as used: bfree can wrap below 0
        return 0 if st[3] > st[2] else st[0] * st[3]

    def total_bytes(self):
        """Size of the flash in bytes."""
        return self.block_size * self.bdev.blocks

    def close(self):
        """Close the image file behind the filesystem, if there is one."""
        self.bdev.close()


def mkfs(path=None, blocks=PICO_BLOCKS):
    """Format a new image (RAM, or the file at path) and return its FlashFs."""
    bdev = FlashBlockDev(path, blocks)
    vfs.VfsLfs2.mkfs(bdev, readsize=READ_SIZE, progsize=PROG_SIZE, lookahead=LOOKAHEAD)
    bdev.close()
    return FlashFs(path, blocks, bdev.data)
