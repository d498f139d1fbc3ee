"""Power budget of the reference build, computed from the firmware's brightness cap.

Every number that describes the firmware (LED count, channel cap, frame-sum cap, mA per
channel) comes from `hwconfig`; the rest are datasheet figures named below.
"""

from __future__ import annotations

from dataclasses import dataclass

from talktoken.fwtree.paths import enable_firmware_imports

enable_firmware_imports()
import hwconfig  # noqa: E402

CHANNELS_PER_LED = 3
QUIESCENT_MA_PER_LED = 1.0  # WS2812B with all channels off (datasheet: about 1 mA)
PICO_MA = 25.0  # Pico running MicroPython, no radio, drawn from 5 V (Pico datasheet: ~25 mA)
EXTRAS_MA = 2.0  # 74AHCT125, encoder/button pull-ups, battery divider
# the optional DS3231 RTC module on 3V3: the chip's IDD (about 0.2 mA, datasheet) with the
# module's power LED removed (docs/hardware.md); through the Pico's 3V3 regulator, so it is
# counted at 5 V as is (a linear-ish worst case). Its coin cell keeps time while unpowered.
RTC_MODULE_MA = 0.3
USB_LIMIT_MA = 500.0  # USB 2.0 port after enumeration
PICO_3V3_EXTERNAL_LIMIT_MA = 300.0  # Pico datasheet: budget for loads on its 3V3 pin
SUPPLY_V = 5.0
CELL_NOMINAL_V = 3.7
BOOST_EFFICIENCY = 0.85
BATTERY_MAH = 2000.0

# The "typical" pattern during a session (docs/hardware.md): a dim phase arc over the whole
# ring, the speaker's arc (3 LEDs, 8 seats) at the channel cap, and the knob cursor (1 LED).
# Expressed as sums of channel values; renderer output is always under FRAME_SUM_CAP anyway.
TYPICAL_PATTERN = (
    ("phase arc, 24 LEDs, one channel at 12", 24 * 12),
    ("speaker arc, 3 LEDs, two channels at MAX_LEVEL", 3 * 2 * hwconfig.MAX_LEVEL),
    ("knob cursor, 1 LED, three channels at MAX_LEVEL / 2", 3 * (hwconfig.MAX_LEVEL // 2)),
)


@dataclass(frozen=True)
class Budget:
    """The power budget figures (mA unless named otherwise)."""

    worst_frame_sum: int
    typical_frame_sum: int
    led_ma_worst: float
    led_ma_typical: float
    total_ma_worst: float
    total_ma_typical: float
    usb_headroom_ma: float
    battery_ma_worst: float
    battery_ma_typical: float
    battery_hours_worst: float
    battery_hours_typical: float


def worst_frame_sum() -> int:
    """Largest channel sum any frame can have: the frame cap, or every channel at MAX_LEVEL."""
    channels = hwconfig.LED_COUNT * CHANNELS_PER_LED
    return min(hwconfig.FRAME_SUM_CAP, channels * hwconfig.MAX_LEVEL)


def typical_frame_sum() -> int:
    """Channel sum of the typical session pattern, bounded by the cap."""
    return min(worst_frame_sum(), sum(v for _, v in TYPICAL_PATTERN))


def led_current_ma(frame_sum: int) -> float:
    """Ring current for a frame whose channel values add up to frame_sum, plus quiescent."""
    per_unit = hwconfig.MA_PER_CHANNEL_FULL / 255.0
    return frame_sum * per_unit + hwconfig.LED_COUNT * QUIESCENT_MA_PER_LED


def battery_ma(load_ma_at_5v: float) -> float:
    """Current drawn from the cell when the boost converter delivers load_ma_at_5v."""
    return load_ma_at_5v * SUPPLY_V / (CELL_NOMINAL_V * BOOST_EFFICIENCY)


def budget() -> Budget:
    """The whole budget at the firmware's cap (worst case) and for the typical pattern."""
    worst = worst_frame_sum()
    typical = typical_frame_sum()
    led_w = led_current_ma(worst)
    led_t = led_current_ma(typical)
    tot_w = led_w + PICO_MA + EXTRAS_MA + RTC_MODULE_MA
    tot_t = led_t + PICO_MA + EXTRAS_MA + RTC_MODULE_MA
    bat_w = battery_ma(tot_w)
    bat_t = battery_ma(tot_t)
    return Budget(
        worst_frame_sum=worst,
        typical_frame_sum=typical,
        led_ma_worst=led_w,
        led_ma_typical=led_t,
        total_ma_worst=tot_w,
        total_ma_typical=tot_t,
        usb_headroom_ma=USB_LIMIT_MA - tot_w,
        battery_ma_worst=bat_w,
        battery_ma_typical=bat_t,
        battery_hours_worst=BATTERY_MAH / bat_w,
        battery_hours_typical=BATTERY_MAH / bat_t,
    )


def markdown_table(b: Budget | None = None) -> str:
    """The power budget as the Markdown table in docs/hardware.md."""
    b = b or budget()
    rows = [
        (
            "Frame channel sum (cap from `hwconfig.FRAME_SUM_CAP`)",
            b.worst_frame_sum,
            b.typical_frame_sum,
        ),
        ("LED ring incl. 1 mA quiescent per LED (mA)", b.led_ma_worst, b.led_ma_typical),
        ("Pico + level shifter + pull-ups (mA)", PICO_MA + EXTRAS_MA, PICO_MA + EXTRAS_MA),
        ("Optional RTC module, LED removed (mA)", RTC_MODULE_MA, RTC_MODULE_MA),
        ("Total from 5 V (mA)", b.total_ma_worst, b.total_ma_typical),
        (
            "Headroom to USB 500 mA (mA)",
            USB_LIMIT_MA - b.total_ma_worst,
            USB_LIMIT_MA - b.total_ma_typical,
        ),
        ("From a 3.7 V cell through an 85 % boost (mA)", b.battery_ma_worst, b.battery_ma_typical),
        ("Hours on a 2,000 mAh cell", b.battery_hours_worst, b.battery_hours_typical),
    ]
    out = [
        "| quantity | worst case (at the cap) | typical session |",
        "| --- | ---: | ---: |",
    ]
    for name, worst, typical in rows:
        out.append(f"| {name} | {_fmt(worst)} | {_fmt(typical)} |")
    return "\n".join(out) + "\n"


def _fmt(v: float | int) -> str:
    if isinstance(v, int):
        return str(v)
    return f"{v:.1f}"
