# Flash stall time per operation, from the Pico's flash chip datasheet (Winbond W25Q16JV).
# Runs INSIDE the VM (MicroPython unix port or CPython), used by flash_mp.py and flash_cpy.py.
# ruff: noqa: UP031  (MicroPython: %-formatting)
# On the RP2040 every erase and program runs with both cores stopped and interrupts off, so
# the device loop stands still for this long (REFERENCES.md); the simulator charges it as
# virtual time during which inputs keep changing.

# (typical, maximum) in microseconds: tSE for a 4 KB sector erase, tPP for a 256-byte page
SECTOR_ERASE_US = (45000, 400000)
PAGE_PROGRAM_US = (400, 3000)
PAGE_BYTES = 256
MODES = ("none", "typical", "worst")


class FlashTimer:
    """Adds up the stall of each flash operation: `pending_us` until taken, `total_us` ever.

    mode "typical" (the default) or "worst" picks the datasheet column; "none" charges nothing.
    """

    def __init__(self, mode="typical"):
        if mode not in MODES:
            raise ValueError("flash stall mode %s is not one of none, typical, worst" % mode)
        self.mode = mode
        col = 1 if mode == "worst" else 0
        on = mode != "none"
        self.erase_us = SECTOR_ERASE_US[col] if on else 0
        self.page_us = PAGE_PROGRAM_US[col] if on else 0
        self.pending_us = 0
        self.total_us = 0
        self.longest_us = 0

    def _add(self, us):
        self.pending_us += us
        self.total_us += us
        if self.pending_us > self.longest_us:
            self.longest_us = self.pending_us

    def erase(self):
        """One 4 KB sector erased."""
        self._add(self.erase_us)

    def program(self, nbytes):
        """nbytes programmed (whole 256-byte pages, as the chip takes them)."""
        self._add(((nbytes + PAGE_BYTES - 1) // PAGE_BYTES) * self.page_us)

    def take_ms(self):
        """The stall since the last take, in whole ms (the rest is kept for the next one)."""
        ms = self.pending_us // 1000
        self.pending_us -= ms * 1000
        return ms

    def pending_ms(self):
        """The stall not yet taken, in whole ms."""
        return self.pending_us // 1000
