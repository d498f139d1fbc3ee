# Tests needing a system tool: skip with its install line, or fail if TALKTOKEN_REQUIRE_TOOLS=1.
from __future__ import annotations

import os
import shutil

import pytest

# tool -> (executable names to look for, the line that installs it on Debian/Ubuntu)
TOOLS: dict[str, tuple[tuple[str, ...], str]] = {
    "openscad": (("openscad",), "sudo apt-get install -y openscad"),
    "chromium": (("chromium", "chromium-browser"), "sudo apt-get install -y chromium"),
    "tmux": (("tmux",), "sudo apt-get install -y tmux"),
}


def required() -> bool:
    """True when a missing tool must fail the test (CI sets TALKTOKEN_REQUIRE_TOOLS=1)."""
    return os.environ.get("TALKTOKEN_REQUIRE_TOOLS", "") not in ("", "0")


def need(tool: str) -> str:
    """The path of `tool`; skips the test with its install line when it is missing."""
    names, install = TOOLS[tool]
    for name in names:
        exe = shutil.which(name)
        if exe:
            return exe
    msg = f"needs {tool}: {install}"
    if required():
        pytest.fail(f"{msg} (TALKTOKEN_REQUIRE_TOOLS=1 is set, so a missing tool fails)")
    pytest.skip(msg)
    raise AssertionError("unreachable")
