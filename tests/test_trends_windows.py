"""The cross-unit rule's windows, on arrays (the functions `dudao analyze` runs after SQL)."""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

from dudao.trends.config import DEFAULTS
from dudao.trends.detection import frame_of
from dudao.trends.queries import History
from dudao.trends.rules_items import cross_unit

UNITS, MONTHS = 40, 14
TABLE = {1: ("G", "/1/", "group"), 2: ("C", "/1/2/", "company")} | {
    10 + u: (f"U{u}", f"/1/2/{10 + u}/", "branch") for u in range(UNITS)
}


def history(failures_per_month: list[int]) -> History:
    """One inspection per unit and month; item `a` fails in the first units each month."""
    unit = np.repeat(np.arange(UNITS) + 10, MONTHS)
    month = np.tile(np.arange(MONTHS), UNITS)
    pk = np.arange(len(unit))
    failed = np.asarray([u - 10 < failures_per_month[m] for u, m in zip(unit, month, strict=True)])
    periods = [f"2024-{m + 1:02d}" if m < 12 else f"2025-{m - 11:02d}" for m in range(MONTHS)]
    return History(
        sub_pk=pk, inspection_id=pk, unit_id=unit,
        definition=np.full(len(pk), "check", dtype=object),
        period=np.asarray(periods, dtype=object)[month], percent=np.full(len(pk), 90.0),
        version_id=np.ones(len(pk), dtype=np.int64), fail_sub=pk[failed],
        fail_item=np.full(failed.sum(), "a", dtype=object),
        fail_critical=np.zeros(failed.sum(), dtype=bool), periods=periods,
    )  # fmt: skip


def test_two_months_together_find_what_one_month_cannot() -> None:
    # 2 of 40 fail each month for a year, then 5 in each of the last two months: one month
    # gives p ≈ 0.07 and 0.10, two months together p ≈ 0.017 (BH over 4 tests: q ≈ 0.035).
    h = history([2] * 12 + [5, 5])
    one = cross_unit(frame_of(h), {**DEFAULTS["cross_unit"], "windows": [1]}, TABLE)
    assert one == []
    found = cross_unit(frame_of(h), DEFAULTS["cross_unit"], TABLE)
    assert {d.scope_unit_id for d in found} == {1, 2}  # the company and the organisation
    ev = found[0].evidence
    assert found[0].first == "2025-02" and ev["window_periods"] == 2
    assert (ev["failures"], ev["inspections"]) == (10, 80)
    # The window against the 12 months before it: 24 failures among 480 inspections.
    assert ev["p_value"] == sps.binom.sf(9, 10 + 24, 80 / (80 + 480))
    assert ev["rate"] == 0.125 and len(found[0].unit_ids) == 5 and ev["q_value"] <= 0.05
    lo, hi = ev["wilson_95"]
    assert (round(lo, 4), round(hi, 4)) == (0.0693, 0.215)  # Wilson score interval, 10 of 80
