# The gentle cue: a chime or vibration pulse when a warning or an overrun light starts.
import hwconfig
from clockmath import ticks_add, ticks_diff
from events import CUE_CHIME, CUE_OFF
from micropython import const

_PHASE_WARN = const(1)
_PHASE_OVER = const(2)
_TURN_OVER = const(4)


class Cue:
    """Watches the lights the ring shows and pulses `board.tone` when one of them starts:
    the phase warning, the phase's time up and (agenda cue_turns) a turn budget's end. It
    fires only on such a change of the light, so never more often than the light changes;
    each pulse is switched off by a later step (nothing blocks). No allocation."""

    def __init__(self):
        self.lights = 0  # the cue-worthy lights of the last step
        self.pulses = 0  # pulses started (for tests and the simulator)
        self._on = False
        self._until = 0

    def step(self, session, board, now):
        s = session
        a = s.agenda
        lights = 0
        if s.phase_warning(now):
            lights |= _PHASE_WARN
        if s.phase_overrun(now):
            lights |= _PHASE_OVER
        if a.cue_turns and s.turn_overrun(now):
            lights |= _TURN_OVER
        started = lights & ~self.lights
        self.lights = lights
        if started and a.cue != CUE_OFF:
            if a.cue == CUE_CHIME:
                board.tone(hwconfig.CHIME_HZ, hwconfig.CHIME_DUTY_U16)
                ms = hwconfig.CHIME_MS
            else:
                board.tone(hwconfig.VIBRATE_HZ, hwconfig.VIBRATE_DUTY_U16)
                ms = hwconfig.VIBRATE_MS
            self._on = True
            self._until = ticks_add(now, ms)
            self.pulses += 1
        elif self._on and ticks_diff(now, self._until) >= 0:
            board.tone(0, 0)
            self._on = False

    @property
    def sounding(self):
        return self._on
