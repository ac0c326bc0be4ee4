"""The satisfaction index's 95 % interval: the results pages show it for every group, and
rule 6 of trend detection reads a group's sampling error from it, so both use one t
table."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

# Two-sided 95 % Student t quantiles by degrees of freedom; 1.96 beyond the table.
_T95 = {
    1: 12.706,
    2: 4.303,
    3: 3.182,
    4: 2.776,
    5: 2.571,
    6: 2.447,
    7: 2.365,
    8: 2.306,
    9: 2.262,
    10: 2.228,
    12: 2.179,
    15: 2.131,
    20: 2.086,
    25: 2.060,
    30: 2.042,
    40: 2.021,
    60: 2.000,
    120: 1.980,
}


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float


def t95(df: int) -> float:
    keys = [k for k in sorted(_T95) if k <= df]
    return _T95[keys[-1]] if keys and df <= 120 else 1.96 if df > 120 else _T95[1]


def interval(values: Sequence[float]) -> Interval | None:
    """Mean with a 95 % t interval, clipped to 0–100 (None without values)."""
    if not values:
        return None
    mean = statistics.fmean(values)
    if len(values) < 2:
        return Interval(round(mean, 1), round(mean, 1), round(mean, 1))
    half = t95(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return Interval(
        round(mean, 1), round(max(0.0, mean - half), 1), round(min(100.0, mean + half), 1)
    )
