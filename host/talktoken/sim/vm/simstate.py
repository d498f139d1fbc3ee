"""Snapshot of a simulated device's session, ui, serial and flash state (for SimDevice.state())."""

# Runs INSIDE the VM (MicroPython unix port or CPython), next to driver.py.
import sys

from events import FLOOR_NAMES, STATE_NAMES


def snapshot(drv):
    """The device's state as a JSON-ready dict (SimDevice.state())."""
    a = drv.app
    s = a.session
    ui = a.ui
    now = drv.now()
    n = s.seats
    ag = s.agenda
    ph = ag.phases[s.phase] if s.phase < len(ag.phases) else None
    st = {
        "vt": drv.vt,
        "now": now,
        "off": drv.off,
        "boots": drv.boots,
        "state": STATE_NAMES[s.state],
        "agenda": ag.name,
        "seats": n,
        "facilitators": list(ag.facilitators),
        "phase": s.phase,
        "phases": len(ag.phases),
        "phase_name": ph.name if ph is not None else "",
        "phase_mode": FLOOR_NAMES[ph.mode] if ph is not None else "",
        "speaker": s.speaker,
        "round_first": s.round_first,
        "extend_min": getattr(s, "extend_min", 0),
        "session_ms": s.session_ms(now),
        "phase_elapsed_ms": s.phase_elapsed_ms(now),
        "phase_planned_ms": s.phase_planned_ms(),
        "turn_elapsed_ms": s.turn_elapsed_ms(now),
        "turn_budget_ms": s.turn_budget_ms(),
        "phase_warning": bool(s.phase_warning(now)),
        "phase_overrun": bool(s.phase_overrun(now)),
        "turn_warning": bool(s.turn_warning(now)),
        "turn_overrun": bool(s.turn_overrun(now)),
        "talk_ms": [s.seat_talk_now(i, now) for i in range(n)],
        "turns": list(s.seat_turns[:n]),
        "passes": list(s.seat_passes[:n]),
        "over": list(getattr(s, "seat_over", [0] * n)[:n]),
        "queue": [s.queue[i] for i in range(s.queue_len)],
        "queue_next": s.queue_next(now),
        "silence_ms": s.silence_now(now) if hasattr(s, "silence_now") else 0,
        "ui": {
            "cursor": ui.cursor,
            "ack_seat": ui.ack_seat,
            "hold_button": ui.hold_button,
            "hold_progress": ui.hold_progress,
            "balance_visible": bool(ui.balance_visible(now)),
            "revealing": bool(ui.revealing(now)),
            "press_seat": ui.press_seat,
            "alert": ui.alert,
            "accepted": getattr(ui, "accepted", 0),
        },
        "cue": {"pulses": a.cue.pulses, "tone_hz": drv.board.tone_hz, "tones": drv.board.tones},
        "clock_set": bool(a.clock_set),
        "clock_source": a.clock_source,
        "rtc_module": drv.board.rtc_module,
        "rtc": drv.board.rtc_now(),
        "frames": drv.board.frames,
        "knob": "pio" if drv.board.knob_counted else "polled",
        "flash_stall_ms": drv.stalled_ms,
        "flash_stall": getattr(getattr(drv.fs, "timer", None), "mode", "none"),
        "serial": {
            "in": drv.board.serial.bytes_in,
            "out": drv.board.serial.bytes_out,
            "dropped": drv.board.serial.dropped_out,
            "interrupts": drv.board.serial.interrupts,
            "interrupt_enabled": drv.board.serial.interrupt,
        },
        "fw": getattr(a, "fw_version", ""),
        "vm": sys.implementation.name,
    }
    bdev = getattr(drv.fs, "bdev", None)
    if bdev is not None:
        st["flash"] = {
            "ops": bdev.ops,
            "writes": bdev.writes,
            "erases": bdev.erases,
            "dead": bool(bdev.dead),
            "reformatted": bool(getattr(drv.fs, "reformatted", False)),
        }
    store = getattr(a, "store", None)
    if store is not None:
        st["log"] = {"flushes": getattr(store, "flushes", 0)}
    return st
