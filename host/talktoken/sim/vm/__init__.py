"""The simulator modules that run inside the child VM (MicroPython or CPython)."""
