"""The single source of the hardware: pin map, LED ring size and the brightness cap."""

from micropython import const

# GPIO numbers (GPn) on the Raspberry Pi Pico. Header pins, directions and purposes are in
# tools/gen_hardware.py (PIN_ROLES), which the device never loads; the numbers live only here.
PIN_LED_DATA = const(22)  # WS2812 DIN (through a 74AHCT125 level shifter, see docs/hardware.md)
PIN_ENC_A = const(10)  # rotary encoder A (CLK)
PIN_ENC_B = const(11)  # rotary encoder B (DT)
ENC_SWAPPED = const(0)  # 1 when A and B are wired the other way round (turns count backwards)
# The knob: 1 = counted by a PIO state machine, which keeps counting while flash writes stall
# the cores (the default); 0 = polled once per loop (the fallback, for a board without PIO).
KNOB_PIO = const(1)
KNOB_SM = const(4)  # StateMachine id 4 = PIO1 SM0 (PIO0 is left free)
PIN_KNOB_SW = const(12)  # encoder push switch, to GND
PIN_PHASE_BTN = const(14)  # PHASE button, to GND
PIN_HOLD_BTN = const(15)  # HOLD button, to GND
PIN_BUZZER = const(18)  # optional piezo / vibration motor driver (PWM), off by default
PIN_RTC_SDA = const(4)  # optional DS3231-class RTC module: I2C0 SDA (the module has pull-ups)
PIN_RTC_SCL = const(5)  # I2C0 SCL
RTC_I2C = const(0)  # the RP2040's I2C block for GP4/GP5
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

# The gentle cue on PIN_BUZZER (agenda `cue`): a short, soft chime on a passive piezo, or a
# vibration pulse on a coin motor (through Q1, docs/hardware.md). Duty is a 16-bit fraction:
# a low duty keeps the piezo quiet; the motor runs from a steady, moderate duty.
CHIME_HZ = const(2000)  # near the piezo's resonance, so a low duty is still heard
CHIME_DUTY_U16 = const(3277)  # 5 %: soft
CHIME_MS = const(150)
VIBRATE_HZ = const(1000)  # PWM carrier for the motor (its speed follows the duty)
VIBRATE_DUTY_U16 = const(39321)  # 60 %
VIBRATE_MS = const(400)
