# The boot-time finish of a cut switch-over (fwswitch) at every cut point, in both VMs.
# MicroPython: on a LittleFS image mounted at a path, as the Pico's flash; CPython: a temp dir.
import os

import fwswitch
from fwtest import eq

try:
    import vfs

    _MP = True
except ImportError:
    _MP = False

NEW_SUFFIX = ".tt-new"
MANIFEST = "talktoken-manifest.json"
OLD = {
    "main.py": b"old main",
    "fwswitch.mpy": b"old switch",
    "app.mpy": b"old app" * 40,
    "ui.mpy": b"old ui",
    "gone.mpy": b"a module the new firmware dropped",
    "same.mpy": b"unchanged",
    MANIFEST: b"old manifest",
}
NEW = {
    "main.py": b"new main",
    "fwswitch.mpy": b"new switch",
    "app.mpy": b"new app" * 50,
    "ui.mpy": b"new ui",
    "same.mpy": b"unchanged",
    MANIFEST: b"new manifest",
}
OTHER = {"s00001.ttl": b"a session log deploy never touches"}
CHANGED = ("fwswitch.mpy", "main.py", "app.mpy", "ui.mpy")  # the order deploy writes
STEPS = ["R %s%s %s" % (n, NEW_SUFFIX, n) for n in CHANGED]
STEPS += ["D gone.mpy", "R %s%s %s" % (MANIFEST, NEW_SUFFIX, MANIFEST)]

_mounts = [0]


def _fresh():
    """An empty directory on a real file system; returns (root with a trailing /, clean-up)."""
    if _MP:
        import logfs_helper

        fs = logfs_helper.new_fs(64)
        _mounts[0] += 1
        point = "/ttswitch%d" % _mounts[0]
        vfs.mount(fs.vfs, point)
        return point + "/", lambda: vfs.umount(point)
    import shutil
    import tempfile

    d = tempfile.mkdtemp()
    return d + "/", lambda: shutil.rmtree(d)


def _put(root, name, data):
    f = open(root + name, "wb")
    f.write(data)
    f.close()


def _files(root):
    out = {}
    for name in os.listdir(root[:-1]):
        f = open(root + name, "rb")
        out[name] = f.read()
        f.close()
    return out


def _cut_after(root, k):
    """The device as a deploy leaves it when power is lost after k steps of the journal."""
    for name, data in OLD.items():
        _put(root, name, data)
    for name, data in OTHER.items():
        _put(root, name, data)
    for name in CHANGED + (MANIFEST,):
        _put(root, name + NEW_SUFFIX, NEW[name])
    _put(root, fwswitch.JOURNAL, ("\n".join(STEPS) + "\n").encode())
    for step in STEPS[:k]:
        words = step.split()
        if words[0] == "R":
            os.rename(root + words[1], root + words[2])
        else:
            os.remove(root + words[1])


def _expect_new(root, what):
    want = dict(NEW)
    want.update(OTHER)
    eq(_files(root), want, what)


def test_a_cut_after_any_step_boots_the_new_firmware():
    for k in range(len(STEPS) + 1):
        root, done = _fresh()
        try:
            _cut_after(root, k)
            eq(fwswitch.run(root), True, "journal found after %d steps" % k)
            _expect_new(root, "after a cut after %d of %d steps" % (k, len(STEPS)))
            eq(fwswitch.run(root), False, "a second boot finds nothing to do (k=%d)" % k)
            _expect_new(root, "after a second boot (k=%d)" % k)
        finally:
            done()


def test_a_cut_during_the_finish_is_finished_at_the_next_boot():
    # The finish runs the same steps in the same order: a cut in it leaves a state of the
    # sweep above; here its journal is replayed from each of those states twice over.
    for k in range(len(STEPS) + 1):
        root, done = _fresh()
        try:
            _cut_after(root, k)
            for step in STEPS[k:]:
                fwswitch._step(root, step.split())  # the finish, cut before its journal goes
            eq(fwswitch.run(root), True, "k=%d" % k)
            _expect_new(root, "a finish cut after step %d, then a boot" % k)
        finally:
            done()


def test_a_staged_file_already_renamed_is_fine():
    root, done = _fresh()
    try:
        _put(root, "ui.mpy", b"new ui")
        _put(root, fwswitch.JOURNAL, b"R ui.mpy.tt-new ui.mpy\nD gone.mpy\n")
        eq(fwswitch.run(root), True)
        eq(_files(root), {"ui.mpy": b"new ui"}, "the new file stays, the journal goes")
    finally:
        done()


