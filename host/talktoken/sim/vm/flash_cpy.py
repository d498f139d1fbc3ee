"""LittleFS image with the Pico's geometry for CPython, with operation counts and power cuts.

Mirrors `flash_mp.py` (which runs inside MicroPython): same image layout (4096-byte blocks,
352 by default, prog size 256, read size 32), same `FlashFs` methods as firmware `fsio.DeviceFs`,
same `cut_power(after_writes=N)` semantics.
"""

from __future__ import annotations

import os

from littlefs import LittleFS, LittleFSError, UserContext

if __package__:
    from .flashtime import FlashTimer
else:  # inside the simulator's CPython VM, where this directory is on sys.path
    from flashtime import FlashTimer  # type: ignore[no-redef]

BLOCK_SIZE = 4096
PICO_BLOCKS = 352
READ_SIZE = 32
PROG_SIZE = 256
LOOKAHEAD = 32
CACHE_SIZE = 1024  # MicroPython: min(block_size, 4 * max(read_size, prog_size))
BLOCK_CYCLES = 100  # MicroPython's vfs_lfs setting
DISK_VERSION = 0  # littlefs on-disk version 2.1, as MicroPython 1.29 writes it


LFS_ERR_IO = -5


class PowerLost(OSError):
    """An operation on a flash whose simulated power is gone."""


