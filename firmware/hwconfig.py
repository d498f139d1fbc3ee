# The single source of the hardware: pin map, LED ring size and the brightness cap.
from micropython import const

# GPIO numbers (GPn) on the Raspberry Pi Pico. Physical header pins are in PIN_TABLE.
PIN_LED_DATA = const(22)  # WS2812 DIN (through a 74AHCT125 level shifter, see docs/hardware.md)
PIN_ENC_A = const(10)  # rotary encoder A (CLK)
PIN_ENC_B = const(11)  # rotary encoder B (DT)
PIN_KNOB_SW = const(12)  # encoder push switch, to GND
PIN_PHASE_BTN = const(14)  # PHASE button, to GND
PIN_HOLD_BTN = const(15)  # HOLD button, to GND
PIN_BUZZER = const(18)  # optional piezo / vibration motor driver (PWM), off by default
PIN_VBAT_ADC = const(26)  # ADC0, battery through a 100k/100k divider (optional)

LED_COUNT = const(24)

# Battery sense: VBAT -> 100k -> ADC0 -> 100k -> GND, so the pin sees half the cell voltage.
VBAT_DIVIDER = const(2)
ADC_VREF_MV = const(3300)

# Brightness: no channel above MAX_LEVEL (glare), and the sum of all 72 channel values in a
# frame never above FRAME_SUM_CAP (current). The numbers come from the power budget in
# docs/hardware.md: 20 mA per channel at 255, so FRAME_SUM_CAP of 4080 is 320 mA of LED current.
MAX_LEVEL = const(96)
FRAME_SUM_CAP = const(4080)
MA_PER_CHANNEL_FULL = const(20)


def pin_table():
    """(signal, GPn, header pin, direction, purpose) for docs, diagrams and checks."""
    return (
        ("LED_DATA", PIN_LED_DATA, 29, "out", "WS2812 ring data in"),
        ("ENC_A", PIN_ENC_A, 14, "in", "rotary encoder A, pull-up"),
        ("ENC_B", PIN_ENC_B, 15, "in", "rotary encoder B, pull-up"),
        ("KNOB_SW", PIN_KNOB_SW, 16, "in", "knob push switch, pull-up"),
        ("PHASE_BTN", PIN_PHASE_BTN, 19, "in", "PHASE button, pull-up"),
        ("HOLD_BTN", PIN_HOLD_BTN, 20, "in", "HOLD button, pull-up"),
        ("BUZZER", PIN_BUZZER, 24, "out", "optional piezo or vibration motor (PWM)"),
        ("VBAT_ADC", PIN_VBAT_ADC, 31, "adc", "optional battery sense, 1/2 divider"),
    )
