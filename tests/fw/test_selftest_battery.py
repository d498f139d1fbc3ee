# Battery gauge arithmetic (LiPo curve, ADC scaling) in both VMs.
import battery
import hwconfig
from fwtest import eq


def test_no_battery():
    eq(battery.battery_percent(-1), -1, "no battery fitted")


def test_endpoints_and_clamping():
    eq(battery.battery_percent(4200), 100, "full")
    eq(battery.battery_percent(4350), 100, "charging voltage clamps")
    eq(battery.battery_percent(3300), 0, "empty")
    eq(battery.battery_percent(0), 0, "flat")


def test_curve_points():
    eq(battery.battery_percent(3870), 60, "curve point 60 %")
    eq(battery.battery_percent(3740), 20, "curve point 20 %")
    eq(battery.battery_percent(3680), 10, "curve point 10 %")
    # Halfway between 3870 (60 %) and 3920 (70 %) is 65 %.
    eq(battery.battery_percent(3895), 65, "interpolated")


def test_monotonic_over_the_range():
    prev = -1
    for mv in range(3000, 4400, 5):
        p = battery.battery_percent(mv)
        assert 0 <= p <= 100, "out of range at %d: %d" % (mv, p)
        assert p >= prev, "not monotonic at %d mV" % mv
        prev = p


def test_adc_to_mv_uses_the_divider():
    eq(battery.adc_to_mv(0), 0, "zero")
    full = hwconfig.ADC_VREF_MV * hwconfig.VBAT_DIVIDER
    eq(battery.adc_to_mv(65535), full, "full scale")
    # A 3.7 V cell gives 1.85 V at the pin: 1850 / 3300 of full scale.
    raw = 1850 * 65535 // 3300
    mv = battery.adc_to_mv(raw)
    assert abs(mv - 3700) <= 1, mv


def test_gauge_leds():
    eq(battery.gauge_leds(-1, 24), 0, "no battery")
    eq(battery.gauge_leds(0, 24), 0, "empty")
    eq(battery.gauge_leds(1, 24), 1, "nearly empty still shows one LED")
    eq(battery.gauge_leds(50, 24), 12, "half")
    eq(battery.gauge_leds(100, 24), 24, "full")
