"""Simulator package: `SimDevice` runs the firmware in MicroPython or CPython on a SimBoard."""

from talktoken.sim.device import SimCrashed, SimDevice, SimError

__all__ = ["SimCrashed", "SimDevice", "SimError"]
