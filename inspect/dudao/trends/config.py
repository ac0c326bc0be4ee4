"""The trend rules' settings from workflows/trends.yaml (on/off, thresholds, windows, severity)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dudao.config import PROJECT_ROOT
from dudao.core.errors import ConfigError

RULES_FILE = PROJECT_ROOT / "workflows" / "trends.yaml"
SEVERITIES = ("low", "medium", "high")
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


def load_rules(path: Path = RULES_FILE) -> dict[str, dict[str, Any]]:
    """Every rule's settings, the file's values over the defaults; unknown names are errors."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    data = data or {}
    problems = [f"{path.name}: unknown rule {name!r}" for name in data if name not in DEFAULTS]
    rules: dict[str, dict[str, Any]] = {}
    for name, defaults in DEFAULTS.items():
        given = data.get(name) or {}
        problems += [
            f"{path.name}: {name}.{key}: unknown setting" for key in given if key not in defaults
        ]
        merged = {**defaults, **given}
        if merged["severity"] not in SEVERITIES:
            problems.append(f"{path.name}: {name}.severity: one of {', '.join(SEVERITIES)}")
        rules[name] = merged
    problems += [f"{path.name}: {p}" for p in _sustained_problems(rules["questionnaire_decline"])]
    if problems:
        raise ConfigError("; ".join(problems))
    return rules


def _sustained_problems(cfg: dict[str, Any]) -> list[str]:
    """Rule 6's windows over campaigns: whole numbers, a baseline of at least one campaign
    and no more required than it keeps."""
    name, out = "questionnaire_decline", []
    for key in ("sustained_campaigns", "sustained_baseline", "sustained_min_baseline"):
        if not isinstance(cfg[key], int) or isinstance(cfg[key], bool) or cfg[key] < 0:
            out.append(f"{name}.{key}: a whole number, 0 or more")
    if out:
        return out
    if cfg["sustained_baseline"] < 1:
        out.append(f"{name}.sustained_baseline: at least 1 campaign")
    if cfg["sustained_min_baseline"] > cfg["sustained_baseline"]:
        out.append(f"{name}.sustained_min_baseline: at most sustained_baseline "
                   f"({cfg['sustained_baseline']})")  # fmt: skip
    return out


@cache
def shipped_rules() -> dict[str, dict[str, Any]]:
    return load_rules()
