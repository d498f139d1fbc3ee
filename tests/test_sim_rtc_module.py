# The simulator with and without the RTC module: info reports it; a set time survives a reboot.
from __future__ import annotations

import pytest
from talktoken.device.client import Client
from talktoken.sim.device import SimDevice

WHEN = 1764600000  # 2025-12-01 14:40 UTC


@pytest.mark.parametrize("vm", ["micropython", "cpython"])
def test_module_keeps_the_time_through_a_reboot(vm, tmp_path):
    with SimDevice(vm=vm, flash=tmp_path / "flash.img", rtc_module=True) as dev:
        with Client.connect(dev.port) as c:
            info = c.info()
            assert info["rtc_module"] is True and info["clock_source"] == "none"
            assert info["clock_set"] is False
            c.clock_set(WHEN)
            assert c.info()["clock_source"] == "host"
        dev.reboot()
        st = dev.state()
        assert st["clock_source"] == 2 and st["clock_set"] is True
        assert WHEN <= st["rtc"] <= WHEN + 5
        with Client.connect(dev.port) as c:
            assert c.info()["clock_source"] == "rtc"


@pytest.mark.parametrize("vm", ["micropython", "cpython"])
def test_without_the_module_a_reboot_forgets_the_time(vm, tmp_path):
    with SimDevice(vm=vm, flash=tmp_path / "flash.img") as dev:
        with Client.connect(dev.port) as c:
            assert c.info()["rtc_module"] is False
            c.clock_set(WHEN)
        dev.reboot()
        st = dev.state()
        assert st["clock_source"] == 0 and st["clock_set"] is False
        assert st["rtc"] < WHEN


def test_info_text_names_the_module():
    from talktoken.cli.device import _info_text

    base = {"agenda": {"name": "a", "hash": "h"}, "clock": WHEN, "clock_set": True, "phase": 0}
    assert "rtc module  fitted (the clock came from it at boot)" in _info_text(
        {**base, "rtc_module": True, "clock_source": "rtc"}
    )
    assert "rtc module  not fitted" in _info_text({**base, "rtc_module": False})
