# The app with a real LogStore on a RAM file system: agenda file, boot recovery after power loss.
import sys

import agenda
import logfmt
import logstore
from app import AGENDA_FILE, App
from clockmath import TICKS_PERIOD
from coretest import HOLD, KNOB, PHASE, Driver, FakeBoard, MemFs, make, tallies
from events import EV_GAP, ST_ENDED, ST_PAUSED, ST_READY, ST_RUNNING
from fwtest import eq, raises
from session import Session
from ui import ALERT_AGENDA_REJECTED, ALERT_RESUMED


def _boot(fs, t0=5000):
    b = FakeBoard(t0, fs)
    store = logstore.LogStore(fs, b.unique_id(), "0.1.0")
    app = App(b, store=store)
    return app, b, Driver(app, b)


def test_agenda_file_default_save_and_reload():
    fs = MemFs()
    app, b, d = _boot(fs)
    eq(agenda.digest(app.agenda), agenda.digest(agenda.default()), "no file: default")
    eq(app.ui.alert, 0)
    a = make(seats=6, name="Grief group")
    app.set_agenda(a)
    eq(fs.text(AGENDA_FILE), agenda.canonical(a))
    assert "agenda.tmp" not in fs.files, "written through a temporary file"
    app2, _b, _d = _boot(fs)
    eq(agenda.digest(app2.agenda), agenda.digest(a), "reloaded at boot")
    eq(app2.session.agenda.seats, 6)


def test_bad_agenda_file_falls_back_with_alert():
    fs = MemFs()
    f = fs.open(AGENDA_FILE, "wb")
    f.write(b'{"name": "x", "seats": 40, "phases": []}')
    f.close()
    app, b, d = _boot(fs)
    eq(agenda.digest(app.agenda), agenda.digest(agenda.default()))
    eq(app.ui.alert, ALERT_AGENDA_REJECTED)
    fs.files[AGENDA_FILE][0:1] = b"#"  # not JSON at all
    app, b, d = _boot(fs)
    eq(app.agenda.seats, 8)


def test_rejected_agenda_keeps_the_old_one():
    fs = MemFs()
    app, b, d = _boot(fs)
    a = make(seats=4)
    app.set_agenda(a)
    before = fs.text(AGENDA_FILE)
    err = raises(agenda.AgendaError, app.set_agenda_json, '{"name": "", "seats": 4}', b.t)
    assert err.problems
    eq(app.ui.alert, ALERT_AGENDA_REJECTED)
    eq(fs.text(AGENDA_FILE), before)
    eq(app.agenda.seats, 4)
    d.press(PHASE, 1600)
    raises(agenda.AgendaError, app.set_agenda, make(seats=9))
    eq(fs.text(AGENDA_FILE), before, "no change while a session runs")
    d.press(HOLD, 3100)
    got = app.set_agenda_json(agenda.to_json(make(seats=3)), b.t)
    eq(app.agenda.seats, 3)
    eq(fs.text(AGENDA_FILE), agenda.canonical(got))


def _run_some(d, app):
    d.press(PHASE, 1600)
    d.press(KNOB, 100)  # seat 0 starts the round
    d.wait(20000)
    d.press(KNOB, 100)
    d.wait(3000)
    d.press(KNOB, 1600)  # seat 1 passes within the grace (its turn becomes the pass) -> seat 2
    d.wait(12000)
    d.press(HOLD, 100)
    d.wait(3000)
    d.press(HOLD, 100)
    d.wait(4000)


def test_power_loss_and_recovery():
    fs = MemFs()
    app, b, d = _boot(fs)
    _run_some(d, app)
    s = app.session
    eq(s.speaker, 2)
    d.wait(100)  # the store flushes at the next boundary; resume was one
    live = tallies(s)
    live_ms = s.session_ms(b.t)
    talk2 = s.turn_elapsed_ms(b.t)
    # power is cut: nothing more is written; the device boots with an unrelated tick
    app2, b2, d2 = _boot(fs, t0=TICKS_PERIOD - 2000)
    s2 = app2.session
    eq(s2.state, ST_RUNNING)
    eq(app2.ui.alert, ALERT_RESUMED)
    eq(b2.serial.interrupt, False, "0x03 off: a session runs again")
    for mod in ("sessreplay", "logrecover"):
        assert mod not in sys.modules, "%s stays loaded after the recovery at boot" % mod
    eq(s2.speaker, 2)
    t_last = s2.last_t_ms
    assert t_last <= live_ms
    # tallies match the live session at the last logged record (the resume)
    eq(tallies(s2)[:4], live[:4])
    assert s2.turn_elapsed_ms(b2.t) <= talk2
    d2.wait(10000)  # across the tick wrap
    d2.press(KNOB, 100)  # seat 2 done -> seat 3
    eq(s2.speaker, 3)
    d2.press(HOLD, 3100)
    eq(s2.state, ST_ENDED)
    d2.wait(100)
    # the one file holds the whole session; replaying it gives the final tallies
    names = [n for n in fs.listdir("tt") if logstore.valid_name(n)]
    eq(len(names), 1)
    h, recs, problems, torn = logfmt.decode(fs.text("tt/" + names[0]))
    eq(problems, [])
    eq(len([r for r in recs if r[0] == EV_GAP]), 1)
    s3 = Session(s2.agenda)
    for r in recs:
        s3.replay(*r)
    eq(s3.state, ST_ENDED)
    eq(tallies(s3), tallies(s2))
    # a third boot finds nothing to resume
    app3, b3, d3 = _boot(fs)
    eq(app3.session.state, ST_READY)
    eq(app3.ui.alert, 0)


def test_recovery_while_paused():
    fs = MemFs()
    app, b, d = _boot(fs)
    d.press(PHASE, 1600)
    d.press(KNOB, 100)
    d.wait(5000)
    d.press(HOLD, 100)
    d.wait(100)
    app2, b2, d2 = _boot(fs, t0=77)
    eq(app2.session.state, ST_PAUSED)
    eq(app2.session.speaker, 0)
    d2.press(HOLD, 100)
    eq(app2.session.state, ST_RUNNING)
