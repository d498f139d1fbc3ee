"""Battery gauge arithmetic: ADC reading to millivolts, and a LiPo voltage curve to percent."""

import hwconfig
from micropython import const

# Resting voltage of a single LiPo cell (mV) at 100, 90, ... 0 % state of charge, a typical
# curve for a 3.7 V nominal cell at a light load (about 0.2 C). Below 3300 mV the protection
# circuit of the cell is about to cut off.
_CURVE = (4200, 4060, 3980, 3920, 3870, 3820, 3790, 3770, 3740, 3680, 3300)
_FULL_MV = const(4200)
_EMPTY_MV = const(3300)


def battery_percent(mv):
    """State of charge 0..100 from a cell voltage in mV; -1 when no battery (mv < 0)."""
    if mv < 0:
        return -1
    if mv >= _FULL_MV:
        return 100
    if mv <= _EMPTY_MV:
        return 0
    # _CURVE runs from 100 % down in 10 % steps; find the segment holding mv.
    i = 1
    while _CURVE[i] > mv:
        i += 1
    hi = _CURVE[i - 1]
    lo = _CURVE[i]
    pct_lo = 100 - 10 * i
    return pct_lo + (10 * (mv - lo) + (hi - lo) // 2) // (hi - lo)


def adc_to_mv(raw_u16):
    """Cell voltage (mV) from `ADC.read_u16()` on the divided battery-sense pin."""
    return (raw_u16 * hwconfig.ADC_VREF_MV * hwconfig.VBAT_DIVIDER + 32767) // 65535


def gauge_leds(pct, led_count):
    """How many of led_count LEDs a gauge lights for pct (at least 1 while pct > 0)."""
    if pct <= 0:
        return 0
    n = (pct * led_count + 50) // 100
    return n if n > 0 else 1
