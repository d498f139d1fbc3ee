# LED ring: balance tint, colour-blind safety, the brightness cap in every state, no allocation.
import hwconfig
import ledring as R
from events import ST_ENDED, ST_PAUSED, ST_READY, ST_RUNNING
from fwtest import eq
from ledring_fakes import FakeSession, FakeUi, level, lit
from test_ledring import NOW, arc, draw, sum_level


def balance_session():
    s = FakeSession(8, facilitators=(0,))
    # member seats 1..7; a fair share is 1/7 of member talk
    for seat, minutes in ((1, 1), (2, 4), (3, 4), (4, 12), (5, 4), (6, 0), (7, 3)):
        s.talk[seat] = minutes * 60000
    s.talk[0] = 30 * 60000  # the facilitator talks a lot: not part of the balance
    return s


def bal_ui():
    ui = FakeUi()
    ui.bal = True
    return ui


def seat_lit(f, seat, seats=8):
    return [i for i in arc(seat, seats) if level(f, i) > 3]


def test_balance_length_and_brightness_follow_share():
    s = balance_session()
    f = draw(s, bal_ui())
    quiet, fair, loud = seat_lit(f, 1), seat_lit(f, 2), seat_lit(f, 4)
    assert len(quiet) < len(fair) < len(loud), (quiet, fair, loud)
    eq(len(loud), 3, "twice fair fills the arc")
    assert sum_level(f, fair) > 0
    assert level(f, arc(4, 8)[0]) > level(f, arc(2, 8)[0]) > level(f, arc(1, 8)[0])
    assert len(seat_lit(f, 6)) == 0 and level(f, arc(6, 8)[0]) > 0, "silent seat still marked"


def test_balance_tints_differ():
    f = draw(balance_session(), bal_ui())

    def rgb(seat):
        i = arc(seat, 8)[0]
        return (f[3 * i], f[3 * i + 1], f[3 * i + 2])

    quiet, fair, loud = rgb(1), rgb(2), rgb(4)
    assert quiet[2] > quiet[1] and quiet[2] > quiet[0], "under: blue"
    assert fair[1] > fair[0] and fair[1] > fair[2], "fair: green"
    assert loud[0] > loud[1], "over: magenta"


def test_facilitator_neutral():
    s = balance_session()
    a = draw(s, bal_ui())
    s.talk[0] = 0
    b = draw(s, bal_ui())
    eq(a, b, "facilitator talk changes nothing")
    eq([i for i in arc(0, 8) if level(a, i)], [0], "one neutral marker, no tinted arc")
    eq((a[0], a[1], a[2]), (6, 4, 1), "warm neutral marker")


def test_balance_hidden_unless_visible():
    s = balance_session()
    ui = FakeUi()
    eq(lit(draw(s, ui)), [], "no balance, no progress at t=0")
    ui.bal = True
    assert len(lit(draw(s, ui))) > 7


def test_phase_overrun_beats_always_on_balance_but_not_a_glance():
    s = balance_session()
    s.po = True
    ui = bal_ui()
    f = draw(s, ui)
    eq(len(lit(f)), 24, "overrun shown")
    ui.glance_until = NOW + 3000
    f2 = draw(s, ui)
    assert len(lit(f2)) < 24, "the facilitator asked for balance"


def test_colour_blind_signals_differ_beyond_hue():
    """Warning, overrun and balance must differ in brightness, motion or length, not only hue."""

    def lum(f, idx):  # a hue-blind view: total light only
        return sum_level(f, idx)

    s = FakeSession(8)
    s.speaker = 2
    idx = arc(2, 8)
    calm = [lum(draw(s, FakeUi(), t), idx) for t in range(0, 8192, 512)]
    s.tw = True
    warn = [lum(draw(s, FakeUi(), t), idx) for t in range(0, 8192, 512)]
    s.tw, s.to = False, True
    over = [lum(draw(s, FakeUi(), t), idx) for t in range(0, 8192, 512)]
    assert min(warn) > max(calm) * 3 // 2, "warning brighter than calm"
    eq(min(warn), max(warn), "warning steady")
    assert max(over) > 2 * min(over), "overrun moves"
    eq(min(calm), max(calm), "calm steady")
    # balance: under/fair/over differ in lit length even for someone who sees no hue
    f = draw(balance_session(), bal_ui())
    lengths = [len(seat_lit(f, seat)) for seat in (1, 2, 4)]
    eq(len(set(lengths)), 3, "three lengths")


def all_states():
    """(session, ui, now) for every state the renderer draws, at several times."""
    out = []
    for seats in (2, 3, 7, 12):
        for st in (ST_READY, ST_RUNNING, ST_PAUSED, ST_ENDED):
            for flags in range(16):
                s = FakeSession(seats, facilitators=(0,), state=st)
                for seat in range(seats):
                    s.talk[seat] = (seat * 7919 % 13) * 60000
                s.speaker = flags % seats
                s.tw, s.to = bool(flags & 1), bool(flags & 2)
                s.pw, s.po = bool(flags & 4), bool(flags & 8)
                s.elapsed = s.planned * (flags * 9) // 100
                ui = FakeUi()
                ui.cursor = (flags + 1) % seats
                ui.bal = bool(flags & 1)
                ui.ack_until = NOW + 100
                ui.ack_seat = flags % seats
                ui.hold_button = flags % 3
                ui.hold_progress = flags * 16
                if flags == 15:
                    ui.battery_until, ui.battery_pct = NOW + 100, 100
                if flags == 14:
                    ui.alert, ui.alert_until = 1 + seats % 3, NOW + 100
                out.append((s, ui))
    return out


def test_cap_never_exceeded_in_any_state():
    worst = 0
    for s, ui in all_states():
        for now in (NOW, NOW + 1024, NOW + 2048, NOW + 3072):
            f = draw(s, ui, now)
            assert max(f) <= hwconfig.MAX_LEVEL
            total = sum(f)
            assert total <= hwconfig.FRAME_SUM_CAP
            if total > worst:
                worst = total
    assert worst > hwconfig.FRAME_SUM_CAP // 4, "the sweep reached bright frames"


def test_render_allocates_nothing():
    import micropython

    cases = all_states()[::7]
    f = bytearray(72)
    times = [NOW, NOW + 1500, 0x3FFFFFFF]
    micropython.heap_lock()
    try:
        for s, ui in cases:
            for now in times:
                R.render(f, s, ui, now)
    finally:
        micropython.heap_unlock()
