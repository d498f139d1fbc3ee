# Trends across sessions: ordering by date, per-seat points, least-squares slope.
from __future__ import annotations

import pytest
from report_kit import Script, dated
from talktoken.metrics import summary as metrics
from talktoken.metrics import trends


def week(i: int, seat1_ms: int) -> dict:
    s = Script(seats=3, facilitators=[0], started=dated(i)).start(0)
    s.turn(1, 0, seat1_ms).turn(2, seat1_ms, seat1_ms + 10_000)
    return metrics.summarize(s.end(seat1_ms + 10_000).log(session_id=f"s{i:02d}"))


def test_points_sorted_by_date_and_slope():
    # seat 1's member share: 10/20, 30/40, 50/60 in weeks 2, 0, 1 (given out of order)
    out = trends.seat_trends([week(2, 50_000), week(0, 10_000), week(1, 30_000)])
    s1 = next(e for e in out if e["seat"] == 1)
    assert [p["session_id"] for p in s1["points"]] == ["s00", "s01", "s02"]
    shares = [0.5, 0.75, 50 / 60]
    assert [p["share"] for p in s1["points"]] == pytest.approx(shares)
    # x = 0, 1, 2 weeks: slope = cov/var = ((-1)(0.5-m) + (1)(0.8333-m)) / 2 per week
    assert s1["slope_per_week"] == pytest.approx((shares[2] - shares[0]) / 2)
    assert s1["mean_share"] == pytest.approx(sum(shares) / 3)
    fac = next(e for e in out if e["seat"] == 0)
    assert fac["facilitator"] is True and fac["points"][0]["share"] == 0.0


def test_undated_sessions_have_no_slope():
    a = week(0, 10_000)
    b = week(1, 20_000)
    a["started_at"] = b["started_at"] = None
    out = trends.seat_trends([a, b])
    assert all(e["slope_per_week"] is None for e in out)
    assert len(out[1]["points"]) == 2
