"""The spot-check draw's parameters (draws.py is the draw): checked and put in the stored
form, JSON with no floats, so that a draw re-made from its record gets the same ones."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from dudao.core.enums import UnitLevel
from dudao.core.errors import (
    N_,
    FieldProblem,
    Listed,
    Message,
    ValidationError,
    field_problem,
    name_list,
)

DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
PERIODS = {"month": 1, "quarter": 3, "year": 12}
#: The most units one draw may ask for.
MAX_COUNT = 1_000_000
#: The levels drawn from when none is asked for (kept as asked: an empty list).
DEFAULT_LEVELS = [UnitLevel.BRANCH.value]


class DrawError(ValidationError):
    """The draw cannot be made with these inputs and parameters; `problems` names each
    field that is wrong."""


class DrawRefused(DrawError):
    """The inputs are right but the draw cannot be made from them. `reason` says why
    (no_eligible_units, too_few_units or too_few_inspectors: web.labels names them),
    `units` names the drawn units it concerns, and `attempt` is what the service tried, for
    the audit log (`draw_services.record_refused`)."""

    def __init__(self, message: Message, reason: str, units: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.reason, self.units = reason, list(units)
        self.attempt: dict[str, Any] = {}


Problems = list[FieldProblem]


def _int(
    raw: Mapping[str, Any], name: str, default: int, low: int, high: int, problems: Problems
) -> int:
    value = raw.get(name, default)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if (
        number is None
        or (isinstance(value, float) and value != number)
        or not (low <= number <= high)
    ):
        wrong = Message(N_("must be a whole number from %(low)d to %(high)d, not %(value)s"),
                        low=low, high=high, value=value)  # fmt: skip
        problems.append(field_problem(name, wrong))
        return default
    return number


def _fraction(value: Any, problems: Problems) -> str | None:
    """Kept as typed, so only a plain decimal: the published record promises a verifier
    one ("1/3" or "2e-1" would be read differently, or not at all, elsewhere)."""
    typed = str(value).strip()
    if not DECIMAL.fullmatch(typed):
        wrong = Message(
            N_("The fraction must be a number such as 0.25, not %(value)s."), value=value
        )
        problems.append(field_problem("fraction", wrong))
        return None
    if not 0 < Fraction(typed) <= 1:
        wrong = Message(
            N_("The fraction must be more than 0 and at most 1, not %(value)s."), value=value
        )
        problems.append(field_problem("fraction", wrong))
        return None
    return typed


def _bool(raw: Mapping[str, Any], name: str) -> bool:
    value = raw.get(name, False)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on", "y"}
    return bool(value)


def unknown_levels(levels: Sequence[str]) -> Message | None:
    """What is wrong with the unit levels asked for (a draw's, an ad hoc subtree's), if
    anything: the levels named and the ones there are, in the reader's words."""
    if not set(levels) - {level.value for level in UnitLevel}:
        return None
    return Message(
        N_("Unknown unit level in %(levels)s; use %(known)s."),
        levels=name_list(levels), known=name_list(UnitLevel),
    )  # fmt: skip


def _levels(raw: Mapping[str, Any], problems: Problems) -> list[str]:
    levels = sorted({str(level) for level in raw.get("levels") or []})
    unknown = unknown_levels(levels)
    if unknown is not None:
        problems.append(field_problem("levels", unknown))
    return levels


def normalise_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Checked parameters in their stored form (JSON with no floats); DrawError naming every
    one that is wrong."""
    problems: Problems = []
    count, fraction = raw.get("count"), raw.get("fraction")
    count = None if count in (None, "") else count
    fraction = None if fraction in (None, "") else fraction
    if (count is None) == (fraction is None):
        either = Message(
            N_("Give either a count of units or a fraction of them, not both or neither.")
        )
        problems.append(field_problem("count", either))
    period = str(raw.get("period") or "quarter")
    if period not in PERIODS:
        wrong = Message(N_("must be one of %(allowed)s, not '%(value)s'"),
                        allowed=name_list(PERIODS), value=period)  # fmt: skip
        problems.append(field_problem("period", wrong))
    params = {
        "count": None if count is None else _int(raw, "count", 1, 1, MAX_COUNT, problems),
        "fraction": None if fraction is None else _fraction(fraction, problems),
        "stratify": _bool(raw, "stratify"),
        "weighting": _bool(raw, "weighting"),
        "flag_weight": _int(raw, "flag_weight", 1, 0, 100, problems),
        "score_weight": _int(raw, "score_weight", 2, 0, 100, problems),
        "exclude_recent_periods": _int(raw, "exclude_recent_periods", 0, 0, 100, problems),
        "period": period,
        "inspectors_per_inspection": _int(raw, "inspectors_per_inspection", 2, 1, 20, problems),
        "levels": _levels(raw, problems),
        "pool": sorted({str(name) for name in raw.get("pool") or []}),
    }
    if problems:
        raise DrawError(
            Message(N_("The draw's parameters cannot be used: %(problems)s"),
                    problems=Listed(problems)),
            problems,
        )  # fmt: skip
    return params
