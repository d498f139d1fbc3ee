"""Summaries of a scripted session played on a SimDevice (used by `talktoken demo`)."""

from __future__ import annotations

from talktoken.report.fmt import duration, phase_label
from talktoken.sim.scenario import Played


def mmss(ms: int) -> str:
    """Milliseconds as m:ss (or h:mm:ss), rounded exactly as every report rounds them."""
    return duration(max(0, ms))


def as_dict(played: Played) -> dict:
    """JSON-ready summary: session, seats and phases."""
    st = played.final
    fac = set(st["facilitators"])
    members = sum(t for i, t in enumerate(st["talk_ms"]) if i not in fac)
    seats = []
    for i in range(st["seats"]):
        talk = st["talk_ms"][i]
        seats.append(
            {
                "seat": i,
                "facilitator": i in fac,
                "talk_ms": talk,
                "member_share": None if i in fac or not members else round(talk / members, 4),
                "turns": st["turns"][i],
                "passes": st["passes"][i],
                "over_budget": st["over"][i],
            }
        )
    phases = [
        {
            "name": p.name,
            "floor": p.mode,
            "planned_ms": p.planned_ms,
            "actual_ms": p.actual_ms,
            "overrun_ms": p.overrun_ms,
            "extend_min": p.extend_min,
            "turns": p.turns,
            "passes": p.passes,
        }
        for p in played.phases
    ]
    return {
        "agenda": st["agenda"],
        "state": st["state"],
        "session_ms": st["session_ms"],
        "seats": seats,
        "phases": phases,
        "vm": st["vm"],
    }


def as_text(played: Played) -> str:
    """Two aligned tables (seats, phases) and a one-line session total."""
    d = as_dict(played)
    n_members = sum(1 for s in d["seats"] if not s["facilitator"])
    fair = 1 / n_members if n_members else 0
    lines = [f"Session: {d['agenda']}, {mmss(d['session_ms'])} ({d['state']}, {d['vm']})", ""]
    lines.append("seat  role         talk  of members  vs fair  turns  passes  over")
    for s in d["seats"]:
        role = "facilitator" if s["facilitator"] else "member"
        ms = s["member_share"]
        share = "-" if ms is None else f"{ms * 100:4.0f}%"
        vs = "-" if ms is None else f"{(ms - fair) * 100:+5.0f}"
        lines.append(
            f"{s['seat']:>4}  {role:<11} {mmss(s['talk_ms']):>5}  {share:>10}  {vs:>7}"
            f"  {s['turns']:>5}  {s['passes']:>6}  {s['over_budget']:>4}"
        )
    lines += ["", "phase                      floor   plan  actual  over  extend  turns  passes"]
    for i, p in enumerate(d["phases"]):
        over = mmss(p["overrun_ms"]) if p["overrun_ms"] else "-"
        ext = f"{p['extend_min']:+d} min" if p["extend_min"] else "-"
        lines.append(
            f"{phase_label(i, p['name'])[:26]:<26} {p['floor']:<5} {mmss(p['planned_ms']):>6}"
            f"  {mmss(p['actual_ms']):>6}  {over:>4}  {ext:>6}  {p['turns']:>5}  {p['passes']:>6}"
        )
    return "\n".join(lines)
