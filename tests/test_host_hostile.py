# The host survives any device: a hostile fake device, fuzzed, in-process and over a real pty.
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hostile_device import LIES, PtyHostile, drive, genuine_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return genuine_files(tmp_path_factory.mktemp("hostile"))


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lies=st.lists(st.sampled_from(LIES), min_size=1, max_size=12),
    seed=st.integers(0, 2**31),
)
def test_every_hostile_reply_ends_in_a_sentence(files, lies, seed):
    with tempfile.TemporaryDirectory() as tmp:
        replies, problem = drive(files, lies, seed, Path(tmp) / "archive")
    assert problem == "", problem
    assert replies >= 0


@pytest.mark.parametrize("lie", LIES)
def test_each_lie_at_each_step(files, lie, tmp_path):
    for pos in range(8):  # the lie hits the 1st, 2nd, ... request of the run
        lies = ["honest"] * pos + [lie] + ["honest"] * 12
        _, problem = drive(files, lies, pos, tmp_path / f"a{pos}")
        assert problem == "", (lie, pos, problem)


def test_an_honest_device_is_pulled_whole(files, tmp_path):
    from talktoken.archive.store import Archive

    _, problem = drive(files, ["honest"], 0, tmp_path / "a")
    assert problem == ""
    with Archive(tmp_path / "a") as a:
        assert len(a.sessions()) == len(files)


@pytest.mark.parametrize("lie", ["truncate", "wrong_type", "bad_crc", "endless", "vanish"])
def test_over_a_real_pty(files, lie, tmp_path):
    for pos in (0, 2, 5):
        with PtyHostile(files, ["honest"] * pos + [lie] + ["honest"] * 12, pos) as port:
            _, problem = drive(files, [], pos, tmp_path / f"a{pos}", port=port)
        assert problem == "", (lie, pos, problem)


def test_the_fuzz_can_fail(files, tmp_path, monkeypatch):
    # Without the shape check of `info`, a device sending a string for `agenda` must be caught.
    from talktoken.device import client

    monkeypatch.setattr(client, "check_info", lambda info: info)
    from talktoken.device import pull

    monkeypatch.setattr(pull, "check_info", lambda info: info)
    from talktoken.device import replies

    monkeypatch.setattr(replies, "need", lambda data, op, *keys: data)
    found = []
    for pos in range(8):
        lies = ["honest"] * pos + ["drop_field"] + ["honest"] * 12
        for seed in range(6):
            _, problem = drive(files, lies, seed, tmp_path / f"a{pos}-{seed}")
            found.append(problem)
    assert any("Traceback" in p for p in found)
