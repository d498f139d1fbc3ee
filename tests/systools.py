"""System tools some tests need: the path, a skip with the install line, or a failure in CI."""

from __future__ import annotations

import os
import shutil

import pytest

# tool -> (commands to look for, the line that installs it on Debian or Ubuntu)
TOOLS = {
    "openscad": (("openscad",), "sudo apt-get install openscad"),
    "chromium": (("chromium", "chromium-browser"), "sudo apt-get install chromium"),
    "tmux": (("tmux",), "sudo apt-get install tmux"),
}


def required() -> bool:
    """True when a missing tool must fail its tests (.ci/run sets TALKTOKEN_REQUIRE_TOOLS=1)."""
    return os.environ.get("TALKTOKEN_REQUIRE_TOOLS", "") not in ("", "0")


def find(tool: str) -> str | None:
    """The tool's path on PATH, or None."""
    names, _ = TOOLS[tool]
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def need(tool: str) -> str:
    """The tool's path; else skip with its install line (or fail when tools are required)."""
    path = find(tool)
    if path:
        return path
    message = f"needs {tool}: {TOOLS[tool][1]}"
    if required():
        pytest.fail(message + " (TALKTOKEN_REQUIRE_TOOLS is set)")
    pytest.skip(message)
