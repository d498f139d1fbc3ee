"""The local half of `talktoken deploy`: what the device should hold and what must change."""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from talktoken.errors import TalktokenError

MANIFEST = "talktoken-manifest.json"
NEW_SUFFIX = ".tt-new"
JOURNAL = "talktoken-switch.txt"  # firmware/fwswitch.py's JOURNAL: the switch-over's steps
JOURNAL_MAX_BYTES = 8192  # firmware/fwswitch.py's MAX_BYTES: a bigger journal is not read
# Switched first, in this order. A cut after fwswitch.mpy alone leaves the old main.py, which
# boots the old firmware whole (one older than the journal never imports fwswitch); once
# main.py is new, the fwswitch it runs at boot to finish the rest is new too.
BOOT_FIRST = ("fwswitch.mpy", "main.py")


class DeployError(TalktokenError):
    """The firmware could not be deployed; the message says what to do."""

    exit_code = 30


@dataclass
class Plan:
    """What a deploy changes: names relative to the device root."""

    local: dict[str, str]  # every file of the firmware -> sha256 hex
    copy: list[str] = field(default_factory=list)  # new or changed
    same: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)  # stale files deploy owns, or shadows
    new: list[str] = field(default_factory=list)  # subset of copy: not on the device before

    @property
    def changes(self) -> bool:
        """True if the deploy copies or removes any file."""
        return bool(self.copy or self.remove)


def switch_order(names: list[str]) -> list[str]:
    """`names` in the order the switch-over renames them: BOOT_FIRST, then the rest sorted."""
    first = [n for n in BOOT_FIRST if n in names]
    return first + sorted(n for n in names if n not in first)


def journal_text(plan: Plan) -> bytes:
    """The switch-over's journal: rename each staged file over its name, remove the stale
    files, rename the manifest last (firmware/fwswitch.py runs it, on the device)."""
    if any(not n or any(c.isspace() for c in n) for n in plan.copy + plan.remove):
        raise DeployError("a firmware file name holds a space; the device cannot switch to it")
    staged = {n + NEW_SUFFIX for n in [*plan.copy, MANIFEST, JOURNAL]}
    lines = [f"R {n}{NEW_SUFFIX} {n}" for n in switch_order(plan.copy)]
    lines += [f"D {n}" for n in plan.remove if n not in staged]
    lines.append(f"R {MANIFEST}{NEW_SUFFIX} {MANIFEST}")
    data = ("\n".join(lines) + "\n").encode()
    if len(data) > JOURNAL_MAX_BYTES:
        raise DeployError(
            f"the switch-over needs a {len(data)}-byte journal; the device reads at most "
            f"{JOURNAL_MAX_BYTES} bytes: nothing was copied"
        )
    return data


def switch_code() -> str:
    """The source of firmware/fwswitch.py, which finishes a journal (run in the raw REPL)."""
    from talktoken.fwtree.paths import firmware_dir

    return (firmware_dir() / "fwswitch.py").read_text()


def build(out_dir: Path, src_dir: Path | None = None) -> dict[str, bytes]:
    """Compile the firmware into out_dir; return {device name: bytes} of exactly the device set."""
    from talktoken.fwtree.mpy import compile_tree
    from talktoken.fwtree.paths import firmware_dir

    src = src_dir or firmware_dir()
    files = {p.name: p.read_bytes() for p in compile_tree(src, out_dir)}
    if "main.py" not in files:
        raise DeployError(f"{src} has no main.py; is this a talktoken firmware tree?")
    return files


def fw_version(src_dir: Path | None = None) -> str:
    """FW_VERSION from firmware/app.py (read, not imported)."""
    from talktoken.fwtree.paths import firmware_dir

    path = (src_dir or firmware_dir()) / "app.py"
    try:
        tree = ast.parse(path.read_text())
    except (OSError, SyntaxError):
        return "?"
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "FW_VERSION" for t in node.targets
        ):
            value = node.value
            if isinstance(value, ast.Constant):
                return str(value.value)
    return "?"


def sha256_hex(data: bytes) -> str:
    """The sha256 of `data` as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


def make_plan(
    local: dict[str, str], device: dict[str, str | None], manifest: list[str], listing: list[str]
) -> Plan:
    """Compare the built files with the device's hashes, manifest and root listing."""
    plan = Plan(local=dict(local))
    for name in sorted(local):
        have = device.get(name)
        if have == local[name]:
            plan.same.append(name)
        else:
            plan.copy.append(name)
            if have is None:
                plan.new.append(name)
    present = set(listing)
    stale = {n for n in manifest if n not in local and n in present}
    # A leftover X.py shadows X.mpy (MicroPython imports .py first); main.mpy is never run.
    for name in local:
        stem, ext = name.rsplit(".", 1)
        twin = stem + (".py" if ext == "mpy" else ".mpy")
        if twin in present and twin not in local:
            stale.add(twin)
    stale |= {n for n in present if n.endswith(NEW_SUFFIX)}  # a deploy cut before its switch
    plan.remove = sorted(stale)
    return plan
