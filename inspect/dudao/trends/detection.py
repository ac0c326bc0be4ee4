"""What a rule found: a Detection per fingerprint, over the whole history analysed.

Rules evaluate every period as if the analysis had run at its end, so `first` is the
period whose data first met the condition and `active` says whether it still holds
at the latest period analysed (otherwise the flag is "no longer detected").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dudao.trends.queries import History


@dataclass
class Detection:
    rule: str
    fingerprint: str
    severity: str
    scope_unit_id: int
    unit_ids: list[int]
    first: str
    last: str
    active: bool
    evidence: dict[str, Any]
    item_key: str | None = None
    definition_key: str | None = None


@dataclass
class Frame:
    """Index arrays derived once from a History and shared by the rules."""

    history: History
    group: np.ndarray  # (unit, definition) group per submission
    group_unit: np.ndarray
    group_def: np.ndarray
    rank: np.ndarray  # position of the submission in its group, in time order
    last_rank: np.ndarray  # per group
    pidx: np.ndarray  # period index per submission
    fail_index: np.ndarray  # submission index of each failed item
    items: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    fail_item_code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))


def frame_of(history: History) -> Frame:
    n = len(history)
    defs, def_code = np.unique(history.definition, return_inverse=True) if n else ([], np.zeros(0))
    def_code = np.asarray(def_code, dtype=np.int64)
    key = history.unit_id * max(len(defs), 1) + def_code
    _, group = np.unique(key, return_inverse=True)
    group = np.asarray(group, dtype=np.int64)
    order = np.argsort(group, kind="stable")  # history is in time order within a unit
    starts = np.r_[0, np.flatnonzero(np.diff(group[order])) + 1] if n else np.zeros(0, int)
    counts = np.diff(np.r_[starts, n]) if n else np.zeros(0, int)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(starts, counts)
    ngroups = len(starts)
    group_unit = np.zeros(ngroups, dtype=np.int64)
    group_def = np.empty(ngroups, dtype=object)
    group_unit[group[order][starts]] = history.unit_id[order][starts]
    group_def[group[order][starts]] = history.definition[order][starts]
    last_rank = counts - 1
    lookup = {p: i for i, p in enumerate(history.periods)}
    pidx = np.fromiter((lookup[p] for p in history.period), dtype=np.int64, count=n)
    by_pk = np.argsort(history.sub_pk)
    fail_index = by_pk[np.searchsorted(history.sub_pk[by_pk], history.fail_sub)]
    items, fail_item_code = (
        np.unique(history.fail_item, return_inverse=True)
        if len(history.fail_item)
        else (np.zeros(0, dtype=object), np.zeros(0, dtype=int))
    )
    return Frame(
        history, group, group_unit, group_def, rank, last_rank, pidx, fail_index,
        np.asarray(items, dtype=object), np.asarray(fail_item_code, dtype=np.int64),
    )  # fmt: skip


def ids(values: np.ndarray, limit: int = 50) -> list[int]:
    """Sorted distinct ids, capped so evidence stays readable."""
    return [int(v) for v in np.unique(values)[:limit]]
