# Shared pytest set-up: firmware importable under CPython, optional real-Pico port.
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "fw"))

import systools  # noqa: E402
from talktoken.fwtree.paths import enable_firmware_imports  # noqa: E402

enable_firmware_imports()


def pytest_addoption(parser):
    parser.addoption(
        "--pico-port", default=None, help="serial port of a real Pico for hardware tests"
    )


def pytest_collection_modifyitems(config, items):
    port = config.getoption("--pico-port")
    if port:
        return
    skip = pytest.mark.skip(reason="needs a real Pico: pass --pico-port PORT")
    for item in items:
        if "hardware" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def openscad() -> str:
    """The openscad command; the test skips with its install line when it is missing."""
    return systools.need("openscad")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The chromium command; the test skips with its install line when it is missing."""
    return systools.need("chromium")


@pytest.fixture(scope="session")
def tmux() -> str:
    """The tmux command; the test skips with its install line when it is missing."""
    return systools.need("tmux")


@pytest.fixture
def pico_port(request):
    return request.config.getoption("--pico-port")
