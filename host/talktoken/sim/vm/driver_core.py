"""The simulated device inside the VM: virtual clock, input schedule, the firmware App it steps."""

# Runs INSIDE the VM (MicroPython unix port or CPython), imported by driver.py (the control loop).
# ruff: noqa: SIM115  (MicroPython: plain open/close, no context managers needed)
import time

import simboard
import simstate

_TICKS_MS = getattr(time, "ticks_ms", None)  # MicroPython's wrapping ms counter
_TICKS_DIFF = getattr(time, "ticks_diff", None)


def real_ms():
    """Wall-clock milliseconds (for the real-time mode), in either VM."""
    if _TICKS_MS is not None:
        return _TICKS_MS()
    return int(time.monotonic() * 1000)


def _tdiff(a, b):
    if _TICKS_DIFF is not None:
        return _TICKS_DIFF(a, b)
    return a - b


LOOP_MS = 10  # the device's loop period (app.LOOP_MS)
IDLE_MAX_MS = 1000  # while nothing changes, step at least this often
SETTLE_MS = 100  # after an input change, step every LOOP_MS for this long
TURN_STEP_MS = 10  # one encoder transition per loop
# One detent of quadrature on the encoder bits of the input mask (A = bit3, B = bit4), A leading.
A_LEADS = (8, 24, 16, 0)
B_LEADS = (16, 24, 8, 0)


def knob_sequences():
    """(clockwise, counter-clockwise) mask sequences: A leads B when the knob turns clockwise.

    Fixed on purpose, as on the real encoder: a firmware decoder that counts the wrong way makes
    the simulator's clockwise turns move the cursor anticlockwise, and the sim tests catch it.
    """
    return (A_LEADS, B_LEADS)


