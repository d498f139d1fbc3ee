"""figures(): deploy_s, redeploy_s (MicroPython unix port on a pty), led_current_ma_cap."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "host"))
sys.path.insert(0, str(ROOT / "tests"))


def _deploy_times() -> tuple[float, float]:
    from talktoken.deploy import update as deploy
    from test_deploy import PtyDevice

    with tempfile.TemporaryDirectory() as tmp:
        dev = PtyDevice(Path(tmp)).start()
        try:
            t0 = time.perf_counter()
            deploy.deploy(dev.port, root=tmp)
            full = time.perf_counter() - t0
            dev.restart()
            t0 = time.perf_counter()
            result = deploy.deploy(dev.port, root=tmp)
            again = time.perf_counter() - t0
            assert not result.plan.copy
        finally:
            dev.stop()
    return full, again


def figures() -> dict:
    from talktoken.hardware import power

    b = power.budget()
    full, again = _deploy_times()
    return {
        "deploy_s": round(full, 3),
        "redeploy_s": round(again, 3),
        "led_current_ma_cap": round(b.led_ma_worst, 1),
        "total_current_ma_cap": round(b.total_ma_worst, 1),
        "battery_hours_typical": round(b.battery_hours_typical, 1),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(figures(), indent=2, sort_keys=True))
