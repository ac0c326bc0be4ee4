"""The spot-check draw (双随机): pure functions, no database.

The same seed, inputs and parameters give the same result on any machine and any
Python 3: inputs are put in a canonical order (by id), all arithmetic on weights
and quotas is on integers or exact fractions, and the only source of randomness is
``random.Random`` (Mersenne Twister) drawing integers with ``randrange``. The steps
are written out in docs/draws.md so that anyone can re-implement and check a draw.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import secrets
from bisect import bisect_right
from collections.abc import Mapping
from datetime import date
from fractions import Fraction
from itertools import accumulate
from typing import Any

from dudao.core.errors import N_, Listed, Message
from dudao.scheduling.draw_params import PERIODS, DrawError, DrawRefused, normalise_params

ALGORITHM = "dudao-draw-1"
#: Open flags beyond this many do not raise a unit's weight further.
FLAG_CAP = 5


def new_seed() -> str:
    """128 random bits as 32 hex digits."""
    return secrets.token_hex(16)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text, no floats allowed to sneak in as NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def make_rng(seed: str) -> random.Random:
    """Any seed text works (a public lottery number, too): its SHA-256, read as a big-endian
    integer, seeds the Mersenne Twister."""
    return random.Random(int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big"))


def period_cutoff(as_of: date, period: str, periods_back: int) -> date:
    """First day of the period `periods_back` periods before the one holding `as_of`."""
    months = PERIODS[period]
    start_month = (as_of.month - 1) // months * months  # 0-based month the period starts in
    index = as_of.year * 12 + start_month - periods_back * months
    return date(index // 12, index % 12 + 1, 1)


def weight(unit: Mapping[str, Any], params: Mapping[str, Any]) -> int:
    """An integer weight: 1 without weighting; else 100, plus 100 × flag_weight per open flag
    (at most FLAG_CAP flags), plus score_weight × (100 − recent score) when a score is known."""
    if not params["weighting"]:
        return 1
    flags = min(int(unit.get("open_flags") or 0), FLAG_CAP)
    value = 100 + 100 * params["flag_weight"] * flags
    score = unit.get("recent_score")
    if score is not None:
        value += params["score_weight"] * (100 - max(0, min(100, int(score))))
    return value


def _sample(rng: random.Random, units: list[dict[str, Any]], quota: int, params: Mapping) -> list:
    """Weighted sampling without replacement, one unit at a time (successive sampling):
    r = randrange(total weight); take the first unit whose running weight sum exceeds r."""
    remaining = list(units)
    weights = [weight(unit, params) for unit in remaining]
    chosen = []
    for _pick in range(quota):
        running = list(accumulate(weights))
        index = bisect_right(running, rng.randrange(running[-1]))
        chosen.append(remaining.pop(index))
        weights.pop(index)
    return chosen


def _allocate(
    rng: random.Random, strata: dict[str, list[dict[str, Any]]], wanted: int, total: int
) -> dict[str, int]:
    """Proportional allocation with largest-remainder rounding; equal remainders are ordered
    by a seeded shuffle of the stratum keys (sorted first)."""
    keys = sorted(strata)
    order = list(keys)
    rng.shuffle(order)
    position = {key: index for index, key in enumerate(order)}
    exact = {key: Fraction(wanted * len(strata[key]), total) for key in keys}
    quotas = {key: math.floor(exact[key]) for key in keys}
    left = wanted - sum(quotas.values())
    by_remainder = sorted(keys, key=lambda key: (-(exact[key] - quotas[key]), position[key]))
    for key in by_remainder[:left]:
        quotas[key] += 1
    return quotas


def _conflicts(unit_path: str, own: list[str]) -> bool:
    """回避: the unit is inside one of the inspector's own subtrees, or contains one."""
    return any(unit_path.startswith(path) or path.startswith(unit_path) for path in own)


def eligible_inspectors(unit: Mapping[str, Any], inspectors: list[dict[str, Any]]) -> list[dict]:
    """Inspectors whose reach (inspector grants) covers the unit and who are not in conflict."""
    return [
        inspector
        for inspector in inspectors
        if any(unit["path"].startswith(path) for path in inspector["reach"])
        and not _conflicts(unit["path"], inspector["own"])
    ]


