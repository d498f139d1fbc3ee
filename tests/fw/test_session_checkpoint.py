# An explicit checkpoint (before a firmware update) records the session clock so nothing is lost.
from clockmath import TICKS_PERIOD
from coretest import Rig
from events import EV_CHECKPOINT, NO_SEAT
from fwtest import eq


def test_checkpoint_records_the_clock_now():
    r = Rig(t0=TICKS_PERIOD - 10000)  # across the tick wrap
    assert not r.s.checkpoint(r.now), "no session yet: nothing to record"
    r.do("start")
    r.wait(5000)
    r.do("give_floor", 2)
    r.wait(42000)
    assert r.s.checkpoint(r.now)
    eq(r.sink.of(EV_CHECKPOINT), [(EV_CHECKPOINT, NO_SEAT, 0, 47000, 0)], "checkpoint record")
    assert not r.s.checkpoint(r.now), "nothing new since the last record"


def test_checkpoint_while_paused_and_not_after_the_end():
    r = Rig()
    r.do("start")
    r.wait(1000)
    r.do("pause")
    r.wait(30000)
    assert r.s.checkpoint(r.now)
    eq(r.sink.recs[-1][3], 31000, "offset of the checkpoint taken in a pause")
    r.do("resume")
    r.do("end")
    r.wait(5000)
    assert not r.s.checkpoint(r.now), "an ended session records nothing more"