class Driver:
    """Owns the virtual clock and the input schedule, and steps the App."""

    def __init__(self, opts):
        self.opts = opts
        self.realtime = opts.get("realtime", "0") == "1"
        self.speed = float(opts.get("speed", "1")) if self.realtime else 1.0
        self.ticks0 = int(opts.get("ticks0", "0"))
        self.vt = 0  # virtual ms since boot
        self.mask = 0
        self.sched = []  # [(vt, set_bits, clear_bits)] sorted by vt
        self.fine_until = SETTLE_MS
        self.off = False
        self.boots = 0
        self.fs = simboard.make_fs(
            opts.get("flash", ""), int(opts.get("blocks", "0")), opts.get("stall", "typical")
        )
        import hwconfig

        knob = opts.get("knob", "pio" if hwconfig.KNOB_PIO else "polled")
        if knob not in ("pio", "polled"):
            raise ValueError("knob must be pio or polled, not " + knob)
        self.board = simboard.SimBoard(
            fs=self.fs,
            uid=opts.get("uid", simboard.DEFAULT_UID),
            battery_mv=int(opts.get("battery", "-1")),
            ticks0=self.ticks0,
            knob_counted=knob == "pio",
            rtc_module=self._rtc_module(opts),
        )
        self.stalled_ms = 0  # the loop's time stopped by flash operations since boot
        self.stalls = 0
        self.app = None
        self.cw, self.ccw = knob_sequences()
        if opts.get("agenda"):
            self.install_agenda(opts["agenda"])
        self.boot()

    def _rtc_module(self, opts):
        """The RTC module when opts fit one (rtc=1); it keeps its time in FLASH.rtc."""
        if opts.get("rtc", "0") != "1":
            return None
        image = opts.get("flash", "")
        return simboard.SimRtcModule(image + ".rtc" if image else None)

    def install_agenda(self, path):
        """Put an agenda file where the app loads it at boot (SimDevice(agenda=...))."""
        f = open(path, "rb")
        data = f.read()
        f.close()
        g = self.fs.open("agenda.json", "wb")
        g.write(data)
        g.close()

    # ---- the app ----
    def boot(self):
        """Build the firmware exactly as main.py does (minus the Pico board)."""
        import preload

        preload.run()  # leaves first, as main.py loads them
        import app as appmod
        import logstore

        b = self.board
        store = logstore.LogStore(self.fs, b.unique_id(), appmod.FW_VERSION)
        # the protocol module loads when the host's first byte arrives, as on the Pico
        self.app = appmod.App(b, store=store, protocol_factory=preload.PROTO)
        self.boots += 1
        timer = getattr(self.fs, "timer", None)
        if timer is not None:
            timer.take_ms()  # formatting and recovery stall the boot, not the loop

    def now(self):
        """The board's ms tick counter at the current virtual time (it wraps)."""
        return (self.ticks0 + self.vt) & simboard.TICKS_MASK

    def power_lost(self):
        """True once a simulated power cut has killed the flash."""
        bdev = getattr(self.fs, "bdev", None)
        return bdev is not None and getattr(bdev, "dead", False)

    def serve(self):
        """One protocol service() between loop iterations, as App.serve_until does on the Pico
        (output waiting for the port, a fetch streaming, requests waiting); no loop iteration
        at the paused virtual time."""
        p = self.app.proto
        if self.off or p is None:
            return
        self.board.vt = self.vt
        try:
            p.service(self.now())
        except Exception:
            self.app.proto_faults += 1  # as App._serve counts what escapes the protocol

    def step(self):
        """One App.step at the current virtual time."""
        if self.off:
            return
        b = self.board
        b.vt = self.vt
        b.now = self.now()
        b.inputs = self.mask
        try:
            self.app.step(b.now)
        except KeyboardInterrupt:
            # The Pico leaves the program on 0x03; here the firmware restarts at once
            # (a soft reboot), so the simulated device stays usable.
            b.serial.write(b"\r\nKeyboardInterrupt\r\nsoft reboot\r\n")
            self.boot()
            return
        except Exception:
            if self.power_lost():
                self.power_off()
                return
            raise
        if self.power_lost():
            self.power_off()
            return
        timer = getattr(self.fs, "timer", None)
        if timer is not None:
            ms = timer.take_ms()
            if ms > 0:
                self.stall(ms)

    def stall(self, ms):
        """The loop stops for ms (flash): inputs keep changing, only the counter sees them."""
        self.stalled_ms += ms
        self.stalls += 1
        end = self.vt + ms
        while self.sched and self.sched[0][0] <= end:
            at, on, off = self.sched.pop(0)
            if at > self.vt:
                self.vt = at
            self._change(on, off)
        self.vt = end
        self.fine_until = self.vt + SETTLE_MS

    def power_off(self):
        """Stop the device: no more steps, LEDs dark."""
        self.off = True
        self.board.frame[:] = bytes(72)

    def _change(self, on, off):
        mask = (self.mask | on) & ~off
        if mask != self.mask:
            self.mask = mask
            self.board.pins_changed(mask)

    def _apply_due(self):
        changed = False
        while self.sched and self.sched[0][0] <= self.vt:
            _, on, off = self.sched.pop(0)
            self._change(on, off)
            changed = True
        if changed:
            self.fine_until = self.vt + SETTLE_MS

    def run_until(self, target):
        """Advance the virtual clock to target (virtual ms since boot), stepping the app."""
        while self.vt < target:
            fine = self.vt < self.fine_until or (self.mask & 7)
            nxt = self.vt + (LOOP_MS if fine else IDLE_MAX_MS)
            if self.sched and self.sched[0][0] < nxt:
                nxt = self.sched[0][0]
            if nxt > target:
                nxt = target
            if nxt <= self.vt:
                nxt = self.vt + 1
            self.vt = nxt
            self._apply_due()
            self.step()

    def schedule(self, at, on, off):
        """Set bits `on` and clear bits `off` of the input mask at virtual ms `at`."""
        i = len(self.sched)
        while i > 0 and self.sched[i - 1][0] > at:
            i -= 1
        self.sched.insert(i, (at, on, off))

    def schedule_end(self):
        """Virtual ms of the last scheduled input change (now if none)."""
        return self.sched[-1][0] if self.sched else self.vt

    # ---- control commands ----
    def cmd_press(self, bits, ms):
        """Press the buttons in `bits` for `ms` ms after any queued input."""
        at = max(self.vt, self.schedule_end())
        self.schedule(at, bits, 0)
        self.schedule(at + ms, 0, bits)
        self.schedule(at + ms + SETTLE_MS, 0, 0)
        if not self.realtime:
            self.run_until(at + ms + SETTLE_MS)

    def cmd_hold(self, on, off):
        """Press the buttons in `on` and release those in `off`, after any queued input."""
        at = max(self.vt, self.schedule_end())
        self.schedule(at, on, off)
        self.schedule(at + SETTLE_MS, 0, 0)  # let it settle before whatever comes next
        if not self.realtime:
            self.run_until(at + SETTLE_MS)

    def cmd_turn(self, steps):
        """Turn the knob `steps` detents (positive = clockwise) after any queued input."""
        seq = self.cw if steps > 0 else self.ccw
        at = max(self.vt, self.schedule_end())
        for _ in range(abs(steps)):
            for q in seq:
                at += TURN_STEP_MS
                self.schedule(at, q, 24 & ~q)
        if not self.realtime:
            self.run_until(at + SETTLE_MS)

    def state(self):
        """A JSON-ready snapshot of the simulated device."""
        return simstate.snapshot(self)

    # ---- real-time clock ----
    def rebase_clock(self, speed):
        """Restart real-time mode from now at `speed` virtual ms per real ms."""
        self._real0 = real_ms()
        self._vt0 = self.vt
        self.speed = speed

    def target(self):
        """The virtual ms the clock should have reached by now in real-time mode."""
        return self._vt0 + int(_tdiff(real_ms(), self._real0) * self.speed)