def _assign(
    rng: random.Random, selected: list[dict], inspectors: list[dict], per_unit: int
) -> dict[int, list[int]]:
    candidates = {unit["id"]: eligible_inspectors(unit, inspectors) for unit in selected}
    short = [unit for unit in selected if len(candidates[unit["id"]]) < per_unit]
    if short:
        names = Listed(
            Message(
                N_("%(unit)s (%(eligible)d eligible, %(needed)d needed)"),
                unit=f"{unit['code']} {unit.get('name') or ''}".strip(),
                eligible=len(candidates[unit["id"]]),
                needed=per_unit,
            )
            for unit in sorted(short, key=lambda unit: unit["id"])
        )
        short_of = Message(N_("Not enough eligible inspectors for: %(units)s."), units=names)
        codes = [unit["code"] for unit in sorted(short, key=lambda unit: unit["id"])]
        raise DrawRefused(short_of, "too_few_inspectors", codes)
    load = {inspector["id"]: 0 for inspector in inspectors}
    assigned: dict[int, list[int]] = {}
    # Most constrained units first, so the few inspectors they may have are still free.
    for unit in sorted(selected, key=lambda unit: (len(candidates[unit["id"]]), unit["id"])):
        picked: list[int] = []
        for _seat in range(per_unit):
            free = [i["id"] for i in candidates[unit["id"]] if i["id"] not in picked]
            least = min(load[inspector_id] for inspector_id in free)
            tied = [inspector_id for inspector_id in free if load[inspector_id] == least]
            choice = tied[rng.randrange(len(tied))]
            load[choice] += 1
            picked.append(choice)
        assigned[unit["id"]] = picked
    return assigned


def _canonical_inputs(inputs: Mapping[str, Any]) -> tuple[list[dict], list[dict]]:
    units = sorted((dict(unit) for unit in inputs.get("units", [])), key=lambda u: u["id"])
    inspectors = sorted(
        (
            {**inspector, "reach": sorted(inspector["reach"]), "own": sorted(inspector["own"])}
            for inspector in inputs.get("inspectors", [])
        ),
        key=lambda inspector: inspector["id"],
    )
    for what, rows in (("unit", units), ("inspector", inspectors)):
        ids = [row["id"] for row in rows]
        if len(ids) != len(set(ids)):
            raise DrawError(Message(N_("The inputs list the same %(what)s id twice."), what=what))
    return units, inspectors


def run_draw(seed: str, params: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The draw itself: which units, which inspectors for each. See docs/draws.md."""
    params = normalise_params(params)
    units, inspectors = _canonical_inputs(inputs)
    rng = make_rng(seed)
    excluded: list[int] = []
    if params["exclude_recent_periods"]:
        cutoff = period_cutoff(
            date.fromisoformat(inputs["as_of"]), params["period"], params["exclude_recent_periods"]
        ).isoformat()
        excluded = [u["id"] for u in units if (u.get("last_inspected") or "") >= cutoff]
    skip = set(excluded)
    eligible = [unit for unit in units if unit["id"] not in skip]
    if not eligible:
        raise DrawRefused(
            Message(N_("No unit is eligible for the draw (none in scope, or all excluded).")),
            "no_eligible_units",
        )
    if params["count"] is not None:
        wanted = params["count"]
    else:
        wanted = math.ceil(Fraction(params["fraction"]) * len(eligible))
    if wanted > len(eligible):
        raise DrawRefused(
            Message(N_("The draw asks for %(wanted)d units but only %(eligible)d are eligible."),
                    wanted=wanted, eligible=len(eligible)),
            "too_few_units",
        )  # fmt: skip
    strata: dict[str, list[dict[str, Any]]] = {}
    for unit in eligible:
        key = (unit.get("company") or "") if params["stratify"] else ""
        strata.setdefault(key, []).append(unit)
    quotas = _allocate(rng, strata, wanted, len(eligible))
    selected: list[dict[str, Any]] = []
    stratum_of: dict[int, str] = {}
    for key in sorted(strata):
        for unit in _sample(rng, strata[key], quotas[key], params):
            selected.append(unit)
            stratum_of[unit["id"]] = key
    assigned = _assign(rng, selected, inspectors, params["inspectors_per_inspection"])
    load = {inspector["id"]: 0 for inspector in inspectors}
    for picked in assigned.values():
        for inspector_id in picked:
            load[inspector_id] += 1
    return {
        "algorithm": ALGORITHM,
        "seed": seed,
        "params_sha256": digest(params),
        "inputs_sha256": digest(inputs),
        "eligible": len(eligible),
        "excluded_recent": excluded,
        "allocation": [
            {"stratum": key, "eligible": len(strata[key]), "quota": quotas[key]}
            for key in sorted(strata)
        ],
        "selected": [
            {
                "unit_id": unit["id"],
                "code": unit["code"],
                "stratum": stratum_of[unit["id"]],
                "inspector_ids": assigned[unit["id"]],
            }
            for unit in selected
        ],
        "load": [{"inspector_id": key, "count": load[key]} for key in sorted(load)],
    }
