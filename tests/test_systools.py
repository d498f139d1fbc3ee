"""A missing system tool skips its tests with the install line, or fails them when required."""

from __future__ import annotations

import pytest
import systools


def test_a_missing_tool_skips_with_its_install_line(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("TALKTOKEN_REQUIRE_TOOLS", raising=False)
    for tool, (_, install) in systools.TOOLS.items():
        with pytest.raises(pytest.skip.Exception) as info:
            systools.need(tool)
        assert str(info.value) == f"needs {tool}: {install}"


def test_a_missing_tool_fails_when_tools_are_required(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("TALKTOKEN_REQUIRE_TOOLS", "1")
    with pytest.raises(pytest.fail.Exception) as info:
        systools.need("openscad")
    assert "sudo apt-get install openscad" in str(info.value)
    assert "TALKTOKEN_REQUIRE_TOOLS" in str(info.value)


def test_a_tool_on_the_path_is_found(tmp_path, monkeypatch):
    exe = tmp_path / "tmux"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("TALKTOKEN_REQUIRE_TOOLS", "1")
    assert systools.need("tmux") == str(exe)