class FlashContext(UserContext):
    """littlefs-python block device over a bytearray (or an image file), counting operations.

    Every program and erase is one operation (`ops`, `writes`, `erases`). After
    `cut_power(after_writes=N)`, N more operations succeed, the next one is torn (half written)
    and it and every later operation fail with PowerLost.
    """

    def __init__(
        self,
        path: str | None = None,
        blocks: int = PICO_BLOCKS,
        data: bytearray | None = None,
        stall: str = "typical",
    ) -> None:
        self.timer = FlashTimer(stall)  # the time each operation stops the loop
        self.block_size = BLOCK_SIZE
        self.blocks = blocks
        size = blocks * BLOCK_SIZE
        self.path = path
        self._f = None
        if data is None:
            if path is not None and os.path.exists(path):
                with open(path, "rb") as f:
                    raw = f.read()
                if len(raw) != size:
                    raise ValueError(f"flash image {path} has {len(raw)} bytes, expected {size}")
                data = bytearray(raw)
            else:
                data = bytearray(b"\xff" * size)
                if path is not None:
                    with open(path, "wb") as f:
                        f.write(data)
        if len(data) != size:
            raise ValueError(f"flash image of {len(data)} bytes, expected {size}")
        self.buffer = data
        if path is not None:
            self._f = open(path, "r+b", buffering=0)  # noqa: SIM115 - lives as long as the device
        self.ops = 0
        self.writes = 0
        self.erases = 0
        self.cut_at = -1
        self.dead = False

    def cut_power(self, after_writes: int = 0) -> None:
        """Let `after_writes` more writes/erases succeed; tear the next one; then power off."""
        self.cut_at = self.ops + after_writes

    def _op(self) -> bool:
        """Count one write/erase; True when this one is torn by the power cut."""
        if self.cut_at >= 0 and self.ops >= self.cut_at:
            self.dead = True
            return True
        self.ops += 1
        return False

    def _put(self, start: int, src: bytes) -> None:
        self.buffer[start : start + len(src)] = src
        if self._f is not None:
            self._f.seek(start)
            self._f.write(src)

    # littlefs-python callbacks must not raise (it prints and retries): they return LFS_ERR_IO.

    def read(self, cfg, block: int, off: int, size: int) -> bytearray:
        """littlefs callback: `size` bytes from byte `off` of `block` (works after a power cut)."""
        start = block * BLOCK_SIZE + off
        return self.buffer[start : start + size]

    def prog(self, cfg, block: int, off: int, data: bytes) -> int:
        """littlefs callback: write `data` at `off` in `block`; 0, or LFS_ERR_IO if power is off."""
        if self.dead:
            return LFS_ERR_IO
        torn = self._op()
        self.writes += 1
        self.timer.program(len(data))
        if torn:
            data = data[: len(data) // 2]
        self._put(block * BLOCK_SIZE + off, bytes(data))
        return LFS_ERR_IO if torn else 0

    def erase(self, cfg, block: int) -> int:
        """littlefs callback: erase `block` to 0xff; 0, or LFS_ERR_IO if power is off."""
        if self.dead:
            return LFS_ERR_IO
        torn = self._op()
        self.erases += 1
        self.timer.erase()
        n = BLOCK_SIZE // 2 if torn else BLOCK_SIZE
        self._put(block * BLOCK_SIZE, b"\xff" * n)
        return LFS_ERR_IO if torn else 0

    def sync(self, cfg) -> int:
        """littlefs callback: 0, or LFS_ERR_IO if power is off."""
        return LFS_ERR_IO if self.dead else 0

    def close(self) -> None:
        """Close the image file, if there is one."""
        if self._f is not None:
            self._f.close()
            self._f = None


def _oserror(exc: LittleFSError, dead: bool = False) -> OSError:
    code = -exc.code if exc.code < 0 else exc.code
    cls = PowerLost if dead else OSError
    return cls(code, os.strerror(code))


class LfsFile:
    """A littlefs-python file whose errors are OSError, like MicroPython's file objects."""

    def __init__(self, raw, bdev: FlashContext) -> None:
        self._raw = raw
        self._bdev = bdev

    def _call(self, fn, *args):
        try:
            return fn(*args)
        except LittleFSError as exc:
            raise _oserror(exc, self._bdev.dead) from exc

    def write(self, data) -> int:
        """Write `data`; return the byte count. Raises OSError (PowerLost after a power cut)."""
        return self._call(self._raw.write, data)

    def read(self, n: int = -1) -> bytes:
        """Read up to `n` bytes (all that is left if -1). Raises OSError."""
        return self._call(self._raw.read, n)

    def readinto(self, buf) -> int:
        """Read into `buf`; return the number of bytes read (0 at the end). Raises OSError."""
        return self._call(self._raw.readinto, buf)

    def seek(self, off: int, whence: int = 0) -> int:
        """Move `off` bytes from `whence` (0 start, 1 current, 2 end); return the new position."""
        return self._call(self._raw.seek, off, whence)

    def tell(self) -> int:
        """The current position in bytes."""
        return self._call(self._raw.tell)

    def flush(self) -> None:
        """Commit what was written to the flash. Raises OSError (PowerLost after a cut)."""
        self._call(self._raw.flush)

    def close(self) -> None:
        """Flush and close the file. Raises OSError (PowerLost after a cut)."""
        try:
            self._call(self._raw.close)
        except OSError:
            # littlefs closes the file even when its last sync fails; littlefs-python's handle
            # does not learn it, and its finalizer would close it again (an assert in lfs.c).
            setattr(self._raw, "__IOBase_closed", True)
            raise

    def __enter__(self) -> LfsFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class FlashFs:
    """LittleFS on a FlashContext with the fsio.DeviceFs method set (paths like "tt/x").

    A bad image is formatted (as the Pico's _boot.py does) and `reformatted` set, unless
    format_if_bad=False, when the mount error is raised as OSError.
    """

    def __init__(
        self,
        path: str | None = None,
        blocks: int = PICO_BLOCKS,
        data: bytearray | None = None,
        format_if_bad: bool = True,
        stall: str = "typical",
    ) -> None:
        self.bdev = FlashContext(path, blocks, data, stall)
        self.timer = self.bdev.timer
        self.block_size = BLOCK_SIZE
        self.reformatted = False
        self.lfs = LittleFS(
            context=self.bdev,
            mount=False,
            block_size=BLOCK_SIZE,
            block_count=blocks,
            read_size=READ_SIZE,
            prog_size=PROG_SIZE,
            cache_size=CACHE_SIZE,
            lookahead_size=LOOKAHEAD,
            block_cycles=BLOCK_CYCLES,
            disk_version=DISK_VERSION,
        )
        try:
            self.lfs.mount()
        except LittleFSError as exc:
            if not format_if_bad or self.bdev.dead:
                raise _oserror(exc, self.bdev.dead) from exc
            self.lfs.format()
            self.lfs.mount()
            self.reformatted = True

    def cut_power(self, after_writes: int = 0) -> None:
        """Cut the power after `after_writes` more block writes/erases (the next one is torn)."""
        self.bdev.cut_power(after_writes)

    def _call(self, fn, *args):
        try:
            return fn(*args)
        except LittleFSError as exc:
            raise _oserror(exc, self.bdev.dead) from exc
        except FileNotFoundError as exc:
            raise OSError(2, "no such file: %s" % args[0]) from exc  # noqa: UP031
        except FileExistsError as exc:
            raise OSError(17, "exists: %s" % args[0]) from exc  # noqa: UP031

    def open(self, rel: str, mode: str) -> LfsFile:
        """A binary file object (unbuffered: write() goes to littlefs, flush() commits)."""
        if "b" not in mode:
            mode += "b"
        return LfsFile(self._call(self.lfs.open, rel, mode, 0), self.bdev)

    def remove(self, rel: str) -> None:
        """Delete a file. Raises OSError (errno 2 if there is no such file)."""
        self._call(self.lfs.remove, rel)

    def rename(self, old: str, new: str) -> None:
        """Rename `old` to `new`. Raises OSError."""
        self._call(self.lfs.rename, old, new)

    def listdir(self, rel: str) -> list[str]:
        """Names in the directory `rel`. Raises OSError."""
        return self._call(self.lfs.listdir, rel)

    def listsizes(self, rel: str) -> list[tuple[str, int]]:
        """(name, size) of every entry of the directory `rel`. Raises OSError."""
        return [(e.name, e.size) for e in self._call(lambda r: list(self.lfs.scandir(r)), rel)]

    def mkdir(self, rel: str) -> None:
        """Create a directory. Raises OSError (errno 17 if it exists)."""
        self._call(self.lfs.mkdir, rel)

    def size(self, rel: str) -> int:
        """File size in bytes, or -1 when there is no such file."""
        try:
            return self.lfs.stat(rel).size
        except (LittleFSError, OSError):
            return -1

    def free_bytes(self) -> int:
        """Bytes in unused blocks."""
        return max(0, self.bdev.blocks - self.lfs.used_block_count) * BLOCK_SIZE

    def total_bytes(self) -> int:
        """Size of the flash in bytes."""
        return self.bdev.blocks * BLOCK_SIZE

    def close(self) -> None:
        """Close the image file behind the filesystem, if there is one."""
        self.bdev.close()


def mkfs(path: str | None = None, blocks: int = PICO_BLOCKS) -> FlashFs:
    """Format a new image (RAM, or the file at path) and return its FlashFs."""
    if path is not None and os.path.exists(path):
        os.remove(path)
    fs = FlashFs(path, blocks)
    fs.lfs.format()
    fs.lfs.mount()
    return fs
