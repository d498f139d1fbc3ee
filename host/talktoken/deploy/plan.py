"""The local half of `talktoken deploy`: what the device should hold and what must change."""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from talktoken.errors import TalktokenError

MANIFEST = "talktoken-manifest.json"
NEW_SUFFIX = ".tt-new"


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
    stale |= {n for n in present if n.endswith(NEW_SUFFIX)}
    plan.remove = sorted(stale)
    return plan
