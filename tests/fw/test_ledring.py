# LED ring: seat arcs, speaker, cursor, warning, overrun, paused, ready/ended, brightness cap.
import hwconfig
import ledring as R
from events import ST_ENDED, ST_PAUSED, ST_READY
from fwtest import eq
from ledring_fakes import FakeSession, FakeUi, level, lit

NOW = 1000000


def draw(s, ui, now=NOW):
    f = bytearray(72)
    R.render(f, s, ui, now)
    return f


def arc(seat, seats):
    return list(range(R.seat_start(seat, seats), R.seat_start(seat + 1, seats)))


def sum_level(f, idx):
    return sum(f[3 * i] + f[3 * i + 1] + f[3 * i + 2] for i in idx)


def test_seat_arcs_cover_ring_for_2_to_12_seats():
    for seats in range(2, 13):
        seen = []
        for seat in range(seats):
            s = FakeSession(seats)
            s.speaker = seat
            f = draw(s, FakeUi())
            on = lit(f)
            eq(on, arc(seat, seats), "speaker %d of %d" % (seat, seats))
            eq(on[0], seat * 24 // seats, "arc start")
            seen += on
        eq(sorted(seen), list(range(24)), "arcs tile the ring for %d seats" % seats)


def test_ready_screen_marks_every_seat():
    for seats in (2, 5, 8, 12):
        s = FakeSession(seats, facilitators=(0,), state=ST_READY)
        f = draw(s, FakeUi())
        eq(lit(f), [R.seat_start(i, seats) for i in range(seats)], "markers")
        # facilitator markers look different from members by brightness, not only hue
        assert level(f, 0) > level(f, R.seat_start(1, seats))


def test_cursor_single_point_brighter_than_arcs():
    s = FakeSession(6)
    s.speaker = 2
    ui = FakeUi()
    ui.cursor = 4
    f = draw(s, ui)
    spk = arc(2, 6)
    cur = R.cursor_led(4, 6)
    eq(lit(f), spk + [cur], "speaker arc plus one cursor LED")
    assert level(f, cur) > max(level(f, i) for i in spk), "cursor brighter"
    ui.cursor = 2  # on the speaker's own seat: the point still stands out by brightness
    f = draw(s, ui)
    cur = R.cursor_led(2, 6)
    others = [i for i in spk if i != cur]
    assert level(f, cur) >= 2 * max(level(f, i) for i in others)


def test_phase_progress_dim_arc_grows():
    s = FakeSession(8)
    counts = []
    for pct in (0, 10, 25, 50, 75, 99, 100, 130):
        s.elapsed = s.planned * pct // 100
        f = draw(s, FakeUi())
        on = lit(f)
        counts.append(len(on))
        if on:
            eq(on, list(range(len(on))), "arc from LED 0 clockwise")
        for i in on:
            assert level(f, i) <= 12, "progress is dim"
    eq(counts[0], 0, "nothing at start")
    eq(counts[3], 12, "half")
    eq(counts[6], 24, "full")
    for i in range(1, len(counts)):
        assert counts[i] >= counts[i - 1]


def test_turn_warning_amber_and_brighter():
    s = FakeSession(8)
    s.speaker = 3
    calm = draw(s, FakeUi())
    s.tw = True
    warn = draw(s, FakeUi())
    idx = arc(3, 8)
    assert sum_level(warn, idx) > 1.5 * sum_level(calm, idx), "brighter"
    r, g, b = warn[3 * idx[0]], warn[3 * idx[0] + 1], warn[3 * idx[0] + 2]
    assert r > g > b and b == 0, "amber"


def test_phase_warning_amber_and_brighter():
    s = FakeSession(8)
    s.elapsed = s.planned * 9 // 10
    calm = draw(s, FakeUi())
    s.pw = True
    warn = draw(s, FakeUi())
    eq(lit(warn), lit(calm), "same arc")
    idx = lit(calm)
    assert sum_level(warn, idx) > 2 * sum_level(calm, idx), "brighter"
    assert warn[0] > warn[1] > warn[2], "amber"


def samples(s, ui, t0, ms, step=10):
    out = []
    for t in range(t0, t0 + ms, step):
        out.append(sum_level(draw(s, ui, t & 0x3FFFFFFF), range(24)))
    return out


def peaks_per_second(series, step_ms):
    """Count full brightness cycles (rising crossings of the mid level) per second."""
    lo, hi = min(series), max(series)
    mid = (lo + hi) / 2
    band = (hi - lo) / 4
    crossings = 0
    below = series[0] < mid
    for v in series:
        if below and v > mid + band:
            crossings += 1
            below = False
        elif not below and v < mid - band:
            below = True
    return crossings * 1000 / (len(series) * step_ms)


def test_overrun_breathes_slowly():
    s = FakeSession(8)
    s.elapsed = s.planned + 60000
    s.po = True
    series = samples(s, FakeUi(), 0x3FFFFFFF - 10000, 24000)  # across the tick wrap too
    assert max(series) > 2 * min(series), "it breathes (motion, not just a hue)"
    hz = peaks_per_second(series, 10)
    assert 0.1 < hz <= 0.5, "overrun breathing %.2f Hz" % hz
    f = draw(s, FakeUi())
    assert f[0] > 0 and f[1] == 0 and f[2] == 0, "red"
    # largest step between 10 ms samples is small: no flashing
    jumps = [abs(series[i] - series[i - 1]) for i in range(1, len(series))]
    assert max(jumps) * 8 < max(series)


def test_turn_overrun_breathes_and_stands_out():
    s = FakeSession(8)
    s.speaker = 5
    s.to = True
    idx = arc(5, 8)
    series = [sum_level(draw(s, FakeUi(), t), idx) for t in range(0, 16000, 10)]
    assert max(series) > 2 * min(series)
    assert peaks_per_second(series, 10) <= 0.5
    s.po = True  # on a red overrun background the speaker is still the brightest arc
    for t in range(0, 4096, 256):
        f = draw(s, FakeUi(), t)
        assert min(level(f, i) for i in idx) > max(level(f, i) for i in range(24) if i not in idx)


def test_paused_whole_ring_dim_and_breathing():
    s = FakeSession(8, state=ST_PAUSED)
    s.speaker = 2
    f = draw(s, FakeUi())
    eq(len(lit(f)), 24, "whole ring")
    eq(len(set(level(f, i) for i in range(24))), 1, "uniform")
    series = samples(s, FakeUi(), 0, 30000)
    assert max(series) > 3 * min(series)
    assert max(series) <= 24 * 3 * 24, "dim"
    assert peaks_per_second(series, 10) <= 0.25


def test_ended_screen():
    f = draw(FakeSession(8, state=ST_ENDED), FakeUi())
    eq(lit(f), list(range(0, 24, 2)), "every other LED")


def test_ack_pip_at_seat():
    s = FakeSession(8)
    ui = FakeUi()
    ui.ack_until = NOW + 200
    ui.ack_seat = 3
    f = draw(s, ui)
    eq(lit(f), [9], "pip at seat 3's arc start")
    f = draw(s, ui, NOW + 250)
    eq(lit(f), [], "gone after ack_until")
    ui.ack_seat = -1
    eq(lit(draw(s, ui)), [0, 12], "no seat: two pips")


def test_hold_progress_fill():
    s = FakeSession(8)
    ui = FakeUi()
    for p, n in ((0, 0), (64, 6), (128, 12), (255, 24)):
        ui.hold_progress = p
        on = lit(draw(s, ui))
        assert abs(len(on) - n) <= 1, (p, on)


def test_alerts_differ_by_shape():
    s = FakeSession(8)
    ui = FakeUi()
    ui.alert_until = NOW + 5000
    shapes = []
    for kind in (1, 2, 3):
        ui.alert = kind
        shapes.append(len(lit(draw(s, ui))))
    eq(shapes, [4, 8, 12], "4, 8, 12 points")
    ui.alert = 1
    eq(len(lit(draw(s, ui, NOW + 6000))), 0, "expired")


def test_stale_deadlines_ignored_across_wrap():
    s = FakeSession(8)
    ui = FakeUi()  # every *_until is 0
    for now in (5, 1 << 28, (1 << 29) + 7, (1 << 30) - (1 << 20), (1 << 30) - 100):
        eq(lit(draw(s, ui, now)), [], "idle ring at %d" % now)


def test_battery_gauge():
    s = FakeSession(8)
    ui = FakeUi()
    ui.battery_until = NOW + 3000
    ui.battery_pct = 50
    f = draw(s, ui)
    bright = [i for i in range(24) if level(f, i) > 10]
    eq(bright, list(range(12)), "half")
    ui.battery_pct = 10
    f = draw(s, ui)
    eq([i for i in range(24) if level(f, i) > 10], list(range(R.battery.gauge_leds(10, 24))), "low")
    assert f[0] > 0 and f[1] == 0, "red when low"
    ui.battery_pct = -1
    eq(lit(draw(s, ui)), [0, 8, 16], "no battery")


def test_cap_scales_bright_frames():
    f = bytearray(b"\xff" * 72)
    R.cap(f)
    assert max(f) <= hwconfig.MAX_LEVEL
    assert sum(f) <= hwconfig.FRAME_SUM_CAP
    assert sum(f) > hwconfig.FRAME_SUM_CAP - 72, "scaled, not blanked"
    g = bytearray(72)
    g[5] = 200
    R.cap(g)
    eq(g[5], hwconfig.MAX_LEVEL, "clamped channel")
