# Power budget arithmetic against the firmware's brightness cap (hwconfig) and the renderer.
from __future__ import annotations

import hwconfig
import pytest
from talktoken.hardware import power


def test_worst_case_is_the_frame_cap():
    channels = hwconfig.LED_COUNT * 3
    assert power.worst_frame_sum() == min(hwconfig.FRAME_SUM_CAP, channels * hwconfig.MAX_LEVEL)
    # By hand for the shipped numbers: 4080 * 20 / 255 = 320 mA plus 24 x 1 mA quiescent.
    expected = hwconfig.FRAME_SUM_CAP * hwconfig.MA_PER_CHANNEL_FULL / 255 + hwconfig.LED_COUNT
    assert power.led_current_ma(power.worst_frame_sum()) == pytest.approx(expected)


def test_budget_fits_usb_and_the_goal():
    b = power.budget()
    assert b.led_ma_worst <= 400, "goal: LED current at the cap <= 400 mA"
    assert b.total_ma_worst <= power.USB_LIMIT_MA
    assert b.usb_headroom_ma == pytest.approx(power.USB_LIMIT_MA - b.total_ma_worst)
    assert b.typical_frame_sum < b.worst_frame_sum
    assert b.total_ma_typical < b.total_ma_worst


def test_battery_arithmetic():
    b = power.budget()
    # Power in = power out / efficiency: I_bat * 3.7 V * 0.85 = I_5V * 5 V.
    assert b.battery_ma_worst * 3.7 * 0.85 == pytest.approx(b.total_ma_worst * 5.0)
    assert b.battery_hours_worst == pytest.approx(2000 / b.battery_ma_worst)
    assert b.battery_hours_typical > b.battery_hours_worst
    assert b.battery_hours_worst > 2.0, "a two-hour group must fit even at the cap"


def test_cap_change_moves_the_budget(monkeypatch):
    low = power.budget().led_ma_worst
    monkeypatch.setattr(hwconfig, "FRAME_SUM_CAP", hwconfig.FRAME_SUM_CAP * 2)
    assert power.budget().led_ma_worst > low


def test_markdown_table_reports_the_numbers():
    b = power.budget()
    table = power.markdown_table(b)
    assert f"{b.led_ma_worst:.1f}" in table
    assert f"{b.battery_hours_typical:.1f}" in table
    assert str(hwconfig.FRAME_SUM_CAP) in table


def test_renderer_never_exceeds_the_cap_the_budget_assumes():
    """Any frame the real renderer draws stays under FRAME_SUM_CAP and MAX_LEVEL."""
    import agenda
    import ledring
    import session
    import ui as uimod

    sink = type("Sink", (), {"record": lambda self, *a: None})()
    s = session.Session(agenda.default(), sink)
    u = uimod.Ui(s)
    frame = bytearray(hwconfig.LED_COUNT * 3)
    now = 1000
    s.start(now)
    worst = 0
    for step in range(600):
        now += 997
        if step % 50 == 0:
            s.next_seat(now)
        u.glance_until = now + 5000  # balance shown too: the busiest pattern
        ledring.render(frame, s, u, now)
        assert max(frame) <= hwconfig.MAX_LEVEL
        worst = max(worst, sum(frame))
    assert 0 < worst <= power.worst_frame_sum()
