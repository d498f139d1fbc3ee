# Power-cut sweep in MicroPython: a cut after every block operation of a 300-turn session.
from __future__ import annotations

import pytest
from log_sweep import sweep


@pytest.mark.slow
def test_power_cut_after_every_block_operation() -> None:
    r = sweep()
    s = r["session"]
    print(
        f"\npower-cut sweep: {r['points']} points over {s['ops']} block operations "
        f"({s['writes']} writes, {s['erases']} erases, {s['flushes']} flushes, "
        f"{s['records']} records); outcomes {r['kinds']}; worst time lost {r['max_lost_ms']} ms; "
        f"failures {len(r['failures'])}"
    )
    assert s["ops"] > 500, "the session must exercise the flash"
    assert r["points"] == s["ops"], r["missing"][:20]
    assert not r["failures"], "\n".join(r["failures"][:30])
    assert r["kinds"].get("resumed", 0) > 0.9 * r["points"], r["kinds"]
    assert r["max_lost_ms"] <= 61000