def test_no_journal_touches_nothing():
    root, done = _fresh()
    try:
        for name, data in OLD.items():
            _put(root, name, data)
        _put(root, "app.mpy" + NEW_SUFFIX, b"staged, but no journal: not switched")
        before = _files(root)
        eq(fwswitch.run(root), False)
        eq(_files(root), before)
    finally:
        done()


def test_an_unreadable_journal_is_removed_and_the_rest_boots():
    cases = (
        b"\xff\xfe\x00\x80garbage\x00\nR\n\nX y z\nD\nR a\n\xc3\x28 \xa0\xa1 z\n",
        b"R " + b"x" * (fwswitch.MAX_BYTES + 10) + b" y\n",  # too big: not read at all
        b"",
    )
    for i, text in enumerate(cases):
        root, done = _fresh()
        try:
            for name, data in OLD.items():
                _put(root, name, data)
            _put(root, fwswitch.JOURNAL, text)
            eq(fwswitch.run(root), True, "case %d" % i)
            eq(_files(root), OLD, "case %d: the journal is gone, the firmware untouched" % i)
        finally:
            done()


def test_a_directory_in_the_journals_place_does_not_stop_the_boot():
    root, done = _fresh()
    try:
        _put(root, "main.py", b"old main")
        os.mkdir(root + fwswitch.JOURNAL)
        fwswitch.run(root)  # must not raise
        f = open(root + "main.py", "rb")
        eq(f.read(), b"old main")
        f.close()
    finally:
        done()


class _Lines:
    def __init__(self, text):
        self.lines = [ln + "\n" for ln in text.split("\n")]

    def __iter__(self):
        return iter(self.lines)

    def close(self):
        pass


class _LfsOs:
    """fwswitch's `os` and `open` over a LittleFS image (the simulator's flash, with power
    cuts): the same file calls, raising OSError as the Pico's do."""

    def __init__(self, fs):
        self.fs = fs

    def stat(self, path):
        n = self.fs.size(path)
        if n < 0:
            raise OSError(2, path)
        return (0, 0, 0, 0, 0, 0, n)

    def rename(self, old, new):
        self.fs.rename(old, new)

    def remove(self, path):
        self.fs.remove(path)

    def open(self, path, mode="r"):
        f = self.fs.open(path, "rb")
        try:
            return _Lines(f.read().decode())
        finally:
            f.close()


def _lfs_put(fs, name, data):
    f = fs.open(name, "wb")
    f.write(data)
    f.close()


def _lfs_files(fs):
    out = {}
    for name in fs.listdir("/"):
        f = fs.open(name, "rb")
        out[name] = f.read()
        f.close()
    return out


def _lfs_run(fs):
    real_os = fwswitch.os
    fake = _LfsOs(fs)
    fwswitch.os = fake
    fwswitch.open = fake.open
    try:
        return fwswitch.run("")
    finally:
        fwswitch.os = real_os
        del fwswitch.open


def test_a_power_cut_at_any_flash_write_of_the_finish_is_finished_at_the_next_boot():
    import logfs_helper

    fs = logfs_helper.new_fs(64)
    for name, data in OLD.items():
        _lfs_put(fs, name, data)
    for name, data in OTHER.items():
        _lfs_put(fs, name, data)
    for name in CHANGED + (MANIFEST,):
        _lfs_put(fs, name + NEW_SUFFIX, NEW[name])
    _lfs_put(fs, fwswitch.JOURNAL, ("\n".join(STEPS) + "\n").encode())
    image = logfs_helper.image(fs)
    want = dict(NEW)
    want.update(OTHER)
    cuts = 0
    for n in range(2000):
        cut = logfs_helper.flash.FlashFs(None, 64, bytearray(image), False)
        cut.cut_power(n)
        _lfs_run(cut)  # never raises, even on a flash that dies under it
        if not cut.bdev.dead:
            eq(_lfs_files(cut), want, "the finish, not cut")
            break
        cuts += 1
        boot = logfs_helper.flash.FlashFs(None, 64, bytearray(logfs_helper.image(cut)), False)
        _lfs_run(boot)  # the journal is gone only if the cut came after its removal
        eq(_lfs_files(boot), want, "a cut at flash write %d of the finish, then a boot" % n)
    if cuts < len(STEPS):
        raise AssertionError("only %d cut points: the finish writes less than expected" % cuts)
