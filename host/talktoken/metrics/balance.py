"""Plain functions over lists of ints; the formulas: docs/metrics.md, "Balance of members"."""

from __future__ import annotations

import math


def median(values: list[int]) -> float | None:
    """Middle value (mean of the two middle values for an even count); None when empty."""
    if not values:
        return None
    s = sorted(values)
    n = len(s)
    mid = n // 2
    return float(s[mid]) if n % 2 else (s[mid - 1] + s[mid]) / 2


def gini(values: list[int]) -> float | None:
    """Gini coefficient sum|xi-xj| / (2 n^2 mean); None when the total is 0 or no values."""
    n = len(values)
    total = sum(values)
    if n == 0 or total <= 0:
        return None
    s = sorted(values)
    # Sorted form: G = (2 * sum_i i*x_i) / (n * total) - (n + 1) / n, with i = 1..n.
    weighted = sum((i + 1) * x for i, x in enumerate(s))
    return max(0.0, 2.0 * weighted / (n * total) - (n + 1) / n)


def gini_corrected(values: list[int]) -> float | None:
    """Gini times n/(n-1), the small-group correction: 1 when one of n voices holds all talk."""
    g = gini(values)
    n = len(values)
    return None if g is None or n < 2 else min(1.0, g * n / (n - 1))


def lorenz(values: list[int]) -> list[tuple[float, float]]:
    """Lorenz curve points (share of members, share of talk), quietest first, from (0, 0)."""
    total = sum(values)
    n = len(values)
    if n == 0 or total <= 0:
        return []
    pts = [(0.0, 0.0)]
    acc = 0
    for i, x in enumerate(sorted(values)):
        acc += x
        pts.append(((i + 1) / n, acc / total))
    return pts


def normalized_entropy(values: list[int]) -> float | None:
    """Shannon entropy of the shares divided by ln(n): 1 = perfectly even, 0 = one voice."""
    n = len(values)
    total = sum(values)
    if n < 2 or total <= 0:
        return None
    h = -sum((x / total) * math.log(x / total) for x in values if x > 0)
    return h / math.log(n)


def balance(member_talk_ms: list[int]) -> dict:
    """Balance indices over the members' talk times (facilitators excluded by the caller)."""
    total = sum(member_talk_ms)
    top = max(member_talk_ms) / total if member_talk_ms and total > 0 else None
    return {
        "members": len(member_talk_ms),
        "gini": gini(member_talk_ms),
        "gini_corrected": gini_corrected(member_talk_ms),
        "entropy": normalized_entropy(member_talk_ms),
        "top_share": top,
        "fair_share": 1 / len(member_talk_ms) if member_talk_ms else None,
    }
