"""The single source of the hardware: pin map, LED ring size and the brightness cap."""

from micropython import const

# GPIO numbers (GPn) on the Raspberry Pi Pico. Header pins, directions and purposes are in
# tools/gen_hardware.py (PIN_ROLES), which the device never loads; the numbers live only here.
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
