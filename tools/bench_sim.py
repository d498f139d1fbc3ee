"""figures(): sim_90min_s_micropython, sim_90min_s_cpython (goal <= 2 s each)."""

from __future__ import annotations

import time


def session_seconds(vm: str) -> tuple[float, int]:
    """(wall seconds, virtual session ms) for the full 90-minute session, device start included."""
    from talktoken.sim import SimDevice
    from talktoken.sim.scenario import full_session, play

    started = time.perf_counter()
    with SimDevice(vm=vm) as dev:
        played = play(dev, full_session())
    wall = time.perf_counter() - started
    return wall, played.final["session_ms"]


def figures() -> dict:
    out: dict[str, object] = {}
    for vm in ("micropython", "cpython"):
        wall, virtual_ms = min(session_seconds(vm) for _ in range(3))
        out[f"sim_90min_s_{vm}"] = round(wall, 3)
        out[f"sim_90min_virtual_min_{vm}"] = round(virtual_ms / 60_000, 2)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(figures(), indent=2))
