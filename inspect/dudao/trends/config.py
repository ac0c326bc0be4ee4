"""The trend rules' settings from workflows/trends.yaml (on/off, thresholds, windows, severity)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from dudao.config import PROJECT_ROOT
from dudao.core.enums import UnitLevel
from dudao.core.errors import N_, Message
from dudao.definitions.checks import INVALID, Checker
from dudao.definitions.problems import DefinitionError
from dudao.definitions.yamlsource import Source, read_checked

RULES_FILE = PROJECT_ROOT / "workflows" / "trends.yaml"
SEVERITIES = ("low", "medium", "high")
#: Settings that are shares (a false discovery rate, a coverage): strictly between 0 and 1.
SHARES = ("fdr", "coverage")
#: Numbers that must be more than 0: the shares, and the CUSUM's decision interval.
POSITIVE = (*SHARES, "h")
#: The least each count means something at: below it a rule would flag every failure or
#: unit, or nothing, silently ("recurring" needs two failures, a theme two units, a trend
#: test three months). Other counts may be 0.
MINIMA = {
    ("recurring_failure", "consecutive"): 2,
    ("cross_unit", "baseline_periods"): 1, ("cross_unit", "min_baseline_periods"): 1,
    ("deterioration", "baseline_periods"): 2, ("deterioration", "mk_periods"): 3,
    ("outlier", "window_periods"): 1, ("outlier", "min_inspections"): 1,
    ("outlier", "persist_periods"): 1,
    ("questionnaire_decline", "baseline_campaigns"): 1,
    ("feedback_theme", "window_days"): 1, ("feedback_theme", "min_units"): 2,
    ("overdue_rectification", "min_overdue"): 1,
    ("returned_inspection", "min_returns"): 2,
}  # fmt: skip
DEFAULTS: dict[str, dict[str, Any]] = {
    "critical_failure": {"enabled": True, "severity": "high"},
    "recurring_failure": {"enabled": True, "severity": "medium", "consecutive": 2},
    "cross_unit": {
        "enabled": True, "severity": "high", "levels": ["group", "company"],
        "baseline_periods": 12, "min_baseline_periods": 3, "windows": [1, 2], "fdr": 0.05,
        "min_ratio": 1.5, "min_failures": 3,
    },
    "deterioration": {
        "enabled": True, "severity": "medium", "baseline_periods": 6, "guard_periods": 4,
        "k": 0.5, "h": 5.0,
        "mk_periods": 8, "transform": True,
    },
    "outlier": {
        "enabled": True, "severity": "medium", "window_periods": 3, "coverage": 0.998,
        "min_inspections": 2, "persist_periods": 3,
    },
    "questionnaire_decline": {
        "enabled": True, "severity": "medium", "fdr": 0.01, "min_drop": 5.0,
        "baseline_campaigns": 4, "sustained_campaigns": 4, "sustained_baseline": 8,
        "sustained_min_baseline": 4,
    },
    "feedback_theme": {
        "enabled": True, "severity": "medium", "window_days": 90, "min_units": 3, "min_ratio": 2.0,
    },
    "overdue_rectification": {"enabled": True, "severity": "medium", "min_overdue": 1},
    "returned_inspection": {"enabled": True, "severity": "low", "min_returns": 2},
}  # fmt: skip


class TrendRulesError(DefinitionError):
    """workflows/trends.yaml cannot be used; `problems` are located (`file:line:col`)."""


def load_rules(path: Path = RULES_FILE) -> dict[str, dict[str, Any]]:
    """Every rule's settings, the file's values over the defaults. Unknown rules and
    settings, values of the wrong type and impossible windows are TrendRulesError, every
    one located, as the other workflows/ files report theirs."""
    text = path.read_text(encoding="utf-8") if path.exists() else "{}"
    return read_checked(text or "{}", str(path), _read, TrendRulesError)


def _read(source: Source) -> dict[str, dict[str, Any]] | None:
    c, raw = Checker(source), {} if source.data is None else source.data
    if c.mapping(raw, (), Message(N_("a mapping of rule names to their settings"))) is INVALID:
        return None
    c.fields(raw, (), DEFAULTS)
    rules: dict[str, dict[str, Any]] = {}
    for name, defaults in DEFAULTS.items():
        given = raw.get(name) or {}
        if c.mapping(given, (name,), Message(N_("a mapping of settings"))) is INVALID:
            continue
        c.fields(given, (name,), defaults)
        rules[name] = {key: _setting(c, given[key], (name, key), default) if key in given
                       else default for key, default in defaults.items()}  # fmt: skip
    if source.problems:
        return None
    _check_sustained(c, rules["questionnaire_decline"])
    cross = rules["cross_unit"]
    if cross["min_baseline_periods"] > cross["baseline_periods"]:
        c.add(("cross_unit", "min_baseline_periods"), Message(
            N_("at most baseline_periods (%(n)d)"), n=cross["baseline_periods"]))  # fmt: skip
    return None if source.problems else rules


def _setting(c: Checker, value: Any, path: tuple[str, str], default: Any) -> Any:
    """A setting read as its default's type: severity one of SEVERITIES, a share strictly
    between 0 and 1, counts at least their MINIMA (else 0), `h` above 0, other numbers 0
    or more, lists of unit levels or of window lengths."""
    key = path[1]
    if key == "severity":
        return c.choice(value, path, SEVERITIES, Message(N_("severity")))
    if isinstance(default, bool):
        return c.boolean(value, path)
    if isinstance(default, int):
        return c.integer(value, path, MINIMA.get(path, 0))
    if isinstance(default, float):
        number = c.number(value, path, 0, 1 if key in SHARES else None)
        if number is INVALID:
            return number
        if number == 0 and key in POSITIVE:
            return c.add(path, Message(N_("must be more than 0")))
        if number == 1 and key in SHARES:
            return c.add(path, Message(N_("must be less than 1")))
        return number
    listed = c.sequence(value, path, Message(N_("values")))
    if listed is INVALID:
        return INVALID
    if key == "levels":
        levels = tuple(level.value for level in UnitLevel)
        return [c.choice(v, (*path, i), levels, Message(N_("level"))) for i, v in enumerate(listed)]
    return [c.integer(v, (*path, i), 1) for i, v in enumerate(listed)]


def _check_sustained(c: Checker, cfg: dict[str, Any]) -> None:
    """Rule 6's windows over campaigns: a baseline of at least one campaign and no more
    required than it keeps."""
    name = "questionnaire_decline"
    if cfg["sustained_baseline"] < 1:
        c.add((name, "sustained_baseline"), Message(N_("at least 1 campaign")))
    elif cfg["sustained_min_baseline"] > cfg["sustained_baseline"]:
        c.add((name, "sustained_min_baseline"), Message(
            N_("at most sustained_baseline (%(n)d)"), n=cfg["sustained_baseline"]))  # fmt: skip


@cache
def shipped_rules() -> dict[str, dict[str, Any]]:
    return load_rules()
