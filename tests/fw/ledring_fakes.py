# Small stand-ins for Session and Ui with the attributes the LED renderer reads (per the contract).
from events import BAL_ALWAYS, ST_RUNNING


class FakeAgenda:
    def __init__(self, seats=8, facilitators=(0,), balance=BAL_ALWAYS):
        self.seats = seats
        self.facilitators = tuple(facilitators)
        mask = 0
        for s in facilitators:
            mask |= 1 << s
        self.fac_mask = mask
        self.balance = balance
        self.phases = ()


class FakeSession:
    def __init__(self, seats=8, facilitators=(0,), state=ST_RUNNING):
        self.agenda = FakeAgenda(seats, facilitators)
        self.state = state
        self.phase = 0
        self.speaker = -1
        self.elapsed = 0
        self.planned = 600000
        self.pw = False
        self.po = False
        self.tw = False
        self.to = False
        self.talk = [0] * 12
        self.queue = [0] * 12
        self.queue_len = 0
        self.next_queued = -1

    def phase_elapsed_ms(self, now):
        return self.elapsed

    def phase_planned_ms(self):
        return self.planned

    def phase_warning(self, now):
        return self.pw

    def phase_overrun(self, now):
        return self.po

    def turn_warning(self, now):
        return self.tw

    def turn_overrun(self, now):
        return self.to

    def seat_talk_now(self, seat, now):
        return self.talk[seat]

    def queue_next(self, now):
        return self.next_queued

    def member_talk_ms(self, now):
        total = 0
        for s in range(self.agenda.seats):
            if not (self.agenda.fac_mask >> s) & 1:
                total += self.talk[s]
        return total


class FakeUi:
    def __init__(self):
        self.cursor = -1
        self.ack_until = 0
        self.ack_seat = -1
        self.hold_button = 0
        self.hold_progress = 0
        self.glance_until = 0
        self.battery_until = 0
        self.battery_pct = -1
        self.alert = 0
        self.alert_until = 0
        self.bal = False
        self.reveal = False
        self.press_seat = -1

    def balance_visible(self, now):
        return self.bal

    def revealing(self, now):
        return self.reveal


def leds(frame):
    """24 (r, g, b) tuples from a frame (test helper; allocates)."""
    return [(frame[3 * i], frame[3 * i + 1], frame[3 * i + 2]) for i in range(24)]


def lit(frame):
    """Indices of LEDs that are on."""
    return [i for i in range(24) if frame[3 * i] or frame[3 * i + 1] or frame[3 * i + 2]]


def level(frame, i):
    """Brightness of LED i as its largest channel."""
    return max(frame[3 * i], frame[3 * i + 1], frame[3 * i + 2])
