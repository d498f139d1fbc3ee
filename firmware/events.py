"""Event and action codes shared by the session, the log store, the protocol and the host."""

from micropython import const

# Logged events (4-bit type in a log record; see docs/log-format.md).
EV_SESSION_START = const(1)
EV_SESSION_END = const(2)
EV_PHASE_START = const(3)
EV_PHASE_END = const(4)
EV_TURN_START = const(5)
EV_TURN_END = const(6)
EV_PASS = const(7)
EV_PAUSE = const(8)
EV_RESUME = const(9)
EV_EXTEND = const(10)
EV_GAP = const(11)  # power was lost; the session resumed here after a reboot
EV_CHECKPOINT = const(12)  # nothing happened; bounds the unflushed window
EV_QUEUE_ADD = const(13)  # a seat joined the open-floor queue (log format 2)
EV_QUEUE_REMOVE = const(14)  # a seat left the queue by the facilitator's gesture
EV_MARKER = const(15)  # the facilitator marked this moment (offset only, never text)

EVENT_NAMES = (
    None,
    "session_start",
    "session_end",
    "phase_start",
    "phase_end",
    "turn_start",
    "turn_end",
    "pass",
    "pause",
    "resume",
    "extend",
    "gap",
    "checkpoint",
    "queue_add",
    "queue_remove",
    "marker",
)

NO_SEAT = const(15)  # seat nibble for events that belong to no seat

# Floor modes and balance display choices (agenda fields).
MODE_ROUND = const(0)
MODE_OPEN = const(1)
BAL_ALWAYS = const(0)
BAL_ON_DEMAND = const(1)
BAL_OFF = const(2)
BAL_PHASE_END = const(3)  # hidden, revealed for reveal_seconds when a phase or the session ends
FLOOR_NAMES = ("round", "open")  # index = MODE_*
BALANCE_NAMES = ("always", "on_demand", "off", "phase_end")  # index = BAL_*
QUEUE_OFF = const(0)
QUEUE_FIFO = const(1)
QUEUE_QUIET_FIRST = const(2)
QUEUE_NAMES = ("off", "fifo", "quiet_first")  # index = QUEUE_*
CUE_OFF = const(0)
CUE_CHIME = const(1)
CUE_VIBRATE = const(2)
CUE_NAMES = ("off", "chime", "vibrate")  # index = CUE_*
CUE_TURNS_BIT = const(0x80)  # in the log header's cue byte: cue_turns is on

# Session states.
ST_READY = const(0)
ST_RUNNING = const(1)
ST_PAUSED = const(2)
ST_ENDED = const(3)
STATE_NAMES = ("ready", "running", "paused", "ended")
