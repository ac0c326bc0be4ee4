"""Shewhart X-bar chart of period means with limits from a baseline (docs/analytics.md).

Pure functions over per-period sums (n, Σx, Σx²), so the SQL stays one GROUP BY.
The centre line is the mean of every score in the baseline periods; sigma is the
pooled within-period standard deviation of the baseline (or, when every baseline
period holds a single score, the average moving range / 1.128 of the period means);
period t gets limits centre ± 3·sigma/√n_t, clipped to the 0–100 scale.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

#: A run of this many period means on one side of the centre line is a signal too.
RUN = 8
D2 = 1.128  # the mean range of two normal observations, in sigmas


@dataclass(frozen=True)
class Sums:
    period: str
    n: int
    total: float
    squares: float


@dataclass(frozen=True)
class ControlPoint:
    period: str
    n: int
    mean: float | None
    lcl: float | None
    ucl: float | None
    signal: str = ""  # "", "above", "below" (outside a limit) or "run" (RUN on one side)


@dataclass(frozen=True)
class ControlChart:
    center: float | None
    sigma: float | None
    baseline: tuple[str, ...]
    points: tuple[ControlPoint, ...]


def _sigma(base: list[Sums]) -> float | None:
    dof = sum(s.n - 1 for s in base if s.n > 1)
    if dof > 0:
        within = sum(s.squares - s.total * s.total / s.n for s in base if s.n > 1)
        return math.sqrt(max(within, 0.0) / dof)
    means = [s.total / s.n for s in base]
    if len(means) < 2:
        return None
    ranges = [abs(b - a) for a, b in itertools.pairwise(means)]
    return sum(ranges) / len(ranges) / D2


def shewhart(series: list[Sums], baseline: int | None = None) -> ControlChart:
    """Limits from the first `baseline` periods with data (default: the first half, at least 2)."""
    filled = [s for s in series if s.n > 0]
    size = baseline if baseline else max(2, math.ceil(len(filled) / 2))
    base = filled[:size]
    center = sigma = None
    if len(base) >= 2:
        center = sum(s.total for s in base) / sum(s.n for s in base)
        sigma = _sigma(base)
    points: list[ControlPoint] = []
    side_run: list[int] = []
    for s in series:
        mean = s.total / s.n if s.n else None
        lcl = ucl = None
        signal = ""
        if center is not None and sigma is not None and mean is not None:
            half = 3 * sigma / math.sqrt(s.n)
            lcl, ucl = max(0.0, center - half), min(100.0, center + half)
            signal = "above" if mean > ucl else "below" if mean < lcl else ""
            side = (mean > center) - (mean < center)
            side_run = [*side_run, side] if side_run and side_run[-1] == side != 0 else [side]
            if not signal and side != 0 and len(side_run) >= RUN:
                signal = "run"
        points.append(ControlPoint(s.period, s.n, _round(mean), _round(lcl), _round(ucl), signal))
    return ControlChart(_round(center), _round(sigma), tuple(b.period for b in base), tuple(points))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
