# The simulated device: real firmware in a child VM on a virtual board (see device.py).
"""Simulator package: `SimDevice` runs the firmware in MicroPython or CPython on a SimBoard."""

from talktoken.sim.device import SimCrashed, SimDevice, SimError

__all__ = ["SimCrashed", "SimDevice", "SimError"]
