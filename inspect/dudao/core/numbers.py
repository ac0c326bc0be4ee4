"""Figures as people read them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def one_decimal(value: float) -> float:
    """Round half up (90.05 -> 90.1), not to even; a tiny epsilon absorbs binary noise."""
    return math.floor(value * 10 + 0.5 + 1e-9) / 10


def competition_ranks(values: Sequence[Any]) -> list[int]:
    """The places of `values`, sorted best first: equal values share the better place and
    the next one skips (1, 2, 2, 4), as a ranking with ties (并列) reads."""
    places: list[int] = []
    for index, value in enumerate(values):
        places.append(places[-1] if index and values[index - 1] == value else index + 1)
    return places
