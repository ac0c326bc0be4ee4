"""Figures as people read them."""

from __future__ import annotations

import math


def one_decimal(value: float) -> float:
    """Round half up (90.05 -> 90.1), not to even; a tiny epsilon absorbs binary noise."""
    return math.floor(value * 10 + 0.5 + 1e-9) / 10
