# The "needs a system tool" helper: skip with the install line, or fail when tools are required.
from __future__ import annotations

import os

import pytest
import systools


@pytest.fixture
def bare_path(tmp_path, monkeypatch):
    """A PATH with no openscad, chromium or tmux on it (an empty directory)."""
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("tool", sorted(systools.TOOLS))
def test_missing_tool_skips_with_its_install_line(bare_path, monkeypatch, tool):
    monkeypatch.delenv("TALKTOKEN_REQUIRE_TOOLS", raising=False)
    with pytest.raises(pytest.skip.Exception) as got:
        systools.need(tool)
    assert str(got.value) == f"needs {tool}: sudo apt-get install -y {tool}"


@pytest.mark.parametrize("tool", sorted(systools.TOOLS))
def test_missing_tool_fails_when_tools_are_required(bare_path, monkeypatch, tool):
    monkeypatch.setenv("TALKTOKEN_REQUIRE_TOOLS", "1")
    with pytest.raises(pytest.fail.Exception) as got:
        systools.need(tool)
    assert f"sudo apt-get install -y {tool}" in str(got.value)


def test_present_tool_is_found(bare_path, monkeypatch):
    exe = bare_path / "tmux"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("TALKTOKEN_REQUIRE_TOOLS", "1")
    assert systools.need("tmux") == str(exe)
    assert os.access(systools.need("tmux"), os.X_OK)
